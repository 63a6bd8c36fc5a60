"""What a usage report says, as plain data: `report_data(organization, period)`.

Everything comes from the rollups (`queries.figures` / `queries.trend` over `Figure`), never from the records:
the subtree's totals of every kept metric and every rate for the period and the one before, the organization's
own figures and one row per direct child organization, the trend of the last TREND_PERIODS periods of the kind,
and the definition of every measure. Only organizations' figures: no person is named or ranked.

The Excel workbook (report_excel.py) and the PDF (report_pdf.py) only lay this out, so a section added here
(e.g. the freshness and 形同摆设 statuses: `statuses` below) appears in both.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.organizations.models import Organization

from . import freshness, queries
from .periods import Period

TREND_PERIODS = 12
HEADLINES = 6  # metrics drawn in the trend chart: the first of each group, in registry order

GROUP_LABELS = {
    "interaction": gettext_lazy("Interaction with the public"),
    "life": gettext_lazy("Organizational life"),
    "learning": gettext_lazy("Learning and training"),
    "publishing": gettext_lazy("Publishing and push"),
    "reach": gettext_lazy("Reach"),
    "content": gettext_lazy("Content and services"),
}
GROUP_ORDER = list(GROUP_LABELS)


@dataclass(frozen=True)
class Measure:
    """A metric (a count) or a rate (numerator / denominator, two metric keys) as the report shows it."""

    key: str
    label: str
    group: str
    group_label: str
    definition: str
    numerator: str = ""  # rates only
    denominator: str = ""

    @property
    def is_rate(self) -> bool:
        return bool(self.numerator)


@dataclass(frozen=True)
class Row:
    """One organization's figures: {metric key: value} (missing keys are 0)."""

    organization_id: int
    name: str
    values: dict[str, int]
    closed: bool = False
    own: bool = False  # the organization's own records (本级), not a child's subtree


@dataclass(frozen=True)
class StatusLine:
    """A line of the report's status section (freshness, 形同摆设): filled by `statuses()`."""

    organization: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class ReportData:
    organization_id: int
    organization_name: str
    period: Period
    previous: Period
    generated_at: datetime.datetime
    metrics: list[Measure]
    rates: list[Measure]
    current: dict[str, int]
    before: dict[str, int]
    own: Row
    children: list[Row]
    trend: list[tuple[Period, dict[str, int]]]
    headlines: list[Measure]
    statuses: list[StatusLine] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        """The organization's own row, then its children: their figures add up to the subtree's totals."""
        return [self.own, *self.children]

    def groups(self) -> list[tuple[str, str, list[Measure]]]:
        """(group key, label, metrics and rates of the group) in the groups' order."""
        found = []
        for key in sorted({m.group for m in (*self.metrics, *self.rates)}, key=_group_position):
            found.append(
                (
                    key,
                    str(GROUP_LABELS.get(key, key)),
                    [m for m in self.metrics if m.group == key] + [r for r in self.rates if r.group == key],
                )
            )
        return found


def _group_position(key: str) -> int:
    return GROUP_ORDER.index(key) if key in GROUP_ORDER else len(GROUP_ORDER)


def measures() -> tuple[list[Measure], list[Measure]]:
    """The kept metrics and the registered rates (of kept metrics), grouped, in registry order within a group."""
    metrics = sorted(
        (
            Measure(m.key, str(m.label), m.group, str(GROUP_LABELS.get(m.group, m.group)), str(m.definition))
            for m in queries.metrics()
        ),
        key=lambda m: _group_position(m.group),
    )
    kept = {m.key for m in metrics}
    rates = sorted(
        (
            Measure(
                r.key,
                str(r.label),
                r.group,
                str(GROUP_LABELS.get(r.group, r.group)),
                str(r.definition),
                numerator=r.numerator,
                denominator=r.denominator,
            )
            for r in queries.rates()
            if r.numerator in kept and r.denominator in kept
        ),
        key=lambda r: _group_position(r.group),
    )
    return metrics, rates


def rate(values: dict[str, int], measure: Measure) -> float | None:
    """The rate as a fraction (0.5 for 50 %), None when its denominator is 0 (shown "—")."""
    denominator = values.get(measure.denominator, 0)
    return None if not denominator else values.get(measure.numerator, 0) / denominator


def statuses(organization: Organization, period: Period) -> list[StatusLine]:
    """The status section of the report: the freshness and 形同摆设 statuses of the organizations of the subtree.

    The status is the one when the report is made (freshness keeps the last change, not a history): the
    organizations that are 形同摆设 first, then those needing attention, each with its reasons; the ones in order
    are left out (the section's heading says how many). Empty when all are in order. Organizations only, never
    a person.
    """
    fresh = freshness.subtree_freshness(organization)
    order = {freshness.IDLE: 0, freshness.ATTENTION: 1}
    flagged = sorted(
        (item for item in fresh.by_id.values() if item.status in order),
        key=lambda item: (order[item.status], item.organization.path),
    )
    return [
        StatusLine(
            organization=item.organization.short_name or item.organization.name,
            status=str(item.status_label),
            reason="；".join(reason.text for reason in item.reasons),
        )
        for item in flagged
    ]


def report_data(organization: Organization, period: Period) -> ReportData:
    """The report of `organization`'s subtree for `period`, from the rollups."""
    metrics, rates = measures()
    previous = period.previous()
    children = list(Organization.objects.filter(parent=organization).order_by("sort_order", "name", "pk"))
    ids = [organization.pk, *(child.pk for child in children)]
    totals = queries.figures(ids, period)
    own = queries.figures([organization.pk], period, own=True)[organization.pk]
    before = queries.figures([organization.pk], previous)[organization.pk]
    rows = []
    for child in children:
        values = totals.get(child.pk, {})
        if child.is_closed and not any(values.values()):
            continue  # a closed child is listed only while it still counts something in this period
        name = child.short_name or child.name
        rows.append(
            Row(child.pk, _("%(name)s (closed)") % {"name": name} if child.is_closed else name, values, child.is_closed)
        )
    headlines: list[Measure] = []
    for metric in metrics:
        if len(headlines) < HEADLINES and metric.group not in {h.group for h in headlines}:
            headlines.append(metric)
    return ReportData(
        organization_id=organization.pk,
        organization_name=organization.name,
        period=period,
        previous=previous,
        generated_at=timezone.localtime(),
        metrics=metrics,
        rates=rates,
        current=totals.get(organization.pk, {}),
        before=before,
        own=Row(
            organization.pk,
            _("%(name)s itself") % {"name": organization.short_name or organization.name},
            own,
            own=True,
        ),
        children=rows,
        trend=queries.trend(organization.pk, period.recent(TREND_PERIODS)),
        headlines=headlines,
        statuses=statuses(organization, period),
    )


def kind_label(kind: str) -> str:
    return {
        "w": _("Weekly usage report"),
        "m": _("Monthly usage report"),
        "q": _("Quarterly usage report"),
        "y": _("Yearly usage report"),
    }.get(kind, _("Usage report"))


def file_stem(data: ReportData, short_name: str) -> str:
    """The files' name without extension: "测试县-2026年第3季度-使用情况报告"."""
    return f"{short_name}-{data.period}-{_('usage report')}"
