"""Usage reports: asked for on demand, made by the clock, generated in the background, sent by notify().

- `request_report(user, organization_id, period, token)`: a holder of VIEW_SUMMARIES on the organization (staff
  above included) asks for the report of any period that has begun; one report per form token, so a double
  submit makes one. The generation is a background task (`report_tasks.generate_summary_report`).
- `schedule_reports(today)` (the clock, every hour): on the first SUMMARY_REPORT_DAYS days of a month, the
  previous month's report, and on those of a quarter, the previous quarter's, for each open organization with
  holders of RECEIVE_SUMMARY_REPORTS on it (its administrators). The row is named "clock:<kind>:<start>"
  (unique per organization), so two clocks make one report.
- `generate(report_id)`: claims the row (a conditional UPDATE: one worker generates it; a run that died is taken
  again after REPORT_STALE), builds the data from the rollups, writes the workbook and the PDF to private
  storage and marks it done; a clock's report is handed to notify() in that same transaction, conditional on
  the claim, so each administrator is told (and e-mailed the two files) once.
"""

from __future__ import annotations

import datetime
import functools
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.permissions import (
    CAPABILITIES,
    RECEIVE_SUMMARY_REPORTS,
    VIEW_SUMMARIES,
    has_capability,
    holders,
)
from dangjian.core.history import InvalidInput, NotFound
from dangjian.notifications.api import MailAttachment, notify
from dangjian.notifications.attachments import within_limits
from dangjian.organizations.models import Organization

from . import periods, report_excel, report_pdf
from .models import SummaryReport
from .periods import Period
from .report_data import file_stem, report_data
from .report_notices import REPORT_READY

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
REPORT_STALE = datetime.timedelta(minutes=30)


def clock_token(period: Period) -> str:
    return f"clock:{period.kind}:{period.start.isoformat()}"


def viewable_organization(user, organization_id) -> Organization:
    """The organization if the user holds VIEW_SUMMARIES on it; NotFound otherwise (whether it exists is not told)."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None or not has_capability(user, VIEW_SUMMARIES, organization):
        raise NotFound
    return organization


def check_period(period: Period, today: datetime.date | None = None) -> None:
    """A period may be reported once it has begun (the running one reports the days so far)."""
    today = today or timezone.localdate()
    if period.kind not in periods.KINDS:
        raise InvalidInput({"kind": [_("Choose a kind of report.")]}, _("Choose a kind of report."))
    if period.start > today:
        message = _("That period has not begun yet; choose one up to today.")
        raise InvalidInput({"number": [message]}, message)


def _enqueue(report_id: int) -> None:
    generate_summary_report.enqueue(report_id)


def request_report(user, organization_id: int, period: Period, token: str) -> SummaryReport:
    """Ask for the organization's report of `period`; the same token again returns the same report."""
    organization = viewable_organization(user, organization_id)
    check_period(period)
    try:
        token = str(uuid.UUID(str(token)))
    except ValueError:
        message = _("The form has expired; please submit it again.")
        raise InvalidInput({"__all__": [message]}, message) from None
    existing = SummaryReport.objects.filter(organization=organization, token=token).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = SummaryReport.objects.create(
                organization=organization, kind=period.kind, start=period.start, token=token, requested_by=user
            )
            transaction.on_commit(lambda: _enqueue(report.pk))
    except IntegrityError:  # the same form sent twice at once: the other request made it
        return SummaryReport.objects.get(organization=organization, token=token)
    return report


def due_periods(today: datetime.date) -> list[Period]:
    """The periods whose reports the clock makes today: the month (and the quarter) just ended, during the first
    SUMMARY_REPORT_DAYS days of the new one."""
    days = settings.SUMMARY_REPORT_DAYS
    due = []
    for kind in (periods.MONTH, periods.QUARTER):
        current = Period.holding(kind, today)
        if (today - current.start).days < days:
            due.append(current.previous())
    return due


def receiving_organizations():
    """Open organizations with an active holder of RECEIVE_SUMMARY_REPORTS on exactly them."""
    ids = RoleGrant.objects.filter(role__in=CAPABILITIES[RECEIVE_SUMMARY_REPORTS], user__is_active=True).values_list(
        "organization_id", flat=True
    )
    return Organization.objects.filter(pk__in=ids, closed_at__isnull=True).order_by("path")


def _retry_due(report: SummaryReport, now: datetime.datetime) -> bool:
    if report.state == SummaryReport.State.QUEUED:
        return report.created_at < now - datetime.timedelta(minutes=10)  # its task was lost
    if report.state == SummaryReport.State.FAILED:
        return report.attempts < MAX_ATTEMPTS
    if report.state == SummaryReport.State.RUNNING:
        return report.started_at is not None and report.started_at < now - REPORT_STALE
    return False


def schedule_reports(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    now = timezone.now()
    counts = {"created": 0, "retried": 0}
    due = due_periods(today)
    if not due:
        return counts
    for organization in receiving_organizations():
        for period in due:
            try:
                with transaction.atomic():
                    report = SummaryReport.objects.create(
                        organization=organization, kind=period.kind, start=period.start, token=clock_token(period)
                    )
                    transaction.on_commit(functools.partial(_enqueue, report.pk))
                counts["created"] += 1
            except IntegrityError:  # made before, by this clock or another
                report = SummaryReport.objects.get(organization=organization, token=clock_token(period))
                if _retry_due(report, now):
                    _enqueue(report.pk)
                    counts["retried"] += 1
    return counts


def _claim(report_id: int, now: datetime.datetime) -> bool:
    takeable = (
        Q(state=SummaryReport.State.QUEUED)
        | Q(state=SummaryReport.State.FAILED, attempts__lt=MAX_ATTEMPTS)
        | Q(state=SummaryReport.State.RUNNING, started_at__lt=now - REPORT_STALE)
    )
    return bool(
        SummaryReport.objects.filter(takeable, pk=report_id).update(
            state=SummaryReport.State.RUNNING, started_at=now, attempts=F("attempts") + 1
        )
    )


def attachments(report: SummaryReport, stem: str) -> list[MailAttachment]:
    return [
        MailAttachment(f"{stem}.xlsx", report.excel.name or "", report_excel.XLSX),
        MailAttachment(f"{stem}.pdf", report.pdf.name or "", report_pdf.PDF),
    ]


def generate(report_id: int) -> bool:
    """Generate the report if no one else is; True when this call finished it."""
    now = timezone.now()
    if not _claim(report_id, now):
        return False
    report = SummaryReport.objects.select_related("organization").get(pk=report_id)
    organization = report.organization
    stored: list[str] = []
    try:
        data = report_data(organization, Period(report.kind, report.start))
        excel = report_excel.workbook_bytes(data)
        pdf = report_pdf.pdf_bytes(data)
        key = uuid.uuid4().hex
        report.excel.save(f"{key}.xlsx", ContentFile(excel), save=False)
        stored.append(report.excel.name or "")
        report.pdf.save(f"{key}.pdf", ContentFile(pdf), save=False)
        stored.append(report.pdf.name or "")
        with transaction.atomic():
            finished = timezone.now()
            done = SummaryReport.objects.filter(pk=report.pk, state=SummaryReport.State.RUNNING, started_at=now).update(
                state=SummaryReport.State.DONE,
                excel=report.excel.name,
                pdf=report.pdf.name,
                finished_at=finished,
                error="",
                sent_at=finished if report.scheduled else None,
            )
            if not done:  # taken over meanwhile (this run was taken for dead): the other run finishes it
                raise _Superseded
            if report.scheduled:
                files = attachments(report, file_stem(data, organization.short_name or organization.name))
                notify(
                    holders(organization, RECEIVE_SUMMARY_REPORTS),
                    REPORT_READY,
                    report,
                    organization=organization,
                    attachments=files if within_limits(files) else (),
                    org=organization.short_name or organization.name,
                    report_kind=report.kind,
                    period=Period(report.kind, report.start).code,
                )
    except _Superseded:
        _delete(stored)
        return False
    except Exception as error:
        log.exception("usage report %s could not be generated", report_id)
        _delete(stored)
        SummaryReport.objects.filter(pk=report.pk, state=SummaryReport.State.RUNNING, started_at=now).update(
            state=SummaryReport.State.FAILED, error=f"{type(error).__name__}"[:300], finished_at=timezone.now()
        )
        return False
    return True


class _Superseded(Exception):
    pass


@task
def generate_summary_report(report_id: int) -> bool:
    """The background task (here beside what enqueues it; report_tasks.py holds the clock's)."""
    return generate(report_id)


def _delete(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)
