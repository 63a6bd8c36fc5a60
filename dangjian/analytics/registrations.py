"""What the usage summaries add to the shared pages (core.registry)."""

from django.utils.translation import pgettext_lazy

from dangjian.accounts.permissions import VIEW_SUMMARIES, has_capability
from dangjian.core.registry import MenuItem, OrganizationLink, PathColumn, register

from . import report_entries


def register_entries() -> None:
    from .summary_views import may_view_summaries

    register(
        PathColumn("analytics.figure.path", "analytics.Figure", "path"),
        PathColumn("analytics.lastchange.path", "analytics.LastChange", "path"),
        MenuItem(
            "summaries",
            pgettext_lazy("console menu", "Usage summaries"),
            "console:summaries",
            order=90,
            visible=may_view_summaries,
        ),
        OrganizationLink(
            "analytics.summary",
            pgettext_lazy("organization page", "Usage summary"),
            "console:summary",
            visible=lambda user, organization: (
                not organization.is_closed and has_capability(user, VIEW_SUMMARIES, organization)
            ),
            order=95,
        ),
    )
    report_entries.register_entries()
