"""What the clock runs for the member registry (scheduled by `run_clock`, settings.PERIODIC_TASKS).

`remind_probations` tells the holders of MANAGE_MEMBERS on a probationary member's branch (or the nearest
organization above that has any: `notifications.api.staff_holding`) PROBATION_REMINDER_DAYS before the
probation ends, once per member and end date: the reminder is the record (a notification of the kind with the
member as target and the end date in its params), so a second run, or the next day's, tells no one again. A
branch with no one to tell is tried again the next day.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.permissions import MANAGE_MEMBERS
from dangjian.notifications.api import notify, staff_holding
from dangjian.notifications.models import Notification

from . import notices
from .models import Member


def _reminded(member: Member, content_type: ContentType) -> bool:
    return Notification.objects.filter(
        kind=notices.PROBATION_ENDING,
        target_type=content_type,
        target_id=member.pk,
        params__ends_on=member.probation_ends_on.isoformat() if member.probation_ends_on else None,
    ).exists()


def remind_probations(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.PROBATION_REMINDER_DAYS)
    content_type = ContentType.objects.get_for_model(Member)
    counts = {"reminded": 0, "notifications": 0}
    due = (
        Member.objects.filter(
            category=Member.Category.PROBATIONARY,
            status=Member.Status.ACTIVE,
            probation_ends_on__gte=today,
            probation_ends_on__lte=horizon,
        )
        .select_related("organization")
        .order_by("probation_ends_on", "id")
    )
    for member in due.iterator():
        if _reminded(member, content_type):
            continue
        with transaction.atomic():
            sent = notify(
                staff_holding(MANAGE_MEMBERS, member.organization),
                notices.PROBATION_ENDING,
                member,
                organization=member.organization,
                name=member.name,
                branch=member.organization.name,
                ends_on=member.probation_ends_on.isoformat(),  # type: ignore[union-attr]
            )
        if sent:
            counts["reminded"] += 1
            counts["notifications"] += len(sent)
    return counts
