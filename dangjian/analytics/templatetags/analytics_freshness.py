"""Template helpers of the freshness partials (analytics/_status_tree.html, analytics/_todo_now.html)."""

from __future__ import annotations

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

_SENTINEL = 987654321
_PATTERNS: dict[tuple[str, str, str | None], str] = {}


@register.filter
def organization_url(organization_id: int, url_name: str) -> str:
    """`url_name` reversed with the organization's id; reversed once per name (a county's tree has a thousand
    links), then the id put in its place."""
    key = (url_name, get_script_prefix(), get_urlconf())
    pattern = _PATTERNS.get(key)
    if pattern is None:
        pattern = _PATTERNS[key] = reverse(url_name, args=[_SENTINEL])
    return pattern.replace(str(_SENTINEL), str(int(organization_id)), 1)


@register.inclusion_tag("analytics/_status_tree.html")
def status_tree(
    freshness, url_name: str, levels: int | None = None, url_query: str = "", flagged_from: int | None = None
) -> dict:
    """{% status_tree freshness "url:name" levels=2 url_query="?period=2026-q4" flagged_from=2 %}: the partial
    with the tree cut `levels` below the root, listing from the level `flagged_from` down only what is flagged."""
    return {
        "freshness": freshness,
        "status_rows": freshness.outline(levels, flagged_from),
        "url_name": url_name,
        "url_query": url_query,
    }
