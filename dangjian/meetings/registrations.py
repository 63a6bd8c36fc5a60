"""What the meetings module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import MANAGE_MEETINGS, has_capability, scope_paths
from dangjian.core.registry import (
    DashboardPanel,
    MenuItem,
    OrganizationData,
    OrganizationLink,
    TrackedModel,
    register,
)
from dangjian.members.queries import member_for_user
from dangjian.organizations.models import Organization

from . import compliance_entries
from .models import Attendee, Meeting

MY_NEXT_SHOWN = 3


def meeting_count(organization) -> int:
    return Meeting.objects.filter(organization=organization).count()


def merge_meetings(source, target) -> None:
    """On a merge the merged branch's meetings (with their minutes) are kept as the survivor's history."""
    Meeting.objects.filter(organization=source).update(organization=target)


# --- The meeting office ------------------------------------------------------------------------------------


def _plans_meetings(request) -> bool:
    user = request.user
    return bool(getattr(user, "is_superuser", False) and user.is_active) or bool(scope_paths(user, MANAGE_MEETINGS))


def _is_member(request) -> bool:
    return member_for_user(request.user) is not None


def may_plan(user, organization) -> bool:
    return organization.kind != Organization.Kind.GROUP and has_capability(user, MANAGE_MEETINGS, organization)


def my_meetings_panel(request) -> dict | None:
    """On a member's console home: their next meetings and the invitations they have not answered."""
    member = member_for_user(request.user)
    if member is None:
        return None
    now = timezone.now()
    mine = Attendee.objects.filter(
        member=member, meeting__state=Meeting.State.PLANNED, meeting__starts_at__gte=now - datetime.timedelta(hours=3)
    ).select_related("meeting")
    upcoming = list(mine.order_by("meeting__starts_at", "pk")[:MY_NEXT_SHOWN])
    unanswered = mine.filter(answer=Attendee.Answer.PENDING, meeting__starts_at__gt=now).count()
    # The host's minutes waiting for the sign-off (a draft of a held meeting).
    to_sign = list(
        Meeting.objects.filter(
            host=member, state=Meeting.State.HELD, minutes_versions__signed_off_at__isnull=True
        ).distinct()[:MY_NEXT_SHOWN]
    )
    return {"upcoming": upcoming, "unanswered": unanswered, "to_sign": to_sign}


def register_entries() -> None:
    register(
        TrackedModel("meeting", "meetings", MANAGE_MEETINGS),
        OrganizationData("meetings.meetings", _("Meetings"), meeting_count, merge_meetings, order=55),
        MenuItem("meeting_office", _("Organizational life"), "console:meetings", order=40, visible=_plans_meetings),
        MenuItem("my_meetings", _("My meetings"), "console:my_meetings", order=6, visible=_is_member),
        OrganizationLink(
            "meeting_office", _("Organizational life"), "console:meeting_list", may_plan, order=35, count=meeting_count
        ),
        DashboardPanel("my_meetings", "meetings/_my_meetings_panel.html", my_meetings_panel, order=5, everyone=True),
        *compliance_entries.ENTRIES,
    )
