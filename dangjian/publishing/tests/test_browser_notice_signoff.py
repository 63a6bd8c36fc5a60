"""Notices with sign-off in a real browser, on a 390 px phone in both text sizes and on a desktop: the county sends
a notice to its townships; a township secretary opens it from the console's to-do, signs it off and replies; the
county sees one signed off and reminds the rest in one click."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.conftest import assert_accessible
from dangjian.notifications.models import Notification
from dangjian.publishing.models import Notice, NoticeRecipient
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, open_as, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, width: int) -> None:
    assert_accessible(page)
    assert_fits(page, width)


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_a_county_notice_is_signed_off_by_a_township_and_the_rest_reminded(browser, live_server, county, width, large):
    f.staff("town_a_secretary", Role.SECRETARY, county.town_a, full_name="钱书记")
    f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    reply_by = timezone.localdate() + datetime.timedelta(days=5)

    # The county writes the notice and sends it to the townships directly below.
    sender, page = open_as(browser, live_server, county.county_admin.username, width=width, large=large)
    submit(page, page.get_by_role("link", name="通知签收", exact=True))
    submit(page, page.get_by_role("link", name="发通知"))
    page.get_by_label("标题").fill("关于报送年度党建工作总结的通知")
    page.get_by_label("正文").fill("请各乡镇党委于本月底前报送年度党建工作总结。")
    page.get_by_label("直属下级单位").check()
    page.get_by_label("回复截止日期").fill(reply_by.isoformat())
    check(page, width)
    submit(page, page.get_by_role("button", name="发出通知"))
    assert "通知已发给 2 个单位" in page.locator(".messages").inner_text()
    notice = Notice.objects.get()
    assert page.get_by_test_id("receipt-counts").inner_text() == "已签收 0/2"
    check(page, width)

    # A township secretary opens it from the to-do on the console home, on the phone.
    secretary, phone = open_as(browser, live_server, "town_a_secretary", width=width, large=large)
    submit(phone, phone.get_by_role("link", name="有 1 份通知待签收"))
    check(phone, width)
    submit(phone, phone.get_by_role("link", name="关于报送年度党建工作总结的通知"))
    receipt = NoticeRecipient.objects.get(notice=notice, organization=county.town_a)
    assert receipt.read_at is not None and receipt.signed_at is None
    check(phone, width)
    submit(phone, phone.get_by_role("button", name="签收"))
    assert "已签收" in phone.get_by_test_id("signed-status").inner_text()
    receipt.refresh_from_db()
    assert receipt.signed_by.username == "town_a_secretary"
    check(phone, width)
    phone.get_by_label("回复内容").fill("已收到，按时报送。")
    submit(phone, phone.get_by_role("button", name="发送回复"))
    assert "回复已发送" in phone.locator(".messages").inner_text()
    assert "已收到，按时报送。" in phone.get_by_test_id("my-receipt").inner_text()
    check(phone, width)
    secretary.close()

    # The county sees one signed off, with who signed and the reply, and reminds the rest in one click.
    page.reload()
    assert page.get_by_test_id("receipt-counts").inner_text() == "已签收 1/2"
    table = page.get_by_test_id("receipts").inner_text()
    assert "钱书记" in table and "已收到，按时报送。" in table
    submit(page, page.get_by_role("button", name="一键提醒未签收单位"))
    assert "已提醒 1 个单位" in page.locator(".messages").inner_text()
    assert set(
        Notification.objects.filter(kind="publishing.notice_reminder").values_list("user__username", flat=True)
    ) == {"town_b_admin"}
    check(page, width)
    sender.close()
