"""Organizations as the choices of a select box, indented by their depth in the tree."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Organization

INDENT = "\u3000"  # an ideographic space: one per level below `top`


def indented_choices(
    organizations: Iterable[Organization], *, top: Organization | None = None, short: bool = False
) -> list[tuple[int, str]]:
    """(pk, label) for each organization, in the given order (pass them ordered by path), each label indented
    by its depth below `top` (or below the root), with the short name where `short` and one exists."""
    base = top.depth if top is not None else 0
    return [(o.pk, INDENT * (o.depth - base) + ((o.short_name or o.name) if short else o.name)) for o in organizations]
