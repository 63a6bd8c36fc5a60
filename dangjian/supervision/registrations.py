"""What the supervision module adds to the shared pages (core/registry.py).

Its usage metric is a count only: nothing of a report's content leaves the module.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import READ_SUPERVISION_AUDIT, SUPERVISION_OFFICER, has_capability, holds_any
from dangjian.core.registry import (
    MenuItem,
    OrganizationData,
    OrganizationLink,
    PortalSection,
    UsageMetric,
    register,
)

from .models import Report


def _is_officer(request) -> bool:
    return request.user.is_authenticated and holds_any(request.user, SUPERVISION_OFFICER)


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
