"""The kinds of notification, declared by the apps that send them.

An app registers its kinds from its AppConfig.ready() (see feedback/notices.py):

    register(Kind(
        "feedback.new",
        _("New case %(number)s at %(place)s: %(title)s"),      # gettext_lazy, formatted with the params
        channels=("console", "mail"),
    ))
    register_target_link("feedback.case", lambda pk: reverse("console:feedback_case", args=[pk]))

A notification links to its target's console page (register_target_link, one per model), or to what
its kind's own `link` returns (e.g. an inbox, for a kind without a target).

The text is rendered when shown, in the reader's language; `display` may turn stored codes into labels
(e.g. a rating "satisfied" into its translated name). This module imports no app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

CONSOLE = "console"
MAIL = "mail"


class _Row(Protocol):
    kind: str
    params: Any
    target_type_id: int | None
    target_id: int | None


DEFAULT_MAIL_HINT = _("Sign in to the console to read it.")


@dataclass(frozen=True)
class Kind:
    name: str  # "<app>.<what>", stored on each row
    text: Any  # a lazy format string over the params: _("Case %(number)s was returned")
    link: Callable[[Any], str | None] | None = None  # the row -> a console URL (default: its target's link)
    channels: tuple[str, ...] = (CONSOLE,)  # the channels that deliver it; "console" is the row itself
    display: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None  # stored params -> shown values
    mail_hint: Any = DEFAULT_MAIL_HINT  # the e-mail's last line


_KINDS: dict[str, Kind] = {}
_TARGET_LINKS: dict[str, Callable[[int], str]] = {}

# Rows written before kinds existed keep their text as {"text": ...}; shown as they were.
TEXT = "notifications.text"


def register(kind: Kind) -> Kind:
    if "." not in kind.name:
        raise ValueError(f"A notification kind is named '<app>.<what>', not {kind.name!r}.")
    if kind.name in _KINDS and _KINDS[kind.name] != kind:
        raise ValueError(f"The notification kind {kind.name!r} is registered twice.")
    _KINDS[kind.name] = kind
    return kind


def register_target_link(model: str, url: Callable[[int], str]) -> None:
    """How the console links to a target of this model ("app_label.model", lower case): its pk -> URL."""
    _TARGET_LINKS[model.lower()] = url


def get(name: str) -> Kind | None:
    return _KINDS.get(name)


def registered() -> dict[str, Kind]:
    return dict(_KINDS)


register(Kind(TEXT, "%(text)s"))


def render(row: _Row) -> str:
    """The row's text in the active language; never fails (an unknown kind shows its stored text, if any)."""
    params = row.params if isinstance(row.params, dict) else {}
    kind = _KINDS.get(row.kind)
    if kind is None:
        return str(params.get("text", row.kind))
    try:
        values = dict(kind.display(params)) if kind.display else params
        return str(kind.text) % values
    except (KeyError, TypeError, ValueError) as error:
        log.warning("Notification kind %s could not be rendered: %s", row.kind, type(error).__name__)
        return str(params.get("text", kind.name))


def _target_link(row: _Row) -> str | None:
    if row.target_type_id is None or row.target_id is None:
        return None
    target_type = ContentType.objects.get_for_id(row.target_type_id)  # cached after the first time
    url = _TARGET_LINKS.get(f"{target_type.app_label}.{target_type.model}")
    return url(row.target_id) if url else None


def link(row: _Row) -> str:
    """The console URL the row links to, or ""."""
    kind = _KINDS.get(row.kind)
    try:
        if kind is not None and kind.link is not None:
            return kind.link(row) or ""
        return _target_link(row) or ""
    except Exception:  # noqa: BLE001 - a link that cannot be built is left out, the text is still shown
        log.warning("Notification kind %s could not build its link.", row.kind)
        return ""


# A group robot (push.py) that keeps failing: its organization's robot managers are told once (push_delivery).
ROBOT_FAILING = register(
    Kind(
        "notifications.robot_failing",
        _("The group robot “%(robot)s” of %(org)s failed %(failures)s times in a row. Last error: %(error)s"),
        channels=(CONSOLE, MAIL),
    )
)
