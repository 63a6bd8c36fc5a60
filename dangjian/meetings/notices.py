"""The notifications the meetings module sends (registered from MeetingsConfig.ready()).

Each kind's text is rendered when read, in the reader's language, from the params passed to
notifications.api.notify(). Never a person's attendance, only what a branch must do.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.notifications.kinds import CONSOLE, MAIL, Kind, register

BOTH = (CONSOLE, MAIL)
KINDS: list[Kind] = []


def register_kinds() -> None:
    for kind in [*KINDS, *COMPLIANCE_KINDS]:
        register(kind)


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
