"""What the feedback module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import (
    HANDLE_FEEDBACK,
    MANAGE_SETTINGS,
    can_use_console,
    has_capability,
    scope_paths,
)
from dangjian.core.registry import (
    DashboardPanel,
    MenuItem,
    OrganizationLink,
    PortalSection,
    TrackedModel,
    UsageMetric,
    period_bounds,
    register,
)
from dangjian.organizations.models import Organization

from .models import Case
from .queries import dashboard_counts

FIGURES_LINKS_SHOWN = 20


def _signed_in_with_role(request) -> bool:
    return can_use_console(request.user)


def feedback_panel(request) -> dict | None:
    counts = dashboard_counts(request.user)
    return {"feedback": counts} if counts else None


def figures_panel(request) -> dict | None:
    """Links to the figures pages (by township and village) of the top organizations the user handles feedback on."""
    user = request.user
    if getattr(user, "is_superuser", False) and user.is_active:
        tops = Organization.objects.filter(parent__isnull=True)
    else:
        paths = scope_paths(user, HANDLE_FEEDBACK)
        if not paths:
            return None
        tops = Organization.objects.filter(path__in=paths)
    organizations = list(tops.order_by("path")[:FIGURES_LINKS_SHOWN])
    return {"figures_organizations": organizations} if organizations else None


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
        DashboardPanel("feedback_figures", "feedback/console/_figures_panel.html", figures_panel, order=15),
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
    )
