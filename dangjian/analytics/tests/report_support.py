"""What the report tests share: a quarter of feedback cases in the test county (kept in the rollups by the
module's own action and the refresh), and a small evaluator of the workbook's formulas (SUM of a range, the rate's
IF, a difference), so a test reads the totals Excel would show."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
import tempfile
import uuid
from pathlib import Path

import time_machine
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from dangjian.analytics import rollups
from dangjian.analytics.periods import Period
from dangjian.feedback import actions as feedback

Q3 = Period("q", datetime.date(2026, 7, 1))


def at(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, tzinfo=timezone.get_current_timezone())


def submit(place, when: datetime.datetime) -> None:
    with time_machine.travel(when, tick=False):
        feedback.submit_case(
            place_id=place.pk,
            category="help",
            title="村口路灯坏了",
            description="村口路灯坏了一个月了。",
            client_token=uuid.uuid4(),
        )


def cases(county) -> None:
    """Q3 2026: 王庄村 3, 东城镇 itself 1, 石桥村 2, the county itself 1 (7 in all); Q2: 李湾村 1; September: 王庄村's
    third and 石桥村's second."""
    for when in (at(2026, 7, 3), at(2026, 8, 12), at(2026, 9, 20)):
        submit(county.village_a1, when)
    submit(county.town_a, at(2026, 8, 1))
    submit(county.village_b1, at(2026, 7, 15))
    submit(county.village_b1, at(2026, 9, 2))
    submit(county.county, at(2026, 9, 5))
    submit(county.village_a2, at(2026, 5, 5))
    rollups.refresh_pending()


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


_CELL = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")


def value(sheet, reference: str):
    """The value Excel would show in the cell (formulas of the report's few shapes worked out)."""
    cell = sheet[reference]
    if cell.data_type != "f":
        return cell.value
    formula = str(cell.value)[1:]
    found = re.fullmatch(r"SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", formula)
    if found:
        column, first, _column2, last = found.groups()
        return sum(value(sheet, f"{column}{row}") or 0 for row in range(int(first), int(last) + 1))
    found = re.fullmatch(r'IF\(([A-Z]+\d+)=0,"—",([A-Z]+\d+)/([A-Z]+\d+)\)', formula)
    if found:
        denominator, numerator, denominator2 = found.groups()
        assert denominator == denominator2
        bottom = value(sheet, denominator)
        return "—" if not bottom else value(sheet, numerator) / bottom
    found = re.fullmatch(r"([A-Z]+\d+)-([A-Z]+\d+)", formula)
    if found:
        return value(sheet, found.group(1)) - value(sheet, found.group(2))
    raise AssertionError(f"a formula the report should not have: {cell.value}")


def column_of(sheet, header_row: int, label: str) -> str:
    for cell in sheet[header_row]:
        if cell.value == label:
            return cell.column_letter
    raise AssertionError(f"no column {label!r}")


def row_of(sheet, column: str, label: str) -> int:
    index = column_index_from_string(column)
    for row in sheet.iter_rows(min_col=index, max_col=index):
        if row[0].value == label:
            return row[0].row
    raise AssertionError(f"no row {label!r}")


def pdf_text(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
        ).stdout
