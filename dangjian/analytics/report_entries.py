"""What the usage reports add to the shared pages: the link on an organization's console page, the notification
kind, and the reports as data of their organization (they stay with it when it is merged: each describes that
subtree as it was)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import VIEW_SUMMARIES, has_capability
from dangjian.core.registry import OrganizationData, OrganizationLink, register

from . import report_notices


def _reports_count(organization) -> int:
    from .models import SummaryReport

    return SummaryReport.objects.filter(organization=organization).count()


def register_entries() -> None:
    report_notices.register_kinds()
    register(
        OrganizationLink(
            "summary_reports",
            _("Usage reports"),
            "console:summary_reports",
            lambda user, organization: has_capability(user, VIEW_SUMMARIES, organization),
            order=90,
            secondary=True,
        ),
        OrganizationData("analytics.summary_reports", _("Usage reports"), _reports_count, None, order=200),
    )
