"""Whether an answer is right, for practice quizzes and exams alike. Answers are in the question's stored terms:

- SINGLE: [i], one index into `Question.options`;
- MULTIPLE: [i, j, ...], every right option and no other (order does not matter);
- TRUE_FALSE: [true] or [false];
- BLANK: [text]; right when it equals one of the accepted texts after `normalize` (full-width forms, spaces
  and closing punctuation do not count).

`parse(question, raw)` turns what a form or a request sent (strings) into that shape, or raises ValueError with
a message for the person; `is_correct(question, answer)` compares.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

from .models import Question

Kind = Question.Kind
BLANK_MAX = 100
_STRIP = " \t\r\n\u3000。．.，,；;！!？?"


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip(_STRIP).replace(" ", "").lower()


def parse(question: Question, raw: list[str]) -> list:
    """The answer from form values (option indexes as strings, "true"/"false", or the typed text)."""
    values = [value for value in (raw or []) if value is not None and str(value).strip() != ""]
    if question.kind == Kind.BLANK:
        text = str(values[0]) if values else ""
        if len(text) > BLANK_MAX:
            raise ValueError(_("An answer can be at most %(n)d characters.") % {"n": BLANK_MAX})
        return [text.strip()] if text.strip() else []
    if question.kind == Kind.TRUE_FALSE:
        if not values:
            return []
        if values[0] not in ("true", "false"):
            raise ValueError(_("Choose 对 or 错."))
        return [values[0] == "true"]
    try:
        chosen = sorted({int(value) for value in values})
    except (TypeError, ValueError):
        raise ValueError(_("Choose one of the options.")) from None
    if any(not 0 <= index < len(question.options) for index in chosen):
        raise ValueError(_("Choose one of the options."))
    if question.kind == Kind.SINGLE and len(chosen) > 1:
        raise ValueError(_("Choose only one option."))
    return chosen


def is_correct(question: Question, answer: list) -> bool:
    if not answer:
        return False
    if question.kind == Kind.BLANK:
        accepted = {normalize(text) for text in question.answer}
        return normalize(str(answer[0])) in accepted
    if question.kind == Kind.TRUE_FALSE:
        return bool(question.answer) and answer[0] is question.answer[0]
    return sorted(answer) == sorted(question.answer)


def shown_answer(question: Question) -> str:
    """The right answer in words, for the explanation after a quiz or an exam."""
    if question.kind == Kind.BLANK:
        return " / ".join(question.answer)
    if question.kind == Kind.TRUE_FALSE:
        return _("True") if question.answer and question.answer[0] else _("False")
    letters = "ABCDEFGH"
    return "".join(letters[i] for i in sorted(question.answer) if i < len(letters))
