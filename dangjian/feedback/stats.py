"""Figures of the feedback module per organization subtree, read from the `CaseStat` counters."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dangjian.organizations.models import Organization

from .models import Case, CaseStat, Category, Rating, State

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MONTHS_SHOWN = 12


@dataclass
class Figures:
    label: StrOrPromise = ""
    received: int = 0
    accepted: int = 0
    rejected: int = 0
    answered: int = 0
    answered_on_time: int = 0
    answer_seconds: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    unrated: int = 0
    listed: int = 0
    extra: dict = field(default_factory=dict)

    def add(self, row: Mapping[str, Any]) -> None:
        for name in CaseStat.COUNTERS:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))

    @property
    def rated(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.answered_on_time / self.answered, 1) if self.answered else None

    @property
    def satisfaction_rate(self) -> float | None:
        """满意 + 基本满意 over the cases citizens actually rated; unrated cases never count as satisfied."""
        return round(100 * (self.satisfied + self.basic) / self.rated, 1) if self.rated else None

    @property
    def average_days(self) -> float | None:
        return round(self.answer_seconds / self.answered / 86400, 1) if self.answered else None


def listed_count(organization: Organization, category: str | None = None) -> int:
    """Cases on the public list of the organization's subtree, from the counters."""
    bounds = organization.subtree_range()
    rows = CaseStat.objects.filter(org_path__gte=bounds["gte"], org_path__lt=bounds["lt"])
    if category:
        rows = rows.filter(category=category)
    return rows.aggregate(total=Sum("listed"))["total"] or 0


def figures_for(organization: Organization, today: datetime.date | None = None) -> dict:
    """Totals, per category and per month (last 12 months) for the organization's subtree."""
    today = today or timezone.localdate()
    rows = (
        CaseStat.objects.filter(org_path__startswith=organization.path)
        .values("month", "category")
        .annotate(**{name: Sum(name) for name in CaseStat.COUNTERS})
    )
    total = Figures()
    by_category = {value: Figures(label=label) for value, label in Category.choices}
    first_month = (today.replace(day=1) - datetime.timedelta(days=31 * (MONTHS_SHOWN - 1))).replace(day=1)
    by_month: dict[datetime.date, Figures] = defaultdict(Figures)
    for row in rows:
        total.add(row)
        if row["category"] in by_category:
            by_category[row["category"]].add(row)
        if row["month"] >= first_month:
            by_month[row["month"]].add(row)
    months = []
    for month in sorted(by_month, reverse=True):
        by_month[month].label = month.strftime("%Y-%m")
        months.append(by_month[month])
    return {"total": total, "by_category": list(by_category.values()), "by_month": months}


def rebuild_stats() -> int:
    """Recompute every counter from the cases (after a bulk import, or to check the running totals)."""
    rating_counts = {
        "satisfied": Count("pk", filter=Q(rating=Rating.SATISFIED, state=State.CLOSED)),
        "basic": Count("pk", filter=Q(rating=Rating.BASIC, state=State.CLOSED)),
        "unsatisfied": Count("pk", filter=Q(rating=Rating.UNSATISFIED, state=State.CLOSED)),
        "unrated": Count("pk", filter=Q(rating=Rating.UNRATED, state=State.CLOSED)),
    }
    grouped = (
        Case.objects.annotate(month=TruncMonth("received_at"))
        .values("place_id", "place_path", "month", "category")
        .annotate(
            received=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            rejected=Count("pk", filter=Q(state=State.REJECTED)),
            answered=Count("pk", filter=Q(first_answered_at__isnull=False)),
            answered_on_time=Count("pk", filter=Q(answered_on_time=True)),
            listed=Count("pk", filter=Q(listed=True)),
            **rating_counts,
        )
    )
    seconds: dict[tuple, int] = defaultdict(int)
    for place_id, received_at, answered_at, category in (
        Case.objects.filter(first_answered_at__isnull=False)
        .values_list("place_id", "received_at", "first_answered_at", "category")
        .iterator(chunk_size=5000)
    ):
        assert answered_at is not None  # the query reads answered cases only
        month = timezone.localtime(received_at).date().replace(day=1)
        seconds[(place_id, month, category)] += int((answered_at - received_at).total_seconds())
    rows = []
    for group in grouped:
        row: Mapping[str, Any] = group  # the counters' keys are not literals
        month = row["month"]
        month = timezone.localtime(month).date() if isinstance(month, datetime.datetime) else month
        rows.append(
            CaseStat(
                organization_id=row["place_id"],
                org_path=row["place_path"],
                month=month,
                category=row["category"],
                answer_seconds=seconds[(row["place_id"], month, row["category"])],
                **{name: row[name] for name in CaseStat.COUNTERS if name != "answer_seconds"},
            )
        )
    with transaction.atomic():
        CaseStat.objects.all().delete()
        CaseStat.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
