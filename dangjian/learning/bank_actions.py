"""Question banks (MANAGE_QUESTIONS on the bank's organization): create a bank, add, change, archive and restore
its questions, import checked rows from Excel, and choose a quiz lesson's questions (WRITE_COURSES on the course's
organization). Every write checks the permission, runs in one transaction and leaves a history record.

`check_question` is the one set of checks for a question: the console form and the Excel import both call it, so
a row of a file is refused with exactly the words the form would show. A question an attempt or a quiz used is
never deleted: archiving takes it out of new draws and quizzes' choices and keeps it for what used it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_QUESTIONS, WRITE_COURSES, require
from dangjian.core.history import ActionError, InvalidInput, NotFound, record, save_tracked, validate
from dangjian.core.models import ChangeRecord
from dangjian.organizations.models import Organization

from . import competencies, grading
from .models import Lesson, Question, QuestionBank, Tag

Kind = Question.Kind
LETTERS = "ABCDEFGH"
MAX_OPTIONS = len(LETTERS)
OPTION_MAX = 200
TEXT_MAX = 500
EXPLANATION_MAX = 500
TAG_MAX = 30
MAX_TAGS = 10
MAX_ACCEPTED = 10
QUIZ_MAX_QUESTIONS = 100
TAG_SEPARATORS = re.compile(r"[,，、;；\n]+")
BLANK_SEPARATORS = re.compile(r"[|｜\n]+")
TRUE_WORDS = {"对", "正确", "是", "√", "✓", "✔", "T", "TRUE", "Y", "YES"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "✘", "F", "FALSE", "N", "NO"}
# The kinds' names in the Excel file and the console (the file format is Chinese whatever the page's language).
KIND_WORDS = {
    "单选": Kind.SINGLE,
    "单选题": Kind.SINGLE,
    "单项选择": Kind.SINGLE,
    "单项选择题": Kind.SINGLE,
    "多选": Kind.MULTIPLE,
    "多选题": Kind.MULTIPLE,
    "多项选择": Kind.MULTIPLE,
    "多项选择题": Kind.MULTIPLE,
    "判断": Kind.TRUE_FALSE,
    "判断题": Kind.TRUE_FALSE,
    "是非题": Kind.TRUE_FALSE,
    "填空": Kind.BLANK,
    "填空题": Kind.BLANK,
}
KIND_NAMES: dict[str, str] = {Kind.SINGLE: "单选", Kind.MULTIPLE: "多选", Kind.TRUE_FALSE: "判断", Kind.BLANK: "填空"}


def text_key(text: str) -> str:
    """A question's text as compared for duplicates: full-width forms, spaces and closing punctuation ignored."""
    return grading.normalize(text)


def split_tags(raw: str) -> list[str]:
    names: list[str] = []
    for part in TAG_SEPARATORS.split(unicodedata.normalize("NFKC", raw or "")):
        name = " ".join(part.split())
        if name and name not in names:
            names.append(name)
    return names


# --- Checks shared by the form and the import ---------------------------------------------------------------


@dataclass
class QuestionInput:
    """A question as typed: `options` the texts of 选项A…H (blanks allowed, trailing ones ignored); `answer` the
    letters for a choice ("B", "ACD"), 对/错 for true or false, the accepted texts separated by | for a blank."""

    kind: str
    text: str
    options: list[str] = field(default_factory=list)
    answer: str = ""
    explanation: str = ""
    tags: str = ""
    competency: str = ""  # the competency's name ("" none)


@dataclass
class Checked:
    kind: str
    text: str
    options: list[str]
    answer: list
    explanation: str
    tags: list[str]
    competency_id: int | None

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "text": self.text,
            "options": self.options,
            "answer": self.answer,
            "explanation": self.explanation,
            "tags": self.tags,
            "competency_id": self.competency_id,
        }


def kind_from(word: str) -> str | None:
    value = unicodedata.normalize("NFKC", word or "").strip()
    if value in Kind.values:
        return value
    return KIND_WORDS.get(value)


def _clean(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(value or "")).split()) if value else ""


def check_question(data: QuestionInput, framework: dict[str, int]) -> tuple[Checked | None, dict[str, list[str]]]:
    """The question's stored values, or the problems by field: kind, text, options, answer, explanation, tags,
    competency. `framework` maps the competency names that may be chosen to their ids."""
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    kind = kind_from(data.kind)
    if kind is None:
        if (data.kind or "").strip():
            refuse(
                "kind",
                _("Unknown kind “%(value)s”: write 单选, 多选, 判断 or 填空.") % {"value": str(data.kind).strip()[:20]},
            )
        else:
            refuse("kind", _("Choose the kind of question: 单选, 多选, 判断 or 填空."))
    text = " ".join(str(data.text or "").split())
    if not text:
        refuse("text", _("Enter the question."))
    elif len(text) > TEXT_MAX:
        refuse(
            "text",
            _("The question can be at most %(max)d characters (it has %(n)d).") % {"max": TEXT_MAX, "n": len(text)},
        )
    options: list[str] = []
    answer: list = []
    raw_answer = unicodedata.normalize("NFKC", str(data.answer or "")).strip()
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        typed = [" ".join(str(o or "").split()) for o in data.options[:MAX_OPTIONS]]
        while typed and not typed[-1]:
            typed.pop()
        gaps = [LETTERS[i] for i, o in enumerate(typed) if not o]
        if not typed:
            refuse("options", _("A choice question needs its options: fill in 选项A, 选项B and so on."))
        elif gaps:
            refuse(
                "options",
                _("Fill in the options in order without gaps: 选项%(letter)s is empty.") % {"letter": gaps[0]},
            )
        elif len(typed) < 2:
            refuse("options", _("A choice question needs at least two options."))
        for i, option in enumerate(typed):
            if len(option) > OPTION_MAX:
                refuse(
                    "options",
                    _("选项%(letter)s can be at most %(max)d characters.") % {"letter": LETTERS[i], "max": OPTION_MAX},
                )
        seen: dict[str, str] = {}
        for i, option in enumerate(typed):
            key = grading.normalize(option)
            if option and key in seen:
                refuse(
                    "options",
                    _("选项%(first)s and 选项%(second)s are the same: “%(text)s”.")
                    % {"first": seen[key], "second": LETTERS[i], "text": option[:30]},
                )
            elif option:
                seen[key] = LETTERS[i]
        options = typed
        letters = re.sub(r"[\s,，、;；/|]+", "", raw_answer).upper()
        if not letters:
            refuse(
                "answer", _("Give the right answer: the letter of the right option, e.g. B (several for 多选: ACD).")
            )
        elif not all(letter in LETTERS for letter in letters):
            refuse(
                "answer",
                _("Write the answer as option letters, e.g. B or ACD (it is “%(value)s”).")
                % {"value": raw_answer[:20]},
            )
        else:
            chosen = sorted({LETTERS.index(letter) for letter in letters})
            outside = [LETTERS[i] for i in chosen if i >= len(options)]
            if outside and options:
                refuse(
                    "answer",
                    _("The answer %(letters)s is not among the options (A to %(last)s).")
                    % {"letters": "".join(outside), "last": LETTERS[len(options) - 1]},
                )
            elif kind == Kind.SINGLE and len(chosen) > 1:
                refuse(
                    "answer",
                    _("A single-choice question has exactly one right answer (it has %(n)d); make it 多选.")
                    % {"n": len(chosen)},
                )
            elif kind == Kind.MULTIPLE and len(chosen) < 2:
                refuse("answer", _("A multiple-choice question needs at least two right answers; make it 单选."))
            answer = chosen
    elif kind == Kind.TRUE_FALSE:
        word = raw_answer.upper()
        if not word:
            refuse("answer", _("Give the right answer: 对 or 错."))
        elif word in TRUE_WORDS:
            answer = [True]
        elif word in FALSE_WORDS:
            answer = [False]
        else:
            refuse(
                "answer",
                _("The answer of a 判断 question is 对 or 错 (it is “%(value)s”).") % {"value": raw_answer[:20]},
            )
    elif kind == Kind.BLANK:
        accepted: list[str] = []
        for part in BLANK_SEPARATORS.split(str(data.answer or "")):
            text_part = " ".join(part.split())
            if text_part and grading.normalize(text_part) not in {grading.normalize(a) for a in accepted}:
                accepted.append(text_part)
        if not accepted:
            refuse("answer", _("Give the accepted answer (several separated by |, e.g. 两学一做|两学一做学习教育)."))
        elif len(accepted) > MAX_ACCEPTED:
            refuse("answer", _("At most %(n)d accepted answers.") % {"n": MAX_ACCEPTED})
        elif any(len(a) > grading.BLANK_MAX for a in accepted):
            refuse("answer", _("An accepted answer can be at most %(n)d characters.") % {"n": grading.BLANK_MAX})
        answer = accepted
    explanation = " ".join(str(data.explanation or "").split())
    if len(explanation) > EXPLANATION_MAX:
        refuse(
            "explanation",
            _("The explanation can be at most %(max)d characters (it has %(n)d).")
            % {"max": EXPLANATION_MAX, "n": len(explanation)},
        )
    tags = split_tags(data.tags)
    if len(tags) > MAX_TAGS:
        refuse("tags", _("At most %(n)d tags.") % {"n": MAX_TAGS})
    for tag in tags:
        if len(tag) > TAG_MAX:
            refuse("tags", _("The tag “%(tag)s…” is longer than %(n)d characters.") % {"tag": tag[:10], "n": TAG_MAX})
    competency_id = None
    competency = _clean(data.competency)
    if competency:
        competency_id = framework.get(competency)
        if competency_id is None:
            refuse(
                "competency",
                _("“%(value)s” is not a competency of the framework; use one of: %(names)s.")
                % {"value": competency[:30], "names": "、".join(framework) or "—"},
            )
    if errors or kind is None:
        return None, errors
    return Checked(kind, text, options, answer, explanation, tags, competency_id), errors


def framework_names(bank: QuestionBank) -> dict[str, int]:
    return {c.name: c.pk for c in competencies.framework_for(bank.organization)}


# --- Banks ------------------------------------------------------------------------------------------------


def _bank(actor, bank_id: int) -> QuestionBank:
    bank = QuestionBank.objects.select_related("organization").filter(pk=bank_id).first()
    if bank is None or bank.organization.closed_at is not None:
        raise NotFound
    require(actor, MANAGE_QUESTIONS, bank.organization)
    return bank


def create_bank(actor, organization_id: int, name: str, description: str = "") -> QuestionBank:
    organization = Organization.objects.open().filter(pk=organization_id).first()
    if organization is None:
        raise NotFound
    require(actor, MANAGE_QUESTIONS, organization)
    bank = QuestionBank(organization=organization, name=" ".join(name.split()), description=description.strip())
    if not bank.name:
        raise InvalidInput({"name": [_("Enter the bank's name.")]}, _("Enter the bank's name."))
    if QuestionBank.objects.filter(organization=organization, name=bank.name).exists():
        message = _("%(org)s already has a bank of this name.") % {"org": organization.name}
        raise InvalidInput({"name": [message]}, message)
    validate(bank)
    with transaction.atomic():
        save_tracked(actor, bank, organization)
    return bank


def update_bank(actor, bank_id: int, name: str, description: str, *, expected_version=None) -> QuestionBank:
    bank = _bank(actor, bank_id)
    bank.name = " ".join(name.split())
    bank.description = description.strip()
    if not bank.name:
        raise InvalidInput({"name": [_("Enter the bank's name.")]}, _("Enter the bank's name."))
    if QuestionBank.objects.filter(organization=bank.organization, name=bank.name).exclude(pk=bank.pk).exists():
        message = _("%(org)s already has a bank of this name.") % {"org": bank.organization.name}
        raise InvalidInput({"name": [message]}, message)
    validate(bank)
    with transaction.atomic():
        save_tracked(actor, bank, bank.organization, expected_version=expected_version)
    return bank


# --- Questions --------------------------------------------------------------------------------------------


def duplicate_in_bank(bank: QuestionBank, texts: list[str], *, exclude: int | None = None) -> set[str]:
    """The text keys among `texts` that a question of the bank (not archived) already has."""
    wanted = {text_key(t) for t in texts}
    found = set()
    existing = Question.objects.filter(bank=bank, archived_at=None)
    if exclude:
        existing = existing.exclude(pk=exclude)
    for text in existing.values_list("text", flat=True).iterator():
        key = text_key(text)
        if key in wanted:
            found.add(key)
    return found


def _tags(names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    return [existing[n] for n in names if n in existing]


def save_question(
    actor, bank_id: int, data: QuestionInput, *, question_id: int | None = None, expected_version=None
) -> Question:
    """Add a question to the bank, or change one of its questions (not while archived)."""
    bank = _bank(actor, bank_id)
    question = Question(bank=bank)
    if question_id is not None:
        found = Question.objects.filter(pk=question_id, bank=bank).first()
        if found is None:
            raise NotFound
        question = found
        if question.archived_at is not None:
            raise ActionError(_("This question is archived. Restore it before changing it."))
    framework = framework_names(bank)
    if question.competency_id and question.competency is not None:
        framework.setdefault(question.competency.name, question.competency_id)
    checked, errors = check_question(data, framework)
    if checked is not None and duplicate_in_bank(bank, [checked.text], exclude=question.pk):
        errors.setdefault("text", []).append(_("The bank already has a question with this text."))
        checked = None
    if checked is None:
        raise InvalidInput(errors, " ".join(m for messages in errors.values() for m in messages))
    question.kind = checked.kind
    question.text = checked.text
    question.options = checked.options
    question.answer = checked.answer
    question.explanation = checked.explanation
    question.competency_id = checked.competency_id
    validate(question)
    with transaction.atomic():
        save_tracked(actor, question, bank.organization, expected_version=expected_version)
        question.tags.set(_tags(checked.tags))
    return question


def archive_question(actor, bank_id: int, question_id: int, *, restore: bool = False) -> Question:
    """Take a question out of new draws and quizzes' choices (kept for the attempts and quizzes that used it), or
    put it back."""
    bank = _bank(actor, bank_id)
    question = Question.objects.filter(pk=question_id, bank=bank).first()
    if question is None:
        raise NotFound
    if restore and question.archived_at is not None:
        if duplicate_in_bank(bank, [question.text], exclude=question.pk):
            raise ActionError(_("The bank has another question with this text now; it cannot come back."))
        question.archived_at = None
    elif not restore and question.archived_at is None:
        question.archived_at = timezone.now()
    else:
        return question
    with transaction.atomic():
        save_tracked(actor, question, bank.organization)
    return question


def import_questions(actor, bank_id: int, rows: list[dict]) -> int:
    """Write the checked rows of a clean file, all or nothing: checked again inside the transaction (someone may
    have added one of the questions meanwhile, or the file may be sent twice), then created in bulk with a history
    record each. Returns how many were written."""
    bank = _bank(actor, bank_id)
    framework = framework_names(bank)
    checked_rows: list[tuple[int, Checked]] = []
    problems: list[str] = []
    for row in rows:
        values = row.get("values", {})
        checked, errors = check_question(QuestionInput(**values), framework)
        if checked is None:
            problems.append(
                _("Row %(row)s: %(reasons)s") % {"row": row.get("row"), "reasons": " ".join(sum(errors.values(), []))}
            )
        else:
            checked_rows.append((row.get("row", 0), checked))
    if problems:
        raise ActionError(" ".join(problems[:5]))
    if not checked_rows:
        raise ActionError(_("The file has no questions to import."))
    with transaction.atomic():
        QuestionBank.objects.select_for_update().filter(pk=bank.pk).first()
        taken = duplicate_in_bank(bank, [c.text for _row, c in checked_rows])
        if taken:
            numbers = [str(row) for row, c in checked_rows if text_key(c.text) in taken]
            raise ActionError(
                _("The bank already has the questions of rows %(rows)s (imported meanwhile?). Nothing was written.")
                % {"rows": "、".join(numbers[:20])}
            )
        questions = Question.objects.bulk_create(
            [
                Question(
                    bank=bank,
                    kind=c.kind,
                    text=c.text,
                    options=c.options,
                    answer=c.answer,
                    explanation=c.explanation,
                    competency_id=c.competency_id,
                )
                for _row, c in checked_rows
            ]
        )
        if questions and questions[0].pk is None:  # a backend that does not return ids
            questions = list(Question.objects.filter(bank=bank).order_by("-pk")[: len(checked_rows)])[::-1]
        tags = _tags(sorted({t for _row, c in checked_rows for t in c.tags}))
        by_name = {t.name: t for t in tags}
        through = Question.tags.through
        through.objects.bulk_create(
            [
                through(question_id=q.pk, tag_id=by_name[name].pk)
                for q, (_row, c) in zip(questions, checked_rows, strict=True)
                for name in c.tags
                if name in by_name
            ]
        )
        _record_created(actor, questions, bank.organization)
    return len(questions)


def _record_created(actor, questions: list[Question], organization) -> None:
    from django.contrib.contenttypes.models import ContentType

    from dangjian.core.cache import bump_content_generation
    from dangjian.core.history import snapshot, tracked_fields

    if not questions:
        return
    content_type = ContentType.objects.get_for_model(Question)
    fields = tracked_fields(questions[0])
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                content_type=content_type,
                object_id=q.pk,
                object_repr=str(q)[:300],
                organization=organization,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                action=ChangeRecord.Action.CREATE,
                changes=snapshot(q, fields),
            )
            for q in questions
        ]
    )
    bump_content_generation()


# --- A quiz lesson's questions ----------------------------------------------------------------------------


def quiz_lesson(actor, lesson_id: int) -> Lesson:
    lesson = Lesson.objects.select_related("course__organization").filter(pk=lesson_id, kind=Lesson.Kind.QUIZ).first()
    if lesson is None or lesson.course.organization.closed_at is not None:
        raise NotFound
    require(actor, WRITE_COURSES, lesson.course.organization)
    return lesson


def usable_banks(organization: Organization):
    """The banks a quiz of a course of `organization` may draw on: its own and those of the organizations above."""
    return QuestionBank.objects.filter(organization_id__in=organization.ancestor_ids).select_related("organization")


def set_quiz_questions(actor, lesson_id: int, question_ids: list[int]) -> Lesson:
    """The quiz's questions in this order (at most QUIZ_MAX_QUESTIONS). A question added must be a live question of
    a usable bank; one already on the quiz may stay even if archived since (it is then shown as such)."""
    lesson = quiz_lesson(actor, lesson_id)
    ids: list[int] = []
    for pk in question_ids:
        if pk not in ids:
            ids.append(pk)
    if len(ids) > QUIZ_MAX_QUESTIONS:
        raise ActionError(_("A quiz can have at most %(n)d questions.") % {"n": QUIZ_MAX_QUESTIONS})
    current = set(lesson.questions.values_list("pk", flat=True))
    banks = usable_banks(lesson.course.organization)
    allowed = set(
        Question.objects.filter(pk__in=ids, bank__in=banks, archived_at=None).values_list("pk", flat=True)
    ) | (current & set(ids))
    if set(ids) - allowed:
        raise NotFound(_("A chosen question does not exist, is archived or is not in a bank this course may use."))
    before = quiz_question_ids(lesson)
    if before == ids:
        return lesson
    through = Lesson.questions.through
    with transaction.atomic():
        Lesson.objects.select_for_update().filter(pk=lesson.pk).first()
        through.objects.filter(lesson_id=lesson.pk).delete()
        # The rows' ids keep the order (a ManyToManyField has no order column of its own).
        for pk in ids:
            through.objects.create(lesson_id=lesson.pk, question_id=pk)
        Lesson.objects.filter(pk=lesson.pk).update(version=lesson.version + 1)
        record(actor, lesson, ChangeRecord.Action.UPDATE, {"questions": [before, ids]}, lesson.course.organization)
    return lesson


def quiz_question_ids(lesson: Lesson) -> list[int]:
    return list(
        Lesson.questions.through.objects.filter(lesson_id=lesson.pk)
        .order_by("pk")
        .values_list("question_id", flat=True)
    )


def quiz_questions(lesson: Lesson) -> list[Question]:
    """The quiz's questions in the chosen order."""
    ids = quiz_question_ids(lesson)
    by_id = {q.pk: q for q in Question.objects.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]
