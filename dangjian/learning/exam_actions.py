"""Writes of the exam area: exams and their draw rules (console, MANAGE_QUESTIONS on the exam's organization),
opening and closing them; and the sitting: starting an attempt (the paper drawn and shuffled), saving each answer
as it is given, and grading it exactly once.

Each action loads its rows itself, checks the person, validates and writes in one transaction with its history
(`save_tracked`) or its own row; notifications go through `notify()` (delivered after the commit).

The time limit is the server's: `Attempt.deadline` is set when the attempt starts; an answer after it is refused,
and an attempt whose time is up is graded with what was saved in time, by whoever looks at it first (the
examinee's next page, a submit, the console's results). Grading is a conditional UPDATE of the state OPEN →
GRADED: of two tabs or two presses, one grades and the other finds it graded.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dangjian.accounts.permissions import MANAGE_QUESTIONS, require
from dangjian.core.history import ActionError, InvalidInput, NotFound, new_or_existing, record, save_tracked, validate
from dangjian.core.models import ChangeRecord
from dangjian.organizations.models import Organization

from . import audience, competencies, grading
from .exam_access import may_sit
from .models import Attempt, AttemptAnswer, Competency, Course, Exam, ExamRule, Question, QuestionBank, Tag

Kind = Question.Kind
MAX_RULE_COUNT = 200
MAX_RULE_POINTS = 100


def kind_name(kind: str) -> str:
    """A question kind as the exam pages say it ("单选题"); blank: any kind."""
    names: dict[str, str] = {
        Kind.SINGLE: pgettext("exam", "single-choice questions"),
        Kind.MULTIPLE: pgettext("exam", "multiple-choice questions"),
        Kind.TRUE_FALSE: pgettext("exam", "true-or-false questions"),
        Kind.BLANK: pgettext("exam", "fill-in-the-blank questions"),
    }
    return names.get(kind, pgettext("exam", "questions of any kind"))


# --- Exams (console) -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExamInput:
    title: str
    bank_id: int
    instructions: str = ""
    course_id: int | None = None
    competency_id: int | None = None
    time_limit_minutes: int = 30
    pass_percent: int = 60
    max_attempts: int = 2
    certifying: bool = False


def banks_for(organization: Organization):
    """The banks an exam of `organization` may draw from: the organization's and those of the organizations above."""
    return QuestionBank.objects.filter(organization_id__in=organization.ancestor_ids).select_related("organization")


def courses_for(organization: Organization):
    return Course.objects.filter(organization=organization).exclude(state=Course.State.WITHDRAWN)


def competencies_for(organization: Organization):
    owner = competencies.framework_owner(organization)
    if owner is None:
        return Competency.objects.none()
    return Competency.objects.filter(organization=owner, archived_at__isnull=True)


def _organization(actor, organization_id: int) -> Organization:
    organization = Organization.objects.open().filter(pk=organization_id).first()
    if organization is None:
        raise NotFound
    require(actor, MANAGE_QUESTIONS, organization)
    return organization


def _exam(actor, exam_id: int, *, lock: bool = False) -> Exam:
    rows = Exam.objects.select_related("organization", "bank", "course")
    if lock:
        rows = rows.select_for_update(of=("self",))
    exam = rows.filter(pk=exam_id).first()
    if exam is None or exam.organization.closed_at is not None:
        raise NotFound
    require(actor, MANAGE_QUESTIONS, exam.organization)
    return exam


def save_exam(
    actor, organization_id: int, data: ExamInput, *, exam_id: int | None = None, expected_version: int | None = None
) -> Exam:
    with transaction.atomic():
        organization = _organization(actor, organization_id)
        exam = new_or_existing(Exam, exam_id, organization=organization)
        errors: dict[str, list[str]] = {}
        bank = banks_for(organization).filter(pk=data.bank_id).first()
        if bank is None:
            errors["bank"] = [_("Choose a question bank of this organization or of one above it.")]
        course = None
        if data.course_id:
            course = courses_for(organization).filter(pk=data.course_id).first()
            if course is None:
                errors["course"] = [_("Choose a course of this organization.")]
        competency = None
        if data.competency_id:
            competency = competencies_for(organization).filter(pk=data.competency_id).first()
            if competency is None:
                errors["competency"] = [_("Choose a competency of the framework this organization uses.")]
        if not 1 <= data.time_limit_minutes <= 600:
            errors["time_limit_minutes"] = [_("The time limit is between 1 and 600 minutes.")]
        if not 1 <= data.pass_percent <= 100:
            errors["pass_percent"] = [_("The pass mark is between 1 and 100 %.")]
        if not 1 <= data.max_attempts <= 20:
            errors["max_attempts"] = [_("Allow between 1 and 20 attempts.")]
        if not data.title.strip():
            errors["title"] = [_("Enter the exam's title.")]
        if errors:
            raise InvalidInput(errors, " ".join(m for messages in errors.values() for m in messages))
        if exam.pk and bank is not None and exam.bank_id != bank.pk and exam.attempts.exists():
            message = _("The exam has been sat: its bank can no longer change. Make a new exam instead.")
            raise InvalidInput({"bank": [message]}, message)
        exam.title = data.title.strip()
        exam.instructions = data.instructions.strip()
        exam.bank = bank
        exam.course = course
        exam.competency = competency
        exam.time_limit_minutes = data.time_limit_minutes
        exam.pass_percent = data.pass_percent
        exam.max_attempts = data.max_attempts
        exam.certifying = data.certifying
        validate(exam)
        save_tracked(actor, exam, organization, expected_version=expected_version)
        return exam


def available(exam: Exam, kind: str, tag_id: int | None) -> int:
    rows = Question.objects.filter(bank_id=exam.bank_id, archived_at__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    if tag_id:
        rows = rows.filter(tags__id=tag_id)
    return rows.distinct().count()


def shortfall(exam: Exam, kind: str, tag: Tag | None, count: int) -> str:
    """Why the bank cannot give `count` questions of this kind and tag, or ""."""
    have = available(exam, kind, tag.pk if tag else None)
    if have >= count:
        return ""
    what = kind_name(kind)
    if tag is not None:
        return _("The bank has only %(n)d %(kind)s tagged “%(tag)s”.") % {"n": have, "kind": what, "tag": tag.name}
    return _("The bank has only %(n)d %(kind)s.") % {"n": have, "kind": what}


def add_rule(actor, exam_id: int, *, kind: str, tag_name: str, count: int, points: int) -> ExamRule:
    with transaction.atomic():
        exam = _exam(actor, exam_id, lock=True)
        errors: dict[str, list[str]] = {}
        if kind and kind not in Kind.values:
            errors["kind"] = [_("Choose a kind of question.")]
        if not 1 <= count <= MAX_RULE_COUNT:
            errors["count"] = [_("Draw between 1 and %(n)d questions.") % {"n": MAX_RULE_COUNT}]
        if not 1 <= points <= MAX_RULE_POINTS:
            errors["points"] = [_("Each question is worth between 1 and %(n)d points.") % {"n": MAX_RULE_POINTS}]
        tag = None
        if tag_name.strip():
            tag = Tag.objects.filter(name=tag_name.strip()).first()
            if tag is None:
                errors["tag"] = [_("No question has the tag “%(tag)s”.") % {"tag": tag_name.strip()}]
        if not errors:
            missing = shortfall(exam, kind, tag, count)
            if missing:
                errors["count"] = [missing]
        if errors:
            raise InvalidInput(errors, " ".join(m for messages in errors.values() for m in messages))
        rule = ExamRule.objects.create(exam=exam, kind=kind, tag=tag, count=count, points=points)
        _touch(actor, exam, {"rules": [None, rule_text(rule)]})
        return rule


def remove_rule(actor, exam_id: int, rule_id: int) -> None:
    with transaction.atomic():
        exam = _exam(actor, exam_id, lock=True)
        rule = ExamRule.objects.filter(pk=rule_id, exam=exam).select_related("tag").first()
        if rule is None:
            raise NotFound
        text = rule_text(rule)
        rule.delete()
        _touch(actor, exam, {"rules": [text, None]})


def rule_text(rule: ExamRule) -> str:
    tag = f" · {rule.tag.name}" if rule.tag is not None else ""
    return _("%(count)d %(kind)s%(tag)s, %(points)d points each") % {
        "count": rule.count,
        "kind": kind_name(rule.kind),
        "tag": tag,
        "points": rule.points,
    }


def _touch(actor, exam: Exam, changes: dict) -> None:
    exam.version += 1
    exam.save(update_fields=["version"])
    record(actor, exam, ChangeRecord.Action.UPDATE, changes, exam.organization)


def set_state(actor, exam_id: int, state: str, *, expected_version: int | None = None) -> Exam:
    """Open an exam (its rules must draw a whole paper from the bank now) or close it (attempts in progress may
    still be finished in their time; no new one starts)."""
    if state not in (Exam.State.OPEN, Exam.State.CLOSED):
        raise ActionError(_("An exam can only be opened or closed."))
    with transaction.atomic():
        exam = _exam(actor, exam_id, lock=True)
        if state == Exam.State.OPEN:
            draw(exam)  # refuses with the bank's shortfall
        exam.state = state
        save_tracked(actor, exam, exam.organization, expected_version=expected_version)
        return exam


# --- The paper ------------------------------------------------------------------------------------------


def draw(exam: Exam, rng: random.Random | None = None) -> list[dict]:
    """A paper by the exam's rules from the bank's questions in use: each rule's questions at random (none twice),
    the questions in a random order, each question's options in a random order. Refuses when the bank falls short."""
    rng = rng or random.SystemRandom()
    rules = list(exam.rules.select_related("tag"))
    if not rules:
        raise ActionError(_("Add at least one rule: how many questions of which kind to draw."))
    paper: list[dict] = []
    taken: set[int] = set()
    for rule in rules:
        rows = Question.objects.filter(bank_id=exam.bank_id, archived_at__isnull=True).exclude(pk__in=taken)
        if rule.kind:
            rows = rows.filter(kind=rule.kind)
        if rule.tag_id:
            rows = rows.filter(tags__id=rule.tag_id)
        candidates = list(rows.distinct().values_list("pk", "kind", "options"))
        if len(candidates) < rule.count:
            what = kind_name(rule.kind)
            if rule.tag is not None:
                message = _("The bank has only %(n)d %(kind)s tagged “%(tag)s”.") % {
                    "n": len(candidates),
                    "kind": what,
                    "tag": rule.tag.name,
                }
            else:
                message = _("The bank has only %(n)d %(kind)s.") % {"n": len(candidates), "kind": what}
            raise ActionError(message)
        for pk, kind, options in rng.sample(candidates, rule.count):
            taken.add(pk)
            order = list(range(len(options))) if kind in (Kind.SINGLE, Kind.MULTIPLE) else []
            rng.shuffle(order)
            paper.append({"q": pk, "order": order, "points": rule.points})
    rng.shuffle(paper)
    return paper


def paper_questions(attempt: Attempt) -> list[tuple[dict, Question]]:
    """The attempt's paper in shown order with its questions."""
    ids = [item["q"] for item in attempt.paper]
    questions = Question.objects.in_bulk(ids)
    return [(item, questions[item["q"]]) for item in attempt.paper if item["q"] in questions]


def to_stored(question: Question, order: list[int], raw: list[str]) -> list:
    """What the examinee chose, from the shown option positions to the question's stored terms (see grading.py);
    the mapping is the attempt's own, never the client's. ValueError with a message for the person."""
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        stored: list[str] = []
        for value in raw or []:
            if value is None or str(value).strip() == "":
                continue
            try:
                shown = int(value)
            except (TypeError, ValueError):
                raise ValueError(pgettext("exam", "Choose one of the options.")) from None
            if not 0 <= shown < len(order):
                raise ValueError(pgettext("exam", "Choose one of the options."))
            stored.append(str(order[shown]))
        return grading.parse(question, stored)
    return grading.parse(question, [str(v) for v in (raw or [])])


def to_shown(question: Question, order: list[int], answer: list) -> list:
    """A stored answer in the attempt's shown option positions (to tick the boxes again)."""
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        return sorted(order.index(i) for i in answer if i in order)
    return list(answer)


# --- Sitting ------------------------------------------------------------------------------------------


class TimeUp(ActionError):
    pass


def _learner_organization(user, exam: Exam):
    if exam.course is not None:
        found = audience.learner_for(user, exam.course)
        if found is not None:
            return found
    path = exam.organization.path
    for organization, _how in audience.learner_places(user):
        if organization.path.startswith(path):
            return organization
    return audience.learner_organization(user)


def start_attempt(user, exam_id: int) -> Attempt:
    """The person's attempt in progress, or a new one (a paper drawn now, the deadline the server's clock plus
    the time limit). Refuses with the reason from `may_sit` (no attempt left: a clear message)."""
    exam = Exam.objects.select_related("organization", "course").filter(pk=exam_id).first()
    if exam is None:
        raise NotFound
    for expired in Attempt.objects.filter(exam=exam, user=user, state=Attempt.State.OPEN, deadline__lte=timezone.now()):
        grade(expired.pk)
    reason = may_sit(user, exam)
    if reason:
        raise ActionError(reason)
    current = (
        Attempt.objects.filter(exam=exam, user=user, state=Attempt.State.OPEN, deadline__gt=timezone.now())
        .order_by("-number")
        .first()
    )
    if current is not None:
        return current
    paper = draw(exam)
    now = timezone.now()
    number = Attempt.objects.filter(exam=exam, user=user).count() + 1
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                exam=exam,
                user=user,
                number=number,
                organization=_learner_organization(user, exam),
                paper=paper,
                started_at=now,
                deadline=now + datetime.timedelta(minutes=exam.time_limit_minutes),
                max_score=sum(item["points"] for item in paper),
            )
    except IntegrityError:  # two tabs pressed "start" at once: the other one's attempt is this one
        found = Attempt.objects.filter(exam=exam, user=user, number=number).first()
        if found is None:
            raise
        return found


def own_attempt(user, attempt_id: int) -> Attempt:
    """The person's own attempt, or NotFound (another person's attempt id is as good as none)."""
    attempt = Attempt.objects.select_related("exam", "exam__organization", "exam__course").filter(pk=attempt_id).first()
    if attempt is None or not getattr(user, "is_authenticated", False) or attempt.user_id != user.pk:
        raise NotFound
    return attempt


def save_answer(user, attempt_id: int, question_id: int, raw: list[str]) -> AttemptAnswer:
    """Keep the examinee's answer to one question of their paper (replacing the one before). Refused after the
    deadline (TimeUp, and the attempt is graded with what was saved in time), after grading, for a question not
    on the paper, and for another person's attempt."""
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
        if attempt is None or attempt.user_id != getattr(user, "pk", None):
            raise NotFound
        now = timezone.now()
        if attempt.state != Attempt.State.OPEN:
            raise ActionError(_("This attempt has been handed in; answers can no longer change."))
        if now >= attempt.deadline:
            expired = True
        else:
            expired = False
            item = next((item for item in attempt.paper if item["q"] == question_id), None)
            if item is None:
                raise ActionError(_("This question is not on your paper."))
            question = Question.objects.get(pk=question_id)
            try:
                answer = to_stored(question, item["order"], raw)
            except ValueError as error:
                raise InvalidInput({"answer": [str(error)]}, str(error)) from None
            saved, _created = AttemptAnswer.objects.update_or_create(
                attempt=attempt, question=question, defaults={"answer": answer, "saved_at": now}
            )
            return saved
    if expired:
        grade(attempt_id)
    raise TimeUp(
        _(
            "The time is up: this answer came after the deadline and was not saved. Your paper was graded with "
            "the answers saved in time."
        )
    )


def grade(attempt_id: int, *, submitted: bool = False) -> bool:
    """Grade the attempt once: the UPDATE of state OPEN → GRADED succeeds for one caller only; that caller marks
    the answers saved (all saved before the deadline), totals the points, issues the certificate of a passed
    certifying exam and tells the examinee. Returns whether this call graded it."""
    from . import certificates, notices

    now = timezone.now()
    with transaction.atomic():
        won = Attempt.objects.filter(pk=attempt_id, state=Attempt.State.OPEN).update(
            state=Attempt.State.GRADED, submitted_at=now
        )
        if not won:
            return False
        attempt = Attempt.objects.select_related("exam", "exam__course", "exam__organization", "user").get(
            pk=attempt_id
        )
        if not submitted and attempt.deadline < now:
            attempt.submitted_at = attempt.deadline  # handed in by the clock
        answers = {a.question_id: a for a in AttemptAnswer.objects.filter(attempt=attempt)}
        score = 0
        changed = []
        for item, question in paper_questions(attempt):
            answer = answers.get(question.pk)
            if answer is None:
                continue
            answer.correct = grading.is_correct(question, answer.answer)
            changed.append(answer)
            if answer.correct:
                score += item["points"]
        AttemptAnswer.objects.bulk_update(changed, ["correct"])
        attempt.score = score
        attempt.passed = attempt.max_score > 0 and score * 100 >= attempt.exam.pass_percent * attempt.max_score
        attempt.save(update_fields=["score", "passed", "submitted_at"])
        certificate = None
        if attempt.passed and attempt.exam.certifying:
            certificate = certificates.issue(attempt)
        notices.exam_graded(attempt, certificate)
    return True


def keep_answers(user, attempt: Attempt, answers: dict[int, list[str]] | None) -> None:
    """Save the answers sent with the handed-in form (the form without JavaScript), while the attempt is open and in
    time; a value the form cannot send (a forged one) is skipped, the other answers still count."""
    if attempt.state == Attempt.State.OPEN and timezone.now() < attempt.deadline:
        for question_id, raw in (answers or {}).items():
            try:
                save_answer(user, attempt.pk, question_id, raw)
            except TimeUp:
                break
            except ActionError:
                continue


def unanswered(attempt: Attempt) -> int:
    """How many questions of the paper have no saved answer yet."""
    given = {
        q for q, answer in AttemptAnswer.objects.filter(attempt=attempt).values_list("question_id", "answer") if answer
    }
    return sum(1 for item in attempt.paper if item["q"] not in given)


def submit(user, attempt_id: int, answers: dict[int, list[str]] | None = None) -> Attempt:
    """Hand the paper in: keep the answers sent with it (the form without JavaScript), then grade once. After the
    deadline only what was saved in time counts; a second submit finds it graded and changes nothing."""
    attempt = own_attempt(user, attempt_id)
    keep_answers(user, attempt, answers)
    grade(attempt.pk, submitted=True)
    attempt.refresh_from_db()
    return attempt


def settle(attempt: Attempt) -> Attempt:
    """An attempt as it stands now: one whose time is up is graded first (by whoever looks at it)."""
    if attempt.state == Attempt.State.OPEN and timezone.now() >= attempt.deadline:
        grade(attempt.pk)
        attempt.refresh_from_db()
    return attempt


def settle_expired(exam: Exam) -> int:
    """Grade every attempt of the exam whose time is up (the console's results, the clock)."""
    graded = 0
    for pk in Attempt.objects.filter(exam=exam, state=Attempt.State.OPEN, deadline__lte=timezone.now()).values_list(
        "pk", flat=True
    ):
        graded += grade(pk)
    return graded
