"""Issue 11, item 1, in a real browser: the county administrator adds a village, creates its secretary's account
and merges two villages through the console pages; the new secretary signs in with the one-time password and is
made to choose their own. On a 390 px phone in both text sizes, and on a desktop."""

import pytest
from playwright.sync_api import expect

from dangjian.accounts.models import RoleGrant
from dangjian.conftest import assert_accessible
from dangjian.organizations.models import Organization
from dangjian.tests_support.browser import assert_fits, sign_in, submit
from dangjian.tests_support.factories import PolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, width: int) -> None:
    assert_accessible(page)
    assert_fits(page, width)


@pytest.mark.parametrize(
    ("width", "large"),
    [(390, False), (390, True), (1280, False)],
    ids=["phone-standard-text", "phone-large-text", "desktop"],
)
def test_county_admin_adds_a_village_its_secretary_and_merges_two_villages(browser, live_server, county, width, large):
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    PolicyFactory(issuer=county.village_a1, title="王庄村村规民约")
    sign_in(page, "13900000001")
    page.wait_for_url("**/console/")
    if large:
        submit(page, page.get_by_role("link", name="大字模式"))
        assert page.evaluate("document.documentElement.classList.contains('large-text')")

    # Add a village below the township.
    page.goto(f"/console/o/{county.town_a.pk}/")
    submit(page, page.get_by_role("link", name="新增下级组织"))
    _check(page, width)
    page.get_by_label("全称").fill("东城镇新丰村党支部委员会")
    page.get_by_label("简称").fill("新丰村")
    page.get_by_label("类型").select_option(label="村党支部")
    submit(page, page.get_by_role("button", name="保存"))
    village = Organization.objects.get(short_name="新丰村")
    assert page.locator("h1").inner_text().startswith("东城镇新丰村党支部委员会")

    # Its secretary's account, with the role, in one step.
    submit(page, page.get_by_role("link", name="角色管理", exact=True))
    submit(page, page.get_by_role("link", name="为其开设账号并授予角色"))
    _check(page, width)
    page.get_by_label("姓名").fill("周新")
    page.get_by_label("手机号").fill("13912340001")
    page.get_by_label("角色").select_option(label="支部书记")
    submit(page, page.get_by_role("button", name="开设账号并授予角色"))
    password = page.get_by_test_id("initial-password").inner_text()
    assert len(password) == 12 and password == password.lower()
    _check(page, width)
    assert RoleGrant.objects.get(user__mobile="13912340001").organization == village

    # Merge 王庄村 into 李湾村: first what will happen, then confirm.
    page.goto(f"/console/o/{county.village_a1.pk}/")
    submit(page, page.get_by_role("link", name="撤并或撤销"))
    # Nothing is chosen for the user: without a choice, a plain message and nothing done.
    submit(page, page.get_by_role("button", name="查看将要发生的变化"))
    assert "请选择“撤并到其他组织”还是“直接撤销”。" in page.locator("body").inner_text()
    _check(page, width)
    page.get_by_label("撤并到其他组织", exact=False).check()
    # About 150 villages in a county: the one to merge into is found by typing part of its name.
    search = page.locator("input#id_merge_into-ts-control")  # the picker's search box, labelled 撤并到
    search.click()
    search.press_sequentially("李")
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_count(1)
    _check(page, width)
    # A quick hand chooses right after the last keystroke: the list closes and stays closed, off the button
    # below (a filter still pending from that keystroke must not open it again).
    search.press_sequentially("湾")
    options.first.click()
    page.wait_for_timeout(500)
    expect(page.locator(".ts-dropdown")).to_be_hidden()
    submit(page, page.get_by_role("button", name="查看将要发生的变化"))
    plan = page.get_by_test_id("close-plan")
    assert "本组织发布的政策：1" in plan.inner_text()
    assert county.village_a1_secretary.full_name in page.get_by_test_id("plan-roles").inner_text()
    _check(page, width)
    submit(page, page.get_by_role("button", name="确认撤并"))
    assert "已撤并到" in page.locator("body").inner_text()
    assert Organization.objects.get(pk=county.village_a1.pk).merged_into_id == county.village_a2.pk
    _check(page, width)

    # The old portal link leads to the surviving village, which says why the villager is there.
    page.goto(f"/o/{county.village_a1.pk}/")
    page.wait_for_url(f"**/o/{county.village_a2.pk}/?from={county.village_a1.pk}")
    assert "王庄村已撤并到李湾村" in page.get_by_test_id("closed-notice").inner_text()
    _check(page, width)

    # The new secretary signs in with the one-time password and must choose their own.
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号").fill("13912340001")
    page.get_by_label("密码").fill(password)
    submit(page, page.get_by_role("button", name="登录"))
    page.wait_for_url("**/accounts/password/**")
    assert page.get_by_test_id("first-sign-in").is_visible()
    _check(page, width)
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill("新丰村 2026 自己的密码")
    page.locator("#id_new_password2").fill("新丰村 2026 自己的密码")
    submit(page, page.get_by_role("button", name="修改密码"))
    page.wait_for_url("**/console/")
    context.close()
