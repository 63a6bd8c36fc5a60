"""What the resident area adds to the shared pages (core/registry.py): the console home's panel of a resident who
signs in (我的居民账号 and their rooms)."""

from __future__ import annotations

from dangjian.core import registry


def resident_panel(request) -> dict | None:
    from .models import Membership, Resident

    if not Resident.objects.filter(user=request.user).exists():
        return None
    memberships = (
        Membership.objects.filter(user=request.user, left_at=None, removed_at=None)
        .select_related("room")
        .order_by("room__name")
    )
    return {"memberships": memberships}


def register() -> None:
    registry.register(
        registry.DashboardPanel("resident_me", "exchange/_resident_panel.html", resident_panel, order=2, everyone=True)
    )
