"""Issue 11, item 3, in a real browser: an old WeChat link to a removed policy, opened on a phone
in both text sizes, shows a Chinese page in the site's frame that leads to the village's policies."""

import pytest

from dangjian.conftest import assert_accessible
from dangjian.tests_support.browser import assert_fits
from dangjian.tests_support.factories import PolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_removed_policy_link_on_a_phone_leads_back_to_the_policies(phone, county, width, large):
    policy = PolicyFactory(issuer=county.town_a, title="东城镇农村宅基地审批管理办法")
    url = f"/o/{county.village_a1.pk}/policies/{policy.pk}/"
    phone.set_viewport_size({"width": width, "height": 844})
    policy.delete()
    response = phone.goto(url)
    assert response is not None and response.status == 404
    if large:  # the page's own switch works on an error page too, and comes back to it
        phone.get_by_role("link", name="大字模式").click()
        phone.wait_for_url(f"**{url}")
    assert phone.locator("h1").inner_text() == "页面不存在"
    assert phone.evaluate("document.documentElement.classList.contains('large-text')") is large
    assert phone.get_by_role("link", name="网站首页").is_visible()
    assert_accessible(phone)
    # Nothing wider than the phone's screen.
    assert_fits(phone, width)

    phone.get_by_role("link", name="东城镇王庄村党支部委员会 · 政策服务").click()
    phone.wait_for_url(f"**/o/{county.village_a1.pk}/policies/")
    assert phone.locator("h1").is_visible()
