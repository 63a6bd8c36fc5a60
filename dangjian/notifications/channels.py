"""Channels deliver a notification besides its row (the row itself is the console channel).

A channel may mark each new row before it is saved (`prepare`) and is called once after the caller's
transaction commits with the ids of the rows it takes (`after_commit`); nothing is sent if the transaction
rolls back. WebSocket and group-robot push plug in later with `register(TheirChannel())`.
"""

from __future__ import annotations

import datetime
from typing import Any

from .kinds import CONSOLE, MAIL
from .models import Notification


class Channel:
    name: str = ""

    def prepare(self, row: Notification, user: Any, now: datetime.datetime) -> bool:
        """Set up the row before it is saved; True if this channel has something to deliver for it."""
        return True

    def after_commit(self, row_ids: list[int]) -> None:
        """Deliver (or enqueue the delivery of) these rows; runs after the commit."""


class ConsoleChannel(Channel):
    """The row is the console notification; the unread badge and the console page read it."""

    name = CONSOLE

    def prepare(self, row: Notification, user: Any, now: datetime.datetime) -> bool:
        return False


class MailChannel(Channel):
    """Queued e-mail: the worker sends it after the commit, retries with back-off, never drops it (mail.py)."""

    name = MAIL

    def prepare(self, row: Notification, user: Any, now: datetime.datetime) -> bool:
        if not getattr(user, "email", ""):
            return False
        row.mail_state = Notification.Mail.PENDING
        row.mail_next_try = now
        return True

    def after_commit(self, row_ids: list[int]) -> None:
        enqueue_mail()


def enqueue_mail() -> None:
    from .tasks import deliver_mail  # the task module imports mail.py; imported here, not at load time

    deliver_mail.enqueue()


_CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    _CHANNELS[channel.name] = channel
    return channel


def get(name: str) -> Channel | None:
    return _CHANNELS.get(name)


def names() -> set[str]:
    return set(_CHANNELS)


register(ConsoleChannel())
register(MailChannel())
