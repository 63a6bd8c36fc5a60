"""The notifications the supervision module sends (registered from SupervisionConfig.ready()).

Console only, never e-mailed, and never report content: the texts name at most the unit, the people
concerned by a role change and a report's state; they link to the supervision inbox or the officers page.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import SUPERVISION_HEAD, SUPERVISION_OFFICER, holders
from dangjian.notifications.api import notify
from dangjian.notifications.kinds import Kind, register
from dangjian.organizations.models import Organization

from .models import OfficerChange, State

NEW_REPORT = "supervision.new_report"
PASSED_OVER = "supervision.passed_over"
REPORTER_MESSAGE = "supervision.reporter_message"
OBJECTION = "supervision.objection"
OVERDUE = "supervision.overdue"
PURGE_WARNING = "supervision.purge_warning"
OFFICER_PROPOSED = "supervision.officer_proposed"
OFFICER_DECLINED = "supervision.officer_declined"
OFFICER_GRANTED = "supervision.officer_granted"
OFFICER_REVOKED = "supervision.officer_revoked"
YOU_ARE_REVOKED = "supervision.you_are_revoked"
KEYS_CREATED = "supervision.keys_created"


def _inbox(row) -> str:
    return reverse("console:supervision_inbox")


def _officers(row) -> str | None:
    return reverse("console:supervision_officers", args=[row.organization_id]) if row.organization_id else None


def _state(params):
    return {**params, "state": State(params["state"]).label}


def _change(params):
    return {**params, "change": OfficerChange.Kind(params["change"]).label}


KINDS = [
    Kind(NEW_REPORT, _("A new supervision report arrived (no content is shown here)."), link=_inbox),
    Kind(
        PASSED_OVER,
        _(
            "A new supervision report came to your unit rather than the unit below, because the person "
            "reported is or may be a discipline officer there; the report page says which unit and why."
        ),
        link=_inbox,
    ),
    Kind(REPORTER_MESSAGE, _("A reporter sent a message on a supervision report."), link=_inbox),
    Kind(OBJECTION, _("A reporter recorded an objection to a result."), link=_inbox),
    Kind(OVERDUE, _("A supervision report of %(unit)s is overdue (%(state)s)."), link=_inbox, display=_state),
    Kind(
        PURGE_WARNING,
        _("A closed supervision report will be deleted in 30 days (retention %(years)s years)."),
        link=_inbox,
    ),
    Kind(
        OFFICER_PROPOSED,
        _("%(actor)s asks to %(change)s: %(user)s, %(unit)s. An officer of the unit above must confirm it."),
        link=_officers,
        display=_change,
    ),
    Kind(
        OFFICER_DECLINED,
        _("%(actor)s declined the request to %(change)s: %(user)s, %(unit)s."),
        link=_officers,
        display=_change,
    ),
    Kind(OFFICER_GRANTED, _("%(user)s was made a discipline officer of %(unit)s by %(actor)s."), link=_officers),
    Kind(
        OFFICER_REVOKED,
        _("%(user)s is no longer a discipline officer of %(unit)s (revoked by %(actor)s)."),
        link=_officers,
    ),
    Kind(
        YOU_ARE_REVOKED,
        _(
            "You are no longer a discipline officer of %(unit)s (revoked by %(actor)s); you can no longer "
            "open its reports."
        ),
    ),
    Kind(
        KEYS_CREATED,
        _("%(user)s made the report keys of %(unit)s; reports to the unit can now be read there."),
        link=_officers,
    ),
]


def register_kinds() -> None:
    for kind in KINDS:
        register(kind)


def notify_unit(unit: Organization, kind: str, /, include_head: bool = False, **params) -> None:
    """Tell the unit's discipline officers (and, with `include_head`, its head) that something needs attention:
    a kind of this module, console only, each person once, never report content."""
    users = list(holders(unit, SUPERVISION_OFFICER))
    if include_head:
        users += list(holders(unit, SUPERVISION_HEAD))
    notify(users, kind, organization=unit, **params)
