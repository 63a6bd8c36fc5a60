"""Notifications of the feedback module: in the console, and by e-mail sent after commit by the worker.

A failed send is recorded on the notification (attempts, error), retried with back-off, and after
MAIL_MAX_ATTEMPTS shown as failed with a "send again" button; nothing is dropped.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import holders
from dangjian.organizations.models import Organization

from .models import Case, Notification

MAIL_MAX_ATTEMPTS = 8


def notify(organization: Organization, capability: str, case: Case | None, kind: str, message: str) -> int:
    """Tell the staff holding `capability` on the organization (or, if it has none, the nearest above)."""
    current: Organization | None = organization
    users = []
    while current is not None:
        users = list(holders(current, capability))
        if users:
            break
        current = current.parent
    now = timezone.now()
    rows = [
        Notification(
            user=user,
            case=case,
            kind=kind,
            message=message[:300],
            created_at=now,
            mail_state=Notification.Mail.PENDING if user.email else Notification.Mail.NONE,
            mail_next_try=now if user.email else None,
        )
        for user in users
    ]
    Notification.objects.bulk_create(rows)
    if any(row.mail_state == Notification.Mail.PENDING for row in rows):
        transaction.on_commit(_enqueue_mail)
    return len(rows)


def _enqueue_mail() -> None:
    from .tasks import deliver_mail

    deliver_mail.enqueue()


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def deliver_pending_mail(now: datetime.datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Send waiting notification e-mails; a failure is recorded and retried later, never dropped."""
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0}
    due = Notification.objects.filter(mail_state=Notification.Mail.PENDING, mail_next_try__lte=now)
    for notice in due.select_related("user", "case")[:batch]:
        claimed = Notification.objects.filter(
            pk=notice.pk, mail_state=Notification.Mail.PENDING, mail_attempts=notice.mail_attempts
        ).update(mail_attempts=F("mail_attempts") + 1, mail_next_try=now + _backoff(notice.mail_attempts + 1))
        if not claimed:
            continue  # another worker has it
        try:
            EmailMessage(
                subject=f"[{settings.SITE_NAME}] {notice.message[:60]}",
                body=notice.message + "\n\n" + _("Sign in to the console to see the case."),
                to=[notice.user.email],
            ).send()
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


def retry_mail(user, notification_ids: Iterable[int]) -> int:
    """Put failed e-mails back in the queue (the user's own, or all for an administrator)."""
    rows = Notification.objects.filter(pk__in=list(notification_ids), mail_state=Notification.Mail.FAILED)
    if not user.is_superuser:
        rows = rows.filter(user=user)
    count = rows.update(mail_state=Notification.Mail.PENDING, mail_attempts=0, mail_next_try=timezone.now())
    if count:
        transaction.on_commit(_enqueue_mail)
    return count


def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())
