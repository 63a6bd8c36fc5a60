"""What meeting compliance adds to the shared pages: the console home's panel and to-do line, the organization
page's link, and the usage metrics (meetings held, required meetings missing: about organizations, never people)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import MANAGE_MEETINGS, has_capability, held_paths, scope_paths
from dangjian.core.registry import (
    Counted,
    DashboardPanel,
    Entry,
    OrganizationLink,
    Overdue,
    OverdueItem,
    ToDo,
    UsageMetric,
    UsageRate,
)
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from . import compliance
from .models import Meeting

PANEL_ORGANIZATIONS = 5
GRID_KINDS = {Organization.Kind.COUNTY, Organization.Kind.TOWNSHIP}


def _todo_count(request) -> int | None:
    if not held_paths(request.user, MANAGE_MEETINGS):
        return None
    return len(compliance.due_for_user(request.user))


def compliance_panel(request) -> dict | None:
    """For those who manage meetings: this year's summary of each organization they oversee (a few at most)."""
    user = request.user
    if getattr(user, "is_superuser", False) and user.is_active:
        tops = Organization.objects.filter(parent__isnull=True, closed_at__isnull=True)
    else:
        paths = scope_paths(user, MANAGE_MEETINGS)
        if not paths:
            return None
        tops = Organization.objects.filter(path__in=paths, closed_at__isnull=True)
    today = timezone.localdate()
    summaries = []
    for organization in tops.order_by("path")[:PANEL_ORGANIZATIONS]:
        report = compliance.build(organization, today.year, today, detail=False)
        own = report.row_for(organization.pk)
        summaries.append(
            {
                "organization": organization,
                "report": report,
                "grid": organization.kind in GRID_KINDS or len(report.rows) > (1 if own else 0),
                "own": own,
            }
        )
    return {"compliance_summaries": summaries, "compliance_year": today.year} if summaries else None


def _may_see_grid(user, organization) -> bool:
    return organization.kind in GRID_KINDS and has_capability(user, MANAGE_MEETINGS, organization)


def _may_see_branch(user, organization) -> bool:
    return (
        organization.kind not in GRID_KINDS
        and organization.kind != Organization.Kind.GROUP
        and (has_capability(user, MANAGE_MEETINGS, organization))
    )


# --- Usage metrics ------------------------------------------------------------------------------------------
# Required meetings (compliance items: a branch, a kind, for 党小组会 a party group, and a compliance period) count
# in the summary period holding their compliance period's last day, at the branch. They are counted from the year
# of the first meeting recorded on the platform (earlier years would show every branch missing everything).


def first_year() -> int | None:
    first = Meeting.objects.aggregate(first=Min("starts_at"))["first"]
    return timezone.localtime(first).year if first is not None else None


def _years(start: datetime.date, end: datetime.date, today: datetime.date) -> range:
    first = first_year()
    if first is None:
        return range(0)
    return range(max(start.year, first), min((end - datetime.timedelta(days=1)).year, today.year) + 1)


HELD, MISSING = {compliance.Status.HELD}, {compliance.Status.OVERDUE}
SETTLED = HELD | MISSING  # held, or its period ended without one; the current period's due ones are neither


def _between(statuses):
    def count(root: Organization, start: datetime.date, end: datetime.date) -> int:
        today = timezone.localdate()
        total = 0
        for year in _years(start, end, today):
            for row in compliance.build(root, year, today).rows:
                total += sum(1 for item in row.items if item.status in statuses and start <= item.period.last_day < end)
        return total

    return count


def _starts(day: datetime.date) -> dict[str, datetime.date]:
    """The first days of the summary periods (ISO week, month, quarter, year) holding `day`."""
    return {
        "w": day - datetime.timedelta(days=day.weekday()),
        "m": day.replace(day=1),
        "q": datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1),
        "y": datetime.date(day.year, 1, 1),
    }


def _compute(statuses):
    def compute(organization_ids) -> dict[tuple[int, str, datetime.date], int]:
        today = timezone.localdate()
        first = first_year()
        found: dict[tuple[int, str, datetime.date], int] = defaultdict(int)
        if first is None:
            return {}
        if organization_ids is None:
            roots = list(Organization.objects.filter(parent__isnull=True, closed_at__isnull=True))
            wanted = None
        else:
            roots = list(Organization.objects.filter(pk__in=list(organization_ids), closed_at__isnull=True))
            wanted = {root.pk for root in roots}
        for root in roots:
            for year in range(first, today.year + 1):
                report = compliance.build(root, year, today)
                rows = report.rows if wanted is None else [row for row in report.rows if row.branch.pk == root.pk]
                for row in rows:
                    for item in row.items:
                        if item.status in statuses:
                            for kind, start in _starts(item.period.last_day).items():
                                found[(row.branch.pk, kind, start)] += 1
        return dict(found)

    return compute


def _compliance_counted(statuses) -> Counted:
    """Not a count of rows: refreshed when a branch's members change (who is a branch, its party groups; a member
    moving branch marks both) or one of its meetings does. A period ending changes it with no write: the nightly
    rebuild."""
    return Counted(
        rows=lambda: Member.objects.all(),
        organization="organization",
        date="created_at",
        moves=True,
        watch=(("meetings.Meeting", "organization"),),
        compute=_compute(statuses),
    )


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.get_kind_display()} · {timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}"


HELD_MEETINGS = Counted(
    rows=lambda: Meeting.objects.filter(state=Meeting.State.HELD).select_related("organization"),
    organization="organization",
    date="starts_at",
    capability=MANAGE_MEETINGS,
    label=_meeting_label,
    link=lambda meeting: reverse("console:meeting", args=[meeting.pk]),
)

USAGE: list[Entry] = [
    UsageMetric(
        "meetings.held",
        _("Meetings held"),
        compliance.held_between,
        order=50,
        counted=HELD_MEETINGS,
        group="life",
        definition=_(
            "Meetings of the subtree's branches recorded as held that started during the period, of any kind, "
            "required or not."
        ),
    ),
    UsageMetric(
        "meetings.required",
        _("Required meetings settled"),
        _between(SETTLED),
        order=51,
        counted=_compliance_counted(SETTLED),
        group="life",
        definition=_(
            "Required meetings (三会一课, per branch, kind and party group, as the meeting compliance page counts "
            "them) whose month, quarter or year ends in the period and that were held or whose period ended "
            "without one; counted from the year of the first meeting recorded on the platform."
        ),
    ),
    UsageMetric(
        "meetings.required_held",
        _("Required meetings held"),
        _between(HELD),
        order=52,
        counted=_compliance_counted(HELD),
        group="life",
        definition=_(
            "Of those required meetings, the ones held: a meeting of that kind (for 党小组会, of that party group) "
            "was recorded as held and started within its month, quarter or year."
        ),
    ),
    UsageMetric(
        "meetings.required_missing",
        _("Required meetings missing"),
        _between(MISSING),
        order=53,
        counted=_compliance_counted(MISSING),
        group="life",
        definition=_(
            "Of those required meetings, the ones missing: their month, quarter or year ended in the period without "
            "a meeting of that kind recorded as held (the current period's are not missing yet)."
        ),
    ),
    UsageRate(
        "meetings.required_held_rate",
        _("Required meetings held, of those settled"),
        "meetings.required_held",
        "meetings.required",
        group="life",
        definition=_("Required meetings held divided by the required meetings held or missing, for the period."),
        order=52,
    ),
]


def missing_items(root, now, limit: int, user) -> tuple[list[OverdueItem], int]:
    """This year's required meetings whose period ended without one, in root's subtree (the compliance grid's
    three queries), the oldest first; each links to its branch's compliance page."""
    today = timezone.localdate(now)
    missing = [
        item
        for row in compliance.build(root, today.year, today, detail=False).rows
        for item in row.items
        if item.status == compliance.Status.OVERDUE
    ]
    missing.sort(key=lambda item: (item.period.end, item.branch_id, item.kind))
    return [
        OverdueItem(
            item.branch_id,
            f"{item.name} · {item.period.label}",
            reverse("console:meetings_compliance", args=[item.branch_id]),
            item.period.end,
        )
        for item in missing[:limit]
    ], len(missing)


def _missing_text(n: int) -> str:
    return ngettext("%(n)s required meeting missing", "%(n)s required meetings missing", n) % {"n": n}


ENTRIES: list[Entry] = [
    ToDo(
        "meetings.required_due",
        lambda n: (
            ngettext(
                "%(n)s required meeting of the current period not held yet",
                "%(n)s required meetings of the current period not held yet",
                n,
            )
            % {"n": n}
        ),
        _todo_count,
        "console:meetings_due",
        order=40,
    ),
    DashboardPanel("meetings_compliance", "meetings/compliance/_dashboard_panel.html", compliance_panel, order=25),
    OrganizationLink(
        "meetings_compliance_grid", _("Meeting compliance"), "console:meetings_compliance_grid", _may_see_grid, 45
    ),
    OrganizationLink(
        "meetings_compliance", _("Meeting compliance"), "console:meetings_compliance", _may_see_branch, 45
    ),
    *USAGE,
    Overdue(
        "meetings.missing",
        _("Required meetings missing"),
        missing_items,
        MANAGE_MEETINGS,
        _missing_text,
        order=40,
    ),
]
