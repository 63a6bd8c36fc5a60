"""What the exchange module adds to the shared pages (core/registry.py). Each area registers its own entries from
its own module (`<area>_entries.py`); this file registers what belongs to the module as a whole (what a merge
moves, the tracked models)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import ANSWER_QUESTIONS, MANAGE_ROOMS
from dangjian.core.registry import OrganizationData, TrackedModel, register

from . import (
    freshness_entries,
    live_entries,
    message_entries,
    moderation_entries,
    question_entries,
    resident_entries,
    room_entries,
)
from .models import PublicQuestion, Room


def _merge_exchange(source, target) -> None:
    """The merged organization's rooms and questions move to the survivor, with their history."""
    Room.objects.filter(organization=source).update(organization=target)
    PublicQuestion.objects.filter(organization=source).update(organization=target)


def _count(org) -> int:
    return Room.objects.filter(organization=org).count() + PublicQuestion.objects.filter(organization=org).count()


def register_entries() -> None:
    register(
        OrganizationData(
            key="exchange.rooms",
            label=_("Rooms and questions to the organization"),
            count=_count,
            merge=_merge_exchange,
            order=80,
        ),
        TrackedModel("room", "exchange", MANAGE_ROOMS),
        TrackedModel("publicquestion", "exchange", ANSWER_QUESTIONS),
    )
    room_entries.register()
    message_entries.register()
    live_entries.register()
    resident_entries.register()
    question_entries.register()
    moderation_entries.register()
    freshness_entries.register_entries()
