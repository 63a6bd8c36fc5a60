"""Reads of the member registry, scoped to what the user may see."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.permissions import (
    MANAGE_MEMBERS,
    has_capability,
    held_paths,
    organizations_for,
    scope_paths,
)
from dangjian.core.masking import mask_numbers
from dangjian.organizations.models import Organization

from . import idnumbers
from .models import Member, MemberTransfer

_ID_QUERY = re.compile(r"^\d{6,17}[\dX]?$")


def member_for_user(user) -> Member | None:
    """The member record of a signed-in account (on the roll), or None: what a member sees as "mine"."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__
    if "_member_cache" not in cache:
        cache["_member_cache"] = (
            Member.objects.filter(user=user, status=Member.Status.ACTIVE).select_related("organization").first()
        )
    member: Member | None = cache["_member_cache"]
    return member


def visible_members(user):
    """The members of the branches where the user manages members (their grants' subtrees)."""
    return Member.objects.filter(organization__in=organizations_for(user, MANAGE_MEMBERS))


def get_member_for_user(user, pk: int) -> Member:
    member = Member.objects.select_related("organization", "party_group").filter(pk=pk).first()
    if member is None or not has_capability(user, MANAGE_MEMBERS, member.organization):
        raise Http404
    return member


def sees_full_mobile(user, member: Member) -> bool:
    """The member's own branch committee (a grant directly on the branch) sees the number; those above, masked."""
    return member.organization.path in held_paths(user, MANAGE_MEMBERS)


# --- The console's lists -------------------------------------------------------------------------------------

FLAGS = {"floating": "is_floating", "difficulty": "in_difficulty", "veteran": "is_veteran"}
ALL_STATUSES = "all"


def masked_mobile(mobile: str) -> str:
    """138****5678 (core.masking's form)."""
    return mask_numbers(mobile) if mobile else ""


def shown_mobile(user, member: Member) -> str:
    """The mobile as this user may see it: in full for the member's own branch committee, masked above."""
    return member.mobile if sees_full_mobile(user, member) else masked_mobile(member.mobile)


def looks_like_id_number(query: str) -> bool:
    """Digits (and an X) only, at least 6 of them: an ID-card number, searched by exact match only."""
    return bool(_ID_QUERY.match(idnumbers.normalize(query)))


def members_in(user, organization: Organization, *, subtree: bool = True):
    """The members of the organization (and the organizations below it), for a user managing members there."""
    if not has_capability(user, MANAGE_MEMBERS, organization):
        raise PermissionDenied
    members = Member.objects.select_related("organization", "party_group")
    if subtree:
        bounds = organization.subtree_range()
        return members.filter(organization__path__gte=bounds["gte"], organization__path__lt=bounds["lt"])
    return members.filter(organization=organization)


def filter_members(members, *, q: str = "", status: str = "", category: str = "", flag: str = "", group=None):
    """Narrow a list of members: by name (contains) or ID-card number (exact match only, through its keyed hash:
    part of a number finds nothing), status (on the roll unless another or "all" is asked), category, a flag
    and a party group."""
    q = (q or "").strip()
    if q:
        if looks_like_id_number(q):
            members = members.filter(id_number_hash=Member.id_hash_of(q))
        else:
            members = members.filter(name__contains=q)
    if status != ALL_STATUSES:
        members = members.filter(status=status or Member.Status.ACTIVE)
    if category:
        members = members.filter(category=category)
    if flag in FLAGS:
        members = members.filter(**{FLAGS[flag]: True})
    if group is not None:
        members = members.filter(party_group=group)
    return members


def party_groups(branch: Organization):
    """The open party groups directly below a branch."""
    return (
        Organization.objects.open().filter(parent=branch, kind=Organization.Kind.GROUP).order_by("sort_order", "name")
    )


def on_roll_count(organization: Organization) -> int:
    """Members on the roll in the organization's subtree (the organization page's link)."""
    bounds = organization.subtree_range()
    return Member.objects.filter(
        organization__path__gte=bounds["gte"], organization__path__lt=bounds["lt"], status=Member.Status.ACTIVE
    ).count()


# --- Transfers --------------------------------------------------------------------------------------------


def pending_transfers():
    return MemberTransfer.objects.filter(to_organization__isnull=False, arrived_on__isnull=True).select_related(
        "member", "from_organization", "to_organization"
    )


def transfers_of(organization: Organization):
    """The transfers out of and into this branch (arrived or waiting), newest first: its member page shows both."""
    return MemberTransfer.objects.filter(
        Q(from_organization=organization) | Q(to_organization=organization)
    ).select_related("member", "from_organization", "to_organization", "created_by")


def get_transfer_for_target(user, pk: int) -> MemberTransfer:
    """A waiting transfer into a branch the user manages members of (404 otherwise)."""
    transfer = pending_transfers().filter(pk=pk).first()
    if transfer is None or not has_capability(user, MANAGE_MEMBERS, transfer.to_organization):
        raise Http404
    return transfer


# --- To-do: the person's own work, on the branches where they hold the role directly ------------------------


def _held(user, field: str) -> Q | None:
    paths = held_paths(user, MANAGE_MEMBERS)
    if not paths:
        return None
    return Q(**{f"{field}__in": paths})


def incoming_todo(user):
    """Transfers waiting for the user's confirmation: into a branch where they hold MANAGE_MEMBERS directly."""
    condition = _held(user, "to_organization__path")
    if condition is None:
        return MemberTransfer.objects.none()
    return pending_transfers().filter(condition).order_by("left_on", "id")


def probation_todo(user, today: datetime.date | None = None):
    """Probationary members on the roll of the user's own branches whose probation ends within
    PROBATION_REMINDER_DAYS (or has ended without a decision yet)."""
    condition = _held(user, "organization__path")
    if condition is None:
        return Member.objects.none()
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.PROBATION_REMINDER_DAYS)
    return (
        Member.objects.filter(
            condition,
            category=Member.Category.PROBATIONARY,
            status=Member.Status.ACTIVE,
            probation_ends_on__lte=horizon,
        )
        .select_related("organization")
        .order_by("probation_ends_on", "id")
    )


def member_roots(user):
    """The top organizations where the user manages members (what the 党员 menu item opens)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Organization.objects.open().filter(parent__isnull=True)
    paths = scope_paths(user, MANAGE_MEMBERS)
    return Organization.objects.open().filter(path__in=paths).order_by("path")
