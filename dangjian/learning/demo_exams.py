"""The demo county's exams (called by learning/demo.py in its order, after the banks and the courses): the
county's certifying exam on its demo course (the published county course with a video lesson, else any published
county course, else none), drawn from the county's largest bank: 20 questions, 30 minutes, pass at 60 %, two
attempts. A few people have sat it: the demo party member (13800000006) passed and holds a certificate (the
walk-through verifies its code), the village secretary passed too, the township's media officer has one attempt
below the pass mark and one left. Each of them did the course's lessons before sitting (finished in 我的学习); the
exam stays the course's (no training session links it), so every learner of the course may sit it."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from dangjian.organizations.models import Organization

from . import audience, exam_actions
from .models import (
    Attempt,
    AttemptAnswer,
    Certificate,
    Course,
    Enrollment,
    Exam,
    ExamRule,
    Lesson,
    LessonDone,
    Question,
    QuestionBank,
)

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

QUESTIONS = 20
POINTS = 5
SITTERS = [("party_member", 0.9, 3), ("village_secretary", 0.8, 5), ("town_media", 0.4, 6)]


def demo_course(county: Organization) -> Course | None:
    published = Course.objects.filter(organization=county, state=Course.State.PUBLISHED).order_by("pk")
    with_video = published.filter(lessons__kind=Lesson.Kind.VIDEO).first()
    return with_video or published.first()


def load(ctx: DemoContext) -> list[str]:
    county = Organization.objects.filter(parent=None).order_by("pk").first()
    if county is None:
        return []
    bank = (
        QuestionBank.objects.filter(organization=county)
        .annotate(n=Count("questions", filter=Q(questions__archived_at__isnull=True)))
        .filter(n__gte=QUESTIONS)
        .order_by("-n", "pk")
        .first()
    )
    if bank is None:
        return ["exams: no county bank with 20 questions, no demo exam"]
    course = demo_course(county)
    exam = Exam.objects.create(
        organization=county,
        bank=bank,
        course=course,
        title=f"{course.title}结业考试" if course else "党的基本知识结业考试",
        instructions="共20题，每题5分，60分及格；限时30分钟，每人可考两次。通过后颁发结业证书，可凭证书编号在线查验。",
        time_limit_minutes=30,
        pass_percent=60,
        max_attempts=2,
        certifying=True,
        state=Exam.State.OPEN,
    )
    ExamRule.objects.create(exam=exam, count=QUESTIONS, points=POINTS)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[s[0] for s in SITTERS])}
    for username, right_share, days_ago in SITTERS:
        user = users.get(username)
        if user is not None:
            _sit(ctx, exam, user, right_share, days_ago)
    graded = Attempt.objects.filter(exam=exam, state=Attempt.State.GRADED).count()
    issued = Certificate.objects.filter(attempt__exam=exam).count()
    return [f"exams: “{exam.title}”, {graded} attempts graded, {issued} certificates"]


def _studied(course: Course, user, before: datetime.datetime) -> None:
    """The person did every lesson of the course (one an evening, the days before `before`) and finished it:
    whoever sits its exam in the demo has learnt the course first, so 我的学习 shows it finished."""
    lessons = list(course.lessons.order_by("order", "pk"))
    if not lessons or not audience.is_offered(user, course):
        return
    days = [before - datetime.timedelta(days=len(lessons) - n) for n in range(len(lessons))]
    LessonDone.objects.bulk_create(
        [LessonDone(lesson=lesson, user=user, at=at) for lesson, at in zip(lessons, days, strict=True)],
        ignore_conflicts=True,
    )
    Enrollment.objects.update_or_create(
        course=course,
        user=user,
        defaults={
            "organization": audience.learner_for(user, course),
            "last_lesson": lessons[-1],
            "started_at": days[0],
            "completed_at": days[-1],
        },
    )


def _sit(ctx: DemoContext, exam: Exam, user, right_share: float, days_ago: int) -> None:
    rng = ctx.rng
    started = timezone.make_aware(
        datetime.datetime.combine(ctx.today - datetime.timedelta(days=days_ago), datetime.time(20, rng.randint(0, 50)))
    )
    if exam.course is not None:
        _studied(exam.course, user, started)
    paper = exam_actions.draw(exam, rng)
    attempt = Attempt.objects.create(
        exam=exam,
        user=user,
        number=1,
        organization=exam_actions._learner_organization(user, exam),
        paper=paper,
        started_at=started,
        deadline=started + datetime.timedelta(minutes=exam.time_limit_minutes),
        max_score=sum(item["points"] for item in paper),
    )
    questions = Question.objects.in_bulk([item["q"] for item in paper])
    answers = []
    for n, item in enumerate(paper):
        question = questions[item["q"]]
        answer = list(question.answer)
        if rng.random() > right_share:  # a wrong answer of the same kind
            if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
                answer = [next(i for i in range(len(question.options)) if i not in question.answer)]
            elif question.kind == Question.Kind.TRUE_FALSE:
                answer = [not question.answer[0]]
            else:
                answer = ["不记得了"]
        answers.append(
            AttemptAnswer(
                attempt=attempt,
                question=question,
                answer=answer,
                saved_at=started + datetime.timedelta(minutes=1 + n),
            )
        )
    AttemptAnswer.objects.bulk_create(answers)
    exam_actions.grade(attempt.pk)  # by the clock: handed in at its deadline
