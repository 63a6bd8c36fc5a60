"""The notifications learning sends (registered from LearningConfig.ready()). Each area registers its kinds in its
own function below; a notice says what happened and links to the page, never personal data, never a score to
anyone but the person it belongs to."""

from __future__ import annotations

from dangjian.notifications.kinds import CONSOLE, MAIL  # noqa: F401

BOTH = (CONSOLE, MAIL)


# --- Courses: review and publication (course area) -----------------------------------------------------------


COURSE_WAITING = "learning.course_waiting"  # to those who may publish it
COURSE_RETURNED = "learning.course_returned"  # to the author, with the reason
COURSE_PUBLISHED = "learning.course_published"  # to the author
COURSE_WITHDRAWN = "learning.course_withdrawn"  # to the author, with the reason


def register_course_kinds() -> None:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from dangjian.notifications.kinds import Kind, register, register_target_link

    hint = _("Sign in to the console to open the course.")
    register(
        Kind(
            COURSE_WAITING, _("The course “%(title)s” (%(org)s) waits for your review."), channels=BOTH, mail_hint=hint
        )
    )
    register(
        Kind(COURSE_RETURNED, _("Your course “%(title)s” was returned: %(reason)s"), channels=BOTH, mail_hint=hint)
    )
    register(Kind(COURSE_PUBLISHED, _("Your course “%(title)s” was published."), channels=BOTH, mail_hint=hint))
    register(
        Kind(COURSE_WITHDRAWN, _("Your course “%(title)s” was withdrawn: %(reason)s"), channels=BOTH, mail_hint=hint)
    )
    register_target_link("learning.course", lambda pk: reverse("console:course", args=[pk]))


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


TRAINING_INVITED = "learning.training_invited"
TRAINING_CHANGED = "learning.training_changed"
TRAINING_CANCELLED = "learning.training_cancelled"
TRAINING_PROMOTED = "learning.training_promoted"
TRAINING_REMINDER = "learning.training_reminder"


def training_params(session) -> dict:
    """What every notice of a training session says: its title, time and place (or that it is online)."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    return {
        "title": session.title,
        "start": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
        "place": session.place if session.mode == "room" else str(_("online")),
    }


def register_training_kinds() -> None:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from dangjian.notifications.kinds import Kind, register, register_target_link

    hint = _("Sign in to register or to withdraw.")
    for kind in (
        Kind(
            TRAINING_INVITED,
            _("You are invited to the training “%(title)s”, %(start)s, %(place)s."),
            channels=BOTH,
            mail_hint=hint,
        ),
        Kind(
            TRAINING_CHANGED,
            _("The training “%(title)s” has changed: now %(start)s, %(place)s."),
            channels=BOTH,
            mail_hint=hint,
        ),
        Kind(
            TRAINING_CANCELLED,
            _("The training “%(title)s” of %(start)s is cancelled. Reason: %(reason)s"),
            channels=BOTH,
        ),
        Kind(
            TRAINING_PROMOTED,
            _("A place became free: you are now registered for the training “%(title)s”, %(start)s, %(place)s."),
            channels=BOTH,
            mail_hint=hint,
        ),
        Kind(
            TRAINING_REMINDER,
            _("Reminder: the training “%(title)s” is at %(start)s, %(place)s."),
            channels=BOTH,
            mail_hint=hint,
        ),
    ):
        register(kind)
    register_target_link("learning.trainingsession", lambda pk: reverse("learning:training", args=[pk]))


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
