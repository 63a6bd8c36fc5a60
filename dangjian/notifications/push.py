"""Push to the groups where people already read: an organization's group robots (企业微信, 钉钉, 飞书).

This is notify()'s channel for organizations rather than persons: a module calls

    from dangjian.notifications.api import push
    push(article.organization, "article", f"article:{article.pk}", PushMessage(title, summary, url, image_url))

inside its transaction; one `Delivery` per active robot of the organization that takes the topic is written
with it, and the worker sends them after the commit (tasks.deliver_pushes), with retries and back-off, each
outcome recorded. How a message becomes a request is the robot kind's adapter (`ADAPTERS`, `register_adapter`):
a site adds an SMS gateway or a 公众号 template message by registering one more adapter and robot kind.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone


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


TOPIC_FIELDS = {"article": "push_articles", "notice": "push_notices"}


def push(organization, topic: str, key: str, message: PushMessage) -> int:
    """Queue `message` for every active robot of `organization` that takes `topic`; each robot gets a given
    `key` once, however often this is called. Sent after the caller's transaction commits. Returns how many
    deliveries were queued."""
    from .models import Delivery, Robot

    robots = Robot.objects.filter(organization=organization, active=True, **{TOPIC_FIELDS[topic]: True})
    queued = 0
    now = timezone.now()
    for robot in robots:
        try:
            with transaction.atomic():
                Delivery.objects.create(robot=robot, topic=topic, key=key, message=message.as_json(), next_try_at=now)
        except IntegrityError:
            continue  # already queued or sent for this robot
        queued += 1
    if queued:
        transaction.on_commit(enqueue_deliveries)
    return queued


def enqueue_deliveries() -> None:
    from .tasks import deliver_pushes

    deliver_pushes.enqueue()
