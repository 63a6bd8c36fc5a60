"""The supervision clock (settings.PERIODIC_TASKS through tasks.py): overdue reports are flagged to the
unit's officers, its head and the unit above; closed reports are deleted after the retention period."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import notices
from .audit import audit
from .models import Report, State
from .notices import notify_unit


def scan_deadlines(today: datetime.date | None = None) -> int:
    """Flag reports whose reporter has not been told in time to the unit head and the unit above."""
    today = today or timezone.localdate()
    late = Report.objects.filter(overdue_flagged=False).filter(
        Q(state=State.RECEIVED, acceptance_due__lt=today)
        | Q(state=State.CONCLUDED, result_due__lt=today)
        | Q(state=State.FORWARDED, register_due__lt=today)
    )
    count = 0
    for report in late.select_related("receiving_unit"):
        Report.objects.filter(pk=report.pk).update(overdue_flagged=True)
        unit, state = report.receiving_unit.name, str(report.state)
        notify_unit(report.receiving_unit, notices.OVERDUE, include_head=True, unit=unit, state=state)
        if report.receiving_unit.parent:
            notify_unit(report.receiving_unit.parent, notices.OVERDUE, unit=unit, state=state)
        count += 1
    return count


def purge_expired(today: datetime.date | None = None) -> dict[str, int]:
    """Delete closed reports after the retention period, files included; warn units 30 days before."""
    today = today or timezone.localdate()
    years = settings.SUPERVISION_RETENTION_YEARS
    closed = Report.objects.filter(state__in=[State.ARCHIVED, State.NOT_ACCEPTED], closed_on__isnull=False)
    cutoff = today - datetime.timedelta(days=365 * years)
    warn_cutoff = cutoff + datetime.timedelta(days=30)
    warned = 0
    for report in closed.filter(closed_on__lt=warn_cutoff, closed_on__gte=cutoff, purge_warned=False).select_related(
        "receiving_unit"
    ):
        notify_unit(report.receiving_unit, notices.PURGE_WARNING, include_head=True, years=years)
        Report.objects.filter(pk=report.pk).update(purge_warned=True)
        warned += 1
    purged = 0
    for report in closed.filter(closed_on__lt=cutoff).select_related("receiving_unit"):
        names = list(report.evidence.values_list("blob", flat=True))
        with transaction.atomic():
            report.delete()
            audit(report.receiving_unit, None, "purge", None, f"report deleted after {years} years")
        for name in names:  # after the commit: the rows are gone for good
            default_storage.delete(name)
        purged += 1
    return {"warned": warned, "purged": purged}
