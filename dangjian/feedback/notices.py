"""The notifications the feedback module sends (registered from FeedbackConfig.ready()).

Each kind's text is rendered when read, in the reader's language, from the params that actions.py and
clock.py pass to notifications.api.notify(). All are shown in the console and e-mailed, except a reply
sent back, which is shown in the console only. Each links to its case.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.notifications.kinds import CONSOLE, MAIL, Kind, register, register_target_link

from .models import Extension, Rating

BOTH = (CONSOLE, MAIL)
CASE_HINT = _("Sign in to the console to see the case.")

NEW = "feedback.new"
REDO = "feedback.redo"
RATED = "feedback.rated"
DISPATCHED = "feedback.dispatched"
ASSIST = "feedback.assist"
RETURNED = "feedback.returned"
APPROVAL = "feedback.approval"
SENT_BACK = "feedback.sent_back"
EXTENSION_ASKED = "feedback.extension_asked"
EXTENSION_DECIDED = "feedback.extension_decided"
OVERDUE = "feedback.overdue"


def _rating(params):
    return {**params, "rating": Rating(params["rating"]).label}


def _decision(params):
    return {**params, "decision": Extension.Decision(params["decision"]).label}


KINDS = [
    Kind(NEW, _("New case %(number)s at %(place)s: %(title)s"), channels=BOTH, mail_hint=CASE_HINT),
    Kind(REDO, _("Case %(number)s was rated “not satisfied” and must be redone."), channels=BOTH, mail_hint=CASE_HINT),
    Kind(RATED, _("Case %(number)s was rated: %(rating)s"), channels=BOTH, display=_rating, mail_hint=CASE_HINT),
    Kind(DISPATCHED, _("Case %(number)s was dispatched to you: %(title)s"), channels=BOTH, mail_hint=CASE_HINT),
    Kind(ASSIST, _("Please assist with case %(number)s: %(title)s"), channels=BOTH, mail_hint=CASE_HINT),
    Kind(RETURNED, _("Case %(number)s was returned by %(org)s: %(reason)s"), channels=BOTH, mail_hint=CASE_HINT),
    Kind(APPROVAL, _("The reply to case %(number)s awaits your approval."), channels=BOTH, mail_hint=CASE_HINT),
    Kind(SENT_BACK, _("Your reply to case %(number)s was sent back: %(reason)s"), channels=(CONSOLE,)),
    Kind(
        EXTENSION_ASKED,
        _("%(org)s asks %(days)s more working days for case %(number)s."),
        channels=BOTH,
        mail_hint=CASE_HINT,
    ),
    Kind(
        EXTENSION_DECIDED,
        _("Extension for case %(number)s: %(decision)s"),
        channels=BOTH,
        display=_decision,
        mail_hint=CASE_HINT,
    ),
    Kind(
        OVERDUE, _("Case %(number)s at %(org)s is overdue (deadline %(deadline)s)."), channels=BOTH, mail_hint=CASE_HINT
    ),
]


def register_kinds() -> None:
    for kind in KINDS:
        register(kind)
    register_target_link("feedback.case", lambda pk: reverse("console:feedback_case", args=[pk]))
