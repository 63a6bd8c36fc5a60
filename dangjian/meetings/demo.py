"""Demo meetings: a year of 三会一课 in every demo branch, with attendees and signed-off minutes.

Part of `manage.py load_demo` (the protocol: dangjian/demo/__init__.py); runs after the members exist. Most
branches held every required meeting; some missed a month or a quarter (overdue in the compliance grid), and a
few have meetings planned in the coming weeks. Built in bulk, in batches.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from dangjian.members.models import Member

from . import compliance
from .models import Attendee, Meeting, Minutes

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

BATCH = 1000
TOPICS = {
    Meeting.Kind.GENERAL: ["讨论发展党员事项", "通报上半年村级事务", "学习贯彻全会精神", "讨论集体经济发展项目"],
    Meeting.Kind.COMMITTEE: ["研究本月支部工作安排", "研究困难党员帮扶", "研究人居环境整治", "研究党员积分管理"],
    Meeting.Kind.GROUP: ["学习党章党规", "交流思想工作情况", "讨论网格走访安排"],
    Meeting.Kind.LECTURE: ["书记讲：发扬优良传统", "乡村振兴中的党员作用", "学习党的创新理论"],
    Meeting.Kind.THEME_DAY: ["环境卫生志愿服务", "走访慰问老党员", "重温入党誓词"],
    Meeting.Kind.LIFE: ["年度对照检查"],
    Meeting.Kind.APPRAISAL: ["年度评议"],
}
PLACES = ["党群服务中心会议室", "村委会二楼会议室", "党员活动室", "文化礼堂"]
LEAVE_REASONS = ["外出务工", "身体不适", "照顾家人", "在外地就医"]
_ATTENDEE_COLUMNS = [
    "meeting_id",
    "member_id",
    "answer",
    "leave_reason",
    "answered_at",
    "attended",
    "source",
    "marked_at",
]
_COLUMNS, _VALUES = ", ".join(_ATTENDEE_COLUMNS), ", ".join(["%s"] * len(_ATTENDEE_COLUMNS))
ATTENDEE_INSERT = f"INSERT INTO {Attendee._meta.db_table} ({_COLUMNS}) VALUES ({_VALUES})"  # noqa: S608 - our names


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def load(ctx: DemoContext) -> list[str]:
    rng, today = ctx.rng, ctx.today
    required = compliance.frequencies()
    first_month = datetime.date(today.year - 1, today.month, 1) + datetime.timedelta(days=32)
    first_month = first_month.replace(day=1)  # 12 months back, this month included
    roll: dict[int, list[tuple[int, str, int | None]]] = {}
    for pk, branch_id, post, group_id in (
        Member.objects.filter(status=Member.Status.ACTIVE)
        .order_by("organization_id", "pk")
        .values_list("pk", "organization_id", "committee_post", "party_group_id")
    ):
        roll.setdefault(branch_id, []).append((pk, post, group_id))
    meetings: list[Meeting] = []
    audiences: list[list[tuple[int, bool | None, str]]] = []
    minutes_for: list[bool] = []
    now = timezone.now()
    for branch_id, members in roll.items():
        habit = rng.random()
        skip = 0.0 if habit < 0.7 else (0.12 if habit < 0.93 else 0.45)  # most branches hold every meeting
        host = next((pk for pk, post, _g in members if post == Member.CommitteePost.SECRETARY), members[0][0])
        recorder = next((pk for pk, post, _g in members if post == Member.CommitteePost.ORGANIZATION), host)
        groups = sorted({group for _pk, _post, group in members if group})
        for kind, frequency in required.items():
            units: list[int | None] = list(groups) if kind == Meeting.Kind.GROUP else [None]
            if kind == Meeting.Kind.GROUP and not groups:
                continue
            for unit in units:
                for period in _periods(frequency, first_month, today):
                    last = min(period.last_day, today - datetime.timedelta(days=1))
                    current = period.start <= today < period.end
                    if not current and rng.random() < skip:
                        continue  # missed: overdue in the grid
                    if current and (last < period.start or rng.random() < 0.5):
                        # Not held yet this period: often planned in the coming weeks.
                        if rng.random() < 0.6 and period.last_day > today:
                            day = today + datetime.timedelta(
                                days=rng.randint(1, min(20, (period.last_day - today).days))
                            )
                            meetings.append(_meeting(rng, branch_id, unit, kind, day, host, recorder, planned=True))
                            audiences.append(_audience(rng, members, kind, unit, planned=True))
                            minutes_for.append(False)
                        continue
                    first_day = max(period.start, first_month)
                    day = first_day + datetime.timedelta(days=rng.randint(0, max(0, (last - first_day).days)))
                    meeting = _meeting(rng, branch_id, unit, kind, day, host, recorder, planned=False)
                    if meeting.starts_at > now:
                        continue
                    meetings.append(meeting)
                    audiences.append(_audience(rng, members, kind, unit, planned=False))
                    minutes_for.append(True)
        if rng.random() < 0.08:  # now and then a meeting called off
            day = today - datetime.timedelta(days=rng.randint(10, 200))
            cancelled = _meeting(rng, branch_id, None, Meeting.Kind.THEME_DAY, day, host, recorder, planned=True)
            cancelled.state, cancelled.cancel_reason = Meeting.State.CANCELLED, "遇暴雨天气，改期召开"
            meetings.append(cancelled)
            audiences.append([])
            minutes_for.append(False)
        if len(meetings) >= BATCH:
            _flush(meetings, audiences, minutes_for)
    _flush(meetings, audiences, minutes_for)
    return []


def summary() -> str:
    return f"{Meeting.objects.count()} meetings"


def _periods(frequency: str, first_month: datetime.date, today: datetime.date) -> list[compliance.Period]:
    found = []
    for year in range(first_month.year, today.year + 1):
        for period in compliance.periods(frequency, year):
            if period.end > first_month and period.start <= today:
                found.append(period)
    return found


def _meeting(rng, branch_id, group_id, kind, day, host, recorder, *, planned: bool) -> Meeting:
    starts = _aware(day, rng.choice([9, 14, 15, 19]))
    return Meeting(
        organization_id=branch_id,
        party_group_id=group_id,
        kind=kind,
        topic=rng.choice(TOPICS[kind]),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=rng.choice([1, 2])),
        place=rng.choice(PLACES),
        host_id=host,
        recorder_id=recorder,
        audience=(
            Meeting.Audience.COMMITTEE
            if kind == Meeting.Kind.COMMITTEE
            else Meeting.Audience.GROUP
            if group_id
            else Meeting.Audience.BRANCH
        ),
        state=Meeting.State.PLANNED if planned else Meeting.State.HELD,
        held_at=None if planned else starts + datetime.timedelta(hours=3),
        notice_sent_at=starts - datetime.timedelta(days=3),
        created_at=starts - datetime.timedelta(days=5),
    )


def _audience(rng, members, kind, group_id, *, planned: bool) -> list[tuple[int, bool | None, str]]:
    if kind == Meeting.Kind.COMMITTEE:
        chosen = [pk for pk, post, _g in members if post]
    elif group_id:
        chosen = [pk for pk, _post, group in members if group == group_id]
    else:
        chosen = [pk for pk, _post, _g in members]
    found: list[tuple[int, bool | None, str]] = []
    for pk in chosen:
        if planned:
            found.append((pk, None, Attendee.Answer.CONFIRMED if rng.random() < 0.5 else Attendee.Answer.PENDING))
        elif rng.random() < 0.1:
            found.append((pk, False, Attendee.Answer.LEAVE))
        else:
            found.append((pk, True, Attendee.Answer.CONFIRMED))
    return found


def _flush(meetings: list[Meeting], audiences: list, minutes_for: list[bool]) -> None:
    if not meetings:
        return
    with transaction.atomic():
        Meeting.objects.bulk_create(meetings)
        attendees, minutes = [], []
        adapt = connection.ops.adapt_datetimefield_value
        for meeting, audience, with_minutes in zip(meetings, audiences, minutes_for, strict=True):
            answered_at = adapt(meeting.notice_sent_at)
            marked_at = adapt(meeting.held_at) if meeting.held_at else None
            for member_id, attended, answer in audience:
                attendees.append(
                    (
                        meeting.pk,
                        member_id,
                        answer,
                        LEAVE_REASONS[member_id % len(LEAVE_REASONS)] if answer == Attendee.Answer.LEAVE else "",
                        answered_at if answer != Attendee.Answer.PENDING else None,
                        attended,
                        Attendee.Source.RECORDER.value if attended is not None else "",
                        marked_at if attended is not None else None,
                    )
                )
            if with_minutes:
                held = meeting.held_at or meeting.starts_at
                minutes.append(
                    Minutes(
                        meeting_id=meeting.pk,
                        agenda=f"一、{meeting.topic}\n二、其他事项",
                        discussion="与会党员围绕议题逐一发言，结合本村实际提出意见建议。",
                        resolutions="会议形成一致意见，由支部委员会抓好落实。",
                        written_at=held,
                        signed_off_at=held + datetime.timedelta(days=1),
                    )
                )
        # Tens of thousands of plain rows: one executemany, without building a model instance for each.
        with connection.cursor() as cursor:
            cursor.executemany(ATTENDEE_INSERT, attendees)
        Minutes.objects.bulk_create(minutes, batch_size=2000)
    meetings.clear()
    audiences.clear()
    minutes_for.clear()
