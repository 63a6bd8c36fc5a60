"""Publishing's periodic work: scheduled articles whose publication time has come are published.

Safe to run twice at once (two clocks, a retried task): each article is claimed by a conditional UPDATE
(`articles.publish_due`: scheduled and due → published), so only one run publishes it, pushes it and tells its
author. An article withdrawn before its time is no longer scheduled and is left alone.
"""

from __future__ import annotations

from django.utils import timezone

from . import articles
from .models import Article

BATCH = 500


def publish_due_articles() -> dict:
    now = timezone.now()
    due = list(
        Article.objects.filter(state=Article.State.SCHEDULED, publish_at__lte=now)
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    published = sum(1 for pk in due if articles.publish_due(pk, now))
    forgotten = articles.forget_unclaimed_images()
    return {"published": published, "unclaimed_images_deleted": forgotten}
