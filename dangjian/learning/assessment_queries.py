"""Reads of the assessment area, scoped to the person: rounds (MANAGE_ASSESSMENTS on the round's organization), one
assessment (the officer, their admins, and the graders of their organization), tasks waiting for a grade, the
aggregates per organization (counts only, never a ranking of people) and who is due for assessment."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.permissions import (
    GRADE_ASSESSMENTS,
    MANAGE_ASSESSMENTS,
    has_capability,
    units_for,
)
from dangjian.organizations.models import Organization

from . import assessment_actions as actions
from .models import Assessment, AssessmentRound, CompetencyResult, RoundExam
from .queries import is_superuser, may_use, within_scope


def may_manage(user) -> bool:
    return may_use(user, MANAGE_ASSESSMENTS)


def rounds_for(user):
    return within_scope(AssessmentRound.objects.select_related("organization"), user, MANAGE_ASSESSMENTS)


def get_round_for_user(user, round_id: int) -> AssessmentRound:
    found = rounds_for(user).filter(pk=round_id).first()
    if found is None:
        raise Http404
    return found


def managed_units(user):
    """The organizations where the person holds MANAGE_ASSESSMENTS by a grant (the top organization for an
    administrator of the system)."""
    if is_superuser(user):
        return Organization.objects.filter(parent=None).open().order_by("path")
    return units_for(user, MANAGE_ASSESSMENTS).open().order_by("path")


def may_see_assessment(user, assessment: Assessment) -> bool:
    """The officer, their admins (MANAGE_ASSESSMENTS over their organization) and its graders."""
    if assessment.user_id == getattr(user, "pk", None):
        return True
    return has_capability(user, MANAGE_ASSESSMENTS, assessment.organization) or has_capability(
        user, GRADE_ASSESSMENTS, assessment.organization
    )


def get_assessment_for_user(user, assessment_id: int) -> Assessment:
    assessment = (
        Assessment.objects.select_related("round__organization", "organization", "user", "graded_by")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or not may_see_assessment(user, assessment):
        raise Http404
    return assessment


def mine(user):
    return (
        Assessment.objects.filter(user=user)
        .exclude(round__state=AssessmentRound.State.DRAFT)
        .select_related("round__organization", "organization")
        .order_by("-round__opened_at", "-pk")
    )


def to_grade(user):
    """Tasks handed in and waiting for a grade, in open rounds of the organizations where the person grades,
    never their own."""
    rows = Assessment.objects.filter(state=Assessment.State.SUBMITTED, round__state=AssessmentRound.State.OPEN)
    return within_scope(rows, user, GRADE_ASSESSMENTS).exclude(user=user)


def to_grade_count(request) -> int | None:
    if not may_use(request.user, GRADE_ASSESSMENTS):
        return None
    return to_grade(request.user).count()


def exam_link(exam_id: int) -> str:
    """The learner's page of an exam."""
    return reverse("learning:exam", args=[exam_id])


@dataclass
class CompetencyLine:
    competency: object
    exam: object
    link: str
    passed: bool | None


def competency_lines(assessment: Assessment, *, stored: bool = False) -> list[CompetencyLine]:
    """Each competency of the round with its exam and whether the officer passed it since the round opened
    (computed now; `stored`: as recorded when graded)."""
    round_ = assessment.round
    results = {r.competency_id: r.passed for r in CompetencyResult.objects.filter(assessment=assessment)}
    lines = []
    for row in (
        RoundExam.objects.filter(round=round_)
        .select_related("competency", "exam")
        .order_by("competency__order", "competency__pk")
    ):
        if stored and assessment.state == Assessment.State.GRADED:
            passed = results.get(row.competency_id)
        else:
            passed = actions.exam_passed(round_, row.exam_id, assessment.user_id)[1]
        lines.append(CompetencyLine(row.competency, row.exam, exam_link(row.exam_id), passed))
    return lines


# --- Aggregates per organization -----------------------------------------------------------------------------


@dataclass
class OrganizationFigures:
    organization: Organization
    assessed: int = 0
    passed: int = 0
    handed_in: int = 0
    officers: int = 0
    competencies: dict[int, list[int]] = field(default_factory=dict)  # competency id → [passed, assessed]
    cells: list[list[int]] = field(default_factory=list)  # the same in the framework's order


def figures(round_: AssessmentRound) -> tuple[list, list[OrganizationFigures], OrganizationFigures]:
    """Per organization of the round's subtree (each counting its own subtree): officers in the round, tasks handed
    in, officers assessed (graded) and passed, and per competency passed / assessed. Counts only."""
    framework = [row.competency for row in RoundExam.objects.filter(round=round_).select_related("competency")]
    framework.sort(key=lambda c: (c.order, c.pk))
    organizations = list(
        Organization.objects.filter(path__startswith=round_.organization.path)
        .exclude(kind=Organization.Kind.GROUP)
        .order_by("path")
    )
    rows = list(Assessment.objects.filter(round=round_).values_list("pk", "organization__path", "state", "passed"))
    results = CompetencyResult.objects.filter(
        assessment__round=round_, assessment__state=Assessment.State.GRADED
    ).values_list("assessment_id", "competency_id", "passed")
    by_assessment: dict[int, list[tuple[int, bool | None]]] = {}
    for assessment_id, competency_id, passed in results:
        by_assessment.setdefault(assessment_id, []).append((competency_id, passed))
    table = []
    for organization in organizations:
        figure = OrganizationFigures(organization, competencies={c.pk: [0, 0] for c in framework})
        for pk, path, state, passed in rows:
            if not path.startswith(organization.path):
                continue
            figure.officers += 1
            if state != Assessment.State.ASSIGNED:
                figure.handed_in += 1
            if state == Assessment.State.GRADED:
                figure.assessed += 1
                figure.passed += 1 if passed else 0
                for competency_id, competency_passed in by_assessment.get(pk, []):
                    if competency_id in figure.competencies:
                        figure.competencies[competency_id][1] += 1
                        figure.competencies[competency_id][0] += 1 if competency_passed else 0
        figure.cells = [figure.competencies[c.pk] for c in framework]
        if figure.officers or organization.pk == round_.organization.pk:
            table.append(figure)
    total = table[0] if table else OrganizationFigures(round_.organization)
    return framework, table, total


def people(round_: AssessmentRound):
    """The per-person admin view: the round's officers in the order of their organization and name, never by
    result."""
    return (
        Assessment.objects.filter(round=round_)
        .select_related("user", "organization")
        .order_by("organization__path", "user__full_name", "user__username")
    )


# --- Who is due --------------------------------------------------------------------------------------------


@dataclass
class DueOfficer:
    user: User
    organization: Organization
    last_passed: datetime.datetime | None


def due_officers(organization: Organization, now: datetime.datetime | None = None) -> list[DueOfficer]:
    """The new-media officers of the subtree whose last passed assessment was graded more than a year ago, or who
    have none, with that date, in the order of their organization and name."""
    officers = actions.officers_of(organization)
    if not officers:
        return []
    last = dict(
        Assessment.objects.filter(user_id__in=officers, passed=True, graded_at__isnull=False)
        .values("user_id")
        .annotate(last=Max("graded_at"))
        .values_list("user_id", "last")
    )
    users = User.objects.in_bulk(list(officers))
    orgs = Organization.objects.in_bulk(set(officers.values()))
    found = [
        DueOfficer(users[user_id], orgs[org_id], last.get(user_id))
        for user_id, org_id in officers.items()
        if actions.is_due(last.get(user_id), now or timezone.now())
    ]
    found.sort(key=lambda row: (row.organization.path, str(row.user)))
    return found


def due_count(organization: Organization) -> int:
    return len(due_officers(organization))


def officers_assessed(organization, start, end, *, passed: bool = False) -> int:
    """Officers of the subtree whose task was graded in the period (each once); with `passed`, those passing."""
    from dangjian.core.registry import period_bounds

    since, until = period_bounds(start, end)
    rows = Assessment.objects.filter(
        organization__path__startswith=organization.path,
        state=Assessment.State.GRADED,
        graded_at__gte=since,
        graded_at__lt=until,
    )
    if passed:
        rows = rows.filter(passed=True)
    # Each officer once per organization (an officer of two organizations is assessed as each one's officer), so
    # that the figures of organizations add up the tree (analytics rollups).
    return rows.values("organization_id", "user_id").distinct().count()


def officers_passed(organization, start, end) -> int:
    return officers_assessed(organization, start, end, passed=True)
