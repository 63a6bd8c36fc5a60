"""Reads of the member registry, scoped to what the user may see."""

from __future__ import annotations

from django.http import Http404

from dangjian.accounts.permissions import MANAGE_MEMBERS, has_capability, held_paths, organizations_for

from .models import Member


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
