"""Figures of the feedback module per organization subtree, read from the `CaseStat` counters."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from dangjian.organizations.models import PATH_STEP, Organization

from .models import OPEN_STATES, WAITING_STATES, Case, CaseStat, Category, Rating, State

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
        # The tiles are all-time: they say since when (the first month with a case in the area).
        if row.get("received") and ("since" not in total.extra or row["month"] < total.extra["since"]):
            total.extra["since"] = row["month"]
        if row["category"] in by_category:
            by_category[row["category"]].add(row)
        if row["month"] >= first_month:
            by_month[row["month"]].add(row)
    months = []
    for month in sorted(by_month, reverse=True):
        by_month[month].label = month.strftime("%Y-%m")
        months.append(by_month[month])
    return {"total": total, "by_category": list(by_category.values()), "by_month": months}


@dataclass
class BreakdownRow(Figures):
    """One row of the breakdown: a child organization's subtree, or the organization's own cases."""

    organization: Organization | None = None
    own: bool = False  # cases placed at the organization itself (本级), not below it
    overdue: int = 0
    has_children: bool = False

    @property
    def closed(self) -> int:
        return self.rated + self.unrated


BREAKDOWN_SORTS = {
    "received": lambda row: row.received,
    "accepted": lambda row: row.accepted,
    "answered": lambda row: row.answered,
    "on_time": lambda row: row.on_time_rate,
    "overdue": lambda row: row.overdue,
    "satisfaction": lambda row: row.satisfaction_rate,
}


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _split_period(start: datetime.date, end: datetime.date):
    """(the whole months inside the period as [first, after) or None, the days outside them as [from, to) ranges)."""
    after = end + datetime.timedelta(days=1)
    first_whole = start if start.day == 1 else _next_month(start)
    after_whole = after if after.day == 1 else after.replace(day=1)
    if first_whole >= after_whole:
        return None, [(start, after)]
    edges = [(a, b) for a, b in ((start, first_whole), (after_whole, after)) if a < b]
    return (first_whole, after_whole), edges


def breakdown(
    organization: Organization, start: datetime.date, end: datetime.date, now: datetime.datetime | None = None
) -> dict:
    """The organization's cases received from `start` to `end` (local days, both included), one row per child
    organization (its whole subtree) plus the organization's own cases, and the total.

    Whole months are read from the `CaseStat` counters, the days before and after them from the cases, and the
    cases still waiting past their deadline from the open cases: a handful of aggregate queries, each grouped by
    the path prefix of the child the place lies in, so the number of queries does not grow with the rows and a
    county's year does not read every case of the year.
    """
    now = now or timezone.now()
    bounds = organization.subtree_range()
    prefix = len(organization.path) + PATH_STEP + 1
    subtree = list(
        Organization.objects.filter(path__gte=bounds["gte"], path__lt=bounds["lt"]).only(
            "pk", "name", "short_name", "path", "parent_id", "sort_order", "closed_at"
        )
    )
    parents = {org.parent_id for org in subtree if org.closed_at is None}
    children = sorted(
        (org for org in subtree if org.parent_id == organization.pk), key=lambda o: (o.sort_order, o.path)
    )
    # The places listed one by one (not a range): each is an equality on the (place_path, received_at) index
    # followed by a range of days, so SQLite never scans the whole period of the county for one village.
    places = [org.path for org in subtree]
    whole_months, edges = _split_period(start, end)
    closed = Q(state=State.CLOSED)
    from_cases = {
        "received": Count("pk"),
        "accepted": Count("pk", filter=Q(accepted_at__isnull=False)),
        "answered": Count("pk", filter=Q(first_answered_at__isnull=False)),
        "answered_on_time": Count("pk", filter=Q(answered_on_time=True)),
        "satisfied": Count("pk", filter=closed & Q(rating=Rating.SATISFIED)),
        "basic": Count("pk", filter=closed & Q(rating=Rating.BASIC)),
        "unsatisfied": Count("pk", filter=closed & Q(rating=Rating.UNSATISFIED)),
        "unrated": Count("pk", filter=closed & Q(rating=Rating.UNRATED)),
    }
    # n_ names: an annotation named like a field would shadow it in the filters.
    queries: list[Iterable[Mapping[str, Any]]] = []
    if whole_months is not None:
        queries.append(
            CaseStat.objects.filter(org_path__in=places, month__gte=whole_months[0], month__lt=whole_months[1])
            .annotate(branch=Substr("org_path", 1, prefix))
            .values("branch")
            .annotate(**{f"n_{name}": Sum(name) for name in from_cases})
        )
    for first, after in edges:
        days = Q(received_at__gte=_day_start(first), received_at__lt=_day_start(after))
        queries.append(
            Case.objects.filter(days, place_path__in=places)
            .annotate(branch=Substr("place_path", 1, prefix))
            .values("branch")
            .annotate(**{f"n_{name}": aggregate for name, aggregate in from_cases.items()})
        )
    in_period = Q(received_at__gte=_day_start(start), received_at__lt=_day_start(end + datetime.timedelta(days=1)))
    # Past the deadline today without an acceptance or an answer (few cases: the open ones, by their state).
    waiting = (
        Case.objects.filter(
            Q(state=State.RECEIVED, accept_deadline__lt=now)
            | Q(state__in=OPEN_STATES, answer_deadline__lt=now, first_answered_at__isnull=True),
            in_period,
            state__in=WAITING_STATES,
            place_path__gte=bounds["gte"],
            place_path__lt=bounds["lt"],
        )
        .annotate(branch=Substr("place_path", 1, prefix))
        .values("branch")
        .annotate(n_waiting=Count("pk"))
    )

    rows = []
    own = BreakdownRow(label=organization.short_name or organization.name, organization=organization, own=True)
    rows_by_path = {organization.path: own}
    for child in children:
        row = BreakdownRow(label=child.short_name or child.name, organization=child, has_children=child.pk in parents)
        rows_by_path[child.path] = row
        rows.append(row)
    total = BreakdownRow(label=organization.name, organization=organization)

    def add(branch: str, name: str, value: int) -> None:
        # A place below a child that no longer exists is counted in the total only.
        found = rows_by_path.get(branch) or BreakdownRow()
        setattr(found, name, getattr(found, name) + (value or 0))
        setattr(total, name, getattr(total, name) + (value or 0))

    for query in queries:
        values: Mapping[str, Any]
        for values in query:
            for name in from_cases:
                add(values["branch"], name, values[f"n_{name}"])
    for values in waiting:
        add(values["branch"], "overdue", values["n_waiting"])
    for row in [*rows_by_path.values(), total]:
        row.overdue += row.answered - row.answered_on_time  # answered after the deadline
    # A closed (or merged) organization's row goes unless it still counts something (its cases moved on a merge).
    rows = [row for row in rows if not (row.organization and row.organization.is_closed) or row.received or row.overdue]
    if own.received or not rows:
        rows.insert(0, own)
    return {"rows": rows, "total": total, "start": start, "end": end}


def sort_rows(rows: list[BreakdownRow], key: str) -> list[BreakdownRow]:
    """Rows by one column, largest first, rows without a value (no case to compute a rate) last; stable."""
    measure = BREAKDOWN_SORTS.get(key)
    if measure is None:
        return rows
    with_value = [row for row in rows if measure(row) is not None]
    without = [row for row in rows if measure(row) is None]
    return sorted(with_value, key=measure, reverse=True) + without


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
