"""What the feedback module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

import datetime

from django.db.models import DateTimeField, ExpressionWrapper, F, Q
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
    UsageRate,
    period_bounds,
    register,
)
from dangjian.organizations.models import Organization

from . import freshness_entries, merging
from .models import Case, CaseEvent, Rating, State
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


# --- Usage metrics (kept in the rollups by the usage summaries; each `count` is the reference they are checked
# against). Cases count at their place's organization; answered, rated and satisfied are the cohort of cases first
# answered in the period, so the rates never exceed 100 %.
RATED = (Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED)
SATISFIED = (Rating.SATISFIED, Rating.BASIC)
NOT_OWED = (State.REJECTED, State.MERGED)  # rejected and merged cases owe no answer of their own


def _subtree(organization, queryset, prefix: str = ""):
    bounds = organization.subtree_range()
    return queryset.filter(**{f"{prefix}place_path__gte": bounds["gte"], f"{prefix}place_path__lt": bounds["lt"]})


def _cases(organization, field: str, start, end):
    since, until = period_bounds(start, end)
    return _subtree(organization, Case.objects.filter(**{f"{field}__gte": since, f"{field}__lt": until}))


def cases_received(organization, start, end) -> int:
    return _cases(organization, "received_at", start, end).count()


def cases_accepted(organization, start, end) -> int:
    return _cases(organization, "accepted_at", start, end).count()


def cases_answered(organization, start, end) -> int:
    return _cases(organization, "first_answered_at", start, end).count()


def cases_answered_on_time(organization, start, end) -> int:
    return _cases(organization, "first_answered_at", start, end).filter(answered_on_time=True).count()


def cases_rated(organization, start, end) -> int:
    return _cases(organization, "first_answered_at", start, end).filter(rating__in=RATED).count()


def cases_satisfied(organization, start, end) -> int:
    return _cases(organization, "first_answered_at", start, end).filter(rating__in=SATISFIED).count()


def _escalations():
    return CaseEvent.objects.filter(kind=CaseEvent.Kind.SUPERVISE)


def cases_escalated(organization, start, end) -> int:
    """Cases escalated (督办) by the clock during the period, each once however often."""
    since, until = period_bounds(start, end)
    events = _subtree(organization, _escalations().filter(at__gte=since, at__lt=until), "case__")
    return events.values("case").distinct().count()


def overdue_cases():
    """Cases owed their first answer that were or are late: still unanswered past the answer deadline, or
    answered after it. `overdue_from` is the day the deadline passed (deadlines end a day at 23:59:59, so the
    next day); the case stops being overdue on the day of its first answer."""
    return (
        Case.objects.exclude(state__in=NOT_OWED)
        .filter(Q(first_answered_at__isnull=True) | Q(first_answered_at__gt=F("answer_deadline")))
        .annotate(
            overdue_from=ExpressionWrapper(
                F("answer_deadline") + datetime.timedelta(seconds=1), output_field=DateTimeField()
            )
        )
    )


def cases_overdue(organization, start, end) -> int:
    """Cases overdue on the period's last day (today while the period runs), at the end of that day."""
    from django.utils import timezone

    last = min(end - datetime.timedelta(days=1), timezone.localdate())
    _since, next_midnight = period_bounds(last, last + datetime.timedelta(days=1))
    return (
        _subtree(organization, overdue_cases())
        .filter(overdue_from__lt=next_midnight)
        .filter(Q(first_answered_at__isnull=True) | Q(first_answered_at__gte=next_midnight))
        .count()
    )


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


def _escalated_cases(events):
    return Case.objects.filter(pk__in=events.values("case")).order_by("-received_at", "-pk")


OVERDUE = Counted(
    rows=overdue_cases,
    organization="place",
    date="overdue_from",
    until="first_answered_at",
    capability=HANDLE_FEEDBACK,
    label=_case_label,
    link=_case_link,
)
ESCALATED = Counted(
    rows=_escalations,
    organization="case__place",
    date="at",
    distinct="case",
    capability=HANDLE_FEEDBACK,
    listed=_escalated_cases,
    label=_case_label,
    link=_case_link,
)


def _metric(key: str, label, count, order: int, counted: Counted, definition) -> UsageMetric:
    return UsageMetric(key, label, count, order=order, counted=counted, group="interaction", definition=definition)


METRICS = [
    _metric(
        "feedback.received",
        _("Feedback cases received"),
        cases_received,
        30,
        _counted("received_at"),
        _("Cases submitted about a place in the subtree during the period, whatever became of them."),
    ),
    _metric(
        "feedback.accepted",
        _("Feedback cases accepted"),
        cases_accepted,
        31,
        _counted("accepted_at"),
        _("Cases about a place in the subtree that an organization accepted (受理) during the period."),
    ),
    _metric(
        "feedback.answered",
        _("Feedback cases answered"),
        cases_answered,
        32,
        _counted("first_answered_at"),
        _(
            "Cases about a place in the subtree whose first answer was published to the citizen during the period "
            "(a case redone after an unsatisfied rating counts once, at its first answer)."
        ),
    ),
    _metric(
        "feedback.answered_on_time",
        _("Cases answered on time"),
        cases_answered_on_time,
        33,
        _counted("first_answered_at", answered_on_time=True),
        _("Of the cases first answered during the period, those answered by their answer deadline."),
    ),
    _metric(
        "feedback.overdue",
        _("Overdue cases"),
        cases_overdue,
        34,
        OVERDUE,
        _(
            "Cases about a place in the subtree that were past their answer deadline without a first answer at the "
            "end of the period's last day (today while the period runs); rejected and merged cases aside."
        ),
    ),
    _metric(
        "feedback.escalated",
        _("Cases escalated for supervision"),
        cases_escalated,
        35,
        ESCALATED,
        _(
            "Cases about a place in the subtree that the clock escalated to the organization above for supervision "
            "(督办) during the period because a deadline had passed, each case once."
        ),
    ),
    _metric(
        "feedback.rated",
        _("Answered cases rated"),
        cases_rated,
        36,
        _counted("first_answered_at", rating__in=RATED),
        _(
            "Of the cases first answered during the period, those the citizen rated (satisfied, basically satisfied "
            "or not satisfied); cases closed without a rating are not rated."
        ),
    ),
    _metric(
        "feedback.satisfied",
        _("Answered cases rated satisfied"),
        cases_satisfied,
        37,
        _counted("first_answered_at", rating__in=SATISFIED),
        _(
            "Of the cases first answered during the period, those the citizen rated satisfied or basically "
            "satisfied; an unrated case is never counted as satisfied."
        ),
    ),
]
RATES = [
    UsageRate(
        "feedback.answered_on_time_rate",
        _("Answered on time, of those answered"),
        "feedback.answered_on_time",
        "feedback.answered",
        group="interaction",
        definition=_(
            "Cases answered on time divided by the cases answered, for the cases first answered in the period."
        ),
        order=33,
    ),
    UsageRate(
        "feedback.satisfaction_rate",
        _("Satisfaction, of the cases answered"),
        "feedback.satisfied",
        "feedback.answered",
        group="interaction",
        definition=_(
            "Cases rated satisfied or basically satisfied divided by all the cases first answered in the period, "
            "rated or not: an unrated case counts as not satisfied, so the period's rate rises as citizens rate."
        ),
        order=37,
    ),
]


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
        *METRICS,
        *RATES,
        PathColumn("feedback.case.place_path", "feedback.Case", "place_path"),
        PathColumn("feedback.case.lead_path", "feedback.Case", "lead_path"),
        PathColumn("feedback.casestat.org_path", "feedback.CaseStat", "org_path"),
        OrganizationData("feedback.cases", _("Feedback cases"), merging.count, merging.merge, order=30),
    )
    freshness_entries.register_entries()
