"""Group robots in a real browser: a township's secretary adds the township's DingTalk group robot with its
signing secret, sends a test message (the local recording server receives it, signed right) and sees it delivered
in the robot's log; on a phone in both text sizes and on a desktop."""

import pytest

from dangjian.accounts.models import Role
from dangjian.conftest import assert_accessible
from dangjian.notifications.models import Robot
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, sign_in, submit
from dangjian.tests_support.robotserver import RobotServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "SEC8f2c4e1a9b7d6035"


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_township_secretary_adds_a_dingtalk_robot_and_its_test_message_arrives_signed(phone, county, width, large):
    f.staff("town_a_secretary", Role.SECRETARY, county.town_a)
    with RobotServer(secret=SECRET) as server:
        webhook = server.url("dingtalk", token="b1e5c0ffee0d4a7f")
        phone.set_viewport_size({"width": width, "height": 844})
        sign_in(phone, "town_a_secretary")
        phone.wait_for_url("**/console/")
        if large:
            submit(phone, phone.get_by_role("link", name="大字模式"))
        phone.goto(f"/console/o/{county.town_a.pk}/")
        submit(phone, phone.get_by_role("link", name="群机器人"))
        assert phone.get_by_text("还没有群机器人。").is_visible()
        submit(phone, phone.get_by_role("link", name="添加群机器人"))

        phone.get_by_label("钉钉群机器人").check()
        phone.get_by_label("名称").fill("东城镇党建工作群")
        phone.get_by_label("机器人地址").fill(webhook)
        phone.get_by_label("加签密钥").fill(SECRET)
        assert phone.evaluate("document.documentElement.classList.contains('large-text')") is large
        assert_accessible(phone)
        assert_fits(phone, width)
        submit(phone, phone.get_by_role("button", name="保存"))

        assert phone.get_by_text("机器人已保存。").is_visible()
        assert phone.locator("h1").inner_text() == "东城镇党建工作群"
        facts = phone.get_by_test_id("robot-facts").inner_text()
        assert f"http://127.0.0.1:{server.port}/…4a7f" in facts
        assert "b1e5c0ffee0d4a7f" not in phone.content() and SECRET not in phone.content()

        submit(phone, phone.get_by_role("button", name="发送测试消息"))
        assert phone.get_by_text("测试消息已送达，请到群里查看。").is_visible()
        (record,) = server.received
        assert record["signature"] == "valid"
        assert record["query"]["access_token"] == "b1e5c0ffee0d4a7f"
        assert record["json"]["actionCard"]["title"] == "东城镇测试消息"

        entry = phone.get_by_test_id("delivery-log").locator("li").first
        assert entry.get_attribute("data-state") == "sent"
        assert "测试消息" in entry.inner_text() and "已发送" in entry.inner_text()
        assert_accessible(phone)
        assert_fits(phone, width)

        submit(phone, phone.get_by_role("link", name="群机器人").last)
        assert "正常" in phone.get_by_test_id("robot-list").inner_text()
        assert_accessible(phone)
        assert_fits(phone, width)
    assert Robot.objects.get().created_by.username == "town_a_secretary"
