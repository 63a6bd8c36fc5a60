"""The demo county's training (called by learning/demo.py in its order): the first township (town_media's, run
by town_admin) trains the new-media officers of its villages. A session held last month with registrations and
attendance (town_media among those who attended; one officer did not come), and one in ten days with more officers
registered than places, so the last ones wait."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.utils import timezone

from dangjian.accounts.models import Role, RoleGrant
from dangjian.organizations.models import Organization

from . import training_actions
from .models import Exam, ExamRule, Question, QuestionBank, Registration, Tag, TrainingSession

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

VILLAGE_OFFICERS = 8


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _officers(ctx: DemoContext, township: Organization) -> list:
    """town_media first, then one new-media officer in each of the township's first villages (no password: they
    are people of the story, not sign-ins)."""
    User = get_user_model()
    people = [grant.user for grant in RoleGrant.objects.filter(organization=township, role=Role.MEDIA_OFFICER)]
    villages = list(Organization.objects.open().filter(parent=township).order_by("path")[:VILLAGE_OFFICERS])
    granter = User.objects.filter(is_superuser=True).order_by("pk").first()
    for index, village in enumerate(villages, start=1):
        user, made = User.objects.get_or_create(
            username=f"media_{township.pk}_{index}",
            defaults={"full_name": f"{village.short_name or village.name} {ctx.person_name()}"},
        )
        if made:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        RoleGrant.objects.get_or_create(
            user=user, organization=village, role=Role.MEDIA_OFFICER, defaults={"granted_by": granter}
        )
        people.append(user)
    return people


TRAINING_EXAM_QUESTIONS = 5
MEDIA_TAG = "新媒体工作"


def _training_exam(township: Organization) -> Exam | None:
    """The held session's own short exam (for those who attended it): five new-media questions from a bank the
    township may use (its own or one above). Never the county course's certifying exam: an exam linked to a
    session is only for its attendees, and the course's learners would lose theirs."""
    banks = QuestionBank.objects.filter(organization_id__in=township.ancestor_ids).order_by("pk")
    tag = Tag.objects.filter(name=MEDIA_TAG).first()
    for bank in banks:
        questions = Question.objects.filter(bank=bank, archived_at=None)
        tagged = tag is not None and questions.filter(tags=tag).count() >= TRAINING_EXAM_QUESTIONS
        if not tagged and questions.count() < TRAINING_EXAM_QUESTIONS:
            continue
        exam = Exam.objects.create(
            organization=township,
            bank=bank,
            title="新媒体稿件写作与审核培训 课后测验",
            instructions="参加培训的同志可以参加：共5题，每题20分，60分及格；限时15分钟，每人可考两次。",
            time_limit_minutes=15,
            pass_percent=60,
            max_attempts=2,
            state=Exam.State.OPEN,
        )
        ExamRule.objects.create(exam=exam, tag=tag if tagged else None, count=TRAINING_EXAM_QUESTIONS, points=20)
        return exam
    return None


def load(ctx: DemoContext) -> list[str]:
    township = Organization.objects.filter(depth=1).order_by("path").first()
    if township is None:
        return []
    User = get_user_model()
    organizer = User.objects.filter(username="town_admin").first()
    if organizer is None:
        return []
    people = _officers(ctx, township)
    exam = _training_exam(township)
    today = ctx.today

    # Last month: held, every officer registered, all but one came (two by the door code, the rest ticked).
    day = today.replace(day=1) - datetime.timedelta(days=12)
    held = TrainingSession.objects.create(
        organization=township,
        title="新媒体稿件写作与审核培训",
        description="一、新闻稿件的要素与结构；二、标题怎么写；三、发布前的“三审”与敏感词检查；四、现场练习：为一次主题党日写一条消息。",
        mode=TrainingSession.Mode.ROOM,
        starts_at=_aware(day, 9),
        ends_at=_aware(day, 11, 30),
        place=f"{township.short_name or township.name}政府三楼会议室",
        trainer="县融媒体中心 编辑部",
        capacity=20,
        invite_role=Role.MEDIA_OFFICER,
        state=TrainingSession.State.HELD,
        exam=exam,
        created_by=organizer,
        created_at=_aware(day - datetime.timedelta(days=14), 10),
        reminded_at=_aware(day - datetime.timedelta(days=1), 9),
    )
    for index, person in enumerate(people):
        grant = RoleGrant.objects.filter(user=person, role=Role.MEDIA_OFFICER).select_related("organization").first()
        came = index != len(people) - 1
        Registration.objects.create(
            session=held,
            user=person,
            organization=grant.organization if grant else township,
            state=Registration.State.REGISTERED,
            registered_at=_aware(day - datetime.timedelta(days=10 - index % 5), 8 + index % 9),
            attended=came,
            attended_at=_aware(day, 8, 40 + index % 20) if came else None,
            checked_in_by=(person if index < 2 else organizer) if came else None,
        )

    # In ten days: fewer places than officers; the last two wait.
    start = _aware(today + datetime.timedelta(days=10), 14, 30)
    upcoming = training_actions.save_session(
        organizer,
        township.pk,
        training_actions.SessionInput(
            title="手机短视频拍摄与剪辑培训",
            description="用手机拍好一段党员活动视频：构图、收音、剪辑和字幕。请带上手机和充电宝。",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2, minutes=30),
            place=f"{township.short_name or township.name}便民服务中心二楼培训室",
            trainer="县委宣传部 刘洋",
            capacity=max(len(people) - 2, 1),
            invite_role=Role.MEDIA_OFFICER,
        ),
    )
    for person in people:
        training_actions.register(person, upcoming.pk)
    waiting = upcoming.registrations.filter(state=Registration.State.WAITING).count()
    attended = held.registrations.filter(attended=True).count()
    return [
        f"training: {township.name} held “{held.title}” ({attended} of {len(people)} attended); "
        f"“{upcoming.title}” in 10 days, {waiting} on the waiting list"
    ]
