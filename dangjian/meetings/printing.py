"""The minutes on paper: the A4 page in the usual 会议记录 layout, and the same page as a PDF (WeasyPrint)."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from dangjian.members.models import Member

from .models import Attendee, Meeting, Minutes

STYLESHEET = "meetings/minutes_print.css"


def minutes_context(meeting: Meeting, minutes: Minutes | None) -> dict:
    attendees = list(meeting.attendees.select_related("member").order_by("member__name", "pk"))
    # Absent: those recorded as not attending (once attendance is ticked), and those on leave with their reason.
    absent = [a for a in attendees if a.attended is False or (a.answer == Attendee.Answer.LEAVE and not a.attended)]
    return {
        "meeting": meeting,
        "minutes": minutes,
        **signature(meeting, minutes),
        "expected": len(attendees),
        "present": [a for a in attendees if a.attended],
        "absent": absent,
        "leave": Attendee.Answer.LEAVE,
    }


def signer_name(user) -> str:
    """The signer's real name (or the name of the member the account belongs to); "" when unknown."""
    if user is None:
        return ""
    if user.full_name:
        return user.full_name
    member = Member.objects.filter(user=user).only("name").first()
    return member.name if member else ""


def signature(meeting: Meeting, minutes: Minutes | None) -> dict:
    """Who signed the minutes off, as the meeting's page and the printed minutes both say it: the signer's name
    ("" when unknown: demo minutes, a deleted account) and whether they signed for the host (not the host's
    own account)."""
    signer = minutes.signed_off_by if minutes is not None and minutes.is_signed_off else None
    for_host = bool(signer and meeting.host_id and meeting.host and meeting.host.user_id != signer.pk)
    return {"signer_name": signer_name(signer), "signed_for_host": for_host}


def pdf_bytes(request, meeting: Meeting, minutes: Minutes | None) -> bytes:
    """The print page rendered by WeasyPrint with the Chinese font the server has (WenQuanYi Micro Hei); nothing
    is fetched over the network."""
    from weasyprint import CSS, HTML

    html = render_to_string("meetings/minutes_print.html", {**minutes_context(meeting, minutes), "pdf": True}, request)
    stylesheet = finders.find(STYLESHEET)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf(stylesheets=[CSS(filename=stylesheet)])


def _no_fetch(url, *args, **kwargs):
    raise ValueError("The minutes' PDF loads nothing from outside.")
