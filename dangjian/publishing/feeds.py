"""RSS 2.0 and Atom feeds of a portal's news, per organization and per column (feedgen).

The items are those the portal shows (its own, pushed down from above, adopted from below), with absolute links
(settings.SITE_URL, else the request's host), dates in Asia/Shanghai and the summary. Cached like the pages.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from feedgen.feed import FeedGenerator

from dangjian.core.cache import public_page
from dangjian.organizations.models import Organization
from dangjian.organizations.portal import portal_context

from . import portal_queries
from .models import Article, Column

FEED_ITEMS = 30
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CONTENT_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}


def site_origin(request) -> str:
    """scheme://host for the feeds' links: the configured SITE_URL, or the request's own host."""
    if settings.SITE_URL:
        return settings.SITE_URL
    return f"{request.scheme}://{request.get_host()}"


def _summary(article: Article, organization: Organization) -> str:
    text = article.summary or article.body_text[:200]
    if article.organization_id != organization.pk:
        text = _("Source: %(name)s. %(text)s") % {"name": article.organization.name, "text": text}
    return text


def build_feed(request, organization: Organization, kind: str, column: Column | None = None) -> bytes:
    origin = site_origin(request)
    articles = list(
        (
            portal_queries.column_articles(column, organization)
            if column
            else portal_queries.portal_articles(organization)
        )[:FEED_ITEMS]
    )
    title = f"{organization.name} · {column.title}" if column else f"{organization.name} · {_('News')}"
    page = (
        reverse("publishing:column", args=[organization.pk, column.pk])
        if column
        else reverse("publishing:news", args=[organization.pk])
    )
    suffix = "" if column is None else "_column"
    self_url = origin + reverse(
        f"publishing:feed{suffix}_{kind}", args=[organization.pk, *([column.pk] if column else [])]
    )
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(title)
    feed.link(href=origin + page, rel="alternate")
    feed.link(href=self_url, rel="self")
    feed.description(
        _("News published on the portal of %(name)s.") % {"name": organization.name}
        if column is None
        else (column.description or _("News published on the portal of %(name)s.") % {"name": organization.name})
    )
    feed.language("zh-CN")
    if articles and articles[0].published_at is not None:
        feed.updated(articles[0].published_at.astimezone(SHANGHAI))
    # feedgen lists entries newest-first when they are added oldest-first.
    for article in reversed(articles):
        url = origin + reverse("publishing:article", args=[organization.pk, article.pk])
        entry = feed.add_entry()
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(article.title)
        entry.link(href=url)
        entry.description(_summary(article, organization))
        published = (article.published_at or article.created_at).astimezone(SHANGHAI)
        entry.published(published)
        entry.updated(published)
        if article.author:
            entry.author(name=article.author)
        entry.category(term=str(article.column.title))
    return feed.rss_str(pretty=False) if kind == "rss" else feed.atom_str(pretty=False)


def _response(body: bytes, kind: str) -> HttpResponse:
    return HttpResponse(body, content_type=CONTENT_TYPES[kind])


@public_page
def organization_feed(request, org_id: int, kind: str):
    organization = get_object_or_404(Organization, pk=org_id)
    portal_context(organization, "news")  # a closed organization's feed redirects like its pages
    return _response(build_feed(request, organization, kind), kind)


@public_page
def column_feed(request, org_id: int, column_id: int, kind: str):
    organization = get_object_or_404(Organization, pk=org_id)
    portal_context(organization, "news")
    column = get_object_or_404(portal_queries.shown_columns(organization), pk=column_id)
    return _response(build_feed(request, organization, kind, column), kind)
