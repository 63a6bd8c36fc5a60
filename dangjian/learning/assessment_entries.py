"""What the assessment area adds to the shared pages (core/registry.py): the console menu (rounds and the framework
for admins, one's own assessments for officers), the graders' to-do line, the panel of officers due for assessment,
an organization's link to that list, and the usage metrics (officers assessed and passed, per subtree)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import MANAGE_ASSESSMENTS, has_capability
from dangjian.core.registry import DashboardPanel, MenuItem, OrganizationLink, ToDo, UsageMetric


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
        UsageMetric("learning.officers_assessed", _("New-media officers assessed"), _assessed, order=78),
        UsageMetric("learning.officers_passed", _("New-media officers who passed their assessment"), _passed, order=79),
    )
