"""What the supervision module adds to the shared pages (core/registry.py).

Its usage metric is a count only: nothing of a report's content leaves the module.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import READ_SUPERVISION_AUDIT, SUPERVISION_OFFICER, has_capability, holds_any
from dangjian.core.registry import (
    MenuItem,
    OrganizationData,
    OrganizationLink,
    PortalSection,
    ToDo,
    UsageMetric,
    register,
)

from . import keys, reader
from .models import Report


def _is_officer(request) -> bool:
    return request.user.is_authenticated and holds_any(request.user, SUPERVISION_OFFICER)


def _unlocked(request) -> bytes | None:
    """The officer's report key, only once they gave this session's one-time code (the inbox's own rule)."""
    verified = getattr(request.user, "is_verified", None)
    if not (callable(verified) and verified()):
        return None
    return keys.private_key_from_session(request)


def _locked(request):
    """An officer who has not given the one-time code (or whose key is locked) sees no number, only the way in."""
    if _is_officer(request) and _unlocked(request) is None:
        return _("Supervision reports: enter your one-time code to see what is new.")
    return None


def _counter(todo: str):
    def count(request) -> int | None:
        if not _is_officer(request):
            return None
        private = _unlocked(request)
        return reader.todo_count(request.user, private, todo) if private is not None else None

    return count


def may_read_audit(user, organization) -> bool:
    return has_capability(user, READ_SUPERVISION_AUDIT, organization) and organization.supervision_keys.exists()


def reports_received(organization, start, end) -> int:
    """Reports received by the discipline units of the subtree over the period (a count, nothing else)."""
    return Report.objects.filter(
        receiving_unit__path__startswith=organization.path, received_on__gte=start, received_on__lt=end
    ).count()


def reports_held(organization) -> int:
    return Report.objects.filter(receiving_unit=organization).count()


def register_entries() -> None:
    register(
        MenuItem("supervision", _("Supervision reports"), "console:supervision_inbox", order=30, visible=_is_officer),
        ToDo(
            "supervision.new",
            lambda n: ngettext("You have %(n)s new report", "You have %(n)s new reports", n) % {"n": n},
            _counter("new"),
            "console:supervision_inbox",
            "todo=new",
            order=30,
            locked=_locked,
        ),
        ToDo(
            "supervision.handle",
            lambda n: (
                ngettext("You have %(n)s report being handled", "You have %(n)s reports being handled", n) % {"n": n}
            ),
            _counter("handle"),
            "console:supervision_inbox",
            "todo=handle",
            order=31,
        ),
        PortalSection("supervision", _("Supervision reports"), "supervision:intro", order=50),
        OrganizationLink(
            "supervision_audit", _("Audit trail"), "console:supervision_audit", may_read_audit, order=60, secondary=True
        ),
        UsageMetric("supervision.reports_received", _("Reports received"), reports_received, order=40),
        # A report is sealed to the keys of the unit that received it and of the units above, and its trail is
        # that unit's: on a merge it stays with the closed unit, and the officers above go on handling it.
        OrganizationData(
            "supervision.reports",
            _("Supervision reports received (they stay; the discipline officers above go on handling them)"),
            reports_held,
            None,
            order=90,
        ),
    )
