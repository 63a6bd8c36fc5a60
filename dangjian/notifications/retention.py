"""How long notifications are kept (a periodic task, see tasks.py and settings.PERIODIC_TASKS)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from .models import Notification


def forget_old(now: datetime.datetime | None = None) -> dict[str, int]:
    """Notifications older than NOTIFICATION_RETENTION_DAYS go (an e-mail still waiting is kept until sent)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    removed, _details = (
        Notification.objects.filter(created_at__lt=cutoff).exclude(mail_state=Notification.Mail.PENDING).delete()
    )
    return {"notifications_removed": removed}
