"""What the members module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.permissions import MANAGE_MEMBERS, has_capability
from dangjian.core.registry import DashboardPanel, MenuItem, OrganizationData, OrganizationLink, TrackedModel, register

from .models import Member


def member_count(organization) -> int:
    return Member.objects.filter(organization=organization).count()


def merge_members(source, target) -> None:
    """On a merge (撤并) the merged branch's members are the survivor's (their party groups move with the tree)."""
    Member.objects.filter(organization=source).update(organization=target)


def register_entries() -> None:
    register(
        TrackedModel("member", "members", MANAGE_MEMBERS),
        OrganizationData("members.members", _("Party members"), member_count, merge_members, order=50),
    )
    # Members' accounts (accounts.py, account_views.py): the member's own record, the secretary's invitations.
    from . import account_views

    register(
        MenuItem(
            "member_me",
            pgettext_lazy("member account", "My Party member record"),
            "console:member_me",
            order=5,
            visible=account_views.is_member,
        ),
        DashboardPanel("member_me", "members/account/_panel.html", account_views.member_panel, order=1, everyone=True),
        OrganizationLink(
            "member_accounts",
            pgettext_lazy("member account", "Members' accounts"),
            "console:member_accounts",
            may_invite,
            order=46,
            secondary=True,
        ),
    )


def may_invite(user, organization) -> bool:
    """Members' accounts of a branch: for those who manage its members (a party group's are its branch's)."""
    return organization.kind != organization.Kind.GROUP and has_capability(user, MANAGE_MEMBERS, organization)
