"""Caching of rendered public content, invalidated by a generation counter kept in the database."""

from django.db import transaction
from django.db.models import F

from .models import ContentGeneration


def content_generation() -> int:
    row = ContentGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    return row or 0


def bump_content_generation() -> None:
    def bump():
        if not ContentGeneration.objects.filter(pk=1).update(value=F("value") + 1):
            ContentGeneration.objects.get_or_create(pk=1, defaults={"value": 2})

    transaction.on_commit(bump)
