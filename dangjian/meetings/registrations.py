"""What the meetings module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import MANAGE_MEETINGS
from dangjian.core.registry import OrganizationData, TrackedModel, register

from . import compliance_entries
from .models import Meeting


def meeting_count(organization) -> int:
    return Meeting.objects.filter(organization=organization).count()


def merge_meetings(source, target) -> None:
    """On a merge the merged branch's meetings (with their minutes) are kept as the survivor's history."""
    Meeting.objects.filter(organization=source).update(organization=target)


def register_entries() -> None:
    register(
        TrackedModel("meeting", "meetings", MANAGE_MEETINGS),
        OrganizationData("meetings.meetings", _("Meetings"), meeting_count, merge_meetings, order=55),
        *compliance_entries.ENTRIES,
    )
