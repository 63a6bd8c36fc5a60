"""What the assessment area adds to the shared pages (core/registry.py): the console menu (rounds and the framework
for admins, one's own assessments for officers), the graders' to-do line, the panel of officers due for assessment,
an organization's link to that list, and the usage metrics (officers assessed and passed, per subtree)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import MANAGE_ASSESSMENTS, has_capability
from dangjian.core.registry import Counted, DashboardPanel, MenuItem, OrganizationLink, ToDo, UsageMetric, UsageRate


def _has_own(request) -> bool:
    from .models import Assessment, AssessmentRound

    return Assessment.objects.filter(user=request.user).exclude(round__state=AssessmentRound.State.DRAFT).exists()


def _may_manage(request) -> bool:
    from . import assessment_queries

    return assessment_queries.may_manage(request.user)


def due_panel(request) -> dict | None:
    """How many new-media officers of each organization the person manages are due for assessment."""
    from . import assessment_queries

    if not assessment_queries.may_manage(request.user):
        return None
    units = [
        {"organization": unit, "due": assessment_queries.due_count(unit)}
        for unit in assessment_queries.managed_units(request.user)[:10]
    ]
    return {"due_units": units}


def _to_grade_count(request) -> int | None:
    from . import assessment_queries

    return assessment_queries.to_grade_count(request)


def _assessed(organization, start, end) -> int:
    from . import assessment_queries

    return assessment_queries.officers_assessed(organization, start, end)


def _passed(organization, start, end) -> int:
    from . import assessment_queries

    return assessment_queries.officers_passed(organization, start, end)


def _graded(passed: bool = False):
    def rows():
        from .models import Assessment

        graded = Assessment.objects.filter(state=Assessment.State.GRADED).select_related("round")
        return graded.filter(passed=True) if passed else graded

    return Counted(
        rows=rows,
        organization="organization",
        date="graded_at",
        distinct="user",  # each officer once per organization and period
        capability=MANAGE_ASSESSMENTS,
        # The round, never the officer.
        label=lambda assessment: assessment.round.title,
        link=lambda assessment: reverse("console:assessment_round", args=[assessment.round_id]),
    )


def register() -> None:
    from dangjian.core.registry import register as add

    add(
        MenuItem("assessments", _("Staff assessment"), "console:assessment_rounds", order=78, visible=_may_manage),
        MenuItem("my_assessments", _("My assessments"), "console:my_assessments", order=79, visible=_has_own),
        ToDo(
            "learning.tasks_to_grade",
            lambda n: (
                ngettext("%(n)s practical task waits for your grade", "%(n)s practical tasks wait for your grade", n)
                % {"n": n}
            ),
            _to_grade_count,
            "console:assessments_to_grade",
            order=78,
        ),
        DashboardPanel("assessments_due", "learning/assessment_due_panel.html", due_panel, order=60),
        OrganizationLink(
            "assessments_due",
            _("New-media officers due for assessment"),
            "console:assessments_due",
            lambda user, org: not org.is_closed and has_capability(user, MANAGE_ASSESSMENTS, org),
            order=78,
            secondary=True,
        ),
        UsageMetric(
            "learning.officers_assessed",
            _("New-media officers assessed"),
            _assessed,
            order=78,
            counted=_graded(),
            group="learning",
            definition=_(
                "New-media officers of the subtree's organizations whose assessment was graded during the period, "
                "each once per organization."
            ),
        ),
        UsageMetric(
            "learning.officers_passed",
            _("New-media officers who passed their assessment"),
            _passed,
            order=79,
            counted=_graded(passed=True),
            group="learning",
            definition=_(
                "Of the officers assessed during the period, those who passed every competency and the practical "
                "task, each once per organization."
            ),
        ),
        UsageRate(
            "learning.officers_passed_rate",
            _("New-media officers passing, of those assessed"),
            "learning.officers_passed",
            "learning.officers_assessed",
            group="learning",
            definition=_("Officers who passed divided by officers assessed, during the period."),
            order=79,
        ),
    )
