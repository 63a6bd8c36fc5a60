"""Journey 1 in a real browser on a phone-sized screen: county → township → village, leaders,
inherited policies, large-text mode that persists, keyboard use, and axe checks."""

import datetime

import pytest
from playwright.sync_api import expect

from dangjian.conftest import assert_accessible
from dangjian.tests_support.browser import assert_fits
from dangjian.tests_support.factories import LeaderFactory, PolicyFactory, TermFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal_data(county, today):
    term = TermFactory(
        organization=county.village_a1,
        name="第十二届",
        elected_on=datetime.date(2026, 3, 15),
        ends_on=datetime.date(2031, 3, 15),
    )
    LeaderFactory(
        term=term, name="王秀兰", post="党支部书记、村委会主任", duties="主持支部全面工作", cv="1975年出生，大专学历。"
    )
    LeaderFactory(term=term, name="刘建华", post="组织委员", sort_order=1)
    PolicyFactory(
        issuer=county.county, title="关于调整城乡最低生活保障标准的通知", issued_on=today - datetime.timedelta(days=9)
    )
    PolicyFactory(
        issuer=county.town_a, title="东城镇农村宅基地审批管理办法", issued_on=today - datetime.timedelta(days=2)
    )
    PolicyFactory(issuer=county.town_b, title="西山乡茶叶产业扶持办法")


def test_citizen_walks_down_the_tree_on_a_phone(phone, county, portal_data):
    phone.goto("/")
    assert phone.locator("h1").inner_text() == "中共测试县委员会"
    assert_accessible(phone)

    phone.get_by_role("link", name="中共测试县东城镇委员会").click()
    expect(phone.locator("h1")).to_have_text("中共测试县东城镇委员会")
    phone.get_by_role("link", name="东城镇王庄村党支部委员会").click()
    # The click returns once navigation commits; wait for the new page to be parsed before reading it.
    phone.wait_for_load_state()

    crumbs = phone.get_by_role("navigation", name="当前位置")
    expect(crumbs.get_by_role("listitem")).to_have_text(["测试县", "东城镇", "王庄村"])
    assert "第十二届" in phone.locator("#leaders-h + p").inner_text()
    policies = phone.locator(".policy-list .policy-title").all_inner_texts()
    assert policies == [
        "东城镇农村宅基地审批管理办法",
        "关于调整城乡最低生活保障标准的通知",
    ]  # own + ancestors, newest first
    assert_accessible(phone)
    # Nothing wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.get_by_role("link", name="王秀兰 党支部书记、村委会主任").click()
    expect(phone.locator("h1")).to_have_text("王秀兰")
    phone.wait_for_load_state()
    body = phone.locator("main").inner_text()
    for text in ["党支部书记、村委会主任", "主持支部全面工作", "1975年出生，大专学历。", "2026-03-15", "2031-03-15"]:
        assert text in body
    assert_accessible(phone)

    crumbs = phone.get_by_role("navigation", name="当前位置")
    crumbs.get_by_role("link", name="东城镇").click()
    expect(phone.locator("h1")).to_have_text("中共测试县东城镇委员会")


def test_large_text_mode_switches_on_and_persists(phone, county, portal_data):
    phone.goto(f"/o/{county.village_a1.pk}/")
    normal = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    phone.get_by_role("link", name="大字模式").click()
    phone.wait_for_url(f"**/o/{county.village_a1.pk}/")
    large = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert large >= normal * 1.25
    line_height = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).lineHeight)")
    assert line_height >= 1.3 * large
    assert_accessible(phone)

    phone.goto(f"/o/{county.county.pk}/policies/")  # another page, later: still large
    assert phone.evaluate("document.documentElement.classList.contains('large-text')")
    phone.get_by_role("link", name="标准字号").click()
    assert not phone.evaluate("document.documentElement.classList.contains('large-text')")


def test_keyboard_user_skips_to_content_and_reaches_links(phone, county, portal_data):
    phone.goto(f"/o/{county.town_a.pk}/")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "跳到主要内容"
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"
    # Tabbing onward reaches the first village link, and Enter follows it.
    for _ in range(40):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.textContent") == "东城镇王庄村党支部委员会":
            break
    phone.keyboard.press("Enter")
    phone.wait_for_url(f"**/o/{county.village_a1.pk}/")


@pytest.mark.parametrize(
    ("width", "large_text"), [(390, False), (390, True), (1280, False)], ids=["phone", "phone-large-text", "desktop"]
)
def test_villager_finds_the_village_by_name_on_a_phone(phone, county, width, large_text):
    """Issue 11 item 12: type part of the name on the county's home page, land on the village's portal."""
    phone.set_viewport_size({"width": width, "height": 844})
    phone.goto("/")
    if large_text:
        phone.get_by_role("link", name="大字模式").click()
    phone.get_by_label("村、社区或乡镇名称").fill("王庄")
    phone.get_by_role("button", name="查找").click()
    phone.wait_for_url("**/find/?q=*")
    assert "找到 1 个名称含“王庄”的组织" in phone.get_by_role("status").inner_text()
    assert_fits(phone, width)
    assert_accessible(phone)
    phone.get_by_role("link", name="东城镇王庄村党支部委员会").click()
    expect(phone.locator("h1")).to_have_text("东城镇王庄村党支部委员会")
