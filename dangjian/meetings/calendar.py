"""A member's personal calendar feed (ICS): their meetings, nobody else's data."""

from __future__ import annotations

import datetime

from django.utils import timezone
from icalendar import Calendar, Event

from .models import Meeting

PAST_DAYS = 365
DEFAULT_LENGTH = datetime.timedelta(hours=2)
UID_DOMAIN = "meetings.dangjian"  # stable across host names, so a calendar keeps each meeting once


def summary(meeting: Meeting) -> str:
    """The event's title: the kind and the topic, the kind once when the topic already starts with it."""
    kind = str(meeting.get_kind_display())
    return meeting.topic if meeting.topic.startswith(kind) else f"{kind}：{meeting.topic}"


def feed(member, link) -> bytes:
    """The member's meetings of the last year and to come; a cancelled one stays with STATUS:CANCELLED so that
    the phone's calendar removes it. `link(meeting)` is the absolute URL of the meeting's page."""
    since = timezone.now() - datetime.timedelta(days=PAST_DAYS)
    meetings = (
        Meeting.objects.filter(attendees__member=member, starts_at__gte=since)
        .select_related("organization")
        .order_by("starts_at", "pk")
        .distinct()
    )
    calendar = Calendar()
    calendar.add("prodid", "-//dangjian//meetings//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "组织生活")
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{UID_DOMAIN}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH)
        event.add("summary", summary(meeting))
        if meeting.place:
            event.add("location", meeting.place)
        description = [meeting.organization.short_name or meeting.organization.name]
        if meeting.online_link:
            description.append(meeting.online_link)
        description.append(link(meeting))
        event.add("description", "\n".join(description))
        event.add("url", link(meeting))
        event.add("sequence", meeting.version)
        event.add("status", "CANCELLED" if meeting.state == Meeting.State.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
