"""The console's own dashboard panel: the organizations the user works on."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from dangjian.accounts.permissions import USE_CONSOLE, organizations_for
from dangjian.core.models import ChangeRecord
from dangjian.core.registry import DashboardPanel, TrackedModel, entries, register

ORGANIZATIONS_SHOWN = 500
RECENT_CHANGES = 20


def organizations_panel(request) -> dict:
    scope = organizations_for(request.user, USE_CONSOLE)
    return {"organizations": scope.select_related("parent")[:ORGANIZATIONS_SHOWN], "organization_count": scope.count()}


def readable_changes(user):
    """The change records the user may read: of each tracked kind, those on organizations where the user holds
    the capability its module registered (so an editor of content does not see role grants or settings)."""
    by_capability: dict[str, list[int]] = {}
    for tracked in entries(TrackedModel):
        content_type = ContentType.objects.get_by_natural_key(tracked.app_label, tracked.key)
        by_capability.setdefault(tracked.capability, []).append(content_type.pk)
    condition = Q(pk__in=[])
    for capability, type_ids in by_capability.items():
        condition |= Q(content_type_id__in=type_ids, organization__in=organizations_for(user, capability))
    return ChangeRecord.objects.filter(condition)


def recent_changes_panel(request) -> dict:
    changes = readable_changes(request.user).select_related("actor", "organization", "content_type")
    return {"recent_changes": changes[:RECENT_CHANGES]}


def register_entries() -> None:
    register(
        DashboardPanel("organizations", "console/_organizations_panel.html", organizations_panel, order=30),
        DashboardPanel("recent_changes", "console/_recent_changes_panel.html", recent_changes_panel, order=40),
    )
