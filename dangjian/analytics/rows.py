"""The rows behind a figure: what a kept metric counts for one organization's subtree and one period.

The same semantics as `rollups.own_figures`, so the rows listed are exactly as many as the figure shown: a row
counts in the period holding the local date of its `date`; a stock (`until`) counts the rows alive on the period's
last day (today while the period runs); `distinct` metrics list what `listed` makes of the rows (rooms, not
messages). Rows of every organization whose path starts with the organization's path count, closed ones too.
Only for metrics that count rows (no `compute`) and name a `capability`: the others have no rows page.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from dangjian.core.registry import UsageMetric, period_bounds

from .periods import Period


def has_rows(metric: UsageMetric) -> bool:
    """Whether the figure of `metric` links to its rows (a kept count of rows, shown to a capability's holders)."""
    counted = metric.counted
    return counted is not None and counted.compute is None and counted.capability is not None


def _is_datetime(rows, lookup: str) -> bool:
    """Whether `lookup` (a field path or an annotation of `rows`) is a timestamp rather than a date."""
    expression = rows.query.clone().resolve_ref(lookup, allow_joins=True)
    return isinstance(expression.output_field, models.DateTimeField)


def _midnight(day: datetime.date) -> datetime.datetime:
    return period_bounds(day, day)[0]


def counted_rows(metric: UsageMetric, organization, period: Period):
    """The queryset of the rows `metric` counts for `organization`'s subtree in `period` (before `listed`)."""
    counted = metric.counted
    assert counted is not None and counted.compute is None
    rows = counted.rows().filter(
        **{f"{counted.date}__isnull": False, f"{counted.organization}__path__startswith": organization.path}
    )
    timestamps = _is_datetime(rows, counted.date)
    if counted.until is None:
        start, end = (_midnight(period.start), _midnight(period.end)) if timestamps else (period.start, period.end)
        return rows.filter(**{f"{counted.date}__gte": start, f"{counted.date}__lt": end})
    # A stock: alive on the period's last day (today while it runs), as rollups._stock_figures counts it.
    day_after = min(period.last_day, timezone.localdate()) + datetime.timedelta(days=1)
    began_by = _midnight(day_after) if timestamps else day_after
    ended_after = _midnight(day_after) if _is_datetime(rows, counted.until) else day_after
    return rows.filter(**{f"{counted.date}__lt": began_by}).filter(
        Q(**{f"{counted.until}__isnull": True}) | Q(**{f"{counted.until}__gte": ended_after})
    )


def listed_rows(metric: UsageMetric, organization, period: Period):
    """What the rows page lists, in a stable order: `listed` of the counted rows, or the rows newest first."""
    counted = metric.counted
    assert counted is not None
    rows = counted_rows(metric, organization, period)
    if counted.listed is not None:
        listed = counted.listed(rows)
        return listed if listed.ordered else listed.order_by("pk")
    if counted.distinct != "pk":
        # Without `listed` a distinct metric lists one row per distinct value (the first of each).
        firsts = rows.values(counted.distinct).annotate(first=models.Min("pk")).values("first")
        rows = rows.filter(pk__in=firsts)
    return rows.order_by(f"-{counted.date}", "-pk")
