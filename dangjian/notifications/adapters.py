"""The message pushed to a group robot and the adapters' registry (push.py uses them, robots.py registers the
WeCom, DingTalk and Feishu adapters, push_delivery.py sends through them). Kept apart from push.py so that the
worker's side imports no module that enqueues tasks."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PushMessage:
    title: str
    summary: str
    url: str  # absolute, back to the platform
    image_url: str = ""  # absolute, or empty
    source: str = ""  # the organization's name, shown on the card

    def as_json(self) -> dict:
        return asdict(self)


class Adapter:
    """Turns a message into the HTTP request a robot kind expects, and reads its answer."""

    kind: str = ""

    def request(self, robot, message: PushMessage, webhook: str, secret: str) -> tuple[str, dict]:
        """The URL to POST to and the JSON body."""
        raise NotImplementedError

    def accepted(self, status: int, body: dict) -> tuple[bool, str]:
        """Whether the service took the message, and if not why (its own words)."""
        raise NotImplementedError


ADAPTERS: dict[str, Adapter] = {}


def register_adapter(adapter: Adapter) -> Adapter:
    ADAPTERS[adapter.kind] = adapter
    return adapter
