"""Issue 11 item 11 in a real browser: a villager browsing the policy library on a phone (both text sizes)
or a desktop sees the policies in force first, an amended policy once with its history, and one not yet
in force marked with the date it takes effect."""

import datetime

import pytest

from dangjian.conftest import assert_accessible
from dangjian.policies import actions
from dangjian.tests_support.browser import assert_fits, submit
from dangjian.tests_support.factories import PolicyFactory, category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime.timedelta(days=1)
VIEWS = {
    "phone-standard-text": ({"width": 390, "height": 844}, False),
    "phone-large-text": ({"width": 390, "height": 844}, True),
    "desktop": ({"width": 1280, "height": 900}, False),
}


@pytest.fixture
def library(county, today):
    PolicyFactory(
        issuer=county.county,
        title="清源县城乡居民医疗保险实施办法（已失效）",
        issued_on=today - 5 * DAY,  # the newest issued, yet expired: it comes last
        effective_on=today - 900 * DAY,
        expires_on=today - 3 * DAY,
    )
    pending = PolicyFactory(
        issuer=county.town_a,
        title="东城镇农村人居环境整治奖补办法",
        issued_on=today - 2 * DAY,
        effective_on=today + 20 * DAY,
    )
    first = PolicyFactory(
        issuer=county.town_a, title="东城镇危房改造补助办法", issued_on=today - 700 * DAY, category=category("housing")
    )
    amended = actions.save_policy(
        county.town_a_admin,
        county.town_a.pk,
        actions.PolicyInput(
            title="东城镇危房改造补助办法（2026年修订）",
            category_id=category("housing").pk,
            issued_on=today - 40 * DAY,
            effective_on=today - 40 * DAY,
            body="危房改造补助标准提高到每户两万元。",
            replaces_id=first.pk,
        ),
    )
    return {"pending": pending, "first": first, "amended": amended}


@pytest.mark.parametrize("view", list(VIEWS))
def test_a_villager_browses_the_policy_library(browser, live_server, county, library, view):
    viewport, large = VIEWS[view]
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    url = f"/o/{county.village_a1.pk}/policies/"
    page.goto(url)
    if large:
        page.get_by_role("link", name="大字模式").click()
        page.wait_for_url(f"**{url}")
        assert page.evaluate("document.documentElement.classList.contains('large-text')")

    titles = page.locator(".results .policy-title").all_inner_texts()
    # In force first; the amended policy once, as its newest version; not yet in force; expired last.
    assert titles == [
        "东城镇危房改造补助办法（2026年修订）",
        "东城镇农村人居环境整治奖补办法",
        "清源县城乡居民医疗保险实施办法（已失效）",
    ]
    pending = page.locator(".results .policy-item").nth(1)
    assert f"尚未施行，{library['pending'].effective_on:%Y-%m-%d}起施行" in pending.inner_text()
    assert_accessible(page)
    assert_fits(page, viewport["width"])

    submit(page, page.get_by_role("link", name="历史版本 1"))
    versions = page.get_by_test_id("versions")
    assert versions.is_visible() and "东城镇危房改造补助办法" in versions.inner_text()
    assert_accessible(page)
    assert_fits(page, viewport["width"])
    submit(page, versions.get_by_role("link", name="东城镇危房改造补助办法"))
    replaced = page.get_by_test_id("replaced-by")
    assert "本政策已被" in replaced.inner_text() and "2026年修订" in replaced.inner_text()
    assert_accessible(page)
    assert_fits(page, viewport["width"])
    submit(page, replaced.get_by_role("link"))
    assert page.locator("h1").inner_text() == "东城镇危房改造补助办法（2026年修订）"

    # The portal's block of local policies: the one in force leads, not the one still to come.
    page.goto(f"/o/{county.village_a1.pk}/")
    block = page.locator("section[aria-labelledby=policies-h] .policy-title").all_inner_texts()
    assert block[0] == "东城镇危房改造补助办法（2026年修订）" and block[1] == "东城镇农村人居环境整治奖补办法"
    context.close()
