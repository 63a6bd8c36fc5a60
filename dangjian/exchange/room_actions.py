"""The writes of the rooms themselves (the rooms area): opening a room, changing its settings, closing and reopening
it, the announcement, joining and leaving, one's nickname and mute, and appointing room admins.

Each action takes the acting user, ids and typed input; it checks who may act (MANAGE_ROOMS on the room's
organization through accounts.permissions, or being the room's admin for the announcement, or `access.may_join`),
writes in one transaction with its history (`save_tracked`) or its moderation entry, and broadcasts after the
commit."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_ROOMS, has_capability
from dangjian.core.history import ActionError, InvalidInput, NotFound, save_tracked, validate
from dangjian.organizations.models import Organization

from . import access, limits, live, screening
from .actions import clean_text, next_rev
from .models import Membership, Message, ModerationEntry, Room

NICKNAME_MAX = 20
# Words a nickname may not use: they would pass the speaker off as the organization (the 官方 mark is the
# platform's, given to those who speak for it).
RESERVED_NICKNAME_WORDS = ("官方", "管理员", "群主")

# The audience a new room of each kind gets unless the person opening it says otherwise.
DEFAULT_AUDIENCE: dict[str, str] = {
    Room.Kind.BRANCH: Room.Audience.MEMBERS,
    Room.Kind.VILLAGE: Room.Audience.RESIDENTS,
    Room.Kind.STAFF: Room.Audience.STAFF,
}


class NotAllowed(ActionError):
    """The person may not do this here."""


@dataclass(frozen=True)
class RoomInput:
    kind: str
    name: str
    description: str = ""
    audience: str = ""
    review_before_publish: bool = False


def may_manage(user, room: Room) -> bool:
    return has_capability(user, MANAGE_ROOMS, room.organization)


def may_pin(user, room: Room) -> bool:
    """Room admins and MANAGE_ROOMS holders set and clear the announcement."""
    if may_manage(user, room):
        return True
    own = access.membership(user, room)
    return bool(own and own.is_admin)


def _room(room_id: int, *, lock: bool = False) -> Room:
    rooms = Room.objects.select_related("organization")
    if lock:
        rooms = rooms.select_for_update()
    room = rooms.filter(pk=room_id).first()
    if room is None:
        raise NotFound
    return room


def _managed_room(user, room_id: int, *, lock: bool = False) -> Room:
    room = _room(room_id, lock=lock)
    if not may_manage(user, room):
        raise NotFound
    return room


def clean_nickname(nickname: str, *, reserved_allowed: bool = False) -> str:
    """The nickname as it will be shown, or InvalidInput: 1–20 characters on one line, no reserved word (unless
    the person manages the room), no blocked or flagged word (a nickname cannot wait for a moderator, so a flagged
    word refuses it too)."""
    text = " ".join(clean_text(nickname).split())
    if not text:
        refusal = _("Choose a nickname to be shown in the room.")
        raise InvalidInput({"nickname": [refusal]}, refusal)
    if len(text) > NICKNAME_MAX:
        refusal = _("A nickname may have at most %(n)s characters.") % {"n": NICKNAME_MAX}
        raise InvalidInput({"nickname": [refusal]}, refusal)
    for word in RESERVED_NICKNAME_WORDS:
        if word in text and not reserved_allowed:
            refusal = _("A nickname may not contain “%(word)s”. Please choose another.") % {"word": word}
            raise InvalidInput({"nickname": [refusal]}, refusal)
    screened = screening.screen(text, field_name="nickname")
    if screened.held:
        refusal = _("Please choose another nickname: it contains words that need a moderator's review (%(words)s).") % {
            "words": "、".join(screened.flagged[:5])
        }
        raise InvalidInput({"nickname": [refusal]}, refusal)
    return text


def _nickname_taken(room: Room, nickname: str, *, exclude_pk: int | None = None) -> bool:
    taken = Membership.objects.filter(room=room, nickname=nickname, left_at=None, removed_at=None)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def _taken_refusal() -> InvalidInput:
    refusal = _("Someone in this room already uses this nickname. Please choose another.")
    return InvalidInput({"nickname": [refusal]}, refusal)


def _fill(room: Room, data: RoomInput) -> None:
    room.kind = data.kind
    room.name = " ".join(clean_text(data.name).split())
    room.description = clean_text(data.description)
    room.audience = data.audience or DEFAULT_AUDIENCE.get(data.kind, Room.Audience.MEMBERS)
    room.review_before_publish = data.review_before_publish


def create_room(user, organization_id: int, data: RoomInput) -> Room:
    """Open a room on an organization where the person holds MANAGE_ROOMS; they join it as its first admin."""
    organization = Organization.objects.filter(pk=organization_id, closed_at=None).first()
    if organization is None or not has_capability(user, MANAGE_ROOMS, organization):
        raise NotFound
    room = Room(organization=organization, created_by=user)
    _fill(room, data)
    validate(room)
    with transaction.atomic():
        save_tracked(user, room, organization)
        nickname = (organization.short_name or organization.name)[: NICKNAME_MAX - 3] + "管理员"
        Membership.objects.create(room=room, user=user, nickname=nickname, role=Membership.Role.ADMIN)
    return room


def save_room(user, room_id: int, data: RoomInput, *, expected_version: int) -> Room:
    """Change a room's kind, name, description, audience and review setting (optimistic locking)."""
    with transaction.atomic():
        room = _managed_room(user, room_id, lock=True)
        before = (room.audience, room.review_before_publish)
        _fill(room, data)
        validate(room)
        change = save_tracked(user, room, room.organization, expected_version=expected_version)
        if change is not None and before != (room.audience, room.review_before_publish):
            ModerationEntry.objects.create(
                room=room,
                actor=user,
                action=ModerationEntry.Action.SETTINGS,
                reason=_("Who may join: %(audience)s; review before publishing: %(review)s")
                % {
                    "audience": room.get_audience_display(),
                    "review": _("yes") if room.review_before_publish else _("no"),
                },
            )
    return room


def set_room_open(user, room_id: int, is_open: bool, *, expected_version: int) -> Room:
    """Close a room (it keeps its history, read only; nobody joins or posts) or reopen it."""
    with transaction.atomic():
        room = _managed_room(user, room_id, lock=True)
        if room.is_open == is_open:
            return room
        room.closed_at = None if is_open else timezone.now()
        save_tracked(user, room, room.organization, expected_version=expected_version)
        ModerationEntry.objects.create(
            room=room,
            actor=user,
            action=ModerationEntry.Action.SETTINGS,
            reason=_("Reopened the room") if is_open else _("Closed the room"),
        )
    return room


def set_announcement(user, room_id: int, text: str) -> Room:
    """Pin (or, with empty text, clear) the room's announcement. It is recorded in the history and the moderation
    log, and told to the room as a notice message (so every client hears of it at once, and the history keeps it)."""
    text = clean_text(text)
    limit = Room._meta.get_field("announcement").max_length or 1000
    if len(text) > limit:
        refusal = _("An announcement may have at most %(n)s characters.") % {"n": limit}
        raise InvalidInput({"announcement": [refusal]}, refusal)
    if text:
        screening.screen(text, field_name="announcement")
    with transaction.atomic():
        room = _room(room_id, lock=True)
        if not access.may_read(user, room) or not may_pin(user, room):
            raise NotFound
        if not room.is_open:
            raise ActionError(_("This room is closed."))
        if room.announcement == text:
            return room
        room.announcement = text
        room.announcement_by = user if text else None
        room.announcement_at = timezone.now() if text else None
        save_tracked(user, room, room.organization)
        ModerationEntry.objects.create(room=room, actor=user, action=ModerationEntry.Action.PIN, reason=text[:300])
        own = access.membership(user, room)
        notice = Message.objects.create(
            room=room,
            author=user,
            nickname=own.nickname if own else (room.organization.short_name or room.organization.name)[:20],
            official=access.speaks_officially(user, room),
            kind=Message.Kind.NOTICE,
            body=_("Announcement: %(text)s") % {"text": text} if text else _("The announcement was cleared."),
            rev=next_rev(room.pk),
        )
        live.broadcast_after_commit(notice)
    return room


def join_room(user, room_id: int, nickname: str) -> Membership:
    """Join a room under a nickname one chooses (前台自愿). Someone who left may join again; someone a moderator
    removed may not. What was said before counts as read."""
    try:
        with transaction.atomic():
            room = _room(room_id, lock=True)
            if access.membership(user, room) is not None:
                raise ActionError(_("You are already in this room."))
            if not access.may_join(user, room):
                raise NotAllowed(refusal_to_join(user, room))
            nickname = clean_nickname(nickname, reserved_allowed=may_manage(user, room))
            if _nickname_taken(room, nickname):
                raise _taken_refusal()
            limits.check_join(user)
            own = Membership.objects.filter(room=room, user=user).first() or Membership(room=room, user=user)
            own.nickname = nickname
            own.role = Membership.Role.MEMBER
            own.joined_at = timezone.now()
            own.left_at = None
            own.notifications_muted = False
            own.last_read_rev = room.last_rev
            own.save()
    except IntegrityError:
        # Someone took the same nickname at the same moment.
        raise _taken_refusal() from None
    return own


def refusal_to_join(user, room: Room) -> str:
    """Why the person may not join the room, in words they understand."""
    if not room.is_open:
        return _("This room is closed.")
    if Membership.objects.filter(room=room, user=user).exclude(removed_at=None).exists():
        return _("A moderator removed you from this room, so you cannot join it again.")
    if room.audience == Room.Audience.STAFF:
        return _("This room is for the staff of %(org)s and the organizations above and below it.") % {
            "org": room.organization.name
        }
    if room.audience == Room.Audience.MEMBERS:
        return _("This room is for the party members of %(org)s and the staff serving them.") % {
            "org": room.organization.name
        }
    return _("This room is for the residents of %(org)s: join with your mobile number.") % {
        "org": room.organization.name
    }


def _own(user, room_id: int, *, lock: bool = True) -> Membership:
    memberships = Membership.objects.select_related("room", "room__organization")
    if lock:
        memberships = memberships.select_for_update()
    own = memberships.filter(room_id=room_id, user=user, left_at=None, removed_at=None).first()
    if own is None:
        raise NotFound(_("You are not in this room."))
    return own


def leave_room(user, room_id: int) -> Membership:
    with transaction.atomic():
        own = _own(user, room_id)
        own.left_at = timezone.now()
        own.role = Membership.Role.MEMBER
        own.save(update_fields=["left_at", "role"])
        live.access_changed(own.room_id, user.pk)
    return own


def change_nickname(user, room_id: int, nickname: str) -> Membership:
    try:
        with transaction.atomic():
            own = _own(user, room_id)
            nickname = clean_nickname(nickname, reserved_allowed=may_pin(user, own.room))
            if own.nickname == nickname:
                return own
            if _nickname_taken(own.room, nickname, exclude_pk=own.pk):
                raise _taken_refusal()
            limits.check_join(user)
            own.nickname = nickname
            own.save(update_fields=["nickname"])
    except IntegrityError:
        raise _taken_refusal() from None
    return own


def set_notifications_muted(user, room_id: int, muted: bool) -> Membership:
    """One's own mute of a room: no mention notifications, not counted in the unread badge."""
    with transaction.atomic():
        own = _own(user, room_id)
        own.notifications_muted = muted
        own.save(update_fields=["notifications_muted"])
    return own


def may_be_admin(user, room: Room) -> bool:
    """Room admins are chosen among the members who are staff or party members (never a resident alone)."""
    return access.is_staff_of(user, room) or access.is_member_of(user, room)


def set_member_role(user, room_id: int, membership_id: int, role: str) -> Membership:
    """Appoint a member of the room as its admin, or withdraw the appointment (MANAGE_ROOMS on the room's
    organization)."""
    if role not in Membership.Role.values:
        raise NotFound
    with transaction.atomic():
        room = _managed_room(user, room_id)
        target = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(pk=membership_id, room=room, left_at=None, removed_at=None)
            .first()
        )
        if target is None:
            raise NotFound
        if target.role == role:
            return target
        if role == Membership.Role.ADMIN and not may_be_admin(target.user, room):
            raise NotAllowed(_("Only staff and party members can be room admins."))
        target.role = role
        save_tracked(user, target, room.organization)
        ModerationEntry.objects.create(
            room=room,
            actor=user,
            action=ModerationEntry.Action.SETTINGS,
            membership=target,
            reason=_("Made %(name)s a room admin") % {"name": target.nickname}
            if role == Membership.Role.ADMIN
            else _("%(name)s is no longer a room admin") % {"name": target.nickname},
        )
        live.access_changed(room.pk, target.user_id)
    return target
