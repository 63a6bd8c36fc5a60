"""The demo county's banks (called by learning/demo.py in its order)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext


def load(ctx: DemoContext) -> list[str]:
    return []
