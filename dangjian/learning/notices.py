"""The notifications learning sends (registered from LearningConfig.ready()). Each area registers its kinds in its
own function below; a notice says what happened and links to the page, never personal data, never a score to
anyone but the person it belongs to."""

from __future__ import annotations

from dangjian.notifications.kinds import CONSOLE, MAIL  # noqa: F401

BOTH = (CONSOLE, MAIL)


# --- Courses: review and publication (course area) -----------------------------------------------------------


def register_course_kinds() -> None:
    pass


# --- Exams and certificates (exam area) -----------------------------------------------------------------------


def register_exam_kinds() -> None:
    pass


# --- Training sessions: invitations, waiting list, reminders (training area) ----------------------------------


def register_training_kinds() -> None:
    pass


# --- Assessments of new-media officers (assessment area) -------------------------------------------------------


def register_assessment_kinds() -> None:
    pass


def register_kinds() -> None:
    register_course_kinds()
    register_exam_kinds()
    register_training_kinds()
    register_assessment_kinds()
