"""Issue 13 in a real browser: a villager opens the village portal on a phone (standard and large text) or a
desktop, reads the news list and opens an article the township pushed down to its villages."""

import pytest

from dangjian.conftest import assert_accessible
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_villager_reads_an_article_pushed_down_from_the_township(phone, county, width, large):
    f.article(county.village_a1, "王庄村公开十月财务收支", key="village")
    f.article(
        county.town_a,
        "东城镇关于做好冬季森林防火工作的通知——请各村立即组织巡查并报告隐患情况",
        show_below=True,
        summary="各村要组织巡查。",
        body="<div>入冬以来，天干物燥。请各村<strong>立即组织</strong>巡查，https://dj.example.gov.cn/a/very/long/address/that/should/wrap/on/a/phone</div>",
        source="东城镇应急办",
    )
    f.article(county.town_b, "西山乡的通知", show_below=True)
    phone.set_viewport_size({"width": width, "height": 844})
    phone.goto(f"/o/{county.village_a1.pk}/")
    if large:
        phone.get_by_role("link", name="大字模式").click()
        phone.wait_for_url(f"**/o/{county.village_a1.pk}/")
    assert phone.evaluate("document.documentElement.classList.contains('large-text')") is large
    phone.get_by_role("navigation", name="门户栏目").get_by_role("link", name="新闻动态").click()
    phone.wait_for_url(f"**/o/{county.village_a1.pk}/news/")
    assert phone.locator("h1").inner_text() == "新闻动态"
    latest = phone.get_by_test_id("latest")
    assert latest.get_by_text("上级推送：中共测试县东城镇委员会").is_visible()
    assert phone.get_by_text("西山乡的通知").count() == 0
    assert_accessible(phone)
    assert_fits(phone, width)

    latest.get_by_role("link", name="东城镇关于做好冬季森林防火工作的通知", exact=False).click()
    phone.wait_for_url("**/articles/*/")
    article = phone.get_by_test_id("article")
    assert "东城镇关于做好冬季森林防火工作的通知" in article.locator("h1").inner_text()
    assert article.get_by_test_id("article-source").inner_text() == "来源：中共测试县东城镇委员会"
    assert article.locator("strong").inner_text() == "立即组织"
    assert_accessible(phone)
    assert_fits(phone, width)
    phone.get_by_role("link", name="打印版").click()
    phone.wait_for_url("**/print/")
    assert phone.locator("h1").is_visible()
    assert_fits(phone, width)
