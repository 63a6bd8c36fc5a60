"""The usage summaries' part of the demo county: the rollups, computed from everything the apps before made.

The other apps load in bulk (`bulk_create`, updates), which the rollups' watch does not see, so the figures are
rebuilt from the records once the content is in (and after `--add-*` extensions).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from dangjian.organizations.models import Organization

from . import freshness, rollups

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext


def load(ctx: DemoContext) -> list[str]:
    corrected = rollups.rebuild()
    return [f"usage figures: {corrected} rollup rows computed", *idle_lines(ctx.today)]


def idle_lines(today: datetime.date) -> list[str]:
    """Which organizations of the demo county are 形同摆设 on `today` and why, and how many need attention, so a
    demo user knows where to look on the summary page."""
    county = Organization.objects.open().filter(depth=0).order_by("path").first()
    if county is None:
        return []
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    found = freshness.subtree_freshness(county, now=now)
    items = sorted(found.by_id.values(), key=lambda item: item.organization.path)
    idle = [item for item in items if item.status == freshness.IDLE]
    attention = sum(item.status == freshness.ATTENTION for item in items)
    lines = [
        f"usage summary (/console/summary/): {len(idle)} organizations 形同摆设, {attention} 需关注, "
        f"{len(items) - len(idle) - attention} 正常"
    ]
    lines += [
        f"  形同摆设: {item.organization.name}: {'; '.join(reason.text for reason in item.reasons if reason.idle)}"
        for item in idle
    ]
    return lines


def extend(ctx: DemoContext) -> None:
    rollups.rebuild()
    return None
