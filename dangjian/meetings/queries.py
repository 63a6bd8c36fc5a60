"""Reads of meetings, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404

from dangjian.accounts.permissions import MANAGE_MEETINGS, has_capability
from dangjian.members.queries import member_for_user

from .models import Meeting


def with_answer_counts(queryset):
    return queryset.annotate(
        invited=Count("attendees", distinct=True),
        confirmed=Count("attendees", filter=Q(attendees__answer="confirmed"), distinct=True),
        on_leave=Count("attendees", filter=Q(attendees__answer="leave"), distinct=True),
        present=Count("attendees", filter=Q(attendees__attended=True), distinct=True),
    )


def get_meeting_for_user(user, pk: int) -> Meeting:
    """A meeting for those who plan the branch's meetings (MANAGE_MEETINGS on it) and for the members on its list
    (attendees, its host and recorder); 404 for everyone else, so that nobody learns that it exists."""
    meeting = (
        Meeting.objects.select_related("organization", "party_group", "host", "recorder", "created_by")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    if has_capability(user, MANAGE_MEETINGS, meeting.organization):
        return meeting
    member = member_for_user(user)
    if member is not None and (
        member.pk in (meeting.host_id, meeting.recorder_id) or meeting.attendees.filter(member=member).exists()
    ):
        return meeting
    raise Http404


def meetings_of_member(member):
    """The meetings a member is on the list of (as attendee, host or recorder)."""
    return Meeting.objects.filter(attendees__member=member).select_related("organization").distinct()
