"""The audited roster export to Excel."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.members.models import RosterExport
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1975, 8, 9)
NUMBER = f.id_number(77, BIRTH)


def login(client, username: str):
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def members(county):
    f.member(county.village_a1, "李建国", birth_date=BIRTH, id_number=NUMBER, mobile="13812345678")
    f.member(county.village_a1, '=HYPERLINK("http://x")', job="+1 会计")
    f.member(county.village_a2, "孙丽", mobile="13700001111")
    f.member(county.village_b1, "赵六")


def rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value or "" for c in row] for row in sheet.iter_rows()]


def test_export_writes_the_audit_row_with_the_reason(client, county, members):
    url = reverse("console:members_export", args=[county.village_a1.pk])
    response = login(client, "a1_secretary").post(url, {"reason": "年度党员统计"})
    table = rows(response)
    assert len(table) == 3  # the header and the village's two members, not the other villages'
    record = RosterExport.objects.get()
    assert (record.exported_by, record.organization, record.reason, record.rows, record.with_id_numbers) == (
        county.village_a1_secretary,
        county.village_a1,
        "年度党员统计",
        2,
        False,
    )
    text = str(table)
    assert "13812345678" in text  # the branch's own committee sees full mobiles
    assert NUMBER not in text and NUMBER[:3] + "*" * 13 + NUMBER[-2:] in text
    # What a spreadsheet could run is written as text.
    assert '\'=HYPERLINK("http://x")' in text and "'+1 会计" in text


def test_a_township_export_masks_mobiles_and_cannot_have_full_id_numbers(client, county, members):
    url = reverse("console:members_export", args=[county.town_a.pk])
    login(client, "town_a_admin")
    text = str(rows(client.post(url, {"reason": "核对", "with_id_numbers": "on"})))
    # Full numbers only for the members of one's own branch: the villages' stay masked, as their mobiles.
    assert "138****5678" in text and "137****1111" in text and "13812345678" not in text
    assert NUMBER not in text and NUMBER[:3] + "*" * 13 + NUMBER[-2:] in text and "赵六" not in text
    # From the village's list (a grant above it, not on it) the option is not offered, and a forged box is refused.
    village = reverse("console:members_export", args=[county.village_a1.pk])
    assert 'name="with_id_numbers"' not in client.get(village).content.decode()
    text = str(rows(client.post(village, {"reason": "核对", "with_id_numbers": "on"})))
    assert NUMBER not in text
    assert list(RosterExport.objects.order_by("id").values_list("with_id_numbers", flat=True)) == [True, False]


def test_the_branch_secretary_may_export_full_id_numbers_recorded_as_such(client, county, members):
    url = reverse("console:members_export", args=[county.village_a1.pk])
    login(client, "a1_secretary")
    assert 'name="with_id_numbers"' in client.get(url).content.decode()
    text = str(rows(client.post(url, {"reason": "组织部核查", "with_id_numbers": "on"})))
    assert NUMBER in text
    assert RosterExport.objects.get().with_id_numbers is True


def test_export_needs_a_reason_of_at_most_200_characters(client, county, members):
    url = reverse("console:members_export", args=[county.village_a1.pk])
    login(client, "a1_secretary")
    for reason in ("", "   ", "长" * 201):
        response = client.post(url, {"reason": reason})
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
    assert not RosterExport.objects.exists()


def test_others_cannot_export_or_read_the_log(client, county, members):
    f.staff("town_b_admin", "org_admin", county.town_b)
    for user in ("town_b_admin", "town_a_media"):
        login(client, user)
        assert (
            client.post(reverse("console:members_export", args=[county.village_a1.pk]), {"reason": "x"}).status_code
            == 403
        )
        assert client.get(reverse("console:members_export_log", args=[county.village_a1.pk])).status_code == 403
    assert not RosterExport.objects.exists()


def test_the_log_lists_the_exports_of_the_subtree(client, county, members):
    login(client, "a1_secretary").post(
        reverse("console:members_export", args=[county.village_a1.pk]), {"reason": "年度统计"}
    )
    html = login(client, "town_a_admin").get(reverse("console:members_export_log", args=[county.town_a.pk])).content
    assert "年度统计" in html.decode() and html.decode().count('data-testid="export"') == 1


def test_the_export_header_uses_the_import_templates_column_names(client, county, members):
    from dangjian.members.spreadsheet import COLUMNS, read_sheet

    url = reverse("console:members_export", args=[county.village_a1.pk])
    response = login(client, "a1_secretary").post(url, {"reason": "核对"})
    header = rows(response)[0]
    assert "政策类别" not in header
    assert {c.header for c in COLUMNS} <= set(header)
    # The roster import recognizes every one of its columns in an exported file.
    sheet = read_sheet(load_workbook(io.BytesIO(response.content)))
    assert set(sheet.columns) == {c.key for c in COLUMNS}
