"""The notifications the meeting office sends to attendees with an account (registered from MeetingsConfig.ready()).

A notice says only what the meeting is (its kind, topic, time and place), never who else attends or why anyone
asked for leave. Shown in the console and e-mailed; each links to the meeting's page.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.notifications.kinds import CONSOLE, MAIL, Kind, register, register_target_link

from .models import Meeting

BOTH = (CONSOLE, MAIL)
HINT = _("Sign in to answer: confirm that you will attend, or ask for leave.")

PLANNED = "meetings.planned"
CHANGED = "meetings.changed"
CANCELLED = "meetings.cancelled"


def params(meeting: Meeting) -> dict:
    """What every notice of a meeting says (JSON values; the kind is shown in the reader's language)."""
    return {
        "what": meeting.kind,
        "topic": meeting.topic,
        "start": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
        "place": meeting.place or meeting.online_link,
    }


def _display(values):
    try:
        what = Meeting.Kind(values.get("what")).label
    except ValueError:
        what = values.get("what", "")
    return {**values, "what": what}


KINDS = [
    Kind(
        PLANNED,
        _("Meeting notice: %(what)s “%(topic)s”, %(start)s, %(place)s."),
        channels=BOTH,
        display=_display,
        mail_hint=HINT,
    ),
    Kind(
        CHANGED,
        _("Meeting changed: %(what)s “%(topic)s”, now %(start)s, %(place)s."),
        channels=BOTH,
        display=_display,
        mail_hint=HINT,
    ),
    Kind(
        CANCELLED,
        _("Meeting cancelled: %(what)s “%(topic)s” of %(start)s. Reason: %(reason)s"),
        channels=BOTH,
        display=_display,
        mail_hint=_("Sign in to the console to see your meetings."),
    ),
]


def register_kinds() -> None:
    for kind in [*KINDS, *COMPLIANCE_KINDS]:
        register(kind)
    register_target_link("meetings.meeting", lambda pk: reverse("console:meeting", args=[pk]))


# --- Compliance reminders (compliance.py, clock.py) ---------------------------------------------

# A required meeting of the current period is still missing a few days before the period ends.
REQUIRED_MISSING = "meetings.required_missing"


def _required_missing(params):
    from .compliance import Period, kind_label

    meeting = kind_label(params["meeting_kind"])
    if params.get("group"):
        meeting = _("%(kind)s (%(group)s)") % {"kind": meeting, "group": params["group"]}
    period = Period(params["frequency"], int(params["year"]), int(params["index"]))
    return {**params, "meeting": meeting, "period": period.label}


def _compliance_link(row) -> str | None:
    organization_id = getattr(row, "organization_id", None)
    return reverse("console:meetings_compliance", args=[organization_id]) if organization_id else None


COMPLIANCE_KINDS = [
    Kind(
        REQUIRED_MISSING,
        _("%(branch)s: the %(meeting)s of %(period)s has not been held yet; the period ends on %(deadline)s."),
        link=_compliance_link,
        channels=BOTH,
        display=_required_missing,
        mail_hint=_("Sign in to the console to plan the meeting."),
    ),
]
