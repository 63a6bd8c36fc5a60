"""What publishing pushes to group robots (notifications.push): a published article as a card linking to its
page on the portal, a sent notice as a card linking to its console page (receivers sign in to sign it off)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.text import Truncator

from dangjian.notifications.api import PushMessage, push

from .models import Article, Notice


def article_url(article: Article) -> str:
    return settings.SITE_URL + reverse("publishing:article", args=[article.organization_id, article.pk])


def push_article(article: Article) -> int:
    """Queue the article for its organization's robots (in the caller's transaction; sent after the commit)."""
    image = ""
    if article.cover:
        image = settings.SITE_URL + reverse("publishing:article_cover", args=[article.organization_id, article.pk])
    summary = article.summary or Truncator(article.body_text).chars(80)
    message = PushMessage(
        title=article.title,
        summary=summary,
        url=article_url(article),
        image_url=image,
        source=article.organization.name,
    )
    return push(article.organization, "article", f"article:{article.pk}", message)


def push_notice(notice: Notice) -> int:
    message = PushMessage(
        title=notice.title,
        summary=Truncator(notice.body).chars(80),
        url=settings.SITE_URL + reverse("console:notice", args=[notice.pk]),
        source=notice.organization.name,
    )
    return push(notice.organization, "notice", f"notice:{notice.pk}", message)
