"""A learner's progress on a course: which lessons are done and where to resume, nothing else.

`opened(user, lesson)` is called when a signed-in person to whom the course is offered opens a lesson: it enrols
them (the organization they learn as) and remembers the lesson to resume from. `mark_done(user, lesson)` records a
lesson as done (a quiz passed, an article or document marked read, a video played to its end) once, however often
it is called, and finishes the course when every lesson is done. Neither records a time on a page.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.signals import rows_written

from . import audience
from .models import Enrollment, Lesson, LessonDone


def _enrollment(user, lesson: Lesson) -> Enrollment | None:
    course = lesson.course
    if not getattr(user, "is_authenticated", False) or not audience.is_offered(user, course):
        return None
    enrollment = Enrollment.objects.filter(course=course, user=user).first()
    if enrollment is None:
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    course=course, user=user, organization=audience.learner_for(user, course), last_lesson=lesson
                )
        except IntegrityError:  # two tabs at once: the other made it
            enrollment = Enrollment.objects.get(course=course, user=user)
    return enrollment


def opened(user, lesson: Lesson) -> Enrollment | None:
    """Remember `lesson` as where the person resumes; None when nothing is kept (not signed in, not offered)."""
    enrollment = _enrollment(user, lesson)
    if enrollment is not None and enrollment.last_lesson_id != lesson.pk:
        Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson)
        enrollment.last_lesson = lesson
    return enrollment


def mark_done(user, lesson: Lesson) -> bool:
    """Record the lesson as done; True when this call recorded it (False: already done, or nothing is kept)."""
    enrollment = _enrollment(user, lesson)
    if enrollment is None:
        return False
    try:
        with transaction.atomic():
            LessonDone.objects.create(lesson=lesson, user=user)
    except IntegrityError:
        return False
    remaining = Lesson.objects.filter(course=lesson.course).exclude(done__user=user).exists()
    if not remaining and Enrollment.objects.filter(pk=enrollment.pk, completed_at=None).update(
        completed_at=timezone.now()
    ):
        # Written without a save: the usage summaries' rollups are told (learning.course_completions).
        rows_written(Enrollment, [enrollment.organization_id])
    return True


def done_lessons(user, course) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(LessonDone.objects.filter(user=user, lesson__course=course).values_list("lesson_id", flat=True))


def resume_lesson(user, course) -> Lesson | None:
    """Where to continue: the remembered lesson when it is not done yet, else the first lesson not done."""
    lessons = list(course.lessons.all())
    if not lessons:
        return None
    done = done_lessons(user, course)
    signed_in = getattr(user, "is_authenticated", False)
    enrollment = Enrollment.objects.filter(course=course, user=user).first() if signed_in else None
    if enrollment is not None and enrollment.last_lesson_id and enrollment.last_lesson_id not in done:
        for lesson in lessons:
            if lesson.pk == enrollment.last_lesson_id:
                return lesson
    for lesson in lessons:
        if lesson.pk not in done:
            return lesson
    return lessons[0]
