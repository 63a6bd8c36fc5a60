"""What citizens see of publishing on a portal: the news home, a column's list, an article and its print view.

Pages are cached whole for anonymous visitors (core.cache.public_page) under the content generation, which the
articles' actions bump on publish and withdraw, so a published article shows at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from dangjian.core.cache import public_page
from dangjian.organizations.models import Organization
from dangjian.organizations.portal import portal_context

from . import portal_queries
from .models import Article, ArticleAttachment, ArticleImage, Column

SECTION = "news"
PAGE_SIZE = 20
HOME_COLUMN_ITEMS = 5


@dataclass(frozen=True)
class Item:
    """An article as a portal lists it, with where it comes from when it is not the organization's own."""

    article: Article
    origin: str  # "" (its own), "above" (pushed down from an ancestor), "below" (adopted from below)

    @property
    def source_name(self) -> str:
        return self.article.organization.name if self.origin else ""


def item(article: Article, organization: Organization) -> Item:
    if article.organization_id == organization.pk:
        return Item(article, "")
    return Item(article, "above" if article.organization.depth < organization.depth else "below")


def items(articles, organization: Organization) -> list[Item]:
    return [item(article, organization) for article in articles]


def _organization(org_id: int) -> Organization:
    return get_object_or_404(Organization, pk=org_id)


def _column(organization: Organization, column_id: int) -> Column:
    return get_object_or_404(portal_queries.shown_columns(organization), pk=column_id)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@public_page
def news_home(request, org_id: int):
    """The organization's news: the latest items over all columns, then each column with its latest items."""
    organization = _organization(org_id)
    columns = list(portal_queries.shown_columns(organization))
    latest = items(portal_queries.portal_articles(organization)[:HOME_COLUMN_ITEMS], organization)
    blocks = [
        (column, items(portal_queries.column_articles(column, organization)[:HOME_COLUMN_ITEMS], organization))
        for column in columns
    ]
    context = portal_context(organization, SECTION)
    context.update(latest=latest, blocks=blocks, feed_column=None)
    return render(request, "publishing/portal/news_home.html", context)


@public_page
def news_list(request, org_id: int):
    """Every item of the portal, newest first, paginated."""
    organization = _organization(org_id)
    page = _page(request, portal_queries.portal_articles(organization))
    context = portal_context(organization, SECTION)
    context.update(page=page, results=items(page.object_list, organization), column=None)
    return render(request, "publishing/portal/article_list.html", context)


@public_page
def column_list(request, org_id: int, column_id: int):
    organization = _organization(org_id)
    column = _column(organization, column_id)
    page = _page(request, portal_queries.column_articles(column, organization))
    context = portal_context(organization, SECTION)
    context.update(page=page, results=items(page.object_list, organization), column=column)
    return render(request, "publishing/portal/article_list.html", context)


def _article_or_gone(request, organization: Organization, article_id: int):
    """(article, None) for a published article of this portal; (None, response) for one withdrawn (410);
    404 for anything else (a draft, another portal's article, a made-up id)."""
    article = portal_queries.visible_article(organization, article_id)
    if article is None:
        raise Http404
    if portal_queries.is_public(article):
        return article, None
    if article.state == Article.State.WITHDRAWN:
        context = portal_context(organization, SECTION)
        context.update(article=article)
        return None, render(request, "publishing/portal/article_withdrawn.html", context, status=410)
    raise Http404


def _absolute(request, path: str) -> str:
    if not path:
        return ""
    if path.startswith(("http://", "https://")):
        return path
    try:
        return request.build_absolute_uri(path)
    except Exception:  # noqa: BLE001 - a host we do not serve: the configured address
        return settings.SITE_URL + path


def _article_context(request, organization: Organization, article: Article) -> dict:
    images = list(ArticleImage.objects.filter(article=article).order_by("pk"))
    # Files are served by the article's own organization's addresses, whichever portal shows it (pushed down,
    # adopted).
    own = article.organization_id
    attachments = [
        (attachment, reverse("publishing:article_attachment", args=[own, article.pk, attachment.pk]))
        for attachment in ArticleAttachment.objects.filter(article=article)
    ]
    cover_url = reverse("publishing:article_cover", args=[own, article.pk]) if article.cover else ""
    share_image = cover_url
    if not share_image and images:
        share_image = reverse("publishing:article_image", args=[images[0].pk])
    shown = item(article, organization)
    return {
        "article": article,
        "item": shown,
        # The body was sanitized with nh3 when it was saved (sanitize.clean); only that stored HTML is marked safe.
        "body": mark_safe(article.body),  # noqa: S308
        "cover_url": cover_url,
        "attachments": attachments,
        "share_image": _absolute(request, share_image),
        "share_url": _absolute(request, reverse("publishing:article", args=[organization.pk, article.pk])),
        "description": (article.summary or article.body_text)[:120],
    }


@public_page
def article_detail(request, org_id: int, article_id: int):
    organization = _organization(org_id)
    context = portal_context(organization, SECTION)
    article, gone = _article_or_gone(request, organization, article_id)
    if gone is not None:
        return gone
    context.update(_article_context(request, organization, article))
    own_column = article.column.organization_id == organization.pk and article.column.archived_at is None
    shown_column = article.column if own_column else None
    context["column"] = shown_column
    return render(request, "publishing/portal/article.html", context)


@public_page
def article_print(request, org_id: int, article_id: int):
    """The article alone on an A4 page: no navigation, the body, the source and the address it came from."""
    organization = _organization(org_id)
    context = portal_context(organization, SECTION)
    article, gone = _article_or_gone(request, organization, article_id)
    if gone is not None:
        return gone
    context.update(_article_context(request, organization, article))
    return render(request, "publishing/portal/article_print.html", context)
