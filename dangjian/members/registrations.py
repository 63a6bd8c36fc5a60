"""What the members module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from dangjian.accounts.permissions import MANAGE_MEMBERS, has_capability, scope_paths
from dangjian.core.registry import (
    DashboardPanel,
    MenuItem,
    OrganizationData,
    OrganizationLink,
    ToDo,
    TrackedModel,
    UsageMetric,
    period_bounds,
    register,
)
from dangjian.organizations.models import Organization

from . import queries
from .models import Member


def member_count(organization) -> int:
    return Member.objects.filter(organization=organization).count()


def merge_members(source, target) -> None:
    """On a merge (撤并) the merged branch's members are the survivor's (their party groups move with the tree)."""
    Member.objects.filter(organization=source).update(organization=target)


def _manages_members(request) -> bool:
    user = request.user
    return bool(user.is_superuser and user.is_active) or bool(scope_paths(user, MANAGE_MEMBERS))


def _organization_link_visible(user, organization) -> bool:
    return organization.kind != Organization.Kind.GROUP and has_capability(user, MANAGE_MEMBERS, organization)


def on_roll_at_end(organization, start: datetime.date, end: datetime.date) -> int:
    """Members on the roll at the end of the period ([start, end), as every metric) in the subtree, by their present
    branch: registered before the end, and on the roll still or until a status change on or after the end."""
    _since, until = period_bounds(start, end)
    bounds = organization.subtree_range()
    return (
        Member.objects.filter(
            organization__path__gte=bounds["gte"], organization__path__lt=bounds["lt"], created_at__lt=until
        )
        .filter(Q(status=Member.Status.ACTIVE) | Q(status_changed_on__gte=end))
        .count()
    )


def _incoming_count(request) -> int | None:
    if not scope_paths(request.user, MANAGE_MEMBERS):
        return None
    return queries.incoming_todo(request.user).count()


def _probation_count(request) -> int | None:
    if not scope_paths(request.user, MANAGE_MEMBERS):
        return None
    return queries.probation_todo(request.user).count()


def may_import_roster(user, organization) -> bool:
    return (
        organization.kind != organization.Kind.GROUP
        and not organization.is_closed
        and has_capability(user, MANAGE_MEMBERS, organization)
    )


def register_entries() -> None:
    register(
        MenuItem("members", _("Party members"), "console:members_home", order=30, visible=_manages_members),
        ToDo(
            "members.incoming",
            lambda n: (
                ngettext(
                    "%(n)s member transferring in waits for your confirmation",
                    "%(n)s members transferring in wait for your confirmation",
                    n,
                )
                % {"n": n}
            ),
            _incoming_count,
            "console:members_home",
            "todo=incoming",
            order=40,
        ),
        ToDo(
            "members.probation",
            lambda n: (
                ngettext(
                    "%(n)s probationary member's probation ends soon",
                    "%(n)s probationary members' probation ends soon",
                    n,
                )
                % {"n": n}
            ),
            _probation_count,
            "console:members_home",
            "todo=probation",
            order=41,
        ),
        OrganizationLink(
            "members",
            _("Party members"),
            "console:members",
            _organization_link_visible,
            30,
            count=queries.on_roll_count,
        ),
        UsageMetric("members.on_roll", _("Party members on the roll"), on_roll_at_end, order=50),
        TrackedModel("membertransfer", "members", MANAGE_MEMBERS),
        TrackedModel("member", "members", MANAGE_MEMBERS),
        OrganizationData("members.members", _("Party members"), member_count, merge_members, order=50),
        OrganizationLink(
            "roster_import", _("Import the party member roster"), "console:roster_import", may_import_roster, 56
        ),
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
            _organization_link_visible,
            order=46,
            secondary=True,
        ),
    )
