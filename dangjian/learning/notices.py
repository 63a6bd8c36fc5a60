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


EXAM_GRADED = "learning.exam_graded"  # to the examinee only: their result
CERTIFICATE_ISSUED = "learning.certificate_issued"  # to the holder


def _attempt_link(row) -> str | None:
    from django.urls import reverse

    return reverse("learning:exam_attempt", args=[row.target_id]) if row.target_id else None


def _passed_word(values):
    from django.utils.translation import pgettext

    passed = values.get("passed")
    return {**values, "result": pgettext("exam", "passed") if passed else pgettext("exam", "not passed")}


def register_exam_kinds() -> None:
    from django.utils.translation import gettext_lazy as _

    from dangjian.notifications.kinds import Kind, register

    hint = _("Sign in to see your result and the review of your answers.")
    register(
        Kind(
            EXAM_GRADED,
            _("Your exam “%(title)s” was graded: %(score)s of %(max)s points, %(result)s."),
            link=_attempt_link,
            channels=BOTH,
            display=_passed_word,
            mail_hint=hint,
        )
    )
    register(
        Kind(
            CERTIFICATE_ISSUED,
            _("You passed “%(title)s”: your certificate is ready to download."),
            link=_attempt_link,
            channels=BOTH,
            mail_hint=hint,
        )
    )


def exam_graded(attempt, certificate=None) -> None:
    """Tell the examinee their result (nobody else gets a score), and of their certificate."""
    from dangjian.notifications.api import notify

    notify(
        [attempt.user],
        EXAM_GRADED,
        attempt,
        organization=attempt.exam.organization,
        title=attempt.exam.title,
        score=attempt.score or 0,
        max=attempt.max_score,
        passed=bool(attempt.passed),
    )
    if certificate is not None:
        notify(
            [attempt.user],
            CERTIFICATE_ISSUED,
            attempt,
            organization=attempt.exam.organization,
            title=attempt.exam.title,
            code=certificate.code,
        )


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
