"""Issue 12, members' accounts, in a real browser: the village secretary invites a member and sees the QR code;
on the member's own phone (a fresh browser) the link sets a password and leads to their record; the member signs
out and signs in again with mobile number and password. On a 390 px phone in both text sizes and on a desktop."""

import re

import pytest

from dangjian.conftest import assert_accessible
from dangjian.members.models import Member
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13712345678"
PASSWORD = "qingshan-2026"


def _new_page(browser, live_server, width: int, large: bool):
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    if large:
        page.goto("/")
        page.get_by_role("link", name="大字模式").click()
        page.wait_for_load_state()
    return context, page


def _check(page, large: bool) -> None:
    assert page.evaluate("document.documentElement.classList.contains('large-text')") is large
    assert_accessible(page)
    assert_fits(page)


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_secretary_invites_and_the_member_opens_the_account_on_their_phone(browser, live_server, county, width, large):
    member = f.member(county.village_a1, "王秀英", mobile=MOBILE)

    # The secretary: the branch's page → members' accounts → invite → the link and its QR code.
    context, page = _new_page(browser, live_server, width, large)
    sign_in(page, county.village_a1_secretary.username)
    page.goto(f"/console/o/{county.village_a1.pk}/")
    submit(page, page.get_by_role("link", name="党员账号"))
    row = page.get_by_test_id(f"member-account-{member.pk}")
    assert "未开通" in row.inner_text()
    _check(page, large)
    submit(page, row.get_by_role("link", name="邀请党员开通账号"))
    assert "137****5678" in page.locator("main").inner_text()
    _check(page, large)
    submit(page, page.get_by_role("button", name="邀请党员开通账号"))
    qr = page.get_by_role("img", name="邀请链接的二维码")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 150  # big enough to scan from another phone
    link = page.get_by_test_id("invitation-link").inner_text()
    assert page.get_by_test_id("invitation-expires").inner_text()
    _check(page, large)
    context.close()

    # The member, on their own phone: the link, a password chosen twice, their record.
    path = re.sub(r"^https?://[^/]+", "", link.strip())
    context, page = _new_page(browser, live_server, width, large)
    page.goto(path)
    assert "东城镇王庄村党支部委员会" in page.locator("main").inner_text()
    assert "137****5678" in page.get_by_test_id("join-who").inner_text()
    _check(page, large)
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再输入一遍密码").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="开通账号"))
    page.wait_for_url("**/console/me/")
    assert page.locator("h1").inner_text() == "我的党员信息"
    assert MOBILE in page.get_by_test_id("member-mobile").inner_text()
    _check(page, large)
    member.refresh_from_db()
    assert member.user is not None and member.user.username == MOBILE

    # Signing out, and in again with the mobile number and the password.
    submit(page, page.get_by_role("button", name="退出登录"))
    page.goto("/accounts/login/")
    assert "党员请用手机号" in page.get_by_test_id("member-sign-in").inner_text()
    page.get_by_label("用户名或手机号").fill(MOBILE)
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="登录"))
    panel = page.get_by_test_id("member-panel")
    assert "王秀英" in panel.inner_text()
    _check(page, large)
    submit(page, panel.get_by_role("link", name="查看我的党员信息"))
    assert page.locator("h1").inner_text() == "我的党员信息"
    assert Member.objects.get(pk=member.pk).user.check_password(PASSWORD)
    context.close()
