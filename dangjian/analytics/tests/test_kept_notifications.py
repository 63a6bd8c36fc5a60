"""The group robots' usage metric kept in the rollups: pushes delivered (a test message, a failed push aside),
through published articles, the worker's delivery to the local robot recorder, over two months."""

import datetime

import pytest
import time_machine

from dangjian.analytics import rollups
from dangjian.analytics.models import PendingRollup
from dangjian.notifications import push_delivery
from dangjian.notifications.models import Delivery
from dangjian.notifications.robot_actions import RobotInput, save_robot, send_test_message
from dangjian.publishing import articles
from dangjian.publishing.models import Column
from dangjian.publishing.tests.articles_support import article_input
from dangjian.tests_support.robotserver import RobotServer

from .kept import assert_kept, at

pytestmark = pytest.mark.django_db
SECRET = "SEC0123456789abcdef"


@pytest.fixture
def server():
    with RobotServer(secret=SECRET) as running:
        yield running


def _publish(user, organization, title):
    article = articles.save_article(user, organization.pk, article_input(organization, title=title))
    return articles.submit_for_review(user, article.pk)


def test_deliveries_kept_equal_the_records_and_the_counts(county, server):
    Column.objects.filter(organization__in=[county.town_a, county.village_a1]).update(review_steps=0)
    town_robot = save_robot(
        county.town_a_admin,
        county.town_a.pk,
        RobotInput(kind="dingtalk", name="东城镇工作群", webhook=server.url("dingtalk"), secret=SECRET),
    )
    save_robot(
        county.village_a1_secretary,
        county.village_a1.pk,
        RobotInput(kind="feishu", name="王庄村党员群", webhook=server.url("feishu"), secret=SECRET),
    )
    save_robot(  # its secret is wrong: every push fails
        county.village_a1_secretary,
        county.village_a1.pk,
        RobotInput(kind="dingtalk", name="王庄村旧群", webhook=server.url("dingtalk"), secret="SECwrong"),
    )
    with time_machine.travel(at(2026, 3, 30)):
        _publish(county.town_a_media, county.town_a, "东城镇召开党建工作会议")
        _publish(county.village_a1_secretary, county.village_a1, "王庄村开展志愿服务")
        rollups.refresh_pending()  # what the articles marked; the deliveries must mark their own
        assert push_delivery.deliver_due() == {"sent": 2, "failed": 1}
        assert PendingRollup.objects.filter(metric="push.deliveries_sent").exists()
        push_delivery.deliver_now(send_test_message(county.town_a_admin, town_robot.pk).pk)
    with time_machine.travel(at(2026, 4, 2)):
        _publish(county.village_a1_secretary, county.village_a1, "王庄村召开党员大会")
        assert push_delivery.deliver_due()["sent"] == 1
        days = [datetime.date(2026, 3, 30), datetime.date(2026, 4, 2)]
        organizations = [county.county, county.town_a, county.village_a1, county.town_b]
        totals = assert_kept(["push.deliveries_sent"], organizations, days)
    assert Delivery.objects.filter(topic="test", state="sent").count() == 1  # delivered, yet not usage
    assert totals[("push.deliveries_sent", "测试县", "m", "2026-03")] == 2
    assert totals[("push.deliveries_sent", "测试县", "m", "2026-04")] == 1
    assert totals[("push.deliveries_sent", "东城镇", "q", "2026-q1")] == 2
    assert totals[("push.deliveries_sent", "王庄村", "y", "2026")] == 2
    assert totals[("push.deliveries_sent", "西山乡", "y", "2026")] == 0
