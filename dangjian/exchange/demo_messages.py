"""The demo county's messages (see demo.py): a few days of conversation in the village room and the branch room
that demo_rooms made (read from the database): residents asking about medical insurance, a broken street lamp, the
grain subsidy and a free clinic, the secretary answering officially (官方), replies, emoji, @mentions (the last one,
to the secretary, still unread: a notification and an unread badge), and a picture of the repaired street lamp.
Party members in the branch room arrange the month's 主题党日.

Stored in bulk with the room's next revs (`Room.last_rev` moved once), as post_message would number them; the
picture goes through attachments.prepare and store, so it is rebuilt and has its thumbnail like any other.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from dangjian.core.uploads import discard_all_on_failure

from . import access, attachments, mentions
from .models import Membership, Message, Room

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext


@dataclass(frozen=True)
class Line:
    day: int  # days before today
    time: str  # "HH:MM"
    speaker: str  # "S": the secretary (官方); "P1".."P6": the room's other people, in turn
    text: str
    reply: int | None = None  # the number (from 1) of the line answered
    mention: str | None = None  # who is @-mentioned: "S" or "P<n>"; "{@}" in text is replaced by "@nickname"
    picture: bool = False


VILLAGE = [
    Line(
        4,
        "08:32",
        "S",
        "各位乡亲，2027年度城乡居民医保开始缴费了，截止到12月20日。可以在手机上交，也可以到村委会代缴。",
    ),
    Line(4, "08:47", "P1", "手机上怎么交？我不太会弄"),
    Line(
        4,
        "08:55",
        "S",
        "打开微信搜“城乡居民医保缴费”，输入身份证号就行。不会的明天上午九点到村委会，小张手把手教大家。",
        reply=2,
    ),
    Line(4, "09:10", "P2", "我家老人腿脚不便，能一起代缴吗"),
    Line(4, "09:16", "S", "可以，带上老人的身份证或者户口本就行。", reply=4),
    Line(4, "09:20", "P3", "收到👍"),
    Line(3, "19:05", "P1", "村东头那个路灯又不亮了，晚上走路黑乎乎的"),
    Line(3, "19:12", "P4", "是的，前天我家孩子放学差点摔了一跤"),
    Line(3, "19:30", "S", "已经记下了，明天一早联系电工，尽快修好。", reply=7),
    Line(3, "19:33", "P2", "谢谢书记🙏"),
    Line(2, "16:40", "S", "村东头的路灯修好了，大家晚上出门注意安全。", picture=True),
    Line(2, "16:52", "P4", "👍👍 速度真快"),
    Line(2, "18:20", "P5", "请问今年的种粮补贴什么时候发？"),
    Line(2, "18:31", "S", "镇里通知是12月中旬统一打到一卡通里，到时候在群里通知大家。", reply=13),
    Line(2, "18:45", "P3", "去年的补贴我好像没收到"),
    Line(2, "18:50", "S", "{@} 您把一卡通带到村委会，我们帮您查一下。", reply=15, mention="P3"),
    Line(2, "19:02", "P3", "好的，明天上午过去"),
    Line(
        1,
        "09:00",
        "S",
        "【通知】本周六上午9点在村委会广场开展义诊，县医院的医生过来，量血压、测血糖都免费，欢迎大家参加。",
    ),
    Line(1, "09:14", "P1", "太好了，我带我妈去"),
    Line(1, "09:21", "P2", "需要带什么吗"),
    Line(1, "09:26", "S", "带上医保卡，有以前的病历也可以带上。", reply=20),
    Line(1, "12:05", "P4", "学校在收旧衣服捐给山区的孩子，谁家有不穿的可以捐"),
    Line(1, "12:18", "P5", "我家有几件棉袄，放哪里？"),
    Line(1, "12:22", "P4", "放村委会门口的爱心箱就行", reply=23),
    Line(0, "07:40", "P6", "早上垃圾车没来，路口堆了好多"),
    Line(0, "07:52", "S", "已经给保洁公司打电话了，十点前来清运。", reply=25),
    Line(0, "07:55", "P6", "好的，辛苦了"),
    Line(0, "08:30", "P1", "{@} 书记，义诊那天能不能安排个人帮老人排队？", mention="S"),
]

BRANCH = [
    Line(
        4,
        "20:00",
        "S",
        "各位党员同志，本月主题党日定在周四下午三点，在村党群服务中心，学习党的二十届四中全会精神。",
    ),
    Line(4, "20:03", "P1", "收到"),
    Line(4, "20:05", "P2", "收到，准时参加"),
    Line(4, "20:30", "P3", "我在外地打工，周四赶不回来，能请假吗"),
    Line(4, "20:41", "S", "可以，请假后补学，会议材料我会发到群里。", reply=4),
    Line(3, "12:10", "P1", "这个月的党费什么时候交？"),
    Line(3, "12:25", "P4", "月底前交给我就行，也可以线上交，我统一登记。", reply=6),
    Line(2, "21:00", "P2", "村里新来的两个大学生想申请入党，要走什么程序？"),
    Line(2, "21:12", "S", "先写入党申请书交给支部，支部一个月内派人谈话。下周我先跟他们见个面。", reply=8),
    Line(2, "21:20", "P3", "上次学习的笔记我整理了一份，需要的同志找我"),
    Line(1, "19:30", "S", "提醒：周四的主题党日请大家带上学习笔记本，会后开展党员义务清扫活动。"),
    Line(1, "19:34", "P1", "好的👍"),
    Line(1, "19:40", "P2", "{@} 清扫的工具村里有吗？", mention="P4"),
    Line(1, "19:52", "P4", "有，扫帚和垃圾袋都在仓库，我提前拿出来。", reply=13),
    Line(0, "07:30", "S", "昨天的主题党日到会18人，请假2人，会议记录已经整理好了，谢谢大家。"),
    Line(0, "07:36", "P3", "辛苦书记💪"),
]


def _street_lamp() -> SimpleUploadedFile:
    """A small photo-like picture of a lit street lamp at dusk."""
    image = Image.new("RGB", (640, 480), (40, 52, 92))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 360, 640, 480), fill=(70, 70, 66))  # the road
    draw.rectangle((0, 300, 640, 360), fill=(50, 80, 50))  # fields
    draw.rectangle((300, 120, 312, 400), fill=(150, 150, 150))  # the pole
    draw.rectangle((300, 120, 380, 130), fill=(150, 150, 150))  # the arm
    draw.ellipse((330, 110, 420, 170), fill=(255, 226, 122))  # the light
    draw.polygon([(340, 160), (410, 160), (470, 400), (280, 400)], fill=(120, 112, 80))  # its beam
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile("路灯.jpg", out.getvalue(), content_type="image/jpeg")


def _speakers(room: Room) -> tuple[Membership | None, list[Membership]]:
    """The secretary's membership (speaking for the organization, or else the room's first admin) and the others."""
    people = list(Membership.objects.filter(room=room, left_at=None, removed_at=None).select_related("user"))
    official = [m for m in people if access.speaks_officially(m.user, room)]
    admins = [m for m in people if m.is_admin]
    chosen = official or admins
    secretary = chosen[0] if chosen else None
    others = [m for m in people if m is not secretary and m not in official]
    return secretary, others


def _when(ctx: DemoContext, line: Line, latest: datetime.datetime) -> datetime.datetime:
    hour, minute = (int(part) for part in line.time.split(":"))
    day = ctx.today - datetime.timedelta(days=line.day)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
    return min(moment, latest)


def _converse(ctx: DemoContext, room: Room, script: list[Line]) -> int:
    secretary, others = _speakers(room)
    if secretary is None or not others:
        return 0
    cast = {"S": secretary} | {f"P{n}": others[(n - 1) % len(others)] for n in range(1, 7)}
    now = timezone.now()
    # Today's lines keep their order but never lie in the future: the last one is a few minutes old.
    latest = [now - datetime.timedelta(minutes=6 * (len(script) - index)) for index in range(len(script))]
    with discard_all_on_failure(default_storage) as stored, transaction.atomic():
        locked = Room.objects.select_for_update().get(pk=room.pk)
        rev = locked.last_rev
        built: list[Message] = []
        mentioned: list[Membership | None] = []
        for index, line in enumerate(script):
            speaker = cast[line.speaker]
            target = cast[line.mention] if line.mention else None
            if target is speaker:
                target = next((m for m in [secretary, *others] if m is not speaker), None)
            text = line.text.replace("{@}", f"@{target.nickname}" if target else "").strip()
            rev += 1
            message = Message(
                room=room,
                author=speaker.user,
                nickname=speaker.nickname,
                official=speaker is secretary and access.speaks_officially(speaker.user, room),
                kind=Message.Kind.TEXT,
                body=text,
                rev=rev,
                created_at=_when(ctx, line, latest[index]),
            )
            if line.picture:
                prepared = attachments.prepare(image=_street_lamp())
                assert prepared is not None
                message.kind = prepared.kind
                attachments.store(message, prepared, stored)
            built.append(message)
            mentioned.append(target)
        Message.objects.bulk_create(built)
        for message, line in zip(built, script, strict=True):
            if line.reply:
                message.reply_to = built[line.reply - 1]
        Message.objects.bulk_update([m for m in built if m.reply_to_id], ["reply_to"])
        for message, target in zip(built, mentioned, strict=True):
            if target is not None:
                message.mentions.add(target.user)
        Room.objects.filter(pk=room.pk).update(last_rev=rev, last_message_at=built[-1].created_at)
        # What each person has read: the secretary all but the last message (the mention waiting for them), the
        # others up to somewhere in the last day.
        first = rev - len(built) + 1
        for membership in [secretary, *others]:
            read = rev - 1 if membership is secretary else first + ctx.rng.randrange(len(built) // 2, len(built))
            Membership.objects.filter(pk=membership.pk).update(last_read_rev=max(membership.last_read_rev, read))
        # The newest mention is news: it is told (a notification) as post_message would.
        mentions.announce_mentions(built[-1] if mentioned[-1] is not None else built[0])
    return len(built)


def load(ctx: DemoContext) -> list[str]:
    lines: list[str] = []
    for kind, script in ((Room.Kind.VILLAGE, VILLAGE), (Room.Kind.BRANCH, BRANCH)):
        room = Room.objects.filter(kind=kind, closed_at=None).order_by("pk").first()
        if room is None:
            continue
        count = _converse(ctx, room, script)
        if count:
            lines.append(f"{room.name}: {count} messages")
    return lines
