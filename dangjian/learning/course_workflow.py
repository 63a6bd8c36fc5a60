"""A course's review as a `core.workflow` instance: who may take which step, from which state.

    draft ─submit─▶ reviewing ─publish─▶ published ─withdraw (a reason)─▶ withdrawn
      ▲               │ return (a reason)                                   │
      └──edit── returned ◀┘                         edit, submit again ◀────┘

Actors:
- "writer": holds WRITE_COURSES on the course's organization (a grant on it or above).
- "publisher": holds PUBLISH_COURSES on the course's organization, and did not write the course (a second pair of
  eyes: nobody publishes their own course).
- "withdrawer": holds PUBLISH_COURSES on the course's organization (the author too: taking a course off is safe).

A course and its lessons change only while it is a draft, returned or withdrawn: a published course's edits go
live after it is withdrawn, changed and reviewed again (learners never see a half-edited course, and what the
reviewer passed is what they see).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.accounts.permissions import PUBLISH_COURSES, WRITE_COURSES, has_capability
from dangjian.core.workflow import Step, Workflow

from .models import Course

State = Course.State
EDITABLE = [State.DRAFT, State.RETURNED, State.WITHDRAWN]


def why_not_publisher(user, course: Course) -> str:
    """Why this person may not publish the course although their role would allow it ("" when nothing)."""
    if course.created_by_id is not None and course.created_by_id == getattr(user, "pk", None):
        return _("You wrote this course; someone else must review and publish it.")
    return ""


def _writer(user, course: Course):
    return course.organization if has_capability(user, WRITE_COURSES, course.organization) else None


def _publisher(user, course: Course):
    if not has_capability(user, PUBLISH_COURSES, course.organization) or why_not_publisher(user, course):
        return None
    return course.organization


def _withdrawer(user, course: Course):
    return course.organization if has_capability(user, PUBLISH_COURSES, course.organization) else None


def _ready(course: Course) -> str:
    """A course is submitted with at least one lesson, and each quiz with its questions."""
    lessons = list(course.lessons.all())
    if not lessons:
        return _("Add at least one lesson before submitting the course.")
    empty = [lesson.title for lesson in lessons if lesson.kind == lesson.Kind.QUIZ and not lesson.questions.exists()]
    if empty:
        return _("Choose the questions of the quiz “%(title)s” before submitting the course.") % {"title": empty[0]}
    return ""


def _refusal(state: str) -> str:
    if state == State.REVIEWING:
        return _("This course is being reviewed; it cannot be changed until it is returned or published.")
    if state == State.PUBLISHED:
        return _("This course is published. Withdraw it first to change it.")
    return _("This is not possible for this course now.")


COURSES = Workflow(
    [
        Step("edit", EDITABLE, State.DRAFT, "writer"),
        Step("submit", EDITABLE, State.REVIEWING, "writer", _ready),
        Step("publish", [State.REVIEWING], State.PUBLISHED, "publisher"),
        Step("return", [State.REVIEWING], State.RETURNED, "publisher"),
        Step("withdraw", [State.PUBLISHED], State.WITHDRAWN, "withdrawer"),
    ],
    actors={"writer": _writer, "publisher": _publisher, "withdrawer": _withdrawer},
    refusal=_refusal,
)
