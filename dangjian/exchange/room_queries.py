"""What the rooms area reads, scoped to the person: one's rooms with their unread counts, the rooms one may join,
the rooms a console user manages or moderates, and the usage figures per organization (never per person)."""

from __future__ import annotations

import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.accounts.permissions import MANAGE_ROOMS, MODERATE_ROOMS, USE_CONSOLE, scope_paths
from dangjian.core.registry import period_bounds
from dangjian.members.queries import member_for_user
from dangjian.organizations.models import Organization, ids_in_path

from . import access
from .models import Membership, Message, Room

JOINABLE_SHOWN = 100


def _is_superuser(user, _capability: str = "") -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def _unread_subquery(user):
    """Published messages after what the member has read, not their own (a notice of their own is not news)."""
    unread = (
        Message.objects.filter(room=OuterRef("room"), state=Message.State.PUBLISHED, rev__gt=OuterRef("last_read_rev"))
        .exclude(author=user)
        .order_by()
        .values("room")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))


def my_memberships(user):
    """The person's active memberships, each with `unread`, the rooms with the latest messages first."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, left_at=None, removed_at=None)
        .select_related("room", "room__organization")
        .annotate(unread=_unread_subquery(user))
        .order_by("-room__last_message_at", "-room__created_at", "room__name")
    )


def unread_total(user) -> int:
    """Unread messages of the person's open rooms, the rooms they muted left out (the badge)."""
    mine = my_memberships(user).filter(notifications_muted=False, room__closed_at=None)
    return sum(own.unread for own in mine)


def _candidate_ids(user) -> set[int]:
    """The organizations whose rooms the person might join: those on the way up from where they hold a role or
    are on a branch's roll (their own and those above)."""
    ids: set[int] = set()
    for path in scope_paths(user, USE_CONSOLE):
        ids.update(ids_in_path(path))
    member = member_for_user(user)
    if member is not None:
        ids.update(member.organization.ancestor_ids)
    if access.is_resident(user):
        for path in Room.objects.filter(
            memberships__user=user, memberships__removed_at=None, audience=Room.Audience.RESIDENTS
        ).values_list("organization__path", flat=True):
            ids.update(ids_in_path(path))
    return ids


def joinable_rooms(user) -> list[Room]:
    """Open rooms the person may join (access.may_join) and is not in, of the organizations on their way up."""
    if not getattr(user, "is_authenticated", False):
        return []
    ids = _candidate_ids(user)
    if not ids:
        return []
    inside = Membership.objects.filter(user=user, left_at=None, removed_at=None).values("room")
    candidates = (
        Room.objects.filter(organization_id__in=ids, closed_at=None, organization__closed_at=None)
        .exclude(pk__in=inside)
        .select_related("organization")
        .order_by("organization__path", "kind", "name")[:JOINABLE_SHOWN]
    )
    return [room for room in candidates if access.may_join(user, room)]


def console_rooms(user, organization: Organization | None = None):
    """The rooms of the organizations where the person holds MANAGE_ROOMS or MODERATE_ROOMS (their subtrees), or
    of one organization's subtree, with the number of active members."""
    rooms = Room.objects.select_related("organization")
    if not _is_superuser(user, MANAGE_ROOMS):
        paths = set(scope_paths(user, MANAGE_ROOMS)) | set(scope_paths(user, MODERATE_ROOMS))
        if not paths:
            return Room.objects.none()
        condition = Q()
        for path in paths:
            condition |= Q(organization__path__startswith=path)
        rooms = rooms.filter(condition)
    if organization is not None:
        rooms = rooms.filter(organization__path__startswith=organization.path)
    return rooms.annotate(
        members=Count("memberships", filter=Q(memberships__left_at=None, memberships__removed_at=None))
    ).order_by("organization__path", "closed_at", "name")


def admin_eligible_ids(room: Room, user_ids: list[int]) -> set[int]:
    """Of these people, those who may be the room's admins (room_actions.may_be_admin, in two queries): holding a
    role on the room's organization, above or below it, or on the roll of a branch in its subtree."""
    from dangjian.accounts.models import RoleGrant
    from dangjian.members.models import Member

    path = room.organization.path
    eligible = {
        user_id
        for user_id, grant_path in RoleGrant.objects.filter(user_id__in=user_ids, user__is_active=True).values_list(
            "user_id", "organization__path"
        )
        if grant_path.startswith(path) or path.startswith(grant_path)
    }
    eligible |= set(
        Member.objects.filter(
            user_id__in=user_ids, status=Member.Status.ACTIVE, organization__path__startswith=path
        ).values_list("user_id", flat=True)
    )
    return eligible


def may_see_console(user) -> bool:
    return bool(
        _is_superuser(user, MANAGE_ROOMS) or scope_paths(user, MANAGE_ROOMS) or scope_paths(user, MODERATE_ROOMS)
    )


# --- Usage figures (about organizations, never persons) --------------------------------------------------------


def _published_in(organization, start, end):
    since, until = period_bounds(start, end)
    return Message.objects.filter(
        room__organization__path__startswith=organization.path,
        state=Message.State.PUBLISHED,
        created_at__gte=since,
        created_at__lt=until,
    ).exclude(kind=Message.Kind.NOTICE)


def active_rooms(organization, start, end) -> int:
    return _published_in(organization, start, end).values("room").distinct().count()


def messages_count(organization, start, end) -> int:
    return _published_in(organization, start, end).count()


def published_messages():
    """Every message that counts in the usage figures: published, not a pinned notice."""
    return Message.objects.filter(state=Message.State.PUBLISHED).exclude(kind=Message.Kind.NOTICE)


def resident_memberships():
    """Memberships of verified residents (a `Resident` row), with `ended`: when they left or were removed."""
    return Membership.objects.filter(user__resident__isnull=False).annotate(ended=Coalesce("left_at", "removed_at"))


def residents_in_rooms(organization, start, end) -> int:
    """Memberships of verified residents in the rooms of the subtree's organizations active on the period's last
    day (today while the period runs): a resident in two rooms counts twice."""
    day = min(end - datetime.timedelta(days=1), timezone.localdate())
    _since, after = period_bounds(day, day + datetime.timedelta(days=1))
    return (
        resident_memberships()
        .filter(room__organization__path__startswith=organization.path, joined_at__lt=after)
        .filter(Q(ended__isnull=True) | Q(ended__gte=after))
        .count()
    )
