"""A practice quiz (a lesson of kind QUIZ): its questions in the chosen order (archived ones left out of a new try),
what the learner sent read with `grading.parse`, and the result with the right answer and the explanation of each
question. Nothing about a try is stored: passing (at least the lesson's `pass_percent` right) marks the lesson done
(`progress.mark_done`), and that is all."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from . import bank_actions, grading, progress
from .models import Lesson, Question

LETTERS = bank_actions.LETTERS
MAX_FIELD_VALUES = 8  # values of one question's field read at most (a choice has at most 8 options)


@dataclass
class Option:
    index: int
    letter: str
    text: str
    chosen: bool = False
    right: bool = False


@dataclass
class Item:
    number: int
    question: Question
    options: list[Option] = field(default_factory=list)
    given: list = field(default_factory=list)
    typed: str = ""  # a blank's text as sent (kept when the form comes back)
    error: str = ""
    correct: bool | None = None
    right_answer: str = ""

    @property
    def name(self) -> str:
        return f"q{self.question.pk}"

    @property
    def given_true(self) -> bool:
        return self.given == [True]

    @property
    def given_false(self) -> bool:
        return self.given == [False]

    @property
    def answered(self) -> bool:
        return bool(self.given)


@dataclass
class Result:
    items: list[Item]
    right: int
    total: int
    percent: int
    passed: bool
    recorded: bool  # the lesson was marked done by this try


def live_questions(lesson: Lesson) -> list[Question]:
    return [q for q in bank_actions.quiz_questions(lesson) if q.archived_at is None]


def items_for(lesson: Lesson) -> list[Item]:
    items = []
    for number, question in enumerate(live_questions(lesson), start=1):
        options = [Option(i, LETTERS[i], text) for i, text in enumerate(question.options[: len(LETTERS)])]
        items.append(Item(number, question, options))
    return items


def read_answers(lesson: Lesson, data) -> tuple[list[Item], bool]:
    """The items with what the learner sent; the second value is False when an answer is missing or refused (each
    such item carries its message), and then nothing is graded."""
    items = items_for(lesson)
    ok = True
    for item in items:
        raw = data.getlist(item.name)[:MAX_FIELD_VALUES] if hasattr(data, "getlist") else []
        if item.question.kind == Question.Kind.BLANK:
            item.typed = str(raw[0])[: grading.BLANK_MAX * 2] if raw else ""
        try:
            item.given = grading.parse(item.question, raw)
        except ValueError as error:
            item.error = str(error)
            ok = False
            continue
        if not item.given:
            item.error = (
                _("Write your answer.") if item.question.kind == Question.Kind.BLANK else _("Choose your answer.")
            )
            ok = False
        for option in item.options:
            option.chosen = option.index in item.given
    return items, ok


def grade(user, lesson: Lesson, items: list[Item]) -> Result:
    right = 0
    for item in items:
        item.correct = grading.is_correct(item.question, item.given)
        item.right_answer = grading.shown_answer(item.question)
        for option in item.options:
            option.right = option.index in item.question.answer
        right += 1 if item.correct else 0
    total = len(items)
    percent = round(right * 100 / total) if total else 0
    passed = bool(total) and right * 100 >= lesson.pass_percent * total
    recorded = progress.mark_done(user, lesson) if passed else False
    return Result(items, right, total, percent, passed, recorded)
