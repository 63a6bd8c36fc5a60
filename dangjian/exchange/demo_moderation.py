"""The demo county's moderation (see demo.py): in the village room the rooms part made, a message held for a
flagged word, a message reported by another member (pending), and a message removed by the village's moderator,
with its audit entry. Reads the rooms and members from the database; does nothing when there is no village room
with two ordinary members yet."""

from __future__ import annotations

from django.db import transaction

from dangjian.accounts.permissions import MODERATE_ROOMS, holders
from dangjian.core.models import SensitiveWord

from . import access, actions, moderation, screening
from .models import Membership, Message, Report, Room

# Added to the words publishing's demo keeps (get_or_create: either part may load first).
WORDS = [("拆迁补偿内幕", SensitiveWord.Level.FLAG, "虚假信息"), ("办证刻章", SensitiveWord.Level.BLOCK, "违法广告")]


def _room() -> Room | None:
    return (
        Room.objects.filter(kind=Room.Kind.VILLAGE, closed_at=None)
        .select_related("organization")
        .order_by("audience", "pk")
        .first()
    )


def load(ctx) -> list[str]:
    for word, level, category in WORDS:
        SensitiveWord.objects.get_or_create(word=word, defaults={"level": level, "category": category})
    SensitiveWord.objects.get_or_create(word="内部消息", defaults={"level": SensitiveWord.Level.FLAG})
    room = _room()
    if room is None:
        return []
    speakers = [
        m
        for m in Membership.objects.filter(room=room, left_at=None, removed_at=None).select_related("user")
        if not access.may_moderate(m.user, room)
    ]
    moderator = next(iter(holders(room.organization, MODERATE_ROOMS)), None)
    if len(speakers) < 2 or moderator is None:
        return []
    author, reader = speakers[0], speakers[1]

    def post(who: Membership, body: str) -> Message:
        # Stored as post_message stores it (screened, the room's next rev), without its per-minute limits: the
        # demo residents are new accounts and the messages part may have used their minute already.
        flagged = screening.screen(body).flagged
        return Message.objects.create(
            room=room,
            author=who.user,
            nickname=who.nickname,
            body=body,
            state=Message.State.HELD if flagged else Message.State.PUBLISHED,
            flagged_words=flagged,
            rev=actions.next_rev(room.pk),
        )

    with transaction.atomic():
        held = post(author, "听说有内部消息，村东头要拆迁，补偿标准已经定了？")
        reported = post(author, "需要办低保的加我微信，包过，收点手续费")
        removed = post(reader, "卖正宗土蜂蜜，保治百病，私聊")
    moderation.report_message(reader.user, reported.pk, Report.Reason.ADVERTISING, "这是骗钱的，别信")
    moderation.remove_message(moderator, removed.pk, "虚假宣传的广告，群里不允许发")
    return [f"{room.name}: a message held for review (#{held.pk}), one reported, one removed with its audit entry"]
