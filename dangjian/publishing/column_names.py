"""The standard columns' keys and names (no model import: models.Column.title uses them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

NEWS = "news"  # 工作动态
NOTICES = "notices"  # 通知公告
PARTY = "party"  # 党务公开
VILLAGE = "village"  # 村务公开

STANDARD = {
    NEWS: _("Work news"),
    NOTICES: _("Announcements"),
    PARTY: _("Party affairs disclosure"),
    VILLAGE: _("Village affairs disclosure"),
}
# Which kinds of organization have each standard column (None: every kind but a party group).
STANDARD_KINDS: dict[str, set[str] | None] = {
    NEWS: None,
    NOTICES: None,
    PARTY: None,
    VILLAGE: {"village", "community"},
}


def standard_name(key: str):
    return STANDARD.get(key, key)


def standard_keys_for(kind: str) -> list[str]:
    if kind == "group":
        return []
    return [key for key, kinds in STANDARD_KINDS.items() if kinds is None or kind in kinds]
