"""Robot deliveries against a real local server (tests_support/robotserver.py): each service's request as it
documents it (DingTalk's and Feishu's signatures checked by the server), retries with back-off, failure recorded
in the service's words without the webhook's key, the robot flagged to its managers, never sent twice."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dangjian.core import fieldcrypt
from dangjian.notifications import push_delivery
from dangjian.notifications.models import Delivery, Notification, Robot
from dangjian.notifications.robot_actions import RobotInput, save_robot
from dangjian.publishing.models import Article
from dangjian.publishing.pushing import push_article
from dangjian.tests_support import factories as f
from dangjian.tests_support.robotserver import RobotServer

SECRET = "SEC0123456789abcdef"


@pytest.fixture
def server():
    with RobotServer(secret=SECRET) as running:
        yield running


def robot(county, server, kind="dingtalk", secret=SECRET, **extra):
    data = RobotInput(kind=kind, name=f"{kind}群", webhook=server.url(kind), secret=secret, **extra)
    return save_robot(county.town_a_admin, county.town_a.pk, data)


def published_article(county, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        article = f.article(county.town_a, "东城镇召开党建工作会议", summary="会议部署了下半年的工作。", **extra)
        push_article(article)
    return article


def later(minutes: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


@pytest.mark.django_db
def test_dingtalk_gets_a_signed_action_card_linking_to_the_article(county, server, django_capture_on_commit_callbacks):
    robot(county, server)
    article = published_article(county, django_capture_on_commit_callbacks)

    assert push_delivery.deliver_due() == {"sent": 1, "failed": 0}

    (record,) = server.received
    assert record["kind"] == "dingtalk"
    assert record["signature"] == "valid"  # checked by the server with the robot's secret
    assert record["query"]["access_token"] == "test-token-0001"
    card = record["json"]["actionCard"]
    assert record["json"]["msgtype"] == "actionCard"
    assert card["title"] == "东城镇召开党建工作会议"
    assert card["singleTitle"] == "阅读全文"
    assert card["singleURL"] == f"https://dj.example.gov.cn/o/{county.town_a.pk}/articles/{article.pk}/"
    assert "会议部署了下半年的工作。" in card["text"]
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert Robot.objects.get().last_success_at is not None


@pytest.mark.django_db
def test_dingtalk_with_a_wrong_secret_is_refused_in_its_own_words(county, server, django_capture_on_commit_callbacks):
    robot(county, server, secret="SECnot-the-right-one")
    published_article(county, django_capture_on_commit_callbacks)

    assert push_delivery.deliver_due() == {"sent": 0, "failed": 1}

    assert server.requests[0]["signature"] == "invalid"
    delivery = Delivery.objects.get()
    assert delivery.state == "pending"
    assert "310000" in delivery.last_error and "sign not match" in delivery.last_error


@pytest.mark.django_db
def test_feishu_gets_a_signed_interactive_card(county, server, django_capture_on_commit_callbacks):
    robot(county, server, kind="feishu")
    article = published_article(county, django_capture_on_commit_callbacks)

    assert push_delivery.deliver_due() == {"sent": 1, "failed": 0}

    (record,) = server.received
    body = record["json"]
    assert record["signature"] == "valid"
    assert body["msg_type"] == "interactive"
    assert body["timestamp"].isdigit()
    assert body["card"]["header"]["title"]["content"] == "东城镇召开党建工作会议"
    button = body["card"]["elements"][1]["actions"][0]
    assert button["text"]["content"] == "阅读全文"
    assert button["url"].endswith(f"/o/{county.town_a.pk}/articles/{article.pk}/")


@pytest.mark.django_db
def test_wecom_gets_a_news_message_with_the_cover(county, server, django_capture_on_commit_callbacks):
    robot(county, server, kind="wecom", secret="")
    article = published_article(county, django_capture_on_commit_callbacks, cover="articles/cover.jpg")

    assert push_delivery.deliver_due() == {"sent": 1, "failed": 0}

    (record,) = server.received
    assert record["query"] == {"key": "test-token-0001"}
    assert record["json"]["msgtype"] == "news"
    (item,) = record["json"]["news"]["articles"]
    assert item["title"] == "东城镇召开党建工作会议"
    assert item["description"].startswith("会议部署了下半年的工作。")
    assert item["url"].endswith(f"/articles/{article.pk}/")
    cover = reverse("publishing:article_cover", args=[county.town_a.pk, article.pk])
    assert item["picurl"] == f"https://dj.example.gov.cn{cover}"


@pytest.mark.django_db
def test_a_robot_answering_500_is_retried_with_back_off_then_failed_and_the_article_stays_published(
    county, server, settings, django_capture_on_commit_callbacks
):
    settings.PUSH_MAX_ATTEMPTS = 3
    settings.PUSH_RETRY_SECONDS = 60
    settings.PUSH_FLAG_AFTER = 10
    robot(county, server)
    article = published_article(county, django_capture_on_commit_callbacks)
    server.status = 500

    start = timezone.now()
    assert push_delivery.deliver_due(now=start) == {"sent": 0, "failed": 1}
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "服务返回状态码 500。"
    assert delivery.next_try_at == start + datetime.timedelta(seconds=60)
    # Not yet due: nothing is tried before the back-off has passed.
    assert push_delivery.deliver_due(now=start + datetime.timedelta(seconds=59)) == {"sent": 0, "failed": 0}

    second = start + datetime.timedelta(seconds=60)
    assert push_delivery.deliver_due(now=second) == {"sent": 0, "failed": 1}
    delivery.refresh_from_db()
    assert delivery.next_try_at == second + datetime.timedelta(seconds=120)  # doubled

    assert push_delivery.deliver_due(now=second + datetime.timedelta(seconds=120)) == {"sent": 0, "failed": 1}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 3)
    assert len(server.requests) == 3
    assert push_delivery.deliver_due(now=later(600)) == {"sent": 0, "failed": 0}  # given up
    article.refresh_from_db()
    assert article.state == Article.State.PUBLISHED


@pytest.mark.django_db
def test_a_robot_that_does_not_answer_in_time_is_recorded_as_timed_out(
    county, server, settings, django_capture_on_commit_callbacks
):
    settings.PUSH_TIMEOUT = 1
    settings.PUSH_MAX_ATTEMPTS = 2
    robot(county, server)
    article = published_article(county, django_capture_on_commit_callbacks)
    server.delay = 2

    assert push_delivery.deliver_due() == {"sent": 0, "failed": 1}
    assert push_delivery.deliver_due(now=later(5)) == {"sent": 0, "failed": 1}

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", 2)
    assert delivery.last_error == "1 秒内没有应答。"
    assert Article.objects.get(pk=article.pk).state == Article.State.PUBLISHED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ({"not_json": True}, "服务的应答（状态码 200）无法识别。"),
        ({"redirect_to": "http://10.0.0.1/admin"}, "服务返回了重定向（状态码 302），未跟随。"),
        ({"errcode": 93000}, "服务拒收了消息：93000: robot refused (test)"),
    ],
    ids=["not-json", "redirect", "refused"],
)
def test_bad_answers_are_recorded_never_a_crash(county, server, setup, error, django_capture_on_commit_callbacks):
    robot(county, server, kind="wecom", secret="")
    published_article(county, django_capture_on_commit_callbacks)
    for name, value in setup.items():
        setattr(server, name, value)

    assert push_delivery.deliver_due() == {"sent": 0, "failed": 1}

    assert Delivery.objects.get().last_error == error
    assert len(server.requests) == 1  # the redirect was not followed


@pytest.mark.django_db
def test_an_unreachable_robot_is_recorded_without_its_key(county, django_capture_on_commit_callbacks):
    with RobotServer() as gone:
        url = gone.url("dingtalk", token="secret-token-value-42")
    save_robot(county.town_a_admin, county.town_a.pk, RobotInput(kind="dingtalk", name="群", webhook=url))
    published_article(county, django_capture_on_commit_callbacks)

    assert push_delivery.deliver_due() == {"sent": 0, "failed": 1}

    error = Delivery.objects.get().last_error
    assert error.startswith("无法连接服务：")
    assert "secret-token-value-42" not in error


@pytest.mark.django_db
def test_a_webhook_no_longer_allowed_is_not_called(county, server, settings, django_capture_on_commit_callbacks):
    robot(county, server)
    published_article(county, django_capture_on_commit_callbacks)
    settings.ROBOT_ALLOW_LOOPBACK = False  # e.g. the site's settings changed since the robot was saved

    assert push_delivery.deliver_due() == {"sent": 0, "failed": 1}

    assert server.requests == []
    assert "127.0.0.1" in Delivery.objects.get().last_error


@pytest.mark.django_db
def test_a_robot_failing_again_and_again_is_flagged_once_to_its_managers_and_cleared_by_a_success(
    county, server, settings, django_capture_on_commit_callbacks
):
    settings.PUSH_FLAG_AFTER = 3
    settings.PUSH_MAX_ATTEMPTS = 2
    town_secretary = f.staff("town_a_secretary", "secretary", county.town_a)
    saved = robot(county, server)
    server.status = 500
    for n in range(2):
        published_article(county, django_capture_on_commit_callbacks)
        push_delivery.deliver_due(now=later(10 * n))
        push_delivery.deliver_due(now=later(10 * n + 5))

    saved.refresh_from_db()
    assert saved.consecutive_failures == 4
    assert saved.flagged_at is not None
    told = Notification.objects.filter(kind="notifications.robot_failing")
    assert sorted(n.user.username for n in told) == ["town_a_admin", "town_a_secretary"]  # once each
    assert told.first().params["failures"] == 3
    assert county.town_a_media.notifications.count() == 0  # a media officer manages no robots
    assert town_secretary.notifications.get().target_id == saved.pk

    server.status = 200
    published_article(county, django_capture_on_commit_callbacks)
    assert push_delivery.deliver_due(now=later(60)) == {"sent": 1, "failed": 0}
    saved.refresh_from_db()
    assert (saved.consecutive_failures, saved.flagged_at) == (0, None)


@pytest.mark.django_db
def test_two_workers_never_send_one_delivery_twice(county, server, django_capture_on_commit_callbacks):
    robot(county, server)
    published_article(county, django_capture_on_commit_callbacks)
    now = timezone.now()
    # The second worker read the same due rows before the first one claimed them.
    seen_by_second = push_delivery._due(now, 100)

    assert push_delivery.deliver_due(now=now) == {"sent": 1, "failed": 0}
    assert [push_delivery._claim(d, now) for d in seen_by_second] == [False]
    assert len(server.received) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_time_send_each_delivery_once(county, server):
    import threading

    from django.db import connection

    robot(county, server)
    for n in range(6):
        with transaction.atomic():
            push_article(f.article(county.town_a, f"第{n}篇"))
    server.delay = 0.05
    results = []

    def work():
        try:
            results.append(push_delivery.deliver_due())
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sum(r["sent"] for r in results) == 6
    assert len(server.received) == 6
    assert sorted(r["json"]["actionCard"]["title"] for r in server.received) == sorted(f"第{n}篇" for n in range(6))
    assert set(Delivery.objects.values_list("state", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_the_webhook_and_secret_are_encrypted_at_rest(county, server):
    saved = robot(county, server)
    stored = Robot.objects.get(pk=saved.pk)
    assert b"test-token-0001" not in bytes(stored.webhook_encrypted)
    assert SECRET.encode() not in bytes(stored.secret_encrypted)
    assert fieldcrypt.decrypt(stored.webhook_encrypted) == server.url("dingtalk")
    assert stored.webhook_hint == f"http://127.0.0.1:{server.port}/…0001"


@pytest.mark.django_db
def test_a_robot_turned_off_after_queueing_sends_nothing_and_is_not_flagged(
    county, server, settings, django_capture_on_commit_callbacks
):
    settings.PUSH_FLAG_AFTER = 1
    saved = robot(county, server)
    published_article(county, django_capture_on_commit_callbacks)
    Robot.objects.filter(pk=saved.pk).update(active=False)

    assert push_delivery.deliver_due() == {"sent": 0, "failed": 1}

    assert server.requests == []
    assert (Delivery.objects.get().state, Delivery.objects.get().last_error) == ("failed", "机器人已停用。")
    saved.refresh_from_db()
    assert (saved.consecutive_failures, saved.flagged_at) == (0, None)
