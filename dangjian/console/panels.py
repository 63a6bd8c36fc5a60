"""The console's own dashboard panels: the person's to-do (the modules' ToDo entries), the organizations the
user works on, the recent changes they may read."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import USE_CONSOLE, organizations_for
from dangjian.core.models import ChangeRecord
from dangjian.core.registry import DashboardPanel, MenuItem, ToDo, TrackedModel, entries, register

from . import sensitive_words

ORGANIZATIONS_SHOWN = 500
RECENT_CHANGES = 20


@dataclass(frozen=True)
class ToDoLine:
    key: str
    text: str
    url: str
    count: int | None  # None: shown without a number (`locked`)


def todo_lines(request) -> list[ToDoLine]:
    """The to-do lines with something waiting (or locked), in the modules' order."""
    lines: list[ToDoLine] = []
    for todo in entries(ToDo):
        url = reverse(todo.url_name) + (f"?{todo.query}" if todo.query else "")
        locked = todo.locked(request) if todo.locked else None
        if locked:
            lines.append(ToDoLine(todo.key, str(locked), url, None))
            continue
        count = todo.count(request)
        if count:
            lines.append(ToDoLine(todo.key, todo.text(count), url, count))
    return lines


def todo_panel(request) -> dict:
    """First on the console home: what waits for this person, or plainly that nothing does."""
    return {"todo_lines": todo_lines(request)}


def organizations_panel(request) -> dict:
    # A closed (or merged) organization stays reachable by its own page, not in the list (organizations.tree).
    scope = organizations_for(request.user, USE_CONSOLE).open()
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
        DashboardPanel("todo", "console/_todo_panel.html", todo_panel, order=0),
        DashboardPanel("organizations", "console/_organizations_panel.html", organizations_panel, order=30),
        DashboardPanel("recent_changes", "console/_recent_changes_panel.html", recent_changes_panel, order=40),
        MenuItem(
            "sensitive_words",
            _("Sensitive words"),
            "console:sensitive_words",
            order=95,
            visible=lambda request: sensitive_words.may_keep_words(request.user),
        ),
    )
