"""What the members module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import MANAGE_MEMBERS, has_capability
from dangjian.core.registry import OrganizationData, OrganizationLink, TrackedModel, register

from .models import Member


def member_count(organization) -> int:
    return Member.objects.filter(organization=organization).count()


def merge_members(source, target) -> None:
    """On a merge (撤并) the merged branch's members are the survivor's (their party groups move with the tree)."""
    Member.objects.filter(organization=source).update(organization=target)


def may_import_roster(user, organization) -> bool:
    return (
        organization.kind != organization.Kind.GROUP
        and not organization.is_closed
        and has_capability(user, MANAGE_MEMBERS, organization)
    )


def register_entries() -> None:
    register(
        TrackedModel("member", "members", MANAGE_MEMBERS),
        OrganizationData("members.members", _("Party members"), member_count, merge_members, order=50),
        OrganizationLink(
            "roster_import", _("Import the party member roster"), "console:roster_import", may_import_roster, 56
        ),
    )
