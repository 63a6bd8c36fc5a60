"""The e-mail channel's queue: the worker sends waiting e-mails after commit.

A failed send is recorded on the notification (attempts, error), retried with back-off, and after
MAIL_MAX_ATTEMPTS shown as failed with a "send again" button; nothing is dropped.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import kinds
from .models import Notification

MAIL_MAX_ATTEMPTS = 8


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _files(notice: Notification) -> tuple[list[tuple[str, bytes, str]], list[str]]:
    """The notification's attachments read from the storage: (name, bytes, type) each, and the names of those gone."""
    found, missing = [], []
    for item in notice.attachments or []:
        try:
            with default_storage.open(item["path"], "rb") as handle:
                found.append((item["name"], handle.read(), item.get("type") or "application/octet-stream"))
        except (FileNotFoundError, KeyError, TypeError):
            missing.append(str(item.get("name", "")) if isinstance(item, dict) else "")
    return found, missing


def _message(notice: Notification) -> EmailMessage:
    files, missing = _files(notice)
    with translation.override(settings.LANGUAGE_CODE):
        text = notice.text
        kind = kinds.get(notice.kind)
        hint = str(kind.mail_hint if kind is not None else kinds.DEFAULT_MAIL_HINT)
        gone = (
            _("These files could not be attached (they are no longer kept): %(names)s.") % {"names": "、".join(missing)}
            if missing
            else ""
        )
    body = "\n\n".join(part for part in (text, gone, hint) if part)
    message = EmailMessage(subject=f"[{settings.SITE_NAME}] {text[:60]}", body=body, to=[notice.user.email])
    for name, content, content_type in files:
        message.attach(name, content, content_type)
    return message


def deliver_pending_mail(now: datetime.datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Send waiting notification e-mails; a failure is recorded and retried later, never dropped."""
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0}
    due = Notification.objects.filter(mail_state=Notification.Mail.PENDING, mail_next_try__lte=now)
    for notice in due.select_related("user")[:batch]:
        claimed = Notification.objects.filter(
            pk=notice.pk, mail_state=Notification.Mail.PENDING, mail_attempts=notice.mail_attempts
        ).update(mail_attempts=F("mail_attempts") + 1, mail_next_try=now + _backoff(notice.mail_attempts + 1))
        if not claimed:
            continue  # another worker has it
        try:
            _message(notice).send()
        except Exception as error:  # noqa: BLE001 - any failure of the mail server is recorded and retried
            attempts = notice.mail_attempts + 1
            Notification.objects.filter(pk=notice.pk).update(
                mail_error=f"{type(error).__name__}: {error}"[:300],
                mail_state=Notification.Mail.FAILED if attempts >= MAIL_MAX_ATTEMPTS else Notification.Mail.PENDING,
            )
            counts["failed"] += 1
        else:
            Notification.objects.filter(pk=notice.pk).update(
                mail_state=Notification.Mail.SENT, mail_sent_at=timezone.now(), mail_error=""
            )
            counts["sent"] += 1
    return counts
