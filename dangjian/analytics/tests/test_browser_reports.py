"""Usage reports in a real browser: the county's administrator opens the county's console page, asks for last
quarter's report, sees it waiting, then ready once the worker has made it, and downloads the workbook; on a phone
in both text sizes, with axe."""

import pytest

from dangjian.analytics import report_actions
from dangjian.analytics.models import SummaryReport
from dangjian.conftest import assert_accessible
from dangjian.tests_support.browser import assert_fits, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("large", [False, True], ids=["standard-text", "large-text"])
def test_county_admin_asks_for_a_quarterly_report_and_downloads_it(phone, county, large):
    sign_in(phone, "county_admin")
    phone.wait_for_url("**/console/")
    if large:
        submit(phone, phone.get_by_role("link", name="大字模式"))
    phone.goto(f"/console/o/{county.county.pk}/")
    submit(phone, phone.get_by_role("link", name="使用情况报告"))
    assert phone.get_by_text("还没有报告。").is_visible()
    phone.get_by_label("季报").check()
    phone.get_by_label("年份").fill("2026")
    phone.get_by_label("第几月、季度或周").fill("3")
    assert_accessible(phone)
    assert_fits(phone, 390)
    submit(phone, phone.get_by_role("button", name="生成"))

    assert phone.locator("h1").inner_text() == "季度使用情况报告 · 2026年第3季度"
    assert phone.get_by_test_id("report-state").inner_text() == "等待生成"
    report = SummaryReport.objects.get()
    assert report_actions.generate(report.pk)  # what the worker's task does
    submit(phone, phone.get_by_role("link", name="刷新"))
    assert phone.get_by_test_id("report-state").inner_text() == "已生成"
    assert_accessible(phone)
    assert_fits(phone, 390)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="下载Excel").click()
    assert download.value.suggested_filename == "测试县-2026年第3季度-使用情况报告.xlsx"
