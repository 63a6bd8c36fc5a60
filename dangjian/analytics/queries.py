"""Reading the rollups: the figures of organizations for a period, and trends. Nothing here counts records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from dangjian.core.registry import UsageMetric, UsageRate, entries

from .models import Figure
from .periods import Period
from .rollups import kept_metrics


def metrics() -> list[UsageMetric]:
    """The metrics the summaries show, in registry order."""
    return kept_metrics()


def rates() -> list[UsageRate]:
    return entries(UsageRate)


def figures(organization_ids: Iterable[int], period: Period, *, own: bool = False) -> dict[int, dict[str, int]]:
    """{organization id: {metric key: subtree total (or own figure)}} for the period; missing keys are 0."""
    found: dict[int, dict[str, int]] = defaultdict(dict)
    ids = list(organization_ids)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for organization_id, metric, value in Figure.objects.filter(
            organization_id__in=chunk, kind=period.kind, start=period.start
        ).values_list("organization_id", "metric", "own" if own else "total"):
            found[organization_id][metric] = value
    return {organization_id: found.get(organization_id, {}) for organization_id in ids}


def trend(organization_id: int, periods: list[Period]) -> list[tuple[Period, dict[str, int]]]:
    """The organization's subtree totals for each of `periods` (all of one kind), in their order."""
    if not periods:
        return []
    by_start: dict = defaultdict(dict)
    for start, metric, total in Figure.objects.filter(
        organization_id=organization_id, kind=periods[0].kind, start__in=[p.start for p in periods]
    ).values_list("start", "metric", "total"):
        by_start[start][metric] = total
    return [(period, by_start.get(period.start, {})) for period in periods]


@dataclass(frozen=True)
class RateValue:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return None if not self.denominator else round(100 * self.numerator / self.denominator, 1)


def rate_values(values: dict[str, int]) -> dict[str, RateValue]:
    """The registered rates worked out from one organization's figures."""
    return {rate.key: RateValue(values.get(rate.numerator, 0), values.get(rate.denominator, 0)) for rate in rates()}
