"""The meetings module's periodic work (run by the worker, scheduled by `run_clock`)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.permissions import MANAGE_MEETINGS
from dangjian.notifications.api import notify, staff_holding
from dangjian.notifications.models import Notification
from dangjian.organizations.models import Organization

from . import compliance
from .notices import REQUIRED_MISSING


def remind_missing_meetings(today: datetime.date | None = None) -> dict:
    """Tell a branch's meeting managers, MEETING_REMINDER_DAYS before a period ends, of each required meeting of
    that period still not held: once per branch, kind (party group) and period, whatever how often this runs."""
    today = today or timezone.localdate()
    days = settings.MEETING_REMINDER_DAYS
    sent = 0
    already = set(
        Notification.objects.filter(
            kind=REQUIRED_MISSING, created_at__gte=timezone.now() - datetime.timedelta(days=400)
        ).values_list("organization_id", "params__key")
    )
    for root in Organization.objects.filter(parent__isnull=True, closed_at__isnull=True):
        report = compliance.build(root, today.year, today, detail=False)
        for row in report.rows:
            for item in row.items:
                if item.status != compliance.Status.DUE or (item.period.end - today).days > days:
                    continue
                if (row.branch.pk, item.key) in already:
                    continue
                with transaction.atomic():
                    notify(
                        staff_holding(MANAGE_MEETINGS, row.branch),
                        REQUIRED_MISSING,
                        organization=row.branch,
                        key=item.key,
                        branch=row.branch.name,
                        meeting_kind=item.kind,
                        group=item.group_name,
                        frequency=item.period.frequency,
                        year=item.period.year,
                        index=item.period.index,
                        deadline=item.period.last_day.isoformat(),
                    )
                already.add((row.branch.pk, item.key))
                sent += 1
    return {"reminded": sent}
