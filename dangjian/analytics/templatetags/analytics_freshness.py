"""Template helpers of the freshness partials: the status tree ({% status_tree %}) and analytics/_todo_now.html."""

from __future__ import annotations

from html import escape

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

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


@register.simple_tag
def status_tree(
    freshness, url_name: str, levels: int | None = None, url_query: str = "", flagged_from: int | None = None
) -> SafeString:
    """{% status_tree freshness "url:name" levels=2 url_query="?period=2026-q4" flagged_from=2 %}: the subtree's
    freshness status (analytics.freshness.subtree_freshness) as a nested list, cut `levels` below the root
    (None: every level), listing from the level `flagged_from` down only what is flagged; each organization
    links to `url_name` with its id, `url_query` appended (e.g. the period). Each status is in words, with its
    reasons; colour only helps.

    Drawn here rather than by a template loop (or format_html): a county's page lists hundreds of organizations,
    and those cost several times as much per line. `html.escape` is what Django's `escape` calls."""
    query = conditional_escape(url_query)
    labels: dict[str, str] = {}
    parts = ['<ul class="status-tree">']
    for row in freshness.outline(levels, flagged_from):
        item = row.item
        organization = item.organization
        status = escape(item.status)
        label = labels.get(item.status) or labels.setdefault(item.status, escape(item.status_label))
        parts.append(
            f'<li class="status-node">\n<div class="status-line status-{status}">\n'
            f'<a href="{escape(organization_url(organization.pk, url_name))}{query}">'
            f"{escape(organization.short_name or organization.name)}</a>\n"
            f'<span class="badge status-badge status-badge-{status}">{label}</span>\n'
        )
        if item.reasons:
            parts.append('<ul class="status-reasons">')
            parts.extend(f"<li>{escape(reason.text)}</li>" for reason in item.reasons)
            parts.append("</ul>\n")
        if item.below:
            text = ngettext(
                "Below it, %(n)s organization: %(idle)s idle, %(attention)s needing attention.",
                "Below it, %(n)s organizations: %(idle)s idle, %(attention)s needing attention.",
                item.below,
            ) % {"n": item.below, "idle": item.below_idle, "attention": item.below_attention}
            parts.append(f'<p class="status-below">{escape(text)}</p>\n')
        parts.append("</div>\n")
        parts.append("<ul>" if row.opens else "</li>")
        parts.append("</ul></li>" * row.closes)
        parts.append("\n")
    parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above was escaped
