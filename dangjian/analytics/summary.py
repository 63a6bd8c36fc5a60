"""What the summary page of an organization shows, read from the rollups only (queries.py): the subtree's totals
for a period by group, the direct children's figures of one group, and a trend over the last periods.

A bounded number of queries whatever the size of the tree: the organization's figures, its children and their
figures, the trend, and the first period with any figure. Metrics are shown generically by their `group`, so a
metric that a module starts keeping appears without a change here. Organizations only: nobody is ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import pgettext_lazy

from dangjian.accounts.permissions import has_capability
from dangjian.core.registry import UsageMetric, UsageRate
from dangjian.organizations.models import Organization

from . import queries
from .models import Figure
from .periods import Period
from .rows import has_rows

# The groups of the page, in its order (UsageMetric.group / UsageRate.group).
GROUPS = {
    "interaction": pgettext_lazy("summary group", "Interaction"),
    "life": pgettext_lazy("summary group", "Organizational life"),
    "learning": pgettext_lazy("summary group", "Learning and training"),
    "publishing": pgettext_lazy("summary group", "Publishing"),
    "reach": pgettext_lazy("summary group", "Reach"),
    "content": pgettext_lazy("summary group", "Content"),
}
TREND_PERIODS = 12


def anchor(key: str) -> str:
    """The id of a measure's definition on the page."""
    return "def-" + key.replace(".", "-").replace("_", "-")


@dataclass
class Cell:
    """One figure as shown: a metric's count (with the link to its rows when the viewer may see them) or a rate."""

    key: str
    value: int | None = None
    link: str = ""
    numerator: int = 0
    denominator: int = 0
    percent: float | None = None
    rate: bool = False

    @property
    def sort_value(self) -> float:
        if self.rate:
            return -1.0 if self.percent is None else self.percent
        return float(self.value or 0)


@dataclass
class Measure:
    """A column: a kept metric or a rate, with its label and definition."""

    key: str
    label: str
    definition: str
    rate: bool = False
    metric: UsageMetric | None = None
    anchor: str = ""


@dataclass
class Group:
    key: str
    label: str
    measures: list[Measure] = field(default_factory=list)


def groups() -> list[Group]:
    """The groups that hold at least one kept metric or rate, each with its measures in registry order."""
    found = {key: Group(key, str(label)) for key, label in GROUPS.items()}
    for metric in queries.metrics():
        group = found.setdefault(metric.group, Group(metric.group, metric.group))
        group.measures.append(
            Measure(metric.key, str(metric.label), str(metric.definition), metric=metric, anchor=anchor(metric.key))
        )
    kept = {metric.key for metric in queries.metrics()}
    for rate in queries.rates():
        if rate.numerator in kept and rate.denominator in kept:
            group = found.setdefault(rate.group, Group(rate.group, rate.group))
            group.measures.append(
                Measure(rate.key, str(rate.label), str(rate.definition), rate=True, anchor=anchor(rate.key))
            )
    return [group for group in found.values() if group.measures]


def rows_link(user, organization: Organization, metric: UsageMetric | None, period: Period) -> str:
    """The URL of the rows a figure counts, or "" when the figure has no rows page or the viewer may not see it."""
    if metric is None or not has_rows(metric):
        return ""
    assert metric.counted is not None and metric.counted.capability is not None
    if not has_capability(user, metric.counted.capability, organization):
        return ""
    return reverse("console:summary_rows", args=[organization.pk, metric.key, period.code])


def cells(user, organization: Organization, measures: list[Measure], values: dict[str, int], period: Period):
    rates = {rate.key: rate for rate in queries.rates()}
    shown = []
    for measure in measures:
        if measure.rate:
            rate: UsageRate = rates[measure.key]
            numerator, denominator = values.get(rate.numerator, 0), values.get(rate.denominator, 0)
            value = queries.RateValue(numerator, denominator)
            shown.append(Cell(measure.key, None, "", numerator, denominator, value.percent, rate=True))
        else:
            count = values.get(measure.key, 0)
            link = rows_link(user, organization, measure.metric, period) if count else ""
            shown.append(Cell(measure.key, count, link))
    return shown


@dataclass
class ChildRow:
    organization: Organization
    cells: list[Cell]


def child_rows(user, organization: Organization, group: Group, period: Period, sort: str, descending: bool):
    """One row per direct child with the group's figures, sorted by `sort` ("" = as in the tree, "name", or a
    measure's key). A closed child is listed only while it counts something in the period."""
    children = list(Organization.objects.filter(parent=organization).order_by("sort_order", "path"))
    values = queries.figures([child.pk for child in children], period)
    rows = []
    for child in children:
        child_values = values.get(child.pk, {})
        if child.is_closed and not any(child_values.values()):
            continue
        rows.append(ChildRow(child, cells(user, child, group.measures, child_values, period)))
    keys = [measure.key for measure in group.measures]
    if sort == "name":
        rows.sort(key=lambda row: row.organization.short_name or row.organization.name, reverse=descending)
    elif sort in keys:
        index = keys.index(sort)
        rows.sort(key=lambda row: row.cells[index].sort_value, reverse=descending)
    return rows


def trend(organization: Organization, group: Group, period: Period) -> dict:
    """The subtree's totals of the group's metrics over the last TREND_PERIODS periods up to `period`: for the
    chart (json_script) and the table beside it."""
    shown = period.recent(TREND_PERIODS)
    found = queries.trend(organization.pk, shown)
    metrics = [measure for measure in group.measures if not measure.rate]
    return {
        "labels": [str(p) for p, _values in found],
        "codes": [p.code for p, _values in found],
        "series": [
            {"key": measure.key, "name": measure.label, "data": [values.get(measure.key, 0) for _p, values in found]}
            for measure in metrics
        ],
    }


def first_start(organization: Organization, kind: str):
    """The first period (of `kind`) in which the organization's subtree counted anything, or None."""
    return (
        Figure.objects.filter(organization_id=organization.pk, kind=kind)
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
