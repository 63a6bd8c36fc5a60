"""The usage report as an Excel workbook (openpyxl), laid out from `report_data.ReportData`.

- 概况: the subtree's totals of the period and the one before, with the change and the rates as formulas over
  those cells.
- 下级组织: the organization's own figures and one row per direct child; the 合计 row is =SUM(...) of the rows
  above (it equals the subtree's totals) and every rate is =IF(denominator=0,"—",numerator/denominator).
- 趋势: the last periods of the kind, with a line chart of the main counts and a bar chart of the rates, both
  referencing the cells (openpyxl.chart), so Excel redraws them from the table.
- 指标说明: the definition of every measure.

Headers in Chinese, frozen header rows, counts as whole numbers and rates as percentages. Every text cell goes
through `core.exports.spreadsheet_cell` and is stored as text, so an organization's name starting with = + - @
is never a formula.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dangjian.core.exports import spreadsheet_cell

from .report_data import Measure, ReportData, kind_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="F3E3E3")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)


def _text(sheet: Worksheet, row: int, column: int, value, *, font: Font | None = None) -> None:
    cell = sheet.cell(row=row, column=column, value=spreadsheet_cell(value))
    cell.data_type = TYPE_STRING
    if font is not None:
        cell.font = font


def _number(sheet: Worksheet, row: int, column: int, value, number_format: str = COUNT_FORMAT) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.number_format = number_format


def _header(sheet: Worksheet, row: int, labels: list[str]) -> None:
    for column, label in enumerate(labels, start=1):
        _text(sheet, row, column, label, font=BOLD)
        cell = sheet.cell(row=row, column=column)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _rate_formula(numerator: str, denominator: str) -> str:
    return f'=IF({denominator}=0,"—",{numerator}/{denominator})'


def _title(sheet: Worksheet, data: ReportData, subtitle: str) -> None:
    _text(sheet, 1, 1, f"{data.organization_name} {kind_label(data.period.kind)}", font=TITLE)
    _text(
        sheet,
        2,
        1,
        _("%(subtitle)s · period %(period)s (%(first)s to %(last)s)")
        % {
            "subtitle": subtitle,
            "period": data.period,
            "first": data.period.start.isoformat(),
            "last": data.period.last_day.isoformat(),
        },
    )


def _summary(sheet: Worksheet, data: ReportData) -> None:
    sheet.title = _("Summary")
    _title(sheet, data, _("Summary"))
    _text(
        sheet,
        3,
        1,
        _("Generated at %(time)s from the usage rollups.") % {"time": data.generated_at.strftime("%Y-%m-%d %H:%M")},
    )
    _text(
        sheet, 4, 1, _("Organizations only: no person is counted, named or ranked. Definitions: sheet “Definitions”.")
    )
    header_row = 6
    _header(
        sheet,
        header_row,
        [_("Area"), _("Measure"), _("This period"), _("Previous period"), pgettext("usage report", "Change")],
    )
    row = header_row + 1
    where: dict[str, int] = {}
    for metric in data.metrics:
        _text(sheet, row, 1, metric.group_label)
        _text(sheet, row, 2, metric.label)
        _number(sheet, row, 3, data.current.get(metric.key, 0))
        _number(sheet, row, 4, data.before.get(metric.key, 0))
        _number(sheet, row, 5, f"=C{row}-D{row}", "+#,##0;-#,##0;0")
        where[metric.key] = row
        row += 1
    if data.rates:
        row += 1
        _header(
            sheet,
            row,
            [_("Area"), _("Rate"), _("This period"), _("Previous period"), pgettext("usage report", "Change")],
        )
        row += 1
        for measure in data.rates:
            numerator, denominator = where[measure.numerator], where[measure.denominator]
            _text(sheet, row, 1, measure.group_label)
            _text(sheet, row, 2, measure.label)
            _number(sheet, row, 3, _rate_formula(f"C{numerator}", f"C{denominator}"), PERCENT_FORMAT)
            _number(sheet, row, 4, _rate_formula(f"D{numerator}", f"D{denominator}"), PERCENT_FORMAT)
            _number(sheet, row, 5, f'=IF(OR(ISTEXT(C{row}),ISTEXT(D{row})),"—",C{row}-D{row})', "+0.0%;-0.0%;0.0%")
            row += 1
    if data.statuses:
        row += 1
        _text(sheet, row, 1, status_note(data))
        row += 1
        _header(sheet, row, [_("Organization"), _("Status"), _("Reason")])
        row += 1
        for line in data.statuses:
            _text(sheet, row, 1, line.organization)
            _text(sheet, row, 2, line.status)
            _text(sheet, row, 3, line.reason)
            row += 1
    sheet.freeze_panes = f"A{header_row + 1}"
    for column, width in zip("ABCDE", (18, 34, 12, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width


def _children(sheet: Worksheet, data: ReportData) -> None:
    sheet.title = _("Organizations below")
    _title(sheet, data, _("Organizations below"))
    _text(
        sheet,
        3,
        1,
        _(
            "Each child's figures are its whole subtree's; the first row is the organization's own records; the total adds them up."
        ),
    )
    header_row, first = 5, 6
    measures: list[Measure] = [*data.metrics, *data.rates]
    _header(sheet, header_row, [_("Organization"), *(m.label for m in measures)])
    column_of = {m.key: index for index, m in enumerate(measures, start=2)}
    rows = data.rows
    last = first + len(rows) - 1
    total_row = last + 1
    for offset, row_data in enumerate([*rows, None]):
        row = first + offset
        _text(sheet, row, 1, row_data.name if row_data is not None else _("Total"), font=None if row_data else BOLD)
        for metric in data.metrics:
            column = column_of[metric.key]
            letter = get_column_letter(column)
            if row_data is None:
                _number(sheet, row, column, f"=SUM({letter}{first}:{letter}{last})")
                sheet.cell(row=row, column=column).font = BOLD
            else:
                _number(sheet, row, column, row_data.values.get(metric.key, 0))
        for measure in data.rates:
            numerator = get_column_letter(column_of[measure.numerator])
            denominator = get_column_letter(column_of[measure.denominator])
            _number(
                sheet,
                row,
                column_of[measure.key],
                _rate_formula(f"{numerator}{row}", f"{denominator}{row}"),
                PERCENT_FORMAT,
            )
    assert total_row == first + len(rows)
    sheet.freeze_panes = f"B{first}"
    sheet.column_dimensions["A"].width = 26
    for column in range(2, len(measures) + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.row_dimensions[header_row].height = 48


def _trend(sheet: Worksheet, data: ReportData) -> None:
    sheet.title = _("Trend")
    _title(sheet, data, _("Trend"))
    header_row, first = 4, 5
    measures: list[Measure] = [*data.metrics, *data.rates]
    _header(sheet, header_row, [_("Period"), *(m.label for m in measures)])
    column_of = {m.key: index for index, m in enumerate(measures, start=2)}
    for offset, (period, values) in enumerate(data.trend):
        row = first + offset
        _text(sheet, row, 1, str(period))
        for metric in data.metrics:
            _number(sheet, row, column_of[metric.key], values.get(metric.key, 0))
        for measure in data.rates:
            numerator = get_column_letter(column_of[measure.numerator])
            denominator = get_column_letter(column_of[measure.denominator])
            _number(
                sheet,
                row,
                column_of[measure.key],
                _rate_formula(f"{numerator}{row}", f"{denominator}{row}"),
                PERCENT_FORMAT,
            )
    last = first + len(data.trend) - 1
    sheet.freeze_panes = f"B{first}"
    sheet.column_dimensions["A"].width = 16
    for column in range(2, len(measures) + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.row_dimensions[header_row].height = 48
    categories = Reference(sheet, min_col=1, min_row=first, max_row=last)
    chart_row = last + 3
    if data.headlines:
        line = LineChart()
        line.title = _("Main counts, last %(n)s periods") % {"n": len(data.trend)}
        line.y_axis.title = _("Count")
        line.height, line.width = 9, 22
        for measure in data.headlines:
            column = column_of[measure.key]
            line.add_data(Reference(sheet, min_col=column, min_row=header_row, max_row=last), titles_from_data=True)
        line.set_categories(categories)
        sheet.add_chart(line, f"A{chart_row}")
        chart_row += 20
    bars = BarChart()
    bars.type = "col"
    if data.rates:
        bars.title = _("Rates, last %(n)s periods") % {"n": len(data.trend)}
        bars.y_axis.title = _("Rate")
        bars.y_axis.numFmt = PERCENT_FORMAT
        shown = data.rates
    else:
        bars.title = _("Main counts, last %(n)s periods") % {"n": len(data.trend)}
        shown = data.headlines
    bars.height, bars.width = 9, 22
    for measure in shown:
        column = column_of[measure.key]
        bars.add_data(Reference(sheet, min_col=column, min_row=header_row, max_row=last), titles_from_data=True)
    bars.set_categories(categories)
    sheet.add_chart(bars, f"A{chart_row}")


def _definitions(sheet: Worksheet, data: ReportData) -> None:
    sheet.title = _("Definitions")
    _text(sheet, 1, 1, _("Definitions of the measures"), font=TITLE)
    _header(sheet, 3, [_("Area"), _("Measure"), _("Kind"), _("Definition")])
    labels = {m.key: m.label for m in data.metrics}
    row = 4
    for measure in [*data.metrics, *data.rates]:
        _text(sheet, row, 1, measure.group_label)
        _text(sheet, row, 2, measure.label)
        _text(sheet, row, 3, _("Rate") if measure.is_rate else _("Count"))
        definition = measure.definition
        if measure.is_rate:
            formula = _("%(numerator)s ÷ %(denominator)s; “—” when the denominator is 0.") % {
                "numerator": labels.get(measure.numerator, measure.numerator),
                "denominator": labels.get(measure.denominator, measure.denominator),
            }
            definition = f"{definition} {formula}".strip()
        _text(sheet, row, 4, definition)
        sheet.cell(row=row, column=4).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    sheet.freeze_panes = "A4"
    for column, width in zip("ABCD", (18, 30, 8, 80), strict=True):
        sheet.column_dimensions[column].width = width


def workbook_bytes(data: ReportData) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    _summary(summary, data)
    _children(workbook.create_sheet(), data)
    _trend(workbook.create_sheet(), data)
    _definitions(workbook.create_sheet(), data)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def status_note(data) -> str:
    """The status section's heading line: as of the report's making, not of its period."""
    when = timezone.localtime(data.generated_at).strftime("%Y-%m-%d %H:%M")
    return _(
        "The status as of when this report was made (%(when)s), not of the period: idle and needing attention "
        "organizations with their reasons."
    ) % {"when": when}
