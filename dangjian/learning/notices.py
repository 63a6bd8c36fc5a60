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


def register_assessment_kinds() -> None:
    pass


def register_kinds() -> None:
    register_course_kinds()
    register_exam_kinds()
    register_training_kinds()
    register_assessment_kinds()
