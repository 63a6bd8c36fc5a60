"""The console menu, drawn from the registry (core/registry.py: MenuItem) for the signed-in user."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from dangjian.accounts.permissions import can_use_console
from dangjian.core.registry import MenuItem, entries


@dataclass(frozen=True)
class ShownItem:
    key: str
    label: str
    url: str
    badge: int
    badge_label: str


def menu_for(request) -> list[ShownItem]:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return []
    shown = []
    for item in entries(MenuItem):
        if not item.visible(request):
            continue
        badge = item.badge(request) if item.badge else 0
        label = item.badge_label(badge) if (badge and item.badge_label) else ""
        shown.append(ShownItem(item.key, str(item.label), reverse(item.url_name), badge, label))
    return shown


def console_menu(request) -> dict:
    """`console_menu` is computed only when a template reads it (console pages), once per request."""
    cache: list[list[ShownItem]] = []

    def items() -> list[ShownItem]:
        if not cache:
            cache.append(menu_for(request))
        return cache[0]

    def staff() -> bool:
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and can_use_console(user))

    # Whether the signed-in person holds a staff role: a party member without one reads the console as their own
    # page (个人中心), not as the staff's 管理后台.
    return {"console_menu": items, "console_staff": staff}
