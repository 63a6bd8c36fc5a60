"""The usage report as an A4 PDF (WeasyPrint, the server's Chinese font WenQuanYi Micro Hei, nothing fetched),
laid out from `report_data.ReportData`: the same sections as the workbook, with the trend drawn as inline SVG
charts (report_charts.py: a PDF runs no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import report_charts
from .report_data import Measure, ReportData, kind_label, rate

STYLESHEET = "analytics/report_print.css"
PDF = "application/pdf"


def shown(values: dict[str, int], measure: Measure) -> str:
    """A figure as printed: a count with thousands separators, a rate as a percentage or "—"."""
    if measure.is_rate:
        value = rate(values, measure)
        return "—" if value is None else f"{value * 100:.1f}%"
    return f"{values.get(measure.key, 0):,}"


def _change(data: ReportData, measure: Measure) -> str:
    if measure.is_rate:
        now, before = rate(data.current, measure), rate(data.before, measure)
        if now is None or before is None:
            return "—"
        return f"{(now - before) * 100:+.1f}%"
    difference = data.current.get(measure.key, 0) - data.before.get(measure.key, 0)
    return f"{difference:+,}" if difference else "0"


TABLE_COLUMNS = 6


@dataclass(frozen=True)
class Table:
    title: str
    measures: list[Measure]
    rows: list[tuple[str, list[str], bool]]  # name, cells, is the total


def context(data: ReportData) -> dict:
    summary = [
        (label, [(m, shown(data.current, m), shown(data.before, m), _change(data, m)) for m in measures])
        for _key, label, measures in data.groups()
    ]
    tables = []
    for _key, label, group_measures in data.groups():
        # An A4 page holds about six figures beside the names: a wider group is cut into tables of six.
        for first in range(0, len(group_measures), TABLE_COLUMNS):
            measures = group_measures[first : first + TABLE_COLUMNS]
            rows = [(row.name, [shown(row.values, m) for m in measures], False) for row in data.rows]
            rows.append((_("Total"), [shown(data.current, m) for m in measures], True))
            tables.append(Table(label, measures, rows))
    categories = [str(period) for period, _values in data.trend]
    line = report_charts.line_chart(
        categories,
        [(m.label, [float(values.get(m.key, 0)) for _p, values in data.trend]) for m in data.headlines],
        title=_("Main counts, last %(n)s periods") % {"n": len(data.trend)},
    )
    if data.rates:
        bars = report_charts.bar_chart(
            categories,
            [(m.label, [rate(values, m) for _p, values in data.trend]) for m in data.rates],
            title=_("Rates, last %(n)s periods") % {"n": len(data.trend)},
            percent=True,
        )
    else:
        bars = report_charts.bar_chart(
            categories,
            [(m.label, [float(values.get(m.key, 0)) for _p, values in data.trend]) for m in data.headlines],
            title=_("Main counts, last %(n)s periods") % {"n": len(data.trend)},
        )
    trend_rows = [(str(period), [shown(values, m) for m in data.headlines]) for period, values in data.trend]
    return {
        "data": data,
        "title": f"{data.organization_name} {kind_label(data.period.kind)}",
        "summary": summary,
        "tables": tables,
        "line_chart": mark_safe(line),  # noqa: S308 - built by report_charts from escaped text
        "bar_chart": mark_safe(bars),  # noqa: S308
        "trend_rows": trend_rows,
        "definitions": [(m, _definition(data, m)) for m in (*data.metrics, *data.rates)],
    }


def _definition(data: ReportData, measure: Measure) -> str:
    if not measure.is_rate:
        return measure.definition
    labels = {m.key: m.label for m in data.metrics}
    formula = _("%(numerator)s ÷ %(denominator)s; “—” when the denominator is 0.") % {
        "numerator": labels.get(measure.numerator, measure.numerator),
        "denominator": labels.get(measure.denominator, measure.denominator),
    }
    return f"{measure.definition} {formula}".strip()


def html(data: ReportData) -> str:
    return render_to_string("analytics/reports/report_print.html", context(data))


def pdf_bytes(data: ReportData) -> bytes:
    from weasyprint import CSS, HTML

    stylesheet = finders.find(STYLESHEET)
    return HTML(string=html(data), url_fetcher=_no_fetch).write_pdf(stylesheets=[CSS(filename=stylesheet)])


def _no_fetch(url, *args, **kwargs):
    raise ValueError("The report's PDF loads nothing from outside.")
