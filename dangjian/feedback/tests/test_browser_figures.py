"""Issue 11 item 13 in a real browser: county staff follow the dashboard's link to the figures, choose a period
and drill down from the county to a township's villages, on a phone in both text sizes and on a desktop."""

import pytest

from dangjian.conftest import assert_accessible
from dangjian.feedback import actions
from dangjian.tests_support.browser import assert_fits, sign_in, submit

from .conftest import new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("width", "large"),
    [(390, False), (390, True), (1280, False)],
    ids=["phone-standard-text", "phone-large-text", "desktop"],
)
def test_county_staff_drill_down_from_the_dashboard_to_a_townships_villages(
    browser, live_server, county, today, width, large
):
    for _ in range(3):
        new_case(county.village_a1)
    answered = new_case(county.village_a2)
    actions.accept_case(county.county_admin, answered.pk)
    actions.dispatch_case(county.county_admin, answered.pk, county.village_a2.pk)
    actions.start_case(county.county_admin, answered.pk)
    actions.answer_case(county.county_admin, answered.pk, "已办理")
    new_case(county.village_b1)
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, county.county_admin.username)
        page.wait_for_url("**/console/**")
        submit(page, page.get_by_role("link", name="中共测试县委员会群众反馈数据"))
        assert "/feedback/figures/" in page.url
        if large:  # the site's own switch
            submit(page, page.get_by_role("link", name="大字模式"))
            assert page.evaluate("document.documentElement.classList.contains('large-text')")
        start = f"{today.year - 1}-01-01"
        page.get_by_label("开始日期").fill(start)
        page.get_by_label("结束日期").fill(f"{today.year - 2}-01-01")
        submit(page, page.get_by_role("button", name="查看此时间段"))
        assert page.get_by_role("alert").first.inner_text() == "开始日期晚于结束日期，请对调或重新选择。"
        page.get_by_label("结束日期").fill(today.isoformat())
        submit(page, page.get_by_role("button", name="查看此时间段"))
        table = page.locator("table.figures-breakdown")
        assert table.locator("tbody tr").nth(0).locator("th").inner_text() == "东城镇"
        # The rates come first (in view on the phone), then the counts: received is the third cell.
        assert table.locator("tbody tr").nth(0).locator("td").nth(2).inner_text() == "4"
        assert table.locator("tfoot td").nth(2).inner_text() == "5"
        assert page.get_by_text("口径说明").is_visible()
        # Both rates are in view without scrolling the table, on the phone too.
        for rate in ["按时答复率", "满意率"]:
            box = table.get_by_role("columnheader", name=rate).bounding_box()
            assert box is not None and box["x"] + box["width"] <= width, (rate, box)
        assert page.get_by_test_id("breakdown-period").inner_text() == f"统计期间：{start} 至 {today.isoformat()}"
        assert_fits(page, width)
        assert_accessible(page)

        submit(page, table.get_by_role("link", name="东城镇"))
        assert f"start={start}" in page.url
        rows = page.locator("table.figures-breakdown tbody th")
        assert rows.all_inner_texts() == ["王庄村", "李湾村"]
        li_wan = page.locator("table.figures-breakdown tbody tr").nth(1).locator("td")
        assert li_wan.all_inner_texts()[2:5] == ["1", "1", "1"]  # received, accepted, answered
        assert page.get_by_role("link", name="返回上一级：中共测试县委员会").is_visible()
        assert_fits(page, width)
        assert_accessible(page)
        if width < 600:  # the table scrolls in its own box on the phone
            wrap = page.locator("#breakdown .table-wrap")
            assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
    finally:
        context.close()
