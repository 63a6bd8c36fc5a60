"""The group robots' console: who may add, change and test a robot and read its delivery log; webhook addresses
limited to the three services (no SSRF); webhook and secret never shown again; history without the secret."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core import fieldcrypt
from dangjian.core.history import InvalidInput, NotFound, history_for
from dangjian.core.registry import UsageMetric, entries
from dangjian.notifications.models import Delivery, Robot
from dangjian.notifications.robot_actions import RobotInput, save_robot
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD
from dangjian.tests_support.robotserver import RobotServer

DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef9f3a"


def signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def dingtalk_robot(county, webhook=DINGTALK, **extra):
    data = RobotInput(kind="dingtalk", name="东城镇党建工作群", webhook=webhook, secret="SECabc123", **extra)
    return save_robot(county.town_a_admin, county.town_a.pk, data)


def delivery(robot, state="sent", **extra):
    values = {"topic": "article", "key": f"article:{Delivery.objects.count() + 1}", "state": state}
    values["message"] = {"title": "东城镇召开党建工作会议", "summary": "", "url": "https://dj.example.gov.cn/"}
    return Delivery.objects.create(robot=robot, **{**values, **extra})


FORM = {
    "kind": "dingtalk",
    "name": "东城镇党建工作群",
    "webhook": DINGTALK,
    "secret": "SECabc123",
    "push_articles": "on",
    "push_notices": "on",
    "active": "on",
}


# --- Which addresses are accepted (SSRF) ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "webhook", "words"),
    [
        ("dingtalk", "http://10.0.0.5/robot/send?access_token=x", "只能使用企业微信、钉钉和飞书的群机器人"),
        ("dingtalk", "http://169.254.169.254/latest/meta-data/", "只能使用企业微信、钉钉和飞书的群机器人"),
        ("wecom", "https://intranet.example.gov.cn/cgi-bin/webhook/send?key=x", "该地址位于 intranet.example.gov.cn"),
        ("dingtalk", "https://oapi.dingtalk.com.evil.cn/robot/send?access_token=x", "只能使用"),
        ("dingtalk", "https://evil.cn@oapi.dingtalk.com/robot/send", "这不是有效的机器人地址"),
        ("dingtalk", "http://oapi.dingtalk.com/robot/send?access_token=x", "必须以“https://”开头"),
        ("dingtalk", "https://oapi.dingtalk.com:8443/robot/send?access_token=x", "必须以“https://”开头"),
        ("dingtalk", "file:///etc/passwd", "必须以“https://”开头"),
        ("dingtalk", "gopher://oapi.dingtalk.com/", "必须以“https://”开头"),
        ("feishu", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", "这是企业微信机器人的地址"),
        ("dingtalk", "", "请填写机器人地址。"),
    ],
)
def test_a_webhook_off_the_three_services_is_refused_with_a_clear_message(county, settings, kind, webhook, words):
    settings.ROBOT_ALLOW_LOOPBACK = False
    with pytest.raises(InvalidInput) as refused:
        save_robot(county.town_a_admin, county.town_a.pk, RobotInput(kind=kind, name="群", webhook=webhook))
    assert words in str(refused.value)
    assert not Robot.objects.exists()


@pytest.mark.django_db
def test_loopback_is_refused_unless_the_site_allows_it(county, settings):
    settings.ROBOT_ALLOW_LOOPBACK = False
    local = "http://127.0.0.1:8091/dingtalk/send?access_token=demo"
    with pytest.raises(InvalidInput) as refused:
        save_robot(county.town_a_admin, county.town_a.pk, RobotInput(kind="dingtalk", name="群", webhook=local))
    assert "该地址位于 127.0.0.1" in str(refused.value)
    settings.ROBOT_ALLOW_LOOPBACK = True
    assert save_robot(county.town_a_admin, county.town_a.pk, RobotInput(kind="dingtalk", name="群", webhook=local))


@pytest.mark.django_db
def test_the_form_shows_the_refusal_on_the_field_and_keeps_the_input(client, county, settings):
    settings.ROBOT_ALLOW_LOOPBACK = False
    signed_in(client, county.town_a_admin)
    url = reverse("console:robot_add", args=[county.town_a.pk])
    response = client.post(url, {**FORM, "webhook": "http://192.168.1.1/admin"})
    assert response.status_code == 400
    assert "只能使用企业微信、钉钉和飞书的群机器人" in response.context["form"].errors["webhook"][0]
    assert response.context["form"]["name"].value() == "东城镇党建工作群"
    assert not Robot.objects.exists()


@pytest.mark.django_db
def test_a_wecom_robot_takes_no_secret(county):
    webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    with pytest.raises(InvalidInput) as refused:
        save_robot(
            county.town_a_admin, county.town_a.pk, RobotInput(kind="wecom", name="群", webhook=webhook, secret="SECx")
        )
    assert "企业微信群机器人没有加签密钥" in str(refused.value)


# --- The console ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_township_admin_adds_a_robot_whose_address_and_secret_are_never_shown_again(client, county):
    signed_in(client, county.town_a_admin)
    response = client.post(reverse("console:robot_add", args=[county.town_a.pk]), FORM)
    robot = Robot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:robot", args=[robot.pk])
    assert fieldcrypt.decrypt(robot.webhook_encrypted) == DINGTALK
    assert fieldcrypt.decrypt(robot.secret_encrypted) == "SECabc123"
    assert robot.created_by == county.town_a_admin

    page = client.get(reverse("console:robot", args=[robot.pk])).content.decode()
    edit = client.get(reverse("console:robot_edit", args=[robot.pk])).content.decode()
    listing = client.get(reverse("console:robots", args=[county.town_a.pk])).content.decode()
    for html in (page, edit, listing):
        assert "0123456789abcdef" not in html and "SECabc123" not in html
    assert "https://oapi.dingtalk.com/…9f3a" in page and "https://oapi.dingtalk.com/…9f3a" in edit
    assert "正常" in listing


@pytest.mark.django_db
def test_editing_without_the_address_and_secret_keeps_them_and_the_history_never_holds_the_secret(client, county):
    robot = dingtalk_robot(county)
    signed_in(client, county.town_a_admin)
    form = {**FORM, "name": "东城镇宣传群", "webhook": "", "secret": "", "version": robot.version}
    form.pop("push_notices")
    response = client.post(reverse("console:robot_edit", args=[robot.pk]), form)
    assert response.status_code == 302
    robot.refresh_from_db()
    assert (robot.name, robot.push_notices) == ("东城镇宣传群", False)
    assert fieldcrypt.decrypt(robot.webhook_encrypted) == DINGTALK
    assert fieldcrypt.decrypt(robot.secret_encrypted) == "SECabc123"
    records = list(history_for(robot))
    assert [r.action for r in records] == ["update", "create"]
    assert records[0].changes == {"name": ["东城镇党建工作群", "东城镇宣传群"], "push_notices": [True, False]}
    assert "SECabc123" not in str([r.changes for r in records]) and "0123456789abcdef" not in str(records[1].changes)
    assert records[1].changes["webhook_hint"] == "https://oapi.dingtalk.com/…9f3a"


@pytest.mark.django_db
def test_the_secret_can_be_removed(client, county):
    robot = dingtalk_robot(county)
    signed_in(client, county.town_a_admin)
    form = {**FORM, "webhook": "", "secret": "", "clear_secret": "on", "version": robot.version}
    assert client.post(reverse("console:robot_edit", args=[robot.pk]), form).status_code == 302
    robot.refresh_from_db()
    assert bytes(robot.secret_encrypted) == b""


@pytest.mark.django_db
def test_a_new_secret_alone_replaces_the_saved_one(client, county):
    robot = dingtalk_robot(county)
    signed_in(client, county.town_a_admin)
    form = {**FORM, "webhook": "", "secret": "SECnew456", "version": robot.version}
    assert client.post(reverse("console:robot_edit", args=[robot.pk]), form).status_code == 302
    robot.refresh_from_db()
    assert fieldcrypt.decrypt(robot.secret_encrypted) == "SECnew456"


@pytest.mark.django_db
def test_a_stale_edit_is_refused_and_the_input_kept(client, county):
    robot = dingtalk_robot(county)
    save_robot(
        county.town_a_admin,
        county.town_a.pk,
        RobotInput(kind="dingtalk", name="别人改过", active=False),
        robot_id=robot.pk,
    )
    signed_in(client, county.town_a_admin)
    response = client.post(
        reverse("console:robot_edit", args=[robot.pk]), {**FORM, "webhook": "", "version": robot.version}
    )
    assert response.status_code == 400
    assert "在您编辑期间有人修改了此记录" in str(response.context["form"].non_field_errors())
    robot.refresh_from_db()
    assert robot.name == "别人改过"


@pytest.mark.django_db
def test_a_test_message_is_sent_at_once_and_shown_in_the_log(client, county):
    with RobotServer(secret="SECabc123") as server:
        robot = dingtalk_robot(county, webhook=server.url("dingtalk"))
        signed_in(client, county.town_a_admin)
        response = client.post(reverse("console:robot_test", args=[robot.pk]), follow=True)
    (record,) = server.received
    assert record["signature"] == "valid"
    assert record["json"]["actionCard"]["title"] == "东城镇测试消息"
    html = response.content.decode()
    assert "测试消息已送达，请到群里查看。" in html
    sent = Delivery.objects.get()
    assert (sent.topic, sent.state, sent.attempts) == ("test", "sent", 1)
    assert "测试消息" in html and "送达" in html


@pytest.mark.django_db
def test_a_failed_test_message_says_why_at_once_and_is_not_retried(client, county):
    with RobotServer(secret="SECabc123") as server:
        server.status = 500
        robot = dingtalk_robot(county, webhook=server.url("dingtalk"))
        signed_in(client, county.town_a_admin)
        response = client.post(reverse("console:robot_test", args=[robot.pk]), follow=True)
    assert "测试消息未送达：服务返回状态码 500。" in response.content.decode()
    assert Delivery.objects.get().state == "failed"


@pytest.mark.django_db
def test_a_failed_delivery_is_sent_again_on_request(client, county, django_capture_on_commit_callbacks):
    robot = dingtalk_robot(county)
    failed = delivery(robot, state="failed", attempts=5, last_error="服务返回状态码 500。")
    signed_in(client, county.town_a_admin)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("console:robot_retry", args=[robot.pk, failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == ("pending", 0)
    assert len(callbacks) == 1  # the worker is asked at once


@pytest.mark.django_db
def test_the_log_is_paginated_and_a_flagged_robot_says_what_to_do(client, county):
    robot = dingtalk_robot(county)
    for _ in range(25):
        delivery(robot)
    Robot.objects.filter(pk=robot.pk).update(consecutive_failures=4, flagged_at=timezone.now())
    signed_in(client, county.town_a_admin)
    first = client.get(reverse("console:robot", args=[robot.pk]))
    assert len(first.context["rows"]) == 20
    assert "这个机器人已连续 4 次推送失败" in first.content.decode()
    assert "连续失败 4 次" in first.content.decode()
    second = client.get(reverse("console:robot", args=[robot.pk]), {"page": 2})
    assert len(second.context["rows"]) == 5


@pytest.mark.django_db
def test_the_organization_page_links_to_the_robots_for_those_who_manage_them(client, county):
    url = reverse("console:organization", args=[county.town_a.pk])
    link = reverse("console:robots", args=[county.town_a.pk])
    assert link in signed_in(client, county.town_a_admin).get(url).content.decode()
    client.logout()
    assert link not in signed_in(client, county.town_a_media).get(url).content.decode()


# --- Attackers ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_township_cannot_see_or_touch_a_robot_or_its_log(client, county):
    robot = dingtalk_robot(county)
    sent = delivery(robot, state="failed")
    town_b_admin = f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    signed_in(client, town_b_admin)
    assert client.get(reverse("console:robots", args=[county.town_a.pk])).status_code == 403
    assert client.get(reverse("console:robot_add", args=[county.town_a.pk])).status_code == 403
    assert client.post(reverse("console:robot_add", args=[county.town_a.pk]), FORM).status_code == 403
    assert client.get(reverse("console:robot", args=[robot.pk])).status_code == 404  # the log
    assert client.get(reverse("console:robot_edit", args=[robot.pk])).status_code == 404
    assert client.post(reverse("console:robot_edit", args=[robot.pk]), FORM).status_code == 404
    assert client.post(reverse("console:robot_test", args=[robot.pk])).status_code == 404
    assert client.post(reverse("console:robot_retry", args=[robot.pk, sent.pk])).status_code == 404
    assert Robot.objects.count() == 1 and not Delivery.objects.filter(topic="test").exists()
    sent.refresh_from_db()
    assert sent.state == "failed"


@pytest.mark.django_db
def test_a_media_officer_and_a_village_secretary_cannot_manage_the_township_robots(client, county):
    robot = dingtalk_robot(county)
    for user in (county.town_a_media, county.village_a1_secretary):
        client.logout()
        signed_in(client, user)
        assert client.get(reverse("console:robots", args=[county.town_a.pk])).status_code == 403
        assert client.get(reverse("console:robot", args=[robot.pk])).status_code == 404
        assert client.post(reverse("console:robot_test", args=[robot.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        save_robot(county.town_a_media, county.town_a.pk, RobotInput(kind="dingtalk", name="x", webhook=DINGTALK))


@pytest.mark.django_db
def test_the_county_manages_the_robots_below_it(client, county):
    robot = dingtalk_robot(county)
    signed_in(client, county.county_admin)
    assert client.get(reverse("console:robot", args=[robot.pk])).status_code == 200


@pytest.mark.django_db
def test_a_forged_delivery_id_of_another_robot_is_not_retried(client, county):
    robot = dingtalk_robot(county)
    other = save_robot(
        county.county_admin,
        county.town_b.pk,
        RobotInput(kind="dingtalk", name="西山乡群", webhook=DINGTALK),
    )
    theirs = delivery(other, state="failed")
    signed_in(client, county.town_a_admin)
    response = client.post(reverse("console:robot_retry", args=[robot.pk, theirs.pk]), follow=True)
    assert "不存在" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.state == "failed"


@pytest.mark.django_db
def test_a_robot_id_of_another_organization_is_not_changed_through_this_one(county):
    other = save_robot(
        county.county_admin, county.town_b.pk, RobotInput(kind="dingtalk", name="西山乡群", webhook=DINGTALK)
    )
    with pytest.raises(NotFound):
        save_robot(
            county.town_a_admin,
            county.town_a.pk,
            RobotInput(kind="dingtalk", name="改掉", webhook=DINGTALK),
            robot_id=other.pk,
        )
    other.refresh_from_db()
    assert other.name == "西山乡群"


@pytest.mark.django_db
def test_anonymous_requests_are_sent_to_sign_in(client, county):
    robot = dingtalk_robot(county)
    response = client.post(reverse("console:robot_test", args=[robot.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Delivery.objects.exists()


# --- Usage metric -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deliveries_sent_are_counted_per_subtree_and_period(county):
    (metric,) = [m for m in entries(UsageMetric) if m.key == "push.deliveries_sent"]
    robot = dingtalk_robot(county)
    now = timezone.now()
    delivery(robot, sent_at=now)
    delivery(robot, sent_at=now - datetime.timedelta(days=40))
    delivery(robot, state="failed")
    today = timezone.localdate()
    month_start = today - datetime.timedelta(days=10)
    tomorrow = today + datetime.timedelta(days=1)
    assert metric.count(county.county, month_start, tomorrow) == 1
    assert metric.count(county.town_a, today - datetime.timedelta(days=60), tomorrow) == 2
    assert metric.count(county.town_b, month_start, tomorrow) == 0
