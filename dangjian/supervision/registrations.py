"""What the supervision module adds to the shared pages (core/registry.py).

Its usage metric is a count only: nothing of a report's content leaves the module.
"""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import READ_SUPERVISION_AUDIT, SUPERVISION_OFFICER, has_capability, holds_any
from dangjian.core.registry import (
    Counted,
    MenuItem,
    OrganizationData,
    OrganizationLink,
    PortalSection,
    ToDo,
    UsageMetric,
    UsageRate,
    register,
)

from . import keys, reader
from .models import Report, ReportEvent


def _is_officer(request) -> bool:
    return request.user.is_authenticated and holds_any(request.user, SUPERVISION_OFFICER)


def _unlocked(request) -> bytes | None:
    """The officer's report key, only once they gave this session's one-time code (the inbox's own rule)."""
    verified = getattr(request.user, "is_verified", None)
    if not (callable(verified) and verified()):
        return None
    return keys.private_key_from_session(request)


def _locked(request):
    """An officer who has not given the one-time code (or whose key is locked) sees no number, only the way in."""
    if _is_officer(request) and _unlocked(request) is None:
        return _("Supervision reports: enter your one-time code to see what is new.")
    return None


def _counter(todo: str):
    def count(request) -> int | None:
        if not _is_officer(request):
            return None
        private = _unlocked(request)
        return reader.todo_count(request.user, private, todo) if private is not None else None

    return count


def may_read_audit(user, organization) -> bool:
    return has_capability(user, READ_SUPERVISION_AUDIT, organization) and organization.supervision_keys.exists()


def reports_received(organization, start, end) -> int:
    """Reports received by the discipline units of the subtree over the period (a count, nothing else)."""
    return Report.objects.filter(
        receiving_unit__path__startswith=organization.path, received_on__gte=start, received_on__lt=end
    ).count()


# The officers' steps that have a time limit under 检举控告工作规则, and the date each is due by: the decision on
# acceptance (accepted, not accepted or forwarded below) by `acceptance_due`, a forwarded report's registration by
# the lower unit by `register_due`, the result fed back to the reporter by `result_due`. Each is set once.
LIMITED_STEPS = ("accept", "not_accept", "forward", "register", "feed_back")
IN_TIME = (
    Q(kind__in=("accept", "not_accept", "forward"), on__lte=F("report__acceptance_due"))
    | Q(kind="register", on__lte=F("report__register_due"))
    | Q(kind="feed_back", on__lte=F("report__result_due"))
)


def limited_steps():
    """The time-limited steps taken on reports: only their kind, date and unit are read, never any content."""
    return ReportEvent.objects.filter(kind__in=LIMITED_STEPS)


def limited_steps_in_time():
    return limited_steps().filter(IN_TIME)


def _steps_between(rows, organization, start, end):
    return rows.filter(report__receiving_unit__path__startswith=organization.path, on__gte=start, on__lt=end)


def steps_handled(organization, start, end) -> int:
    return _steps_between(limited_steps(), organization, start, end).count()


def steps_handled_in_time(organization, start, end) -> int:
    return _steps_between(limited_steps_in_time(), organization, start, end).count()


# Counts only: no capability, so no figure of supervision has a rows page.
RECEIVED = Counted(rows=lambda: Report.objects.all(), organization="receiving_unit", date="received_on", moves=True)
HANDLED = Counted(
    rows=limited_steps,
    organization="report__receiving_unit",
    date="on",
    watch=(("supervision.Report", "receiving_unit"),),
)
HANDLED_IN_TIME = Counted(
    rows=limited_steps_in_time,
    organization="report__receiving_unit",
    date="on",
    watch=(("supervision.Report", "receiving_unit"),),
)


def _usage_entries() -> list:
    return [
        UsageMetric(
            "supervision.reports_received",
            _("Reports received"),
            reports_received,
            order=40,
            counted=RECEIVED,
            group="interaction",
            definition=_(
                "Supervision reports received during the period by the discipline units of the subtree, counted at "
                "the unit now handling them (a report forwarded below counts there). A count only."
            ),
        ),
        UsageMetric(
            "supervision.handled",
            _("Report steps due by a time limit"),
            steps_handled,
            order=41,
            counted=HANDLED,
            group="interaction",
            definition=_(
                "Steps with a time limit that the discipline units of the subtree took on reports during the period: "
                "the decision on acceptance, the registration of a forwarded report, and feeding the result back to "
                "the reporter. Counted at the unit now handling the report; nothing of the content."
            ),
        ),
        UsageMetric(
            "supervision.handled_in_time",
            _("Report steps taken within the time limit"),
            steps_handled_in_time,
            order=42,
            counted=HANDLED_IN_TIME,
            group="interaction",
            definition=_(
                "Of those steps, the ones taken by their due date (acceptance decided within 15 working days of "
                "receipt, a forwarded report registered within 5, the result fed back within 15 of the conclusion)."
            ),
        ),
        UsageRate(
            "supervision.handled_in_time_rate",
            _("Report steps within the time limit, of those taken"),
            "supervision.handled_in_time",
            "supervision.handled",
            group="interaction",
            definition=_("Steps taken within their time limit divided by the time-limited steps taken in the period."),
            order=42,
        ),
    ]


def reports_held(organization) -> int:
    return Report.objects.filter(receiving_unit=organization).count()


def register_entries() -> None:
    register(
        MenuItem("supervision", _("Supervision reports"), "console:supervision_inbox", order=30, visible=_is_officer),
        ToDo(
            "supervision.new",
            lambda n: ngettext("You have %(n)s new report", "You have %(n)s new reports", n) % {"n": n},
            _counter("new"),
            "console:supervision_inbox",
            "todo=new",
            order=30,
            locked=_locked,
        ),
        ToDo(
            "supervision.handle",
            lambda n: (
                ngettext("You have %(n)s report being handled", "You have %(n)s reports being handled", n) % {"n": n}
            ),
            _counter("handle"),
            "console:supervision_inbox",
            "todo=handle",
            order=31,
        ),
        PortalSection("supervision", _("Supervision reports"), "supervision:intro", order=50),
        OrganizationLink(
            "supervision_audit", _("Audit trail"), "console:supervision_audit", may_read_audit, order=60, secondary=True
        ),
        *_usage_entries(),
        # A report is sealed to the keys of the unit that received it and of the units above, and its trail is
        # that unit's: on a merge it stays with the closed unit, and the officers above go on handling it.
        OrganizationData(
            "supervision.reports",
            _("Supervision reports received (they stay; the discipline officers above go on handling them)"),
            reports_held,
            None,
            order=90,
        ),
    )
