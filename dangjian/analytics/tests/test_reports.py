"""The usage report's content: the workbook's formulas and charts add up to the rollups, the PDF says the same figures
in Chinese, and a name that looks like a formula stays text."""

import pytest

from dangjian.analytics import queries, report_excel, report_pdf
from dangjian.analytics.periods import Period
from dangjian.analytics.report_data import report_data

from .report_support import Q3, cases, column_of, pdf_text, row_of, value, workbook

pytestmark = pytest.mark.django_db

RECEIVED = "收到的群众反馈件数"


def test_report_data_holds_the_subtree_the_children_and_the_trend_from_the_rollups(county):
    cases(county)
    data = report_data(county.county, Q3)
    assert data.current["feedback.received"] == 7
    assert data.before.get("feedback.received", 0) == 1  # Q2: 李湾村
    assert data.own.values["feedback.received"] == 1
    by_name = {row.name: row.values.get("feedback.received", 0) for row in data.children}
    assert by_name == {"东城镇": 4, "西山乡": 2}
    assert sum(row.values.get("feedback.received", 0) for row in data.rows) == data.current["feedback.received"]
    assert len(data.trend) == 12 and data.trend[-1][0] == Q3 and data.trend[-2][0] == Q3.previous()
    assert data.trend[-1][1]["feedback.received"] == 7 and data.trend[-2][1]["feedback.received"] == 1
    keys = {m.key for m in data.metrics}
    assert keys == {m.key for m in queries.metrics()}
    assert all(m.definition for m in (*data.metrics, *data.rates))


def test_the_workbook_totals_are_formulas_that_add_up_to_the_rollups(county):
    cases(county)
    data = report_data(county.county, Q3)
    book = workbook(report_excel.workbook_bytes(data))
    assert book.sheetnames == ["概况", "下级组织", "趋势", "指标说明"]
    children = book["下级组织"]
    column = column_of(children, 5, RECEIVED)
    total_row = row_of(children, "A", "合计")
    total = children[f"{column}{total_row}"]
    assert total.data_type == "f" and total.value.startswith("=SUM(")
    assert value(children, f"{column}{total_row}") == 7
    totals = queries.figures([county.county.pk], Q3)[county.county.pk]
    for metric in data.metrics:
        letter = column_of(children, 5, metric.label)
        assert value(children, f"{letter}{total_row}") == totals.get(metric.key, 0), metric.key
    assert value(children, f"{column}{row_of(children, 'A', '东城镇')}") == 4
    # Every rate is an IF formula over the row's cells, a percentage, "—" with nothing to divide by.
    for rate in data.rates:
        letter = column_of(children, 5, rate.label)
        cell = children[f"{letter}{total_row}"]
        assert cell.data_type == "f" and cell.value.startswith("=IF(") and cell.number_format == "0.0%"
        assert value(children, cell.coordinate) == "—"
    assert children.freeze_panes == "B6"
    summary = book["概况"]
    row = row_of(summary, "B", RECEIVED)
    assert (summary[f"C{row}"].value, summary[f"D{row}"].value) == (7, 1)
    assert summary[f"E{row}"].data_type == "f" and value(summary, f"E{row}") == 6


def test_the_trend_sheet_has_a_line_and_a_bar_chart_over_its_cells(county):
    cases(county)
    book = workbook(report_excel.workbook_bytes(report_data(county.county, Q3)))
    trend = book["趋势"]
    kinds = sorted(type(chart).__name__ for chart in trend._charts)
    assert kinds == ["BarChart", "LineChart"]
    line = next(chart for chart in trend._charts if type(chart).__name__ == "LineChart")
    formulas = [series.val.numRef.f for series in line.series]
    letter = column_of(trend, 4, RECEIVED)
    assert any(f.endswith(f"${letter}$5:${letter}$16") for f in formulas), formulas
    assert value(trend, f"{letter}16") == 7 and trend["A16"].value == "2026年第3季度"
    definitions = book["指标说明"]
    assert definitions[f"B{row_of(definitions, 'B', RECEIVED)}"].value == RECEIVED


def test_a_name_that_looks_like_a_formula_is_written_as_text(county):
    county.town_b.short_name = '=HYPERLINK("http://e.cn","点")'  # fits max_length 30
    county.town_b.save()
    cases(county)
    book = workbook(report_excel.workbook_bytes(report_data(county.county, Q3)))
    children = book["下级组织"]
    names = [cell for cell in children["A"] if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert names and all(cell.data_type == "s" and cell.value.startswith("'=") for cell in names)


def test_the_pdf_says_the_figures_in_chinese_with_its_charts(county):
    cases(county)
    data = report_data(county.county, Q3)
    html = report_pdf.html(data)
    assert html.count("<svg") == 2 and "<polyline" in html and "<script" not in html
    text = pdf_text(report_pdf.pdf_bytes(data))
    assert "中共测试县委员会 季度使用情况报告" in text
    assert "2026年第3季度" in text and "下级组织" in text and "各项指标的定义" in text
    line = next(line for line in text.splitlines() if RECEIVED in line and "7" in line)
    assert line.split()[-3:] == ["7", "1", "+6"]  # this period, the previous, the change
    assert any(line.split()[:2] == ["东城镇", "4"] for line in text.splitlines())
    assert any(line.split()[:2] == ["合计", "7"] for line in text.splitlines())


def test_a_month_with_nothing_counted_still_makes_both_files(county):
    data = report_data(county.village_b1, Period("m", Q3.start))
    assert data.children == [] and not any(data.current.values())
    book = workbook(report_excel.workbook_bytes(data))
    assert value(book["下级组织"], f"{column_of(book['下级组织'], 5, RECEIVED)}7") == 0
    assert "石桥村" in pdf_text(report_pdf.pdf_bytes(data))
