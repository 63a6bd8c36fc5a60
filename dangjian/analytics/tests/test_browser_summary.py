"""The summary pages in a real browser, on a 390 px phone in both text sizes: the county's administrator opens
使用汇总 from the menu, sees the trend drawn by ECharts (a canvas with something on it) and the same figures as a
table, drills down from the county to a village, and follows a figure to the rows it counts; axe finds nothing
serious on any of these pages, and nothing is wider than the screen."""

import pytest

from dangjian.conftest import assert_accessible
from dangjian.tests_support.browser import assert_fits, open_as, submit, wait_until

from .summary_support import PERIOD, fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABEL = "收到的群众反馈件数"
CHART_DRAWN = """(() => {
  const canvas = document.querySelector('#summary-chart canvas');
  if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return painted > 500;
})()"""


@pytest.mark.parametrize("large", [False, True], ids=["standard-text", "large-text"])
def test_county_drills_down_to_a_village_and_follows_a_figure_to_its_rows(browser, live_server, county, large):
    fill(county)
    context, page = open_as(browser, live_server, "county_admin", large=large)
    try:
        submit(page, page.get_by_role("link", name="使用汇总", exact=True))
        assert page.locator("h1").inner_text() == "中共测试县委员会使用汇总"
        page.goto(f"{page.url.split('?')[0]}?period={PERIOD}&group=interaction")
        assert page.get_by_test_id("summary-period").inner_text().startswith("时期：2026年3月")
        assert page.get_by_test_id("value-feedback.received").inner_text().startswith("4")

        # The trend: drawn on a canvas, and the same figures in a table for screen readers and no JavaScript.
        wait_until(page, CHART_DRAWN)
        assert page.get_by_test_id("summary-chart").is_visible()
        assert page.get_by_test_id("trend-table").locator("tbody tr").count() == 12
        assert page.evaluate("document.documentElement.classList.contains('large-text')") is large
        # A definition opens in one click.
        page.get_by_test_id("figure-feedback.received").locator("summary").click()
        assert page.get_by_test_id("figure-feedback.received").locator("details p").is_visible()
        assert_accessible(page)
        assert_fits(page)

        # County → township → village, and the breadcrumbs back up.
        submit(page, page.get_by_test_id("summary-children").get_by_role("link", name="东城镇"))
        assert page.locator("h1").inner_text() == "中共测试县东城镇委员会使用汇总"
        submit(page, page.get_by_test_id("summary-children").get_by_role("link", name="王庄村"))
        assert page.locator("h1").inner_text() == "东城镇王庄村党支部委员会使用汇总"
        crumbs = page.get_by_test_id("summary-breadcrumbs")
        assert crumbs.get_by_role("link", name="测试县").is_visible()
        assert crumbs.get_by_role("link", name="东城镇").is_visible()
        assert page.get_by_test_id("summary-children").count() == 0
        wait_until(page, CHART_DRAWN)
        assert_accessible(page)
        assert_fits(page)

        # The figure leads to the cases it counts.
        submit(page, page.get_by_test_id("figure-link-feedback.received"))
        assert page.locator("h1").inner_text() == LABEL
        assert page.get_by_test_id("rows-count").inner_text() == "共2条。"
        rows = page.get_by_test_id("summary-rows")
        assert rows.get_by_role("link", name="村口路灯坏了").count() == 1
        assert rows.get_by_role("link", name="垃圾没人清运").count() == 1
        assert_accessible(page)
        assert_fits(page)
        submit(page, page.get_by_role("link", name="返回王庄村使用汇总"))
        assert page.locator("h1").inner_text() == "东城镇王庄村党支部委员会使用汇总"
    finally:
        context.close()
