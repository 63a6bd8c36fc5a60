"""What the columns area adds to the shared pages (menu, to-do lines, panels, portal sections and blocks,
usage metrics, tracked models): called from registrations.register_entries()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import MANAGE_COLUMNS, has_capability
from dangjian.core import registry
from dangjian.core.registry import OrganizationLink, PortalBlock, PortalSection, TrackedModel

PORTAL_NEWS_COUNT = 6


def news_block(organization) -> dict:
    from . import portal_queries, portal_views

    articles = portal_queries.portal_articles(organization)[:PORTAL_NEWS_COUNT]
    return {"news": portal_views.items(articles, organization)}


def may_manage_columns(user, organization) -> bool:
    return organization.closed_at is None and has_capability(user, MANAGE_COLUMNS, organization)


def register() -> None:
    registry.register(
        PortalSection("news", _("News"), "publishing:news", order=25),
        PortalBlock("news", "publishing/portal/_portal_news.html", news_block, order=25),
        OrganizationLink(
            "columns",
            _("Columns and their updates"),
            "console:column_list",
            may_manage_columns,
            order=25,
            count=lambda o: o.columns.filter(archived_at__isnull=True).count(),
        ),
        TrackedModel("column", "publishing", MANAGE_COLUMNS),
    )
