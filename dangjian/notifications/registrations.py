"""What the notifications app adds to the shared pages (core/registry.py): its console menu entry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.core.registry import MenuItem, register

from .api import unread_count


def _signed_in(request) -> bool:
    return request.user.is_authenticated


def _unread(request) -> int:
    return unread_count(request.user)


def _unread_label(count: int) -> str:
    return ngettext("unread", "unread", count)


def register_entries() -> None:
    register(
        MenuItem(
            "notifications",
            _("Notifications"),
            "console:notifications",
            order=20,
            visible=_signed_in,
            badge=_unread,
            badge_label=_unread_label,
        )
    )
