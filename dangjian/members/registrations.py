"""What the members module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

import datetime

from django.db.models import Case, DateField, DateTimeField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from dangjian.accounts.permissions import MANAGE_MEMBERS, has_capability, scope_paths
from dangjian.core.registry import (
    Counted,
    DashboardPanel,
    MenuItem,
    OrganizationData,
    OrganizationLink,
    ToDo,
    TrackedModel,
    UsageMetric,
    UsageRate,
    period_bounds,
    register,
)
from dangjian.organizations.models import Organization

from . import queries
from .models import Invitation, Member


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


def on_roll_rows():
    """Every member with the day they left the roll (`left_on`; none while on it): a member who is not on the roll
    and has no date of the change left it the day they were registered (so never counted)."""
    return Member.objects.annotate(
        left_on=Case(
            When(status=Member.Status.ACTIVE, then=Value(None, output_field=DateField())),
            default=Coalesce(F("status_changed_on"), TruncDate("created_at")),
            output_field=DateField(),
        )
    )


def with_account_rows():
    """Members with an account, from the day it was linked: the invitation they used (or, for an account linked
    otherwise, the day the account was made), never before the member was registered."""
    used = (
        Invitation.objects.filter(member=OuterRef("pk"), used_at__isnull=False).order_by("-used_at").values("used_at")
    )
    linked = Coalesce(Subquery(used[:1]), F("user__date_joined"))
    return (
        on_roll_rows()
        .filter(user__isnull=False)
        .annotate(linked_at=Greatest(linked, F("created_at"), output_field=DateTimeField()))
    )


def _alive_at_end(rows, organization, end: datetime.date, since_field: str):
    from django.utils import timezone

    last = min(end - datetime.timedelta(days=1), timezone.localdate())
    _since, next_midnight = period_bounds(last, last + datetime.timedelta(days=1))
    bounds = organization.subtree_range()
    return (
        rows.filter(organization__path__gte=bounds["gte"], organization__path__lt=bounds["lt"])
        .filter(**{f"{since_field}__lt": next_midnight})
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=last))
    )


def on_roll_at_end(organization, start: datetime.date, end: datetime.date) -> int:
    """Members on the roll on the period's last day (today while it runs) in the subtree, by their present branch:
    registered on or before that day, and on the roll still or until a status change after it."""
    return _alive_at_end(on_roll_rows(), organization, end, "created_at").count()


def with_account_at_end(organization, start: datetime.date, end: datetime.date) -> int:
    """Of those, the members whose account was linked on or before that day."""
    return _alive_at_end(with_account_rows(), organization, end, "linked_at").count()


def _member_label(member: Member) -> str:
    return member.name  # as the branch's member list shows it, to those who manage members


def _member_link(member: Member) -> str:
    return reverse("console:member", args=[member.pk])


ON_ROLL = Counted(
    rows=on_roll_rows,
    organization="organization",
    date="created_at",
    until="left_on",
    moves=True,
    capability=MANAGE_MEMBERS,
    label=_member_label,
    link=_member_link,
)
WITH_ACCOUNT = Counted(
    rows=with_account_rows,
    organization="organization",
    date="linked_at",
    until="left_on",
    moves=True,
    watch=(("members.Invitation", "member__organization"),),
    capability=MANAGE_MEMBERS,
    label=_member_label,
    link=_member_link,
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
        UsageMetric(
            "members.on_roll",
            _("Party members on the roll"),
            on_roll_at_end,
            order=50,
            counted=ON_ROLL,
            group="reach",
            definition=_(
                "Party members on the roll of the subtree's branches on the period's last day (today while the period "
                "runs), counted at their present branch; members transferred out, suspended or deceased leave the "
                "roll on the day recorded."
            ),
        ),
        UsageMetric(
            "members.with_account",
            _("Party members with an account"),
            with_account_at_end,
            order=51,
            counted=WITH_ACCOUNT,
            group="reach",
            definition=_(
                "Of the party members on the roll on the period's last day (today while it runs), those whose "
                "platform account was linked to their record on or before that day."
            ),
        ),
        UsageRate(
            "members.with_account_rate",
            _("Party members with an account, of those on the roll"),
            "members.with_account",
            "members.on_roll",
            group="reach",
            definition=_("Members with an account divided by the members on the roll, on the period's last day."),
            order=51,
        ),
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
