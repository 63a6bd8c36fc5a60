"""What the feedback module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import HANDLE_FEEDBACK, MANAGE_SETTINGS, can_use_console, has_capability
from dangjian.core.registry import (
    DashboardPanel,
    MenuItem,
    OrganizationData,
    OrganizationLink,
    PathColumn,
    PortalSection,
    TrackedModel,
    UsageMetric,
    period_bounds,
    register,
)

from . import merging
from .models import Case
from .queries import dashboard_counts


def _signed_in_with_role(request) -> bool:
    return can_use_console(request.user)


def feedback_panel(request) -> dict | None:
    counts = dashboard_counts(request.user)
    return {"feedback": counts} if counts else None


def may_handle(user, organization) -> bool:
    return has_capability(user, HANDLE_FEEDBACK, organization)


def may_configure(user, organization) -> bool:
    return has_capability(user, MANAGE_SETTINGS, organization)


def _cases(organization, field: str, start, end):
    since, until = period_bounds(start, end)
    bounds = organization.subtree_range()
    return Case.objects.filter(
        Q(place_path__gte=bounds["gte"], place_path__lt=bounds["lt"]), **{f"{field}__gte": since, f"{field}__lt": until}
    )


def cases_received(organization, start, end) -> int:
    return _cases(organization, "received_at", start, end).count()


def cases_answered(organization, start, end) -> int:
    return _cases(organization, "first_answered_at", start, end).count()


def cases_answered_on_time(organization, start, end) -> int:
    return _cases(organization, "first_answered_at", start, end).filter(answered_on_time=True).count()


def register_entries() -> None:
    register(
        MenuItem("feedback", _("Feedback inbox"), "console:feedback_inbox", order=10, visible=_signed_in_with_role),
        PortalSection("feedback", _("Public feedback"), "feedback:list", order=40),
        DashboardPanel("feedback", "feedback/console/_dashboard_panel.html", feedback_panel, order=10),
        OrganizationLink(
            "feedback_templates", _("Reply templates"), "console:feedback_templates", may_handle, 40, secondary=True
        ),
        OrganizationLink(
            "feedback_catalogue", _("Dispatch catalogue"), "console:feedback_catalogue", may_configure, 50, True
        ),
        TrackedModel("replytemplate", "feedback", HANDLE_FEEDBACK),
        TrackedModel("dispatchrule", "feedback", MANAGE_SETTINGS),
        TrackedModel("feedbacksettings", "feedback", MANAGE_SETTINGS),
        TrackedModel("timelimit", "feedback", MANAGE_SETTINGS),
        # The working-day calendar (core's CalendarOverride) is set through feedback's configuration actions.
        TrackedModel("calendaroverride", "core", MANAGE_SETTINGS),
        UsageMetric("feedback.received", _("Feedback cases received"), cases_received, order=30),
        UsageMetric("feedback.answered", _("Feedback cases answered"), cases_answered, order=31),
        UsageMetric("feedback.answered_on_time", _("Answered on time"), cases_answered_on_time, order=32),
        PathColumn("feedback.case.place_path", "feedback.Case", "place_path"),
        PathColumn("feedback.case.lead_path", "feedback.Case", "lead_path"),
        PathColumn("feedback.casestat.org_path", "feedback.CaseStat", "org_path"),
        OrganizationData("feedback.cases", _("Feedback cases"), merging.count, merging.merge, order=30),
    )
