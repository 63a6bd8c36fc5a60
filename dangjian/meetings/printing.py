"""The minutes on paper: the A4 page in the usual 会议记录 layout, and the same page as a PDF (WeasyPrint)."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from .models import Attendee, Meeting, Minutes

STYLESHEET = "meetings/minutes_print.css"


def minutes_context(meeting: Meeting, minutes: Minutes | None) -> dict:
    attendees = list(meeting.attendees.select_related("member").order_by("member__name", "pk"))
    absent = [a for a in attendees if a.attended is not True]
    return {
        "meeting": meeting,
        "minutes": minutes,
        "expected": len(attendees),
        "present": [a for a in attendees if a.attended],
        "absent": absent,
        "leave": Attendee.Answer.LEAVE,
    }


def pdf_bytes(request, meeting: Meeting, minutes: Minutes | None) -> bytes:
    """The print page rendered by WeasyPrint with the Chinese font the server has (WenQuanYi Micro Hei); nothing
    is fetched over the network."""
    from weasyprint import CSS, HTML

    html = render_to_string("meetings/minutes_print.html", {**minutes_context(meeting, minutes), "pdf": True}, request)
    stylesheet = finders.find(STYLESHEET)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf(stylesheets=[CSS(filename=stylesheet)])


def _no_fetch(url, *args, **kwargs):
    raise ValueError("The minutes' PDF loads nothing from outside.")
