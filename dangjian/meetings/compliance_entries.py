"""What meeting compliance adds to the shared pages: the console home's panel and to-do line, the organization
page's link, and the usage metrics (meetings held, required meetings missing: about organizations, never people)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import MANAGE_MEETINGS, has_capability, held_paths, scope_paths
from dangjian.core.registry import DashboardPanel, Entry, OrganizationLink, Overdue, OverdueItem, ToDo, UsageMetric
from dangjian.organizations.models import Organization

from . import compliance

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
    UsageMetric("meetings.held", _("Meetings held"), compliance.held_between, order=50),
    UsageMetric("meetings.required_missing", _("Required meetings missing"), compliance.missing_between, order=51),
    Overdue(
        "meetings.missing",
        _("Required meetings missing"),
        missing_items,
        MANAGE_MEETINGS,
        _missing_text,
        order=40,
    ),
]
