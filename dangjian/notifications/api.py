"""What other apps call: notify() and its helpers.

    from dangjian.notifications.api import notify, staff_holding

    notify(staff_holding(HANDLE_FEEDBACK, case.place), "feedback.new", case, number=case.number, ...)

notify() writes the rows in the caller's transaction and hands them to the kind's channels after the commit.
queue_sms() does the same for a short message to a mobile number (a citizen without an account; sms.py).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from dangjian.accounts.permissions import holders

from . import attachments as mail_attachments
from . import channels, kinds, sms
from .attachments import MailAttachment
from .models import Notification, SmsMessage


def staff_holding(capability: str, organization) -> list:
    """The active users holding `capability` on the organization or, if it has none, on the nearest
    organization above that has any (so that a notice never goes nowhere while someone could act)."""
    current = organization
    while current is not None:
        users = list(holders(current, capability))
        if users:
            return users
        current = current.parent
    return []


def _users(recipients: Iterable[Any]) -> list:
    """Users from users or ids, each once, in the order given."""
    seen: dict[int, Any] = {}
    missing: list[int] = []
    for item in recipients:
        if item is None:
            continue
        pk = item.pk if hasattr(item, "pk") else int(item)
        if pk in seen:
            continue
        seen[pk] = item if hasattr(item, "pk") else None
        if seen[pk] is None:
            missing.append(pk)
    if missing:
        found = get_user_model().objects.in_bulk(missing)
        for pk in missing:
            seen[pk] = found.get(pk)
    return [user for user in seen.values() if user is not None]


def notify(
    recipients: Iterable[Any],
    kind: str,
    target: models.Model | None = None,
    *,
    organization=None,
    attachments: Sequence[MailAttachment] = (),
    **params: Any,
) -> list[Notification]:
    """Notify each recipient once of `kind` (registered in kinds.py) about `target`.

    The params must be JSON values; the text is rendered from the kind and the params when shown.
    The rows are written in the caller's transaction; each channel of the kind delivers after the commit,
    so a rolled-back action neither leaves a notification nor sends one.
    `attachments` are files already in the default storage that the e-mail carries (attachments.py: at most
    MAIL_ATTACHMENTS_MAX_COUNT files, MAIL_ATTACHMENTS_MAX_BYTES in all; ValueError beyond).
    """
    spec = kinds.get(kind)
    if spec is None:
        raise ValueError(f"Unknown notification kind {kind!r}; register it in the sending app's ready().")
    stored_attachments = mail_attachments.described(attachments) if attachments else []
    users = _users(recipients)
    if not users:
        return []
    now = timezone.now()
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    rows = [
        Notification(
            user=user,
            kind=kind,
            params=params,
            target_type=target_type,
            target_id=target.pk if target is not None else None,
            organization=organization,
            created_at=now,
            attachments=stored_attachments,
        )
        for user in users
    ]
    delivering: list[tuple[channels.Channel, list[Notification]]] = []
    for name in spec.channels:
        channel = channels.get(name)
        if channel is None:
            raise ValueError(f"Notification kind {kind!r} uses the unknown channel {name!r}.")
        delivering.append(
            (channel, [row for row, user in zip(rows, users, strict=True) if channel.prepare(row, user, now)])
        )
    Notification.objects.bulk_create(rows)
    for channel, taken in delivering:
        if taken:
            transaction.on_commit(functools.partial(channel.after_commit, [row.pk for row in taken]))
    return rows


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def for_user(user):
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user)


def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())


def retry_mail(user, notification_ids: Iterable[int]) -> int:
    """Put failed e-mails back in the queue (the user's own, or all for an administrator)."""
    rows = Notification.objects.filter(pk__in=list(notification_ids), mail_state=Notification.Mail.FAILED)
    if not user.is_superuser:
        rows = rows.filter(user=user)
    count = rows.update(mail_state=Notification.Mail.PENDING, mail_attempts=0, mail_next_try=timezone.now())
    if count:
        transaction.on_commit(channels.enqueue_mail)
    return count


def queue_sms(mobile: str, text: str, *, key: str) -> SmsMessage | None:
    """Queue one message in the caller's transaction; the worker sends it after the commit.

    `key` names the message once for all ("feedback.answered:42"): a second call with the same key queues
    nothing. Returns the new row, or None when nothing was queued (no SMS configured, not a mobile number,
    already queued).
    """
    if not sms.is_configured() or not sms.is_mobile(mobile):
        return None
    try:
        with transaction.atomic():
            text = sms.signed(text)[:500]
            row = SmsMessage.objects.create(key=key[:100], mobile=mobile, text=text, next_try=timezone.now())
    except IntegrityError:
        return None  # queued before under this key
    transaction.on_commit(_enqueue_sms_delivery)
    return row


def _enqueue_sms_delivery() -> None:
    from .tasks import deliver_sms  # the task module imports sms.py; imported here, not at load time

    deliver_sms.enqueue()


# The organization channel (group robots, push.py), here beside notify() for the modules that call it.
from .push import PushMessage, push  # noqa: E402, F401
