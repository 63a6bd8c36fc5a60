"""The officers' writes on a report they opened: one function per workflow step (workflow.REPORTS), and
messages to the reporter. Each locks the report, asks the workflow (the rules the report page offers steps
by), writes the step to the report's history (mostly shown to the reporter) and to the audit trail, in one
transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.history import ActionError
from dangjian.core.workdays import add_workdays
from dangjian.organizations.models import Organization

from . import crypto, workflow
from .audit import audit
from .models import Disposal, Message, Report, UnitKey
from .reader import Opened
from .reports import record_event
from .routing import share_with


def officer_message(user, opened: Opened, body: str) -> Message:
    body = body.strip()
    if not body:
        raise ActionError(_("The message is empty."))
    with transaction.atomic():
        message = Message.objects.create(
            report=opened.report,
            from_reporter=False,
            author=user,
            on=timezone.localdate(),
            body=crypto.encrypt(body.encode(), opened.key),
        )
        audit(opened.unit, user, "message", opened.report.pk)
    return message


# --- The steps ------------------------------------------------------------------------------------


def _begin(user, opened: Opened, action: str, expected_version: int | None) -> Report:
    """Lock the report; refuse if someone acted meanwhile, or if the workflow does not allow this user the step."""
    report = Report.objects.select_for_update().select_related("receiving_unit").get(pk=opened.report.pk)
    if expected_version is not None and report.version != expected_version:
        raise ActionError(_("Someone else acted on this report meanwhile. Read it again before you go on."))
    workflow.require(user, action, dataclasses.replace(opened, report=report))
    return report


def _finish(user, opened: Opened, report: Report, action: str, text: str, detail: str = "") -> Report:
    """Move the report to the step's target, record the step (for the reporter too, except the result, which
    reaches them with "feed_back") and audit it."""
    report.state = workflow.target(action)
    report.overdue_flagged = False
    report.version += 1
    report.save()
    record_event(report, action, opened.key, text.strip(), for_reporter=action != "conclude")
    audit(opened.unit, user, action, report.pk, detail)
    return report


def accept_report(user, opened: Opened, *, text: str = "", expected_version: int | None = None) -> Report:
    with transaction.atomic():
        report = _begin(user, opened, "accept", expected_version)
        return _finish(user, opened, report, "accept", text)


def not_accept_report(user, opened: Opened, *, text: str, expected_version: int | None = None) -> Report:
    """Not accepted, with the reason the reporter reads."""
    with transaction.atomic():
        report = _begin(user, opened, "not_accept", expected_version)
        if not text.strip():
            raise ActionError(_("Please give the reason; the reporter will read it."))
        report.closed_on = timezone.localdate()
        return _finish(user, opened, report, "not_accept", text)


def forward_report(
    user, opened: Opened, *, lower_unit: Organization | None, text: str = "", expected_version: int | None = None
) -> Report:
    """Send the report to a unit below the receiving one (never the organization it is about, or below it)."""
    with transaction.atomic():
        report = _begin(user, opened, "forward", expected_version)
        if (
            lower_unit is None
            or not lower_unit.path.startswith(report.receiving_unit.path)
            or (lower_unit.pk == report.receiving_unit_id)
        ):
            raise ActionError(_("Choose a unit below the receiving unit."))
        reported_id = opened.payload.get("organization_id")
        reported = Organization.objects.filter(pk=reported_id).first() if reported_id is not None else None
        if reported is not None and lower_unit.path.startswith(reported.path):
            raise ActionError(_("A report cannot be forwarded to the organization it is about, or below it."))
        if not UnitKey.objects.filter(organization=lower_unit, retired_at__isnull=True).exists():
            raise ActionError(_("That unit has no keys yet, so it could not read the report."))
        report.receiving_unit = lower_unit
        report.register_due = add_workdays(timezone.localdate(), workflow.REGISTER_DAYS)
        share_with(report, opened.key, lower_unit)
        return _finish(user, opened, report, "forward", text, lower_unit.name)


def register_report(user, opened: Opened, *, text: str = "", expected_version: int | None = None) -> Report:
    """The lower unit registers a forwarded report."""
    with transaction.atomic():
        report = _begin(user, opened, "register", expected_version)
        return _finish(user, opened, report, "register", text)


def dispose_report(
    user, opened: Opened, *, disposal: str, text: str = "", expected_version: int | None = None
) -> Report:
    """Choose one of the four ways of disposal."""
    with transaction.atomic():
        report = _begin(user, opened, "dispose", expected_version)
        if disposal not in Disposal.values:
            raise ActionError(_("Choose one of the four ways of disposal."))
        report.disposal = disposal
        return _finish(user, opened, report, "dispose", text, disposal)


def conclude_report(user, opened: Opened, *, text: str, expected_version: int | None = None) -> Report:
    """Record the result; the reporter reads it when it is fed back."""
    with transaction.atomic():
        report = _begin(user, opened, "conclude", expected_version)
        if not text.strip():
            raise ActionError(_("Please write the result."))
        today = timezone.localdate()
        report.concluded_on = today
        report.result_due = add_workdays(today, workflow.RESULT_NOTICE_DAYS)
        return _finish(user, opened, report, "conclude", text)


def feed_back_report(user, opened: Opened, *, text: str = "", expected_version: int | None = None) -> Report:
    """Tell the reporter the result."""
    with transaction.atomic():
        report = _begin(user, opened, "feed_back", expected_version)
        return _finish(user, opened, report, "feed_back", text)


def archive_report(user, opened: Opened, *, text: str = "", expected_version: int | None = None) -> Report:
    with transaction.atomic():
        report = _begin(user, opened, "archive", expected_version)
        report.closed_on = timezone.localdate()
        return _finish(user, opened, report, "archive", text)


@dataclasses.dataclass(frozen=True)
class StepInput:
    """What the report page's step form gives: the text (reason, result, note), the way of disposal, the
    unit below to forward to, and the version the officer saw."""

    text: str = ""
    disposal: str = ""
    lower_unit: Organization | None = None
    expected_version: int | None = None


STEPS: dict[str, Callable[[object, Opened, StepInput], Report]] = {
    "accept": lambda u, o, i: accept_report(u, o, text=i.text, expected_version=i.expected_version),
    "not_accept": lambda u, o, i: not_accept_report(u, o, text=i.text, expected_version=i.expected_version),
    "forward": lambda u, o, i: forward_report(
        u, o, lower_unit=i.lower_unit, text=i.text, expected_version=i.expected_version
    ),
    "register": lambda u, o, i: register_report(u, o, text=i.text, expected_version=i.expected_version),
    "dispose": lambda u, o, i: dispose_report(
        u, o, disposal=i.disposal, text=i.text, expected_version=i.expected_version
    ),
    "conclude": lambda u, o, i: conclude_report(u, o, text=i.text, expected_version=i.expected_version),
    "feed_back": lambda u, o, i: feed_back_report(u, o, text=i.text, expected_version=i.expected_version),
    "archive": lambda u, o, i: archive_report(u, o, text=i.text, expected_version=i.expected_version),
}


def transition(
    user,
    opened: Opened,
    action: str,
    *,
    text: str = "",
    disposal: str = "",
    lower_unit=None,
    expected_version: int | None = None,
) -> Report:
    """Take the officers' step named `action` (the report page posts the step's name)."""
    if action not in STEPS:
        raise ActionError(
            _("This step is not possible now: the report is “%(state)s”.")
            % {"state": opened.report.get_state_display()}
        )
    return STEPS[action](user, opened, StepInput(text, disposal, lower_unit, expected_version))
