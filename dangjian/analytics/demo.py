"""The usage summaries' part of the demo county: the rollups, computed from everything the apps before made.

The other apps load in bulk (`bulk_create`, updates), which the rollups' watch does not see, so the figures are
rebuilt from the records once the content is in (and after `--add-*` extensions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import rollups

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext


def load(ctx: DemoContext) -> list[str]:
    corrected = rollups.rebuild()
    return [f"usage figures: {corrected} rollup rows computed"]


def extend(ctx: DemoContext) -> None:
    rollups.rebuild()
    return None
