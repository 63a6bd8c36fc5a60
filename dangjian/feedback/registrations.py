"""What the feedback module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import (
    HANDLE_FEEDBACK,
    MANAGE_SETTINGS,
    has_capability,
    scope_paths,
)
from dangjian.core.registry import (
    Counted,
    DashboardPanel,
    MenuItem,
    OrganizationData,
    OrganizationLink,
    PathColumn,
    PortalSection,
    ToDo,
    TrackedModel,
    UsageMetric,
    period_bounds,
    register,
)
from dangjian.organizations.models import Organization

from . import freshness_entries, merging
from .models import Case
from .queries import dashboard_counts, todo_count

FIGURES_LINKS_SHOWN = 20


def _handles_feedback(request) -> bool:
    """The inbox is for those who handle cases somewhere (a new-media or discipline officer never does)."""
    user = request.user
    return bool(user.is_superuser and user.is_active) or bool(scope_paths(user, HANDLE_FEEDBACK))


def _todo(kind: str, text, order: int) -> ToDo:
    return ToDo(
        f"feedback.{kind}",
        lambda n: text(n) % {"n": n},
        lambda request: todo_count(request.user, kind),
        "console:feedback_inbox",
        f"view=all&todo={kind}",
        order=order,
    )


TODOS = [
    _todo("accept", lambda n: ngettext("You have %(n)s case to accept", "You have %(n)s cases to accept", n), 10),
    _todo("dispatch", lambda n: ngettext("You have %(n)s case to dispatch", "You have %(n)s cases to dispatch", n), 11),
    _todo(
        "start",
        lambda n: ngettext(
            "You have %(n)s dispatched case to sign for", "You have %(n)s dispatched cases to sign for", n
        ),
        12,
    ),
    _todo("answer", lambda n: ngettext("You have %(n)s case to answer", "You have %(n)s cases to answer", n), 13),
    _todo("approve", lambda n: ngettext("You have %(n)s reply to approve", "You have %(n)s replies to approve", n), 14),
    _todo(
        "supervise",
        lambda n: ngettext("%(n)s overdue case to supervise (督办)", "%(n)s overdue cases to supervise (督办)", n),
        15,
    ),
]


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


def _case_link(case) -> str:
    return reverse("console:feedback_case", args=[case.pk])


def _case_label(case) -> str:
    return f"{case.number} {case.title_public}"


def _counted(date: str, **conditions) -> Counted:
    return Counted(
        rows=lambda: Case.objects.filter(**conditions),
        organization="place",
        date=date,
        capability=HANDLE_FEEDBACK,
        label=_case_label,
        link=_case_link,
    )


def register_entries() -> None:
    register(
        MenuItem("feedback", _("Feedback inbox"), "console:feedback_inbox", order=10, visible=_handles_feedback),
        *TODOS,
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
        UsageMetric(
            "feedback.received",
            _("Feedback cases received"),
            cases_received,
            order=30,
            counted=_counted("received_at"),
            group="interaction",
            definition=_("Cases submitted about a place in the subtree during the period, whatever became of them."),
        ),
        UsageMetric("feedback.answered", _("Feedback cases answered"), cases_answered, order=31),
        UsageMetric("feedback.answered_on_time", _("Answered on time"), cases_answered_on_time, order=32),
        PathColumn("feedback.case.place_path", "feedback.Case", "place_path"),
        PathColumn("feedback.case.lead_path", "feedback.Case", "lead_path"),
        PathColumn("feedback.casestat.org_path", "feedback.CaseStat", "org_path"),
        OrganizationData("feedback.cases", _("Feedback cases"), merging.count, merging.merge, order=30),
    )
    freshness_entries.register_entries()
