"""Writes of the assessment area: the competency framework, assessment rounds, the officer's practical task and
its grade.

    save_competency(user, organization_id, CompetencyInput, competency_id=, expected_version=)   MANAGE_ASSESSMENTS
    archive_competency / restore_competency / move_competency / use_standard                      (framework owner)
    save_round(user, organization_id, RoundInput, round_id=, expected_version=)                   MANAGE_ASSESSMENTS
    set_round_exam(user, round_id, competency_id, exam_id)                                         (draft rounds)
    open_round / close_round / add_officer / remove_officer                                        MANAGE_ASSESSMENTS
    save_task(user, assessment_id, text, upload, hand_in=)                                         the officer
    grade_task(user, assessment_id, points, comments)                          GRADE_ASSESSMENTS, never one's own

Who edits a framework: the holders of MANAGE_ASSESSMENTS on an organization at the top of the tree (the county),
or on an organization that already keeps its own list. Everyone below reads the nearest list above
(`competencies.framework_for`).

Which exam a round may use for a competency: an exam of the round's organization or of an organization above it
whose `competency` is that competency, or any exam of the round's own organization (a township's own test). To
open a round every competency of the framework needs an exam, and each exam must be open.
"""

from __future__ import annotations

import datetime
import os
import re
import uuid
from contextlib import nullcontext
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import Role, RoleGrant, User
from dangjian.accounts.permissions import GRADE_ASSESSMENTS, MANAGE_ASSESSMENTS, has_capability, require
from dangjian.core.history import (
    ActionError,
    InvalidInput,
    NotFound,
    new_or_existing,
    refusal,
    save_tracked,
    validate,
)
from dangjian.core.signals import rows_written
from dangjian.core.uploads import check_attachment, delete_files_on_commit, discard_on_failure
from dangjian.notifications.api import notify
from dangjian.organizations.models import Organization

from . import competencies, notices
from .models import Assessment, AssessmentRound, Attempt, Competency, CompetencyResult, Exam, RoundExam

RUBRIC_MAX_LINES = 20
RUBRIC_MAX_POINTS = 100
DUE_AFTER = datetime.timedelta(days=365)


def _refuse(field_name: str, message: str) -> InvalidInput:
    return InvalidInput({field_name: [message]}, message)


def _org_name(organization) -> str:
    return organization.short_name or organization.name


def _open_organization(actor, organization_id: int, capability: str) -> Organization:
    organization = Organization.objects.open().filter(pk=organization_id).first()
    if organization is None:
        raise NotFound
    require(actor, capability, organization)
    return organization


# --- The competency framework --------------------------------------------------------------------------------


def may_edit_framework(user, organization: Organization) -> bool:
    """The county (the top of the tree) keeps the framework; an organization that already keeps a list of its
    own may edit it too. Everyone else reads the list they inherit."""
    if organization.is_closed or not has_capability(user, MANAGE_ASSESSMENTS, organization):
        return False
    return organization.parent_id is None or Competency.objects.filter(organization=organization).exists()


def _framework_organization(actor, organization_id: int) -> Organization:
    organization = _open_organization(actor, organization_id, MANAGE_ASSESSMENTS)
    if not may_edit_framework(actor, organization):
        raise ActionError(
            _("This organization uses the framework of the organization above it; only that one edits it.")
        )
    return organization


@dataclass(frozen=True)
class CompetencyInput:
    name: str
    description: str = ""


def save_competency(
    actor, organization_id: int, data: CompetencyInput, *, competency_id: int | None = None, expected_version=None
) -> Competency:
    organization = _framework_organization(actor, organization_id)
    competency = new_or_existing(Competency, competency_id, organization=organization)
    competency.name = " ".join((data.name or "").split())
    competency.description = (data.description or "").strip()
    if not competency.name:
        raise refusal(competency, {"name": [_("Enter the competency's name.")]})
    if Competency.objects.filter(organization=organization, name=competency.name).exclude(pk=competency.pk).exists():
        raise refusal(competency, {"name": [_("The framework already has a competency of this name.")]})
    if competency.pk is None:
        last = Competency.objects.filter(organization=organization).aggregate(n=Max("order"))["n"] or 0
        competency.order = last + 1
    validate(competency)
    with transaction.atomic():
        save_tracked(actor, competency, organization, expected_version=expected_version)
    return competency


def _competency(actor, organization_id: int, competency_id: int) -> tuple[Organization, Competency]:
    organization = _framework_organization(actor, organization_id)
    return organization, new_or_existing(Competency, competency_id, organization=organization)


def archive_competency(actor, organization_id: int, competency_id: int) -> Competency:
    """Out of the framework for new rounds; past results keep pointing at it."""
    organization, competency = _competency(actor, organization_id, competency_id)
    if competency.archived_at is None:
        competency.archived_at = timezone.now()
        with transaction.atomic():
            save_tracked(actor, competency, organization)
    return competency


def restore_competency(actor, organization_id: int, competency_id: int) -> Competency:
    organization, competency = _competency(actor, organization_id, competency_id)
    if competency.archived_at is not None:
        competency.archived_at = None
        with transaction.atomic():
            save_tracked(actor, competency, organization)
    return competency


def move_competency(actor, organization_id: int, competency_id: int, step: int) -> None:
    """Move a competency one place up (step -1) or down (+1) in the framework's order."""
    organization, competency = _competency(actor, organization_id, competency_id)
    with transaction.atomic():
        rows = list(
            Competency.objects.select_for_update()
            .filter(organization=organization, archived_at=None)
            .order_by("order", "pk")
        )
        index = next((i for i, row in enumerate(rows) if row.pk == competency.pk), None)
        if index is None:
            raise ActionError(_("An archived competency has no place in the order."))
        other = index + (1 if step > 0 else -1)
        if not 0 <= other < len(rows):
            return
        rows[index], rows[other] = rows[other], rows[index]
        for order, row in enumerate(rows, start=1):
            if row.order != order:
                row.order = order
                save_tracked(actor, row, organization)


def use_standard(actor, organization_id: int) -> list[Competency]:
    """The standard six, for an organization at the top that has no framework yet."""
    organization = _framework_organization(actor, organization_id)
    if Competency.objects.filter(organization=organization).exists():
        raise ActionError(_("The framework already has competencies; add or rename them one by one."))
    with transaction.atomic():
        made = []
        for order, (name, description) in enumerate(competencies.STANDARD, start=1):
            competency = Competency(
                organization=organization, name=str(name), description=str(description), order=order
            )
            save_tracked(actor, competency, organization)
            made.append(competency)
    return made


# --- Rounds --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundInput:
    title: str
    year: int
    task: str = ""
    rubric: tuple[tuple[str, int], ...] = ()
    task_pass_percent: int = 60
    due_on: datetime.date | None = None


RUBRIC_LINE = re.compile(r"^(?P<criterion>.+?)[\s|｜:：,，、]+(?P<points>\d{1,3})\s*分?$")


def parse_rubric(text: str) -> tuple[tuple[str, int], ...]:
    """Rubric lines as typed, one per line, the points at the end ("导语交代清楚 20"); InvalidInput naming the bad
    lines."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    found: list[tuple[str, int]] = []
    bad: list[str] = []
    for number, line in enumerate(lines, start=1):
        match = RUBRIC_LINE.match(line)
        if match is None:
            bad.append(_("Line %(n)s: write the criterion, then its points, e.g. “导语交代清楚 20”.") % {"n": number})
            continue
        found.append((match["criterion"].strip()[:200], int(match["points"])))
    if bad:
        raise _refuse("rubric", " ".join(bad))
    return tuple(found)


def rubric_text(rubric) -> str:
    return "\n".join(f"{line['criterion']} {line['points']}" for line in rubric or [])


def _round(actor, round_id: int, *, lock: bool = True) -> AssessmentRound:
    rows = AssessmentRound.objects.select_related("organization")
    found = (rows.select_for_update(of=("self",)) if lock else rows).filter(pk=round_id).first()
    if found is None or not has_capability(actor, MANAGE_ASSESSMENTS, found.organization):
        raise NotFound
    if found.organization.is_closed:
        raise ActionError(_("The organization of this round is closed."))
    return found


def save_round(
    actor, organization_id: int, data: RoundInput, *, round_id: int | None = None, expected_version=None
) -> AssessmentRound:
    organization = _open_organization(actor, organization_id, MANAGE_ASSESSMENTS)
    row = new_or_existing(AssessmentRound, round_id, organization=organization)
    if row.state == AssessmentRound.State.CLOSED:
        raise ActionError(_("This round is closed and can no longer be changed."))
    errors: dict[str, list[str]] = {}
    row.title = " ".join((data.title or "").split())
    row.year = data.year
    row.task = (data.task or "").strip()
    row.due_on = data.due_on
    row.task_pass_percent = data.task_pass_percent
    if not row.title:
        errors["title"] = [_("Give the round a title.")]
    if not 2000 <= data.year <= 2100:
        errors["year"] = [_("Enter a year such as %(year)s.") % {"year": timezone.localdate().year}]
    if not row.task:
        errors["task"] = [_("Describe the practical task the officers hand in.")]
    if not data.rubric:
        errors["rubric"] = [_("Give at least one rubric line with its points.")]
    elif len(data.rubric) > RUBRIC_MAX_LINES:
        errors["rubric"] = [_("At most %(n)s rubric lines.") % {"n": RUBRIC_MAX_LINES}]
    elif any(not 1 <= points <= RUBRIC_MAX_POINTS for _c, points in data.rubric):
        errors["rubric"] = [_("Each rubric line is worth 1 to %(n)s points.") % {"n": RUBRIC_MAX_POINTS}]
    if not 1 <= data.task_pass_percent <= 100:
        errors["task_pass_percent"] = [_("Enter a pass mark from 1 to 100.")]
    if row.pk and row.state != AssessmentRound.State.DRAFT:
        stored = AssessmentRound.objects.get(pk=row.pk)
        changed_rubric = [{"criterion": c, "points": p} for c, p in data.rubric] != stored.rubric
        if changed_rubric and row.assessments.filter(state=Assessment.State.GRADED).exists():
            errors["rubric"] = [_("Tasks were already graded with this rubric; it can no longer be changed.")]
    if errors:
        raise refusal(row, errors)
    row.rubric = [{"criterion": c, "points": p} for c, p in data.rubric]
    validate(row)
    with transaction.atomic():
        save_tracked(actor, row, organization, expected_version=expected_version)
    return row


def eligible_exams(round_: AssessmentRound, competency: Competency):
    """The exams the round may use for the competency (see the module's docstring)."""
    from django.db.models import Q

    organization = round_.organization
    return (
        Exam.objects.filter(
            Q(organization_id__in=organization.ancestor_ids, competency=competency) | Q(organization=organization)
        )
        .exclude(state=Exam.State.CLOSED)
        .select_related("organization", "competency")
        .order_by("title", "pk")
    )


def set_round_exam(actor, round_id: int, competency_id: int, exam_id: int | None) -> RoundExam | None:
    with transaction.atomic():
        round_ = _round(actor, round_id)
        if round_.state != AssessmentRound.State.DRAFT:
            raise ActionError(_("The exams are chosen before the round opens."))
        framework = {c.pk: c for c in competencies.framework_for(round_.organization)}
        competency = framework.get(competency_id)
        if competency is None:
            raise _refuse("competency", _("This competency is not in the framework this organization uses."))
        if exam_id is None:
            RoundExam.objects.filter(round=round_, competency=competency).delete()
            return None
        exam = eligible_exams(round_, competency).filter(pk=exam_id).first()
        if exam is None:
            raise _refuse(
                "exam",
                _(
                    "Choose an exam of this competency made by your organization or one above it, or an exam of "
                    "your own organization."
                ),
            )
        row, _created = RoundExam.objects.update_or_create(round=round_, competency=competency, defaults={"exam": exam})
    return row


def officers_of(organization: Organization):
    """(user id, organization id) of the active new-media officers of the subtree, the deepest grant of each."""
    rows = (
        RoleGrant.objects.filter(
            role=Role.MEDIA_OFFICER,
            user__is_active=True,
            organization__path__startswith=organization.path,
            organization__closed_at__isnull=True,
        )
        .order_by("user_id", "-organization__depth")
        .values_list("user_id", "organization_id")
    )
    seen: dict[int, int] = {}
    for user_id, org_id in rows:
        seen.setdefault(user_id, org_id)
    return seen


def _assign(round_: AssessmentRound, officers: dict[int, int]) -> list[int]:
    existing = set(Assessment.objects.filter(round=round_).values_list("user_id", flat=True))
    new = {user: org for user, org in officers.items() if user not in existing}
    Assessment.objects.bulk_create([Assessment(round=round_, user_id=u, organization_id=o) for u, o in new.items()])
    return sorted(new)


def _notify_assigned(round_: AssessmentRound, user_ids: list[int]) -> None:
    for assessment in Assessment.objects.filter(round=round_, user_id__in=user_ids):
        notify(
            [assessment.user_id],
            notices.ASSESSMENT_ASSIGNED,
            assessment,
            organization=round_.organization,
            org=_org_name(round_.organization),
            title=round_.title,
            due=round_.due_on.isoformat() if round_.due_on else "",
        )


def open_round(actor, round_id: int) -> int:
    """Open a draft round: an assessment for every new-media officer of the subtree, each told. Returns how many."""
    with transaction.atomic():
        round_ = _round(actor, round_id)
        if round_.state != AssessmentRound.State.DRAFT:
            raise ActionError(_("Only a draft round can be opened."))
        framework = competencies.framework_for(round_.organization)
        if not framework:
            raise ActionError(_("There is no competency framework yet; the county sets it up first."))
        chosen = {row.competency_id: row for row in RoundExam.objects.filter(round=round_).select_related("exam")}
        missing = [c.name for c in framework if c.pk not in chosen]
        if missing:
            raise ActionError(_("Choose an exam for each competency first: %(names)s.") % {"names": "、".join(missing)})
        RoundExam.objects.filter(round=round_).exclude(competency__in=framework).delete()
        closed = [chosen[c.pk].exam.title for c in framework if chosen[c.pk].exam.state != Exam.State.OPEN]
        if closed:
            raise ActionError(_("These exams are not open yet: %(names)s.") % {"names": "、".join(closed)})
        if not round_.task or not round_.rubric:
            raise ActionError(_("Describe the practical task and its rubric first."))
        officers = officers_of(round_.organization)
        if not officers:
            raise ActionError(_("There is no new-media officer in this organization or below it."))
        round_.state = AssessmentRound.State.OPEN
        round_.opened_at = timezone.now()
        save_tracked(actor, round_, round_.organization)
        made = _assign(round_, officers)
        _notify_assigned(round_, made)
    return len(made)


def close_round(actor, round_id: int) -> AssessmentRound:
    """No more hand-ins; graded results are computed once more from the exams sat until now."""
    with transaction.atomic():
        round_ = _round(actor, round_id)
        if round_.state != AssessmentRound.State.OPEN:
            raise ActionError(_("Only an open round can be closed."))
        round_.state = AssessmentRound.State.CLOSED
        round_.closed_at = timezone.now()
        save_tracked(actor, round_, round_.organization)
        for assessment in round_.assessments.filter(state=Assessment.State.GRADED):
            compute_results(assessment)
    return round_


def add_officer(actor, round_id: int, user_id: int) -> Assessment:
    """Add a new-media officer of the subtree to an open round (e.g. one appointed since it opened)."""
    with transaction.atomic():
        round_ = _round(actor, round_id)
        if round_.state != AssessmentRound.State.OPEN:
            raise ActionError(_("Officers are added while the round is open."))
        officers = officers_of(round_.organization)
        if user_id not in officers:
            raise _refuse("user", _("This person is not a new-media officer of this organization or below it."))
        if Assessment.objects.filter(round=round_, user_id=user_id).exists():
            raise _refuse("user", _("This officer is already in the round."))
        made = _assign(round_, {user_id: officers[user_id]})
        _notify_assigned(round_, made)
        return Assessment.objects.get(round=round_, user_id=user_id)


def remove_officer(actor, round_id: int, assessment_id: int) -> None:
    """Take an officer out of an open round (e.g. one who left the post); not once their task is graded."""
    with transaction.atomic():
        round_ = _round(actor, round_id)
        if round_.state != AssessmentRound.State.OPEN:
            raise ActionError(_("Officers are removed while the round is open."))
        assessment = Assessment.objects.filter(pk=assessment_id, round=round_).first()
        if assessment is None:
            raise NotFound
        if assessment.state == Assessment.State.GRADED:
            raise ActionError(_("This officer's task is already graded; the assessment stays."))
        delete_files_on_commit(assessment.task_file.storage, [assessment.task_file.name])
        assessment.delete()


# --- The officer's practical task ----------------------------------------------------------------------------


def save_task(actor, assessment_id: int, text: str, upload=None, *, hand_in: bool = False) -> Assessment:
    """The officer writes their work and/or attaches a file; `hand_in` hands it in (it stays editable until
    graded)."""
    text = (text or "").strip()
    if upload:
        try:
            check_attachment(upload)
        except ValidationError as error:
            raise _refuse("task_file", " ".join(error.messages)) from None
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("round__organization")
            .filter(pk=assessment_id, user=actor)
            .first()
        )
        if assessment is None:
            raise NotFound
        if assessment.round.state != AssessmentRound.State.OPEN:
            raise ActionError(_("This round is not open; tasks are handed in while it is open."))
        if assessment.state == Assessment.State.GRADED:
            raise ActionError(_("Your task is already graded and can no longer be changed."))
        assessment.task_text = text
        if len(text) > 20000:
            raise _refuse("task_text", _("The work is at most %(n)s characters.") % {"n": 20000})
        if hand_in and not text and not upload and not assessment.task_file:
            raise _refuse("task_text", _("Write your work or attach a file before handing it in."))
        old = assessment.task_file.name if upload else ""
        fields = ["task_text", "version"]
        if hand_in:
            assessment.state = Assessment.State.SUBMITTED
            assessment.submitted_at = timezone.now()
            fields += ["state", "submitted_at"]
        assessment.version += 1
        if upload:
            ext = os.path.splitext(upload.name or "")[1].lower()
            assessment.task_file.save(f"{uuid.uuid4().hex}{ext}", upload, save=False)
            assessment.task_file_name = os.path.basename(upload.name or "")[:200]
            fields += ["task_file", "task_file_name"]
        with discard_on_failure(assessment.task_file) if upload else nullcontext():
            assessment.save(update_fields=fields)
        if old:
            delete_files_on_commit(assessment.task_file.storage, [old])
    return assessment


# --- Grading -------------------------------------------------------------------------------------------------


def may_grade(user, assessment: Assessment) -> bool:
    return assessment.user_id != getattr(user, "pk", None) and has_capability(
        user, GRADE_ASSESSMENTS, assessment.organization
    )


def exam_passed(round_: AssessmentRound, exam_id: int, user_id: int):
    """The officer's attempts at the exam since the round opened: (passed attempt or the last graded one, passed
    True / False, or None when not sat)."""
    attempts = list(
        Attempt.objects.filter(
            exam_id=exam_id,
            user_id=user_id,
            state=Attempt.State.GRADED,
            started_at__gte=round_.opened_at or round_.created_at,
        ).order_by("-passed", "-started_at")
    )
    if not attempts:
        return None, None
    best = attempts[0]
    return best, bool(best.passed)


def compute_results(assessment: Assessment) -> bool | None:
    """(Re)write the assessment's CompetencyResult rows from the exams sat, and its `passed`."""
    round_ = assessment.round
    passed_all = True
    for row in RoundExam.objects.filter(round=round_).order_by("competency__order", "pk"):
        attempt, passed = exam_passed(round_, row.exam_id, assessment.user_id)
        CompetencyResult.objects.update_or_create(
            assessment=assessment, competency_id=row.competency_id, defaults={"attempt": attempt, "passed": passed}
        )
        passed_all = passed_all and bool(passed)
    if assessment.state == Assessment.State.GRADED:
        assessment.passed = bool(assessment.task_passed) and passed_all
        Assessment.objects.filter(pk=assessment.pk).update(passed=assessment.passed)

        rows_written(Assessment, [assessment.organization_id])  # learning.officers_passed, written without a save
    return assessment.passed


def grade_task(actor, assessment_id: int, points: list[int], comments: str) -> Assessment:
    """Grade a handed-in task with the round's rubric: points per line within 0..its maximum, and comments. A
    grader may grade again (e.g. a mistake) while the round is open."""
    comments = (comments or "").strip()
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("round__organization", "organization")
            .filter(pk=assessment_id)
            .first()
        )
        if assessment is None or not has_capability(actor, GRADE_ASSESSMENTS, assessment.organization):
            raise NotFound
        if assessment.user_id == actor.pk:
            raise PermissionDenied(_("Nobody grades their own task."))
        round_ = assessment.round
        if round_.state != AssessmentRound.State.OPEN:
            raise ActionError(_("This round is not open; tasks are graded while it is open."))
        if assessment.state == Assessment.State.ASSIGNED:
            raise ActionError(_("The officer has not handed the task in yet."))
        rubric = round_.rubric or []
        if len(points) != len(rubric):
            raise _refuse("points", _("Give points for every rubric line."))
        errors: dict[str, list[str]] = {}
        for index, (line, given) in enumerate(zip(rubric, points, strict=True)):
            if given is None or not 0 <= given <= int(line["points"]):
                errors[f"points_{index}"] = [
                    _("“%(criterion)s”: give 0 to %(max)s points.")
                    % {"criterion": line["criterion"], "max": line["points"]}
                ]
        if len(comments) > 2000:
            errors["comments"] = [_("The comments are at most %(n)s characters.") % {"n": 2000}]
        if errors:
            raise InvalidInput(errors, " ".join(m for ms in errors.values() for m in ms))
        total = sum(int(line["points"]) for line in rubric)
        score = sum(points)
        assessment.rubric_scores = list(points)
        assessment.task_score = score
        assessment.task_passed = score * 100 >= round_.task_pass_percent * total
        assessment.comments = comments
        assessment.graded_by = actor
        assessment.graded_at = timezone.now()
        assessment.state = Assessment.State.GRADED
        assessment.version += 1
        assessment.save()
        compute_results(assessment)
        notify(
            [assessment.user_id],
            notices.ASSESSMENT_GRADED,
            assessment,
            organization=round_.organization,
            title=round_.title,
        )
    return assessment


def is_due(last_passed: datetime.datetime | None, now: datetime.datetime | None = None) -> bool:
    return last_passed is None or last_passed < (now or timezone.now()) - DUE_AFTER


def officer_user(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()
