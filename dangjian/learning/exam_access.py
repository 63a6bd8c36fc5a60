"""Who may sit an exam (`may_sit`), and which attempts a person has.

An exam is sat by those it is meant for, every condition that applies at once:
- the exam is open;
- with a course: the course is offered to them (`audience.is_offered`);
- with a competency: they are assessed in an open assessment round that uses this exam (`RoundExam`);
- linked from a training session: they registered for it and attended;
- with none of these: they learn in the exam's organization's subtree (a member of a branch in it, or a role there);
- and they have an attempt left (`Exam.max_attempts`); an attempt in progress can always be continued.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from . import audience
from .models import Assessment, AssessmentRound, Attempt, Exam, Registration, TrainingSession


def open_attempt(user, exam: Exam) -> Attempt | None:
    """The person's attempt in progress (its time not yet up), if any."""
    return (
        Attempt.objects.filter(exam=exam, user=user, state=Attempt.State.OPEN, deadline__gt=timezone.now())
        .order_by("-number")
        .first()
    )


def attempts_used(user, exam: Exam) -> int:
    return Attempt.objects.filter(exam=exam, user=user).count()


def _meant_for(user, exam: Exam) -> str:
    if exam.course is not None and not audience.is_offered(user, exam.course):
        return _("This exam belongs to the course “%(title)s”, which is not offered to you.") % {
            "title": exam.course.title
        }
    if exam.competency_id is not None:
        assessed = Assessment.objects.filter(
            user=user, round__state=AssessmentRound.State.OPEN, round__exams__exam=exam
        ).exists()
        if not assessed:
            return _("This exam is for the officers assessed in an open assessment round.")
    sessions = TrainingSession.objects.filter(exam=exam)
    if sessions.exists():
        attended = Registration.objects.filter(
            session__in=sessions, user=user, state=Registration.State.REGISTERED, attended=True
        ).exists()
        if not attended:
            return _("This exam is for those who attended its training session.")
    if exam.course_id is None and exam.competency_id is None and not sessions.exists():
        path = exam.organization.path
        if not any(org.path.startswith(path) for org, _how in audience.learner_places(user)):
            return _("This exam is for the members and staff of %(org)s.") % {"org": exam.organization.name}
    return ""


def may_sit(user, exam: Exam) -> str:
    """Why the person may not start (or continue) the exam now, or "" when they may."""
    if not getattr(user, "is_authenticated", False):
        return _("Sign in to sit the exam.")
    if exam.state != Exam.State.OPEN:
        return _("This exam is not open.")
    reason = _meant_for(user, exam)
    if reason:
        return reason
    if open_attempt(user, exam) is None and attempts_used(user, exam) >= exam.max_attempts:
        return _("You have used all %(n)d attempts allowed for this exam.") % {"n": exam.max_attempts}
    return ""


def may_see_results(user, exam: Exam) -> bool:
    """Every attempt's result of the exam: the holders of MANAGE_QUESTIONS over the exam's organization."""
    from dangjian.accounts.permissions import MANAGE_QUESTIONS, has_capability

    return getattr(user, "is_authenticated", False) and has_capability(user, MANAGE_QUESTIONS, exam.organization)
