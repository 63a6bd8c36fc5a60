"""@mentions: "@昵称" in a message names a member of the room by the nickname they chose. The messages area owns
this file.

A published message tells the people it mentions through notify() (`announce_mentions`, run by post_message's
POSTED_HOOKS in the message's own transaction); a held message tells nobody until a moderator approves it (the
moderation area calls `announce_mentions` then). Nobody is told twice of one message, never its author, never
someone who muted the room's notifications or who can no longer read it. People who have not read such a mention
after EXCHANGE_DIGEST_AFTER_MINUTES get one e-mail listing them (message_digest.py).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from . import notices
from .models import Membership, Message, Room

EXCERPT_CHARS = 60


def mentioned_users(room: Room, body: str, *, author_id: int | None = None) -> list[int]:
    """The ids of the room's active members whose nickname follows an @ in `body` (never the author)."""
    if "@" not in body:
        return []
    found = []
    for user_id, nickname in Membership.objects.filter(room=room, left_at=None, removed_at=None).values_list(
        "user_id", "nickname"
    ):
        if user_id != author_id and f"@{nickname}" in body:
            found.append(user_id)
    return found


def _excerpt(message: Message) -> str:
    if message.kind == Message.Kind.IMAGE and not message.body:
        return "[图片]"
    text = " ".join(message.body.split())
    return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")


def announce_mentions(message: Message) -> int:
    """Tell the people a published message mentions (inside the caller's transaction); returns how many were told.
    Call it when a held message is approved; calling it again tells nobody twice."""
    from dangjian.notifications.api import notify
    from dangjian.notifications.models import Notification

    if message.state != Message.State.PUBLISHED:
        return 0
    mentioned = [pk for pk in message.mentions.values_list("pk", flat=True) if pk != message.author_id]
    if not mentioned:
        return 0
    listening = set(
        Membership.objects.filter(
            room_id=message.room_id,
            user_id__in=mentioned,
            user__is_active=True,
            left_at=None,
            removed_at=None,
            notifications_muted=False,
        ).values_list("user_id", flat=True)
    )
    told = set(
        Notification.objects.filter(
            kind=notices.MENTION,
            target_type=ContentType.objects.get_for_model(Message),
            target_id=message.pk,
            user_id__in=listening,
        ).values_list("user_id", flat=True)
    )
    recipients = sorted(listening - told)
    if not recipients:
        return 0
    room = message.room
    notify(
        recipients,
        notices.MENTION,
        message,
        organization=room.organization,
        nickname=message.nickname,
        room=room.name,
        room_id=room.pk,
        excerpt=_excerpt(message),
    )
    return len(recipients)


def forget_mentions(message: Message) -> int:
    """A message was recalled or removed: its mention notifications (read or not) go too, so its text is not left
    behind in anyone's notifications (inside the caller's transaction); returns how many were deleted."""
    from dangjian.notifications.models import Notification

    deleted, _by_model = Notification.objects.filter(
        kind=notices.MENTION,
        target_type=ContentType.objects.get_for_model(Message),
        target_id=message.pk,
    ).delete()
    return deleted


def mark_mentions_read(user, room_id: int, rev: int) -> int:
    """Someone read the room up to `rev`: their mention notifications of the messages read are read too (the
    console's badge and the digest agree with the room)."""
    from django.utils import timezone

    from dangjian.notifications.models import Notification

    return Notification.objects.filter(
        user=user,
        kind=notices.MENTION,
        read_at=None,
        target_id__in=Message.objects.filter(room_id=room_id, rev__lte=rev).values("pk"),
    ).update(read_at=timezone.now())


def after_post(message: Message, membership: Membership) -> None:
    """post_message's hook: a published message tells the people it mentions at once."""
    if message.state == Message.State.PUBLISHED:
        announce_mentions(message)


def nickname_map(room_id: int) -> dict[int, str]:
    """The nicknames people have in a room (including those who left: their old messages still name them)."""
    return dict(Membership.objects.filter(room_id=room_id).values_list("user_id", "nickname"))
