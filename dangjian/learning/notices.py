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


ASSESSMENT_ASSIGNED = "learning.assessment_assigned"  # to the officer, when a round opens or they are added
ASSESSMENT_GRADED = "learning.assessment_graded"  # to the officer: their task is graded (no score in the text)


def register_assessment_kinds() -> None:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from dangjian.notifications.kinds import Kind, register, register_target_link

    register_target_link("learning.assessment", lambda pk: reverse("console:assessment", args=[pk]))
    register(
        Kind(
            ASSESSMENT_ASSIGNED,
            _("%(org)s opened the assessment “%(title)s” for you: sit the exams and hand in the practical task."),
            channels=BOTH,
        )
    )
    register(
        Kind(ASSESSMENT_GRADED, _("Your practical task in “%(title)s” is graded; see your result."), channels=BOTH)
    )


def register_kinds() -> None:
    register_course_kinds()
    register_exam_kinds()
    register_training_kinds()
    register_assessment_kinds()
