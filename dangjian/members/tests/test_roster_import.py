"""Issue 12: a branch secretary imports the branch's roster from Excel: checked row by row, previewed, and written
only when confirmed (whole clean file, or the good rows by explicit choice), once."""

from __future__ import annotations

import datetime
import io
import logging
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.accounts.models import Role
from dangjian.core.models import ChangeRecord
from dangjian.members import roster, spreadsheet
from dangjian.members.models import Member, RosterImport
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD

from .roster_files import HEADERS, person, workbook_bytes, xlsx

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def upload(client, org, file):
    return client.post(f"/console/o/{org.pk}/members/import/", {"file": file})


def uploaded(client, org, file) -> RosterImport:
    response = upload(client, org, file)
    assert response.status_code == 302, response.content.decode()[:2000]
    return RosterImport.objects.latest("pk")


def preview_url(org, checked) -> str:
    return f"/console/o/{org.pk}/members/import/{checked.pk}/"


def confirm(client, org, checked, keep_good_rows: bool = False):
    data = {"keep_good_rows": "1"} if keep_good_rows else {}
    return client.post(preview_url(org, checked) + "confirm/", data, follow=True)


@pytest.fixture
def secretary(county):
    return county.village_a1_secretary


@pytest.fixture
def client(secretary):
    return signed_in(secretary)


def test_the_organization_page_links_to_the_import_for_member_managers_only(county, client):
    page = client.get(f"/console/o/{county.village_a1.pk}/").content.decode()
    assert "导入党员名册" in page
    assert f"/console/o/{county.village_a1.pk}/members/import/" in page
    media = signed_in(county.town_a_media).get(f"/console/o/{county.village_a1.pk}/").content.decode()
    assert "导入党员名册" not in media


def test_the_template_has_chinese_headers_drop_downs_date_formats_and_an_example_apart(county, client):
    group = f.OrganizationFactory(name="第一党小组", kind="group", parent=county.village_a1)
    response = client.get(f"/console/o/{county.village_a1.pk}/members/import/template/")
    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheet.XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    # No example among the rows to import (they are only formatted).
    assert all(cell.value is None for row in sheet.iter_rows(min_row=2) for cell in row)
    lists = {str(v.sqref).split(":")[0][0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["B"] == '"男,女"'
    assert lists["J"] == '"正式党员,预备党员"'
    assert lists["K"] == f'"{group.name}"'
    assert lists["N"] == '"是,否"'
    assert sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["G2"].number_format == "@"
    example = book["示例"]
    assert example["A2"].value == "张建国"
    assert isinstance(example["D2"].value, datetime.datetime)
    assert "填写说明" in book.sheetnames


def test_a_clean_file_is_previewed_masked_and_written_only_when_confirmed(county, client, secretary):
    rows = [person(1), person(2), person(3, 类别="预备党员", 转正日期=None, 入党日期=datetime.date(2026, 1, 10))]
    checked = uploaded(client, county.village_a1, xlsx(rows))
    assert (checked.good_rows, checked.bad_rows) == (3, 0)
    assert Member.objects.count() == 0
    page = client.get(preview_url(county.village_a1, checked)).content.decode()
    assert "全部导入" in page and "只导入" not in page
    for row in rows:  # names shown, ID and mobile numbers only masked
        assert row["姓名"] in page
        assert row["身份证号"] not in page and row["身份证号"][:3] + "*" in page
        assert row["手机号码"] not in page and row["手机号码"][:3] + "****" + row["手机号码"][-4:] in page
    # The stored check is encrypted.
    assert rows[0]["身份证号"].encode() not in bytes(RosterImport.objects.get().payload)

    result = confirm(client, county.village_a1, checked).content.decode()
    assert "已导入 3 名党员" in result
    assert Member.objects.filter(organization=county.village_a1).count() == 3
    probationary = Member.objects.get(name=rows[2]["姓名"])
    assert probationary.category == Member.Category.PROBATIONARY
    assert probationary.probation_ends_on == datetime.date(2027, 1, 10)
    assert probationary.id_number() == rows[2]["身份证号"]
    assert ChangeRecord.objects.filter(action="create", organization=county.village_a1, actor=secretary).count() == 3
    assert RosterImport.objects.get().payload == b""  # the numbers are in the registry now, not kept twice


def test_a_broken_id_number_is_listed_with_its_row_and_reason_and_nothing_is_written(county, client):
    broken = person(2)
    broken["身份证号"] = broken["身份证号"][:-1] + ("0" if broken["身份证号"][-1] != "0" else "1")
    checked = uploaded(client, county.village_a1, xlsx([person(1), broken]))
    page = client.get(preview_url(county.village_a1, checked)).content.decode()
    assert "第3行" in page and broken["姓名"] in page
    assert "校验" in page
    assert "只导入无误的 1 行" in page and "全部导入" not in page
    response = confirm(client, county.village_a1, checked)  # without choosing to keep the good rows
    assert "有误" in response.content.decode()
    assert Member.objects.count() == 0


def test_a_date_in_the_future_is_refused(county, client):
    future = timezone.localdate() + datetime.timedelta(days=30)
    checked = uploaded(client, county.village_a1, xlsx([person(1, 转正日期=future)]))
    assert checked.bad_rows == 1
    page = client.get(preview_url(county.village_a1, checked)).content.decode()
    assert "第2行" in page and "不能晚于今天" in page


def test_duplicates_within_the_file_name_both_rows(county, client):
    twin = person(1)
    checked = uploaded(client, county.village_a1, xlsx([twin, person(2), dict(twin, 姓名="张建华")]))
    assert (checked.good_rows, checked.bad_rows) == (1, 2)
    bad = roster.checked_rows(checked)["bad"]
    assert [b["row"] for b in bad] == [2, 4]
    assert "第4行" in bad[0]["reasons"][0] and "第2行" in bad[1]["reasons"][0]


def test_a_person_registered_in_another_branch_is_refused_naming_that_branch(county, client):
    row = person(1)
    f.member(county.village_a2, "张建国", id_number=row["身份证号"], birth_date=row["出生日期"])
    checked = uploaded(client, county.village_a1, xlsx([person(2), row]))
    page = client.get(preview_url(county.village_a1, checked)).content.decode()
    assert "第3行" in page
    assert "该身份证号已登记在东城镇李湾村党支部委员会" in page


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("名册.xlsx", "姓名,身份证号\n张三,110101199003070011\n".encode(), "不是 Excel 工作簿"),
        ("名册.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000, "旧版"),
        ("照片.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "不是 Excel 工作簿"),
        ("名册.csv", "姓名,身份证号\n".encode(), "不是 Excel 工作簿"),
    ],
    ids=["csv-renamed", "xls", "image", "csv"],
)
def test_a_file_that_is_not_xlsx_is_refused_with_a_clear_message(county, client, name, content, words):
    response = upload(client, county.village_a1, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_word_document_is_refused(county, client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    response = upload(client, county.village_a1, SimpleUploadedFile("名册.xlsx", buffer.getvalue()))
    assert "Word" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused_before_reading(county, client, settings):
    settings.ROSTER_MAX_BYTES = 4096
    big = xlsx([person(i) for i in range(60)])
    assert big.size > 4096
    response = upload(client, county.village_a1, big)
    assert response.status_code == 400
    assert "最大" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_fifty_megabyte_file_is_refused(county, client):
    response = upload(
        client, county.village_a1, SimpleUploadedFile("名册.xlsx", b"PK\x03\x04" + b"\0" * 50 * 1024 * 1024)
    )
    assert response.status_code == 400
    assert "50.0 MB，名册最大 10 MB" in response.content.decode()


def test_a_zip_bomb_is_refused_from_the_zip_directory(county, client, settings):
    settings.ROSTER_MAX_BYTES = 100_000  # the parts may add up to 2 MB
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 20_000_000)
    assert len(buffer.getvalue()) < 100_000
    response = upload(client, county.village_a1, SimpleUploadedFile("名册.xlsx", buffer.getvalue()))
    assert response.status_code == 400
    assert "远大于" in response.content.decode()


def test_a_missing_required_column_is_named(county, client):
    headers = [h for h in HEADERS if h != "入党日期"]
    response = upload(client, county.village_a1, xlsx([person(1)], headers))
    assert response.status_code == 400
    assert "“入党日期”" in response.content.decode()


def test_too_many_rows_are_refused(county, client, settings):
    settings.ROSTER_MAX_ROWS = 3
    response = upload(client, county.village_a1, xlsx([person(i) for i in range(4)]))
    assert response.status_code == 400
    assert "超过 3 行" in response.content.decode()


def test_keeping_the_good_rows_writes_only_those(county, client):
    rows = [person(1), person(2, 身份证号="123"), person(3), person(4, 性别="男性")]
    checked = uploaded(client, county.village_a1, xlsx(rows))
    assert (checked.good_rows, checked.bad_rows) == (2, 2)
    result = confirm(client, county.village_a1, checked, keep_good_rows=True).content.decode()
    assert "已导入 2 名党员" in result
    assert "2 行有误的未导入" in result
    assert set(Member.objects.values_list("name", flat=True)) == {rows[0]["姓名"], rows[2]["姓名"]}


def test_confirming_twice_writes_once(county, client):
    checked = uploaded(client, county.village_a1, xlsx([person(1), person(2)]))
    confirm(client, county.village_a1, checked)
    again = confirm(client, county.village_a1, checked)
    assert "已导入 2 名党员" in again.content.decode()
    assert Member.objects.count() == 2
    assert ChangeRecord.objects.filter(action="create").count() == 2
    assert roster.import_roster(county.village_a1_secretary, county.village_a1.pk, checked.pk, False).written == 2
    assert Member.objects.count() == 2


def test_a_person_registered_meanwhile_refuses_the_whole_write(county, client):
    rows = [person(1), person(2)]
    checked = uploaded(client, county.village_a1, xlsx(rows))
    f.member(county.village_b1, "李秀英", id_number=rows[1]["身份证号"], birth_date=rows[1]["出生日期"])
    page = confirm(client, county.village_a1, checked).content.decode()
    assert "第3行" in page and "西山乡石桥村党支部委员会" in page
    assert Member.objects.filter(organization=county.village_a1).count() == 0
    assert RosterImport.objects.get().confirmed_at is None


def test_another_townships_secretary_gets_404_for_the_import(county, client):
    checked = uploaded(client, county.village_a1, xlsx([person(1)]))
    other = signed_in(f.staff("b_secretary", Role.SECRETARY, county.town_b))
    assert other.get(preview_url(county.village_a1, checked)).status_code == 404
    assert other.post(preview_url(county.village_a1, checked) + "confirm/").status_code == 404
    # ... nor through their own village's address.
    assert other.get(preview_url(county.village_b1, checked)).status_code == 404
    assert other.post(preview_url(county.village_b1, checked) + "confirm/").status_code == 404
    assert other.get(f"/console/o/{county.village_a1.pk}/members/import/").status_code == 403
    assert other.post(f"/console/o/{county.village_a1.pk}/members/import/", {"file": xlsx([])}).status_code == 403
    assert Member.objects.count() == 0


def test_an_import_id_from_another_branch_is_refused(county, client):
    checked = uploaded(client, county.village_a1, xlsx([person(1)]))
    town_admin = signed_in(county.town_a_admin)  # manages both villages, but the upload is not theirs
    assert town_admin.get(preview_url(county.village_a1, checked)).status_code == 404
    a2_secretary = signed_in(f.staff("a2_secretary", Role.SECRETARY, county.village_a2))
    assert a2_secretary.post(preview_url(county.village_a2, checked) + "confirm/").status_code == 404
    # The uploader too: the upload belongs to village_a1, not to another branch in the address.
    town_upload = uploaded(signed_in(county.town_a_admin), county.village_a2, xlsx([person(2)]))
    assert roster.RosterImport.objects.get(pk=town_upload.pk).organization == county.village_a2
    response = signed_in(county.town_a_admin).post(preview_url(county.village_a1, town_upload) + "confirm/")
    assert response.status_code == 404
    assert Member.objects.count() == 0


def test_a_member_manager_above_imports_into_a_village(county):
    admin = signed_in(county.county_admin)
    checked = uploaded(admin, county.village_b1, xlsx([person(1)]))
    confirm(admin, county.village_b1, checked)
    assert Member.objects.get().organization == county.village_b1


def test_cells_are_read_as_secretaries_write_them(county, client):
    group = f.OrganizationFactory(
        name="东城镇王庄村第二党小组", short_name="第二党小组", kind="group", parent=county.village_a1
    )
    row = person(1)
    fullwidth = str.maketrans("0123456789", "０１２３４５６７８９")
    birth = row["出生日期"]
    values = dict(
        row,
        姓名="王  芳",
        民族="回",
        出生日期=f"{birth.year}年{birth.month}月{birth.day}日",
        手机号码=" " + row["手机号码"].translate(fullwidth),
        身份证号=row["身份证号"].lower().translate(fullwidth),
        入党日期="1995/7/1",
        转正日期="19960701",
        学历="本科",
        党小组="第二党小组",
        支委职务="组织委员",
        流动党员="是",
        老党员=" 否 ",
        备注="无",
    )
    headers = ["序号", *reversed(HEADERS), "备注"]  # another order, with extra columns
    checked = uploaded(client, county.village_a1, xlsx([values], headers, title="王庄村党员名册"))
    assert (checked.good_rows, checked.bad_rows) == (1, 0), roster.checked_rows(checked)["bad"]
    page = client.get(preview_url(county.village_a1, checked)).content.decode()
    assert "序号" in page and "备注" in page  # named as not imported
    confirm(client, county.village_a1, checked)
    member = Member.objects.get()
    assert member.name == "王芳"
    assert member.ethnicity == "回族"
    assert member.birth_date == birth
    assert member.mobile == row["手机号码"]
    assert member.id_number() == row["身份证号"].upper()
    assert (member.joined_on, member.full_member_on) == (datetime.date(1995, 7, 1), datetime.date(1996, 7, 1))
    assert member.education == Member.Education.UNIVERSITY
    assert member.party_group == group
    assert member.committee_post == Member.CommitteePost.ORGANIZATION
    assert (member.is_floating, member.is_veteran) == (True, False)


def test_the_date_of_birth_may_be_left_empty(county, client):
    row = person(1, 出生日期=None)
    checked = uploaded(client, county.village_a1, xlsx([row]))
    assert checked.good_rows == 1
    confirm(client, county.village_a1, checked)
    assert Member.objects.get().birth_date == person(1)["出生日期"]


def test_bad_choice_values_and_an_unknown_party_group_are_listed(county, client):
    rows = [person(1, 类别="党员", 党小组="第九党小组", 流动党员="有时", 学历="私塾")]
    checked = uploaded(client, county.village_a1, xlsx(rows))
    reasons = " ".join(roster.checked_rows(checked)["bad"][0]["reasons"])
    assert "类别" in reasons and "党小组" in reasons and "流动党员" in reasons and "学历" in reasons
    assert "第九党小组" in reasons


def test_an_id_number_excel_made_into_a_figure_is_explained(county, client):
    checked = uploaded(client, county.village_a1, xlsx([person(1, 身份证号=341122196002020000)]))
    reasons = " ".join(roster.checked_rows(checked)["bad"][0]["reasons"])
    assert "文本" in reasons


def test_formula_looking_cells_are_kept_as_text_never_evaluated(county, client):
    row = person(1, 工作岗位或职务="=cmd|' /C calc'!A0")
    checked = uploaded(client, county.village_a1, xlsx([row, person(2, 姓名="=1+1")]))
    assert checked.good_rows == 1  # a formula is no name: that row is refused
    assert "姓名只能包含" in " ".join(roster.checked_rows(checked)["bad"][0]["reasons"])
    confirm(client, county.village_a1, checked, keep_good_rows=True)
    member = Member.objects.get()
    assert member.job == "=cmd|' /C calc'!A0"


def test_id_numbers_are_never_logged(county, client, caplog):
    row = person(1)
    broken = person(2, 身份证号=person(2)["身份证号"][:-1] + "X")
    with caplog.at_level(logging.DEBUG):
        checked = uploaded(client, county.village_a1, xlsx([row, broken]))
        client.get(preview_url(county.village_a1, checked))
        confirm(client, county.village_a1, checked, keep_good_rows=True)
    assert row["身份证号"] not in caplog.text and broken["身份证号"] not in caplog.text


def test_old_uploads_expire_and_are_deleted_on_the_next_upload(county, client):
    checked = uploaded(client, county.village_a1, xlsx([person(1)]))
    RosterImport.objects.filter(pk=checked.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    assert client.get(preview_url(county.village_a1, checked)).status_code == 404
    assert confirm(client, county.village_a1, checked).status_code == 404
    uploaded(client, county.village_a1, xlsx([person(2)]))
    assert not RosterImport.objects.filter(pk=checked.pk).exists()
    assert Member.objects.count() == 0


def test_the_upload_page_lists_ones_own_checked_files(county, client):
    checked = uploaded(client, county.village_a1, xlsx([person(1)], name="王庄村名册.xlsx"))
    page = client.get(f"/console/o/{county.village_a1.pk}/members/import/").content.decode()
    assert "王庄村名册.xlsx" in page and preview_url(county.village_a1, checked) in page
    other = signed_in(county.town_a_admin).get(f"/console/o/{county.village_a1.pk}/members/import/")
    assert "王庄村名册.xlsx" not in other.content.decode()


def test_a_party_group_is_not_a_branch_to_import_into(county, client):
    group = f.OrganizationFactory(name="第一党小组", kind="group", parent=county.village_a1)
    assert client.get(f"/console/o/{group.pk}/members/import/").status_code == 404


def test_the_template_file_itself_imports_cleanly_once_filled(county, client):
    template = client.get(f"/console/o/{county.village_a1.pk}/members/import/template/").content
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    row = person(1)
    for index, header in enumerate(HEADERS, start=1):
        sheet.cell(row=2, column=index, value=row[header])
    buffer = io.BytesIO()
    book.save(buffer)
    checked = uploaded(client, county.village_a1, SimpleUploadedFile("模板.xlsx", buffer.getvalue()))
    assert (checked.good_rows, checked.bad_rows) == (1, 0), roster.checked_rows(checked)["bad"]


def test_workbook_bytes_helper_makes_a_readable_file():
    assert workbook_bytes([person(1)])[:2] == b"PK"


def test_a_number_quoted_in_a_reason_is_masked(county, client):
    row = person(1)
    checked = uploaded(client, county.village_a1, xlsx([dict(row, 入党日期=row["身份证号"])]))
    page = client.get(preview_url(county.village_a1, checked)).content.decode()
    assert "入党日期" in page and "不是有效日期" in page
    assert row["身份证号"] not in page


def test_a_name_with_markup_is_listed_as_a_bad_row(county, client):
    bad = person(2)
    bad["姓名"] = "<b>测试</b>李四<script>alert(1)</script>"
    checked = uploaded(client, county.village_a1, xlsx([person(1), bad]))
    page = client.get(preview_url(county.village_a1, checked)).content.decode()
    assert "第3行" in page and "姓名只能包含汉字、字母和间隔号" in page
    assert checked.bad_rows == 1 and checked.good_rows == 1


def test_a_broken_id_number_without_a_birth_date_gives_only_the_id_reason(county, client):
    broken = person(2, 出生日期=None)
    broken["身份证号"] = broken["身份证号"][:-1] + ("0" if broken["身份证号"][-1] != "0" else "1")
    missing = person(3, 出生日期=None, 身份证号="")
    checked = uploaded(client, county.village_a1, xlsx([person(1), broken, missing]))
    page = client.get(preview_url(county.village_a1, checked)).content.decode()
    assert "第3行" in page and "校验" in page and "第4行" in page
    assert "请填写出生日期" not in page


def test_the_upload_page_lists_the_required_columns_without_a_stray_separator(county, client):
    page = client.get(f"/console/o/{county.village_a1.pk}/members/import/").content.decode()
    required = "、".join(c.header for c in spreadsheet.COLUMNS if c.required)
    assert f"{required}</p>" in page and "、</p>" not in page
