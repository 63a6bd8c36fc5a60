"""Issue 12 in a real browser: a village secretary downloads the roster template, uploads a roster with two bad rows,
reads the preview (row numbers and reasons), imports only the good rows and sees how many were written; on a phone
in both text sizes and on the office computer."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dangjian.conftest import assert_accessible
from dangjian.members.models import Member
from dangjian.tests_support.browser import assert_fits, sign_in, submit

from .roster_files import HEADERS, person, workbook_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_secretary_imports_the_good_rows_of_a_roster_with_two_bad_ones(phone, county, width, large):
    phone.set_viewport_size({"width": width, "height": 844})
    sign_in(phone, "a1_secretary")
    if large:
        submit(phone, phone.get_by_role("link", name="大字模式"))
        assert phone.evaluate("document.documentElement.classList.contains('large-text')")
    phone.goto(f"/console/o/{county.village_a1.pk}/")
    submit(phone, phone.get_by_role("link", name="导入党员名册"))
    assert "导入党员名册" in phone.locator("h1").inner_text()
    assert_accessible(phone)
    assert_fits(phone, width)

    with phone.expect_download() as download:
        phone.get_by_role("link", name="下载名册模板").click()
    assert download.value.suggested_filename == "党员名册导入模板.xlsx"
    template = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert [c.value for c in template.worksheets[0][1]] == HEADERS

    broken = person(3)
    broken["身份证号"] = broken["身份证号"][:-1] + ("1" if broken["身份证号"][-1] != "1" else "2")
    rows = [person(1), person(2), broken, person(4), person(5, 入党日期="1995年13月1日")]
    phone.get_by_label("名册文件").set_input_files(
        {
            "name": "王庄村党员名册.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": workbook_bytes(rows),
        }
    )
    submit(phone, phone.get_by_role("button", name="上传并检查"))
    summary = phone.get_by_test_id("roster-summary").inner_text()
    assert "无误 3 行" in summary and "有误 2 行" in summary
    bad = phone.get_by_test_id("roster-bad-rows").inner_text()
    assert "第4行" in bad and broken["姓名"] in bad and "校验" in bad
    assert "第6行" in bad and "不是有效日期" in bad
    good = phone.get_by_test_id("roster-good-rows").inner_text()
    assert person(1)["姓名"] in good and person(1)["身份证号"] not in good
    assert Member.objects.count() == 0
    assert_accessible(phone)
    assert_fits(phone, width)

    submit(phone, phone.get_by_role("button", name="只导入无误的 3 行"))
    result = phone.get_by_test_id("roster-result").inner_text()
    assert "已导入 3 名党员" in result and "2 行有误的未导入" in result
    assert Member.objects.filter(organization=county.village_a1).count() == 3
    assert_accessible(phone)
    assert_fits(phone, width)
    assert phone.get_by_role("link", name="查看党员名单").is_visible()


def test_template_bytes_are_a_workbook():
    assert load_workbook(io.BytesIO(workbook_bytes([person(1)]))).worksheets[0]["A1"].value == "姓名"
