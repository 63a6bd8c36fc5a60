"""Reads of the organization tree for public pages."""

from __future__ import annotations

from django.db.models import Q

from .models import Organization

FIND_LIMIT = 50


def find_organizations(query: str) -> list[tuple[Organization, list[Organization]]]:
    """Open organizations (not party groups, not closed) whose name or short name contains the words of `query` (all of them),
    each with its ancestors below the root, so that two 王庄村 of different townships can be told apart."""
    words = query.split()
    if not words:
        return []
    condition = Q()
    for word in words:
        condition &= Q(name__contains=word) | Q(short_name__contains=word)
    found = list(
        Organization.objects.open()
        .filter(condition)
        .exclude(kind=Organization.Kind.GROUP)
        .order_by("depth", "path")[:FIND_LIMIT]
    )
    ancestor_ids = {pk for organization in found for pk in organization.ancestor_ids[1:-1]}
    by_id = Organization.objects.in_bulk(ancestor_ids)
    return [(o, [by_id[pk] for pk in o.ancestor_ids[1:-1] if pk in by_id]) for o in found]
