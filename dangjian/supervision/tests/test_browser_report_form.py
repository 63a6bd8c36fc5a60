"""Issue 11 item 10 in a real browser: a villager opens the report form on a phone (both text sizes) or a
desktop, finds nothing chosen for them, sees only the kinds of the chosen discipline, is told which unit
will receive the report (and it follows the place), and sees name and phone only after choosing 实名."""

import pytest

from dangjian.conftest import assert_accessible
from dangjian.tests_support.browser import assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWS = {
    "phone-standard-text": ({"width": 390, "height": 844}, False),
    "phone-large-text": ({"width": 390, "height": 844}, True),
    "desktop": ({"width": 1280, "height": 900}, False),
}


@pytest.mark.parametrize("view", list(VIEWS))
def test_a_villager_fills_the_report_form_step_by_step(browser, live_server, county, officers, view):
    viewport, large = VIEWS[view]
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    url = f"/o/{county.village_a1.pk}/supervision/new/"
    page.goto(url)
    if large:
        page.get_by_role("link", name="大字模式").click()
        page.wait_for_url(f"**{url}")
        assert page.evaluate("document.documentElement.classList.contains('large-text')")

    discipline, kind = page.get_by_label("违反了哪项纪律？"), page.get_by_label("具体问题类型")
    assert discipline.evaluate("s => s.selectedOptions[0].textContent") == "请选择"
    assert kind.evaluate("s => s.selectedOptions[0].textContent") == "请选择问题类型"
    # Anonymous by default: no name or phone to fill in.
    assert not page.get_by_label("您的姓名（仅实名举报）").is_visible()
    assert not page.get_by_label("您的电话（仅实名举报）").is_visible()
    town_a = county.town_a.short_name or county.town_a.name
    assert page.get_by_test_id("recipient").inner_text().replace(" ", "") == f"将送达：{town_a}纪委"
    assert_accessible(page)
    assert_fits(page, viewport["width"])

    discipline.select_option("masses")
    offered = kind.evaluate("s => [...s.options].map(o => o.textContent)")
    assert offered == ["请选择问题类型", "办事推诿刁难", "截留挪用惠民资金", "侵害群众利益", "其他"]
    kind.select_option("截留挪用惠民资金")
    discipline.select_option("integrity")  # another discipline: its own kinds, nothing wrongly kept
    offered = kind.evaluate("s => [...s.options].map(o => o.textContent)")
    assert offered[1] == "吃拿卡要" and "截留挪用惠民资金" not in offered and offered.count("其他") == 1
    assert kind.input_value() == ""

    page.locator("select[name=organization]").select_option(str(county.village_b1.pk))
    town_b = county.town_b.short_name or county.town_b.name
    assert page.get_by_test_id("recipient").inner_text().replace(" ", "") == f"将送达：{town_b}纪委"

    page.get_by_label("实名举报（优先办理）").check()
    assert page.get_by_label("您的姓名（仅实名举报）").is_visible()
    assert page.get_by_label("您的电话（仅实名举报）").is_visible()
    assert_accessible(page)
    assert_fits(page, viewport["width"])
    page.get_by_label("匿名举报").check()
    assert not page.get_by_label("您的姓名（仅实名举报）").is_visible()
    context.close()
