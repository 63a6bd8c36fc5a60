"""The check shared by the test_kept_<app>.py files: after the modules' own actions and a refresh, the kept figures
equal a rebuild from the records, and each kept total equals the module's own `count` for every period kind."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dangjian.analytics import periods, rollups
from dangjian.analytics.models import Figure
from dangjian.analytics.periods import Period
from dangjian.core.registry import UsageMetric, registry


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def assert_kept(keys, organizations, days) -> dict[tuple[str, str, str, str], int]:
    """Refresh, compare with a rebuild, and compare each kept total with `count`; returns the totals found, as
    {(metric, organization short name, kind, period code): total}, for the test's own expectations."""
    rollups.refresh_pending()
    assert rollups.compare() == {}
    totals = {}
    for key in keys:
        metric = registry.get(UsageMetric, key)
        assert metric.counted is not None and metric.group and metric.definition, key
        for organization in organizations:
            for kind in periods.KINDS:
                for day in days:
                    period = Period.holding(kind, day)
                    kept = Figure.objects.filter(
                        organization=organization, metric=key, kind=kind, start=period.start
                    ).first()
                    total = kept.total if kept else 0
                    assert total == metric.count(organization, period.start, period.end), (
                        key,
                        organization.short_name,
                        period.code,
                    )
                    totals[(key, organization.short_name, kind, period.code)] = total
    return totals
