"""Computing and keeping the rollups (`Figure`) from the metrics' rows (`registry.Counted`).

- `own_figures(metric, organization_ids)` counts rows per organization and period of every kind, in a few
  grouped queries (or, for a stock, from the rows' intervals).
- `refresh_pending()` (the task run on commit after a change, see watch.py) recomputes the own figures of the
  marked organizations and metrics, and adds each difference to the totals of the organization and of every
  organization above it.
- `rebuild()` (the clock, nightly; `manage.py rebuild_rollups`) recomputes everything from the rows and writes
  only what differs; `compare()` says what differs without writing (the test of the incremental figures).

Both write under `RollupLock`, so they never interleave. The freshness marks ("freshness:<source>") and the
kept last changes go through freshness.py in the same runs.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import models, transaction
from django.db.models import Count, F
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek, TruncYear
from django.utils import timezone

from dangjian.core.registry import UsageMetric, entries, registry
from dangjian.organizations.models import Organization, ids_in_path

from . import freshness, periods
from .models import Figure, PendingRollup, RollupLock

Key = tuple[int, str, str, datetime.date]  # organization id, metric, kind, period start
TRUNCS = {periods.WEEK: TruncWeek, periods.MONTH: TruncMonth, periods.QUARTER: TruncQuarter, periods.YEAR: TruncYear}


def kept_metrics() -> list[UsageMetric]:
    return [metric for metric in entries(UsageMetric) if metric.counted is not None]


def _local_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def own_figures(metric: UsageMetric, organization_ids: Iterable[int] | None = None) -> dict[Key, int]:
    """Every non-zero own figure of `metric` (of the given organizations, or of all)."""
    counted = metric.counted
    assert counted is not None
    if counted.compute is None:
        rows = counted.rows().filter(**{f"{counted.date}__isnull": False})
        if organization_ids is not None:
            rows = rows.filter(**{f"{counted.organization}__in": list(organization_ids)})
    if counted.compute is not None:
        return {
            (organization_id, metric.key, kind, start): value
            for (organization_id, kind, start), value in counted.compute(
                None if organization_ids is None else list(organization_ids)
            ).items()
            if value
        }
    if counted.until is not None:
        return _stock_figures(metric.key, rows)
    found: dict[Key, int] = {}
    for kind, trunc in TRUNCS.items():
        bucket = trunc(counted.date, output_field=models.DateField())
        grouped = (
            rows.annotate(_org=F(counted.organization), _start=bucket)
            .values("_org", "_start")
            .annotate(_n=Count(counted.distinct, distinct=True))
            .order_by()
        )
        for row in grouped:
            if row["_org"] is not None and row["_n"]:
                found[(row["_org"], metric.key, kind, _local_date(row["_start"]))] = row["_n"]
    return found


def _stock_figures(key: str, rows) -> dict[Key, int]:
    counted = next(m.counted for m in entries(UsageMetric) if m.key == key)
    assert counted is not None and counted.until is not None
    spans: dict[int, tuple[list[datetime.date], list[datetime.date]]] = defaultdict(lambda: ([], []))
    for organization_id, began, ended in (
        rows.annotate(_org=F(counted.organization)).values_list("_org", counted.date, counted.until).order_by()
    ):
        if organization_id is None:
            continue
        starts, ends = spans[organization_id]
        starts.append(_local_date(began))
        if ended is not None:
            ends.append(_local_date(ended))
    today = timezone.localdate()
    found: dict[Key, int] = {}
    for organization_id, (starts, ends) in spans.items():
        starts.sort()
        ends.sort()
        first = starts[0]
        for kind in periods.KINDS:
            for start in periods.starts_between(kind, first, today):
                # Counted on the period's last day, or today while the period runs (a deadline still ahead
                # has not made a case overdue yet).
                last_day = min(periods.end_of(kind, start) - datetime.timedelta(days=1), today)
                # Alive that day: began on or before it, and not ended on or before it.
                alive = bisect.bisect_right(starts, last_day) - bisect.bisect_right(ends, last_day)
                if alive:
                    found[(organization_id, key, kind, start)] = alive
    return found


def _paths() -> dict[int, str]:
    return dict(Organization.objects.values_list("pk", "path"))


def _lock() -> RollupLock:
    """Taken first in the transaction: an UPDATE locks the row on PostgreSQL and the database on SQLite."""
    RollupLock.objects.get_or_create(pk=1)
    RollupLock.objects.filter(pk=1).update(ticks=F("ticks") + 1)
    return RollupLock.objects.get(pk=1)


def _apply(changes: dict[Key, tuple[int, int]], paths: dict[int, str]) -> None:
    """Write own and total changes ({key: (own delta, total delta)}), creating and dropping rows as needed."""
    if not changes:
        return
    by_org: dict[int, list[Key]] = defaultdict(list)
    for key in changes:
        by_org[key[0]].append(key)
    existing: dict[Key, Figure] = {}
    organization_ids = list(by_org)
    for chunk_start in range(0, len(organization_ids), 500):
        chunk = organization_ids[chunk_start : chunk_start + 500]
        metrics = {key[1] for org in chunk for key in by_org[org]}
        for figure in Figure.objects.filter(organization_id__in=chunk, metric__in=metrics):
            existing[(figure.organization_id, figure.metric, figure.kind, figure.start)] = figure
    created: list[Figure] = []
    updated: list[Figure] = []
    dropped: list[Figure] = []
    for key, (own_delta, total_delta) in changes.items():
        if not own_delta and not total_delta:
            continue
        found = existing.get(key)
        if found is None:
            created.append(
                Figure(
                    organization_id=key[0],
                    path=paths[key[0]],
                    metric=key[1],
                    kind=key[2],
                    start=key[3],
                    own=own_delta,
                    total=total_delta,
                )
            )
            continue
        figure = found
        figure.own += own_delta
        figure.total += total_delta
        (dropped if figure.own == 0 and figure.total == 0 else updated).append(figure)
    Figure.objects.bulk_create(created, batch_size=1000)
    Figure.objects.bulk_update(updated, ["own", "total"], batch_size=1000)
    for chunk_start in range(0, len(dropped), 500):
        Figure.objects.filter(pk__in=[f.pk for f in dropped[chunk_start : chunk_start + 500]]).delete()


def _with_totals(own_changes: dict[Key, int], paths: dict[int, str]) -> dict[Key, tuple[int, int]]:
    """Own deltas spread up the tree: each adds to its own row and to the total of every ancestor."""
    changes: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for (organization_id, metric, kind, start), delta in own_changes.items():
        if not delta:
            continue
        changes[(organization_id, metric, kind, start)][0] += delta
        path = paths.get(organization_id)
        if path is None:
            continue
        for ancestor_id in ids_in_path(path):
            changes[(ancestor_id, metric, kind, start)][1] += delta
    return {key: (own, total) for key, (own, total) in changes.items()}


def refresh(marks: Iterable[tuple[int, str]]) -> int:
    """Recompute the own figures of these (organization id, metric) pairs; returns how many figures changed."""
    by_metric: dict[str, set[int]] = defaultdict(set)
    for organization_id, metric_key in marks:
        by_metric[metric_key].add(organization_id)
    if not by_metric:
        return 0
    with transaction.atomic():
        _lock()
        paths = _paths()
        own_changes: dict[Key, int] = {}
        for metric_key, organization_ids in by_metric.items():
            try:
                metric = registry.get(UsageMetric, metric_key)
            except KeyError:
                continue
            if metric.counted is None:
                continue
            wanted = own_figures(metric, organization_ids)
            stored = {
                (f.organization_id, f.metric, f.kind, f.start): f.own
                for f in Figure.objects.filter(organization_id__in=organization_ids, metric=metric_key)
            }
            for key in wanted.keys() | stored.keys():
                delta = wanted.get(key, 0) - stored.get(key, 0)
                if delta:
                    own_changes[key] = delta
        _apply(_with_totals(own_changes, paths), paths)
    return len(own_changes)


def refresh_pending(limit: int = 5000) -> int:
    """Take the pending marks (up to `limit` at a time) and refresh them; returns the figures changed."""
    changed = 0
    while True:
        batch = list(PendingRollup.objects.order_by("pk").values_list("pk", "organization_id", "metric")[:limit])
        if not batch:
            return changed
        last = batch[-1][0]
        marks = {(organization_id, metric) for _pk, organization_id, metric in batch}
        changed += refresh({mark for mark in marks if not mark[1].startswith(freshness.PREFIX)})
        changed += freshness.refresh({mark for mark in marks if mark[1].startswith(freshness.PREFIX)})
        PendingRollup.objects.filter(pk__lte=last).delete()


def computed() -> dict[Key, tuple[int, int]]:
    """Every figure computed from the rows: {key: (own, total)}."""
    paths = _paths()
    own: dict[Key, int] = {}
    for metric in kept_metrics():
        own.update(own_figures(metric))
    totals: dict[Key, int] = defaultdict(int)
    for (organization_id, metric_key, kind, start), value in own.items():
        path = paths.get(organization_id)
        if path is None:
            continue
        for ancestor_id in ids_in_path(path):
            totals[(ancestor_id, metric_key, kind, start)] += value
    return {key: (own.get(key, 0), totals.get(key, 0)) for key in own.keys() | totals.keys()}


def stored() -> dict[Key, tuple[int, int]]:
    return {
        (f.organization_id, f.metric, f.kind, f.start): (f.own, f.total)
        for f in Figure.objects.all().iterator(chunk_size=5000)
    }


def compare() -> dict[Key, tuple[tuple[int, int], tuple[int, int]]]:
    """The figures whose kept value differs from the one computed from the rows: {key: (kept, computed)}."""
    kept, fresh = stored(), computed()
    return {
        key: (kept.get(key, (0, 0)), fresh.get(key, (0, 0)))
        for key in kept.keys() | fresh.keys()
        if kept.get(key, (0, 0)) != fresh.get(key, (0, 0))
    }


def rebuild() -> int:
    """Recompute every figure from the rows and write what differs; returns how many figures were corrected."""
    with transaction.atomic():
        lock = _lock()
        # Marks made after this point stay for the next refresh: their change may not be in what is read here.
        last_mark = PendingRollup.objects.order_by("-pk").values_list("pk", flat=True).first()
        paths = _paths()
        fresh = computed()
        kept = stored()
        known = {m.key for m in kept_metrics()}
        changes = {}
        for key in kept.keys() | fresh.keys():
            before, after = kept.get(key, (0, 0)), fresh.get(key, (0, 0))
            if key[1] not in known:
                after = (0, 0)  # a metric no longer registered
            if before != after:
                changes[key] = (after[0] - before[0], after[1] - before[1])
        _apply(changes, paths)
        freshness.rebuild()  # the kept last changes (freshness.py), under the same lock
        if last_mark is not None:
            PendingRollup.objects.filter(pk__lte=last_mark).delete()
        lock.rebuilt_at = timezone.now()
        lock.save(update_fields=["rebuilt_at"])
    return len(changes)
