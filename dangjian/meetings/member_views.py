"""A member's own meeting pages: 我的会议, checking in with the meeting's QR code, the personal calendar feed."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core.history import ActionError
from dangjian.members.shell import member_view

from . import actions, calendar
from .models import Attendee, CalendarFeed, Meeting
from .queries import meetings_of_member

PAST_SHOWN = 30
FEED_TOUCH = datetime.timedelta(hours=1)


def _with_answers(meetings, member):
    answers = {a.meeting_id: a for a in Attendee.objects.filter(member=member, meeting__in=[m.pk for m in meetings])}
    for meeting in meetings:
        meeting.mine = answers.get(meeting.pk)
    return meetings


@member_view
def my_meetings(request):
    member = request.member
    now = timezone.now()
    mine = meetings_of_member(member)
    upcoming = list(mine.filter(starts_at__gte=now - datetime.timedelta(hours=3)).order_by("starts_at", "pk"))
    past = list(mine.filter(starts_at__lt=now - datetime.timedelta(hours=3)).order_by("-starts_at", "-pk")[:PAST_SHOWN])
    feed = CalendarFeed.objects.filter(member=member, revoked_at__isnull=True).first()
    return render(
        request,
        "meetings/my_meetings.html",
        {
            "upcoming": _with_answers(upcoming, member),
            "past": _with_answers(past, member),
            "feed": feed,
            "states": Meeting.State,
        },
    )


@require_POST
@member_view
def my_calendar(request):
    """Make a new calendar address (shown on this answer only) or stop the current one."""
    if request.POST.get("do") == "revoke":
        actions.revoke_calendar_feed(request.user)
        return render(request, "meetings/calendar_feed.html", {"revoked": True})
    token = actions.create_calendar_feed(request.user)
    url = request.build_absolute_uri(reverse("meetings:calendar_feed", args=[token]))
    return render(request, "meetings/calendar_feed.html", {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]})


@member_view
def check_in(request, token: str):
    """The page the meeting's QR code opens on a member's phone: one button to check in."""
    meeting = Meeting.objects.select_related("organization").filter(check_in_token=token).first()
    if meeting is None:
        raise Http404
    attendee = Attendee.objects.filter(meeting=meeting, member=request.member).first()
    context = {"meeting": meeting if attendee else None, "attendee": attendee, "error": "", "done": False}
    status = 200
    if attendee is None:
        context["error"] = actions.check_in_refusal()
        status = 403
    elif request.method == "POST":
        try:
            context["attendee"] = actions.check_in(request.user, token)
            context["done"] = True
        except ActionError as error:
            context["error"] = str(error)
            status = 400
    return render(request, "meetings/check_in.html", context, status=status)


def calendar_feed(request, token: str):
    """The member's meetings as text/calendar at a secret address; a revoked or unknown address is 404."""
    feed = (
        CalendarFeed.objects.select_related("member")
        .filter(token_hash=actions.feed_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.member.is_active:
        raise Http404
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > FEED_TOUCH:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    body = calendar.feed(feed.member, lambda m: request.build_absolute_uri(reverse("console:meeting", args=[m.pk])))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
