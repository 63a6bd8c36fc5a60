"""Issue 15, rooms, in a real browser: a party member opens 我的群聊 from the console home, joins the branch's room
under a nickname of their choosing, posts a message and reads the earlier ones. On a 390 px phone in both text
sizes and on a desktop, with axe, nothing wider than the screen; and once more with JavaScript off (the room posts
and pages back as plain HTML; only what works without scripts is used there: no axe)."""

import datetime

import pytest
from django.utils import timezone

from dangjian.conftest import assert_accessible
from dangjian.exchange.models import Membership, Message, Room
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_a_member_joins_the_branch_room_posts_and_reads_earlier_messages(browser, live_server, county, width, large):
    member_user = f.UserFactory(username="13600000002", mobile="13600000002", full_name="王秀英")
    f.member(county.village_a1, "王秀英", user=member_user)
    room = f.room(
        county.village_a1, "王庄村党员群", kind="branch", audience="members", admins=[county.village_a1_secretary]
    )
    start = timezone.now() - datetime.timedelta(hours=5)
    Message.objects.bulk_create(
        Message(
            room=room,
            author=county.village_a1_secretary,
            nickname="a1_secretary",
            body=f"支部通知第{n}条：本周六上午九点在村部学习，请准时参加。",
            rev=n,
            created_at=start + datetime.timedelta(minutes=n),
        )
        for n in range(1, 61)
    )
    Room.objects.filter(pk=room.pk).update(last_rev=60, last_message_at=start)

    context = browser.new_context(
        viewport={"width": width, "height": 844},
        locale="zh-CN",
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "13600000002")
        page.wait_for_url("**/console/**")
        if large:
            submit(page, page.get_by_role("link", name="大字模式"))
            assert page.evaluate("document.documentElement.classList.contains('large-text')")
        panel = page.get_by_test_id("my-rooms-panel")
        submit(page, panel.get_by_role("link", name="打开我的群聊"))
        assert page.locator("h1").inner_text() == "我的群聊"
        assert_accessible(page)
        assert_fits(page, width)

        submit(page, page.get_by_test_id("joinable-rooms").get_by_role("link", name="王庄村党员群"))
        nickname = page.get_by_label("昵称")
        assert nickname.input_value() == ""  # 前台自愿: the member's name is not filled in for them
        assert_accessible(page)
        assert_fits(page, width)
        nickname.fill("秀英")
        submit(page, page.get_by_role("button", name="加入群聊"))
        assert Membership.objects.get(room=room, user=member_user).nickname == "秀英"

        page.get_by_label("消息").fill("收到，我准时参加。")
        submit(page, page.get_by_role("button", name="发送"))
        mine = page.locator("#messages li").last
        assert "收到，我准时参加。" in mine.inner_text() and "秀英" in mine.inner_text()
        assert_accessible(page)
        assert_fits(page, width)

        submit(page, page.get_by_role("link", name="更早的消息"))
        assert "支部通知第1条：" in page.locator("#messages").inner_text()
        assert page.get_by_role("link", name="回到最新消息").is_visible()
        assert_fits(page, width)
        submit(page, page.get_by_role("link", name="群信息"))
        assert "秀英" in page.get_by_test_id("members").inner_text()
        assert "王秀英" not in page.get_by_test_id("members").inner_text()
        assert_accessible(page)
        assert_fits(page, width)
    finally:
        context.close()


def test_without_javascript_the_room_posts_and_pages_back_as_plain_pages(browser, live_server, county):
    member_user = f.UserFactory(username="13600000002", mobile="13600000002", full_name="王秀英")
    f.member(county.village_a1, "王秀英", user=member_user)
    room = f.room(county.village_a1, "王庄村党员群", kind="branch", audience="members")
    Membership.objects.create(room=room, user=member_user, nickname="秀英")
    start = timezone.now() - datetime.timedelta(hours=5)
    Message.objects.bulk_create(
        Message(room=room, author=None, nickname="支部", body=f"支部通知第{n}条：", rev=n, created_at=start)
        for n in range(1, 61)
    )
    Room.objects.filter(pk=room.pk).update(last_rev=60, last_message_at=start)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url, java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "13600000002")
        page.wait_for_url("**/console/**")
        page.goto(f"/rooms/{room.pk}/")
        page.get_by_label("消息").fill("没有脚本也能发。")
        submit(page, page.get_by_role("button", name="发送"))
        assert "没有脚本也能发。" in page.content()
        assert Message.objects.filter(room=room, body="没有脚本也能发。", nickname="秀英").exists()
        submit(page, page.get_by_role("link", name="更早的消息"))
        html = page.content()
        assert "支部通知第1条：" in html and "没有脚本也能发。" not in html
    finally:
        context.close()
