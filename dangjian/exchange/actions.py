"""The writes of a room's conversation: posting, recalling, reading. The rooms' own settings are in
room_actions.py, residents in residents.py, questions in questions.py, moderation in moderation.py; all of them
change a message through `touch` so that its room's rev moves and the clients hear of it.

Every message is stored (in the caller's transaction) before it is broadcast (after the commit)."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.history import ActionError, InvalidInput, NotFound
from dangjian.core.uploads import discard_all_on_failure

from . import access, attachments, limits, live, mentions, screening
from .models import Membership, Message, Room


class NotInRoom(ActionError):
    """The person is not (or no longer) in the room."""


@dataclass(frozen=True)
class MessageInput:
    body: str = ""
    reply_to_id: int | None = None
    client_token: uuid.UUID | None = None
    image: object | None = None  # an uploaded file
    file: object | None = None


def clean_text(text: str) -> str:
    """Strip and drop control characters (keeping line breaks and tabs) and unpaired surrogates."""
    text = unicodedata.normalize("NFC", text or "")
    kept = [c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs", "Cf") or c == "\u200d"]
    return "".join(kept).strip()


def next_rev(room_id: int) -> int:
    """Take the room's next rev (call inside a transaction: the UPDATE holds the room's row until the commit, so
    concurrent writers take numbers one after another)."""
    now = timezone.now()
    Room.objects.filter(pk=room_id).update(last_rev=F("last_rev") + 1, last_message_at=now)
    return Room.objects.filter(pk=room_id).values_list("last_rev", flat=True).get()


def touch(message: Message, fields: list[str]) -> None:
    """Save a change of a message under a new rev and broadcast it after the commit (inside a transaction)."""
    message.rev = next_rev(message.room_id)
    message.changed_at = timezone.now()
    message.save(update_fields=[*fields, "rev", "changed_at"])
    live.broadcast_after_commit(message)


def speaking_membership(user, room: Room) -> Membership:
    """The membership that lets the person speak now, or the reason they may not."""
    if not room.is_open:
        raise NotInRoom(_("This room is closed."))
    own = access.membership(user, room)
    if own is None:
        raise NotInRoom(_("You are not in this room. Join it first."))
    if own.muted_until and own.muted_until > timezone.now():
        local = timezone.localtime(own.muted_until)
        raise ActionError(_("A moderator muted you in this room until %(t)s.") % {"t": local.strftime("%m-%d %H:%M")})
    return own


def post_message(user, room_id: int, data: MessageInput) -> Message:
    """Store one message from `user` in the room and broadcast it after the commit. The same client token sent
    again returns the message stored the first time."""
    room = Room.objects.select_related("organization").filter(pk=room_id).first()
    if room is None:
        raise NotFound
    if data.client_token is not None:
        earlier = Message.objects.filter(author=user, client_token=data.client_token).first()
        if earlier is not None:
            return earlier
    own = speaking_membership(user, room)
    body = clean_text(data.body)
    limit = settings.EXCHANGE_MESSAGE_MAX_CHARS
    if len(body) > limit:
        refusal = _("A message may have at most %(n)s characters (this one has %(m)s).") % {"n": limit, "m": len(body)}
        raise InvalidInput({"body": [refusal]}, refusal)
    prepared = attachments.prepare(image=data.image, file=data.file)
    if not body and prepared is None:
        refusal = _("Write a message, or choose a picture or a file.")
        raise InvalidInput({"body": [refusal]}, refusal)
    screened = screening.screen(body)
    moderator = access.may_moderate(user, room)
    held = not moderator and (screened.held or room.review_before_publish)
    reply_to = None
    if data.reply_to_id:
        reply_to = Message.objects.filter(pk=data.reply_to_id, room=room).first()
        if reply_to is None or (reply_to.state == Message.State.HELD and not moderator):
            refusal = _("The message you are replying to is not in this room.")
            raise InvalidInput({"reply_to": [refusal]}, refusal)
    limits.check(user, room, own)
    try:
        with discard_all_on_failure(default_storage) as stored, transaction.atomic():
            message = Message(
                room=room,
                author=user,
                nickname=own.nickname,
                official=access.speaks_officially(user, room),
                kind=prepared.kind if prepared else Message.Kind.TEXT,
                body=body,
                reply_to=reply_to,
                state=Message.State.HELD if held else Message.State.PUBLISHED,
                flagged_words=screened.flagged,
                client_token=data.client_token,
                rev=next_rev(room.pk),
            )
            if prepared is not None:
                attachments.store(message, prepared, stored)
            message.save()
            mentioned = mentions.mentioned_users(room, body, author_id=user.pk)
            if mentioned:
                message.mentions.set(mentioned)
            if not held:
                Membership.objects.filter(pk=own.pk, last_read_rev__lt=message.rev).update(last_read_rev=message.rev)
            for hook in POSTED_HOOKS:
                hook(message, own)
            live.broadcast_after_commit(message)
    except IntegrityError:
        # The same token arrived twice at once; the other request stored the message.
        if data.client_token is not None:
            earlier = Message.objects.filter(author=user, client_token=data.client_token).first()
            if earlier is not None:
                return earlier
        raise
    return message


# Functions called with (message, membership) inside post_message's transaction, once the message is stored:
# the messages area tells the people mentioned, moderation tells moderators of a held message.
POSTED_HOOKS: list = []


def recall_message(user, message_id: int) -> Message:
    """The author takes a message back within EXCHANGE_RECALL_SECONDS of sending it (WeChat's habit)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id, author=user).first()
        if message is None:
            raise NotFound
        if message.state not in (Message.State.PUBLISHED, Message.State.HELD):
            raise ActionError(_("This message can no longer be recalled."))
        if (timezone.now() - message.created_at).total_seconds() > settings.EXCHANGE_RECALL_SECONDS:
            raise ActionError(
                _("A message can be recalled within %(n)s minutes of sending it.")
                % {"n": settings.EXCHANGE_RECALL_SECONDS // 60}
            )
        message.state = Message.State.RECALLED
        touch(message, ["state"])
        mentions.forget_mentions(message)
    return message


def mark_read(user, room_id: int, rev: int) -> None:
    """Remember that the person has read the room up to `rev` (never backwards, never past the room's rev)."""
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        raise NotFound
    rev = min(int(rev), room.last_rev)
    moved = Membership.objects.filter(
        room=room, user=user, left_at=None, removed_at=None, last_read_rev__lt=rev
    ).update(last_read_rev=rev)
    if moved:
        mentions.mark_mentions_read(user, room.pk, rev)
