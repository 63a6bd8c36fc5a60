"""Who may do what in a room: join it, read it, speak in it, moderate it. Every page, action and WebSocket asks
these functions, so they agree.

- Reading a room: its active members, and staff holding MODERATE_ROOMS on its organization (or above: a grant holds
  for the subtree), who see the rooms below them without joining.
- Joining: an open room, never after a moderator removed the person; by audience: STAFF rooms take people holding
  any role on the room's organization, above it or below it; MEMBERS rooms also take party members on the roll of a
  branch in the room's subtree; RESIDENTS rooms also take verified residents (`Resident`).
- Moderating: MODERATE_ROOMS on the room's organization, or being made an admin of the room (`Membership.ADMIN`).
  Looking up a resident's verified identity needs MODERATE_ROOMS itself.
- Speaking officially (官方): ANSWER_QUESTIONS on the room's organization.
"""

from __future__ import annotations

from django.db.models import Q

from dangjian.accounts.permissions import (
    ANSWER_QUESTIONS,
    MODERATE_ROOMS,
    USE_CONSOLE,
    has_capability,
    scope_paths,
)
from dangjian.members.queries import member_for_user

from .models import Membership, Resident, Room


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def membership(user, room: Room) -> Membership | None:
    """The person's active membership of the room (None if they never joined, left or were removed)."""
    if not _signed_in(user):
        return None
    return Membership.objects.filter(room=room, user=user, left_at=None, removed_at=None).first()


def is_staff_of(user, room: Room) -> bool:
    """Holds a role on the room's organization, above it, or below it."""
    if not _signed_in(user):
        return False
    if has_capability(user, USE_CONSOLE, room.organization):
        return True
    path = room.organization.path
    return any(p.startswith(path) for p in scope_paths(user, USE_CONSOLE))


def is_member_of(user, room: Room) -> bool:
    """A party member on the roll of a branch in the room's subtree."""
    member = member_for_user(user) if _signed_in(user) else None
    return bool(member and member.organization.path.startswith(room.organization.path))


def is_resident(user) -> bool:
    return _signed_in(user) and Resident.objects.filter(user=user).exists()


def may_join(user, room: Room) -> bool:
    if not _signed_in(user) or not room.is_open:
        return False
    if Membership.objects.filter(room=room, user=user).exclude(removed_at=None).exists():
        return False
    if is_staff_of(user, room):
        return True
    if room.audience in (Room.Audience.MEMBERS, Room.Audience.RESIDENTS) and is_member_of(user, room):
        return True
    return room.audience == Room.Audience.RESIDENTS and is_resident(user)


def may_moderate(user, room: Room) -> bool:
    if not _signed_in(user):
        return False
    if has_capability(user, MODERATE_ROOMS, room.organization):
        return True
    own = membership(user, room)
    return bool(own and own.is_admin)


def may_read(user, room: Room) -> bool:
    return membership(user, room) is not None or (
        _signed_in(user) and has_capability(user, MODERATE_ROOMS, room.organization)
    )


def speaks_officially(user, room: Room) -> bool:
    return _signed_in(user) and has_capability(user, ANSWER_QUESTIONS, room.organization)


def rooms_read_by(user):
    """The rooms the person may read: those they are in, and for moderators the rooms of their subtrees."""
    if not _signed_in(user):
        return Room.objects.none()
    if user.is_superuser:
        return Room.objects.all()
    condition = Q(memberships__user=user, memberships__left_at=None, memberships__removed_at=None)
    for path in scope_paths(user, MODERATE_ROOMS):
        condition |= Q(organization__path__startswith=path)
    return Room.objects.filter(condition).distinct()


def get_room_for_user(user, room_id: int) -> Room:
    """The room if the person may read it; `Room.DoesNotExist` otherwise (a page answers 404, a socket refuses)."""
    room = Room.objects.select_related("organization").get(pk=room_id)
    if not may_read(user, room):
        raise Room.DoesNotExist
    return room
