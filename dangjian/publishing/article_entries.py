"""What the articles area adds to the shared pages (menu, to-do lines, panels, portal sections and blocks,
usage metrics, tracked models): called from registrations.register_entries()."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from dangjian.accounts.permissions import WRITE_ARTICLES
from dangjian.core.registry import Counted, MenuItem, OrganizationLink, ToDo, TrackedModel, UsageMetric, period_bounds

from . import queries
from .models import Article


def articles_published(organization, start, end) -> int:
    """Articles of the subtree's organizations published in the period (withdrawn later or not)."""
    since, until = period_bounds(start, end)
    return Article.objects.filter(
        organization__path__startswith=organization.path,
        state__in=[Article.State.PUBLISHED, Article.State.WITHDRAWN],
        published_at__gte=since,
        published_at__lt=until,
    ).count()


ARTICLES_PUBLISHED = Counted(
    rows=lambda: Article.objects.filter(state__in=[Article.State.PUBLISHED, Article.State.WITHDRAWN]),
    organization="organization",
    date="published_at",
    capability=WRITE_ARTICLES,
    label=lambda article: article.title,
    link=lambda article: reverse("console:article", args=[article.pk]),
)


def _waiting_text(n: int) -> str:
    return ngettext("%(n)s article waits for your review", "%(n)s articles wait for your review", n) % {"n": n}


def register() -> None:
    from dangjian.core import registry

    registry.register(
        MenuItem(
            "articles",
            pgettext_lazy("console menu", "Articles"),
            "console:articles",
            order=45,
            visible=lambda request: queries.may_use_articles(request.user),
        ),
        ToDo(
            "publishing.articles_waiting",
            _waiting_text,
            lambda request: queries.waiting_count(request.user),
            "console:articles",
            query="todo=review",
            order=45,
        ),
        OrganizationLink(
            "articles",
            pgettext_lazy("console menu", "Articles"),
            "console:article_list",
            lambda user, org: queries.may_see(user, org),
            order=25,
            count=lambda org: Article.objects.filter(organization=org).count(),
        ),
        TrackedModel("article", "publishing", WRITE_ARTICLES),
        UsageMetric(
            "publishing.articles_published",
            _("Articles published"),
            articles_published,
            order=60,
            counted=ARTICLES_PUBLISHED,
            group="publishing",
            definition=_(
                "Articles of the subtree's organizations that went live on their portals during the period, "
                "withdrawn later or not."
            ),
        ),
    )
