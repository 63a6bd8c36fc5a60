"""The e-mail digest of mentions (message area): every quarter of an hour (settings.PERIODIC_TASKS) each person
with mentions they have not read for EXCHANGE_DIGEST_AFTER_MINUTES gets ONE e-mail listing the rooms and how many
(notify() kind exchange.mention_digest, MAIL channel, linking to /rooms/).

"Not read" means the room's `last_read_rev` is still below the message's rev and the notification is unread: no
online status is tracked. A mention whose room has since been read is marked read; one of a message that is no
longer shown, or of a room left or muted, is not mailed. Each mention mailed is marked on its notification
(`mail_state` SENT, `mail_sent_at`: "an e-mail about it was sent"), claimed by a conditional update, so two clocks
never mail it twice and the next digest leaves it out. People without an e-mail address are skipped. Mentions older
than LOOK_BACK are not mailed any more (stale news).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dangjian.notifications.api import notify
from dangjian.notifications.models import Notification

from . import notices
from .models import Membership, Message

LOOK_BACK = datetime.timedelta(days=7)


class _Taken(Exception):
    """Another clock mailed some of these mentions meanwhile."""


def _rooms_line(counts: dict[str, int]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return pgettext("list separator", ", ").join(
            _("%(room)s (%(n)s)") % {"room": room, "n": n}
            for room, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        )


def send_mention_digests(now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.EXCHANGE_DIGEST_AFTER_MINUTES)
    due = list(
        Notification.objects.filter(
            kind=notices.MENTION,
            read_at=None,
            mail_state=Notification.Mail.NONE,
            created_at__lte=cutoff,
            created_at__gt=now - LOOK_BACK,
        )
        .exclude(user__email="")
        .filter(user__is_active=True)
        .order_by("user_id", "id")
        .values_list("pk", "user_id", "target_id")
    )
    if not due:
        return {"digests": 0, "mentions": 0, "read": 0}
    messages = Message.objects.select_related("room").in_bulk({target for _pk, _user, target in due})
    memberships = {
        (m.room_id, m.user_id): m
        for m in Membership.objects.filter(
            room_id__in={m.room_id for m in messages.values()},
            user_id__in={user for _pk, user, _target in due},
            left_at=None,
            removed_at=None,
        )
    }
    per_user: dict[int, list[tuple[int, Message]]] = defaultdict(list)
    read: list[int] = []
    for pk, user_id, target_id in due:
        message = messages.get(target_id)
        if message is None or message.state != Message.State.PUBLISHED:
            continue
        membership = memberships.get((message.room_id, user_id))
        if membership is None or membership.notifications_muted:
            continue
        if membership.last_read_rev >= message.rev:
            read.append(pk)  # they opened the room since: the mention is read
            continue
        per_user[user_id].append((pk, message))
    if read:
        Notification.objects.filter(pk__in=read, read_at=None).update(read_at=now)
    digests = mentions = 0
    for user_id, items in per_user.items():
        ids = [pk for pk, _message in items]
        counts: dict[str, int] = defaultdict(int)
        for _pk, message in items:
            counts[message.room.name] += 1
        try:
            with transaction.atomic():
                taken = Notification.objects.filter(pk__in=ids, mail_state=Notification.Mail.NONE).update(
                    mail_state=Notification.Mail.SENT, mail_sent_at=now
                )
                if taken != len(ids):
                    raise _Taken
                notify([user_id], notices.MENTION_DIGEST, None, count=len(ids), rooms=_rooms_line(counts))
        except _Taken:
            continue
        digests += 1
        mentions += len(ids)
    return {"digests": digests, "mentions": mentions, "read": len(read)}
