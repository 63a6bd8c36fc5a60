"""Issue 13's "done when", in one real-browser journey on a 390 px phone in large text (the hardest screen): a
township writes an article, it passes two review steps, publishes at 8:00 the next morning, appears on its portal
and its villages' portals, goes to the township's DingTalk group as a card and shows in the RSS feed; a county
notice is signed off by most townships and the rest are reminded; a village's item is adopted by its township.

Each step's own journey runs on three screens in its area's tests; this one proves the steps join up, through the
pages alone. Only the clock is moved (to 08:00 the next morning), and the clock's and the worker's jobs are run as
`run_clock`/`run_worker` run them; the township's DingTalk robot is set up beforehand and posts to a real local
server that checks DingTalk's signature."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.conftest import assert_accessible
from dangjian.notifications import push_delivery
from dangjian.notifications.models import Delivery, Notification
from dangjian.notifications.robot_actions import RobotInput, save_robot
from dangjian.publishing import clock
from dangjian.publishing.models import Article, NoticeRecipient, Submission
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, open_as, submit
from dangjian.tests_support.robotserver import RobotServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
SECRET = "SECdonewhen0001"
TITLE = "东城镇开展冬季送温暖活动"


def _phone(browser, live_server, login: str | None = None):
    return open_as(browser, live_server, login, width=WIDTH, large=True)


def _check(page) -> None:
    assert_accessible(page)
    assert_fits(page, WIDTH)


def test_a_township_article_a_county_notice_and_a_village_item(browser, live_server, county):
    town, village = county.town_a, county.village_a1
    f.staff("town_a_secretary", Role.SECRETARY, town, full_name="钱书记")
    town_c = f.OrganizationFactory(name="南湖镇党委", short_name="南湖镇", kind="township", parent=county.county)
    f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    f.staff("town_c_admin", Role.ORG_ADMIN, town_c)
    village_item = f.article(village, "王庄村开展志愿服务活动")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    eight = datetime.datetime.combine(tomorrow, datetime.time(8, 0), tzinfo=timezone.get_current_timezone())

    with RobotServer(secret=SECRET) as server:
        save_robot(
            county.town_a_admin, town.pk, RobotInput("dingtalk", "东城镇党建工作群", server.url("dingtalk"), SECRET)
        )

        # 1. The township's media officer writes the article, to appear at 8:00 tomorrow, also below.
        context, page = _phone(browser, live_server, "town_a_media")
        page.goto("/console/articles/")
        submit(page, page.get_by_role("link", name="撰写文章"))
        editor = page.locator("trix-editor")
        editor.wait_for()
        page.get_by_label("标题").fill(TITLE)
        page.get_by_label("摘要").fill("走访困难群众 120 户。")
        editor.click()
        page.keyboard.type("镇党委组织党员干部走访困难群众，送去米面油等慰问品。")
        page.get_by_label("发布时间").fill(f"{tomorrow:%Y-%m-%d}T08:00")
        page.get_by_label("同时在下级组织门户显示").check()
        _check(page)
        submit(page, page.get_by_role("button", name="保存"))
        submit(page, page.get_by_role("button", name="提交审核"))
        assert page.get_by_test_id("article-state").inner_text() == "审核中"
        _check(page)
        context.close()

        # 2. Two review steps by two other people: 初审 by the secretary, 终审 by the administrator.
        for login, heading, button in (
            ("town_a_secretary", "您的初审", "本步审核通过"),
            ("town_a_admin", "您的终审", "审核通过并发布"),
        ):
            context, page = _phone(browser, live_server, login)
            page.goto("/console/")
            submit(page, page.get_by_role("link", name="有 1 篇文章等待您审核"))
            submit(page, page.get_by_role("link", name=TITLE))
            assert page.get_by_role("heading", name=heading).is_visible()
            _check(page)
            submit(page, page.get_by_role("button", name=button))
            _check(page)
            context.close()
        article = Article.objects.get(title=TITLE)
        assert article.state == Article.State.SCHEDULED

        citizen, reader = _phone(browser, live_server)
        reader.goto(f"/o/{town.pk}/news/")
        assert TITLE not in reader.locator("main").inner_text()  # not before 8:00
        assert not server.received

        # 3. At 8:00 the next morning the clock publishes it and the worker sends the card.
        with time_machine.travel(eight + datetime.timedelta(seconds=30), tick=True):
            assert clock.publish_due_articles()["published"] == 1
            push_delivery.deliver_due()
            article.refresh_from_db()
            assert article.state == Article.State.PUBLISHED
            assert timezone.localtime(article.published_at) >= eight
            card = server.received[-1]
            assert card["kind"] == "dingtalk" and card["signature"] == "valid"
            assert card["json"]["actionCard"]["title"] == TITLE
            assert card["json"]["actionCard"]["singleURL"].endswith(f"/o/{town.pk}/articles/{article.pk}/")
            assert Delivery.objects.get(key=f"article:{article.pk}").state == Delivery.State.SENT

            # 4. A citizen finds it on the township's portal and on its village's, and in the RSS feed.
            for portal in (town, village):
                reader.goto(f"/o/{portal.pk}/news/")
                submit(reader, reader.get_by_role("link", name=TITLE).first)
                assert "镇党委组织党员干部走访困难群众" in reader.locator("main").inner_text()
                _check(reader)
            feed = reader.request.get(f"/o/{town.pk}/news/rss.xml")
            assert feed.ok and "xml" in feed.headers["content-type"]
            titles = [item.findtext("title") for item in ET.fromstring(feed.body()).iter("item")]
            assert TITLE in titles

        # 5. The county sends a notice to its three townships; two sign it off, the third is reminded.
        context, page = _phone(browser, live_server, county.county_admin.username)
        page.goto(f"/console/o/{county.county.pk}/")
        submit(page, page.get_by_role("link", name="发通知"))
        page.get_by_label("标题").fill("关于报送年度党建工作总结的通知")
        page.get_by_label("正文").fill("请各乡镇党委于本月底前报送年度党建工作总结。")
        page.get_by_label("直属下级单位").check()
        page.get_by_label("回复截止日期").fill((timezone.localdate() + datetime.timedelta(days=5)).isoformat())
        submit(page, page.get_by_role("button", name="发出通知"))
        assert page.get_by_test_id("receipt-counts").inner_text() == "已签收 0/3"
        _check(page)
        for login in ("town_a_secretary", "town_c_admin"):
            signer, phone = _phone(browser, live_server, login)
            submit(phone, phone.get_by_role("link", name="有 1 份通知待签收"))
            submit(phone, phone.get_by_role("link", name="关于报送年度党建工作总结的通知"))
            submit(phone, phone.get_by_role("button", name="签收"))
            assert "已签收" in phone.get_by_test_id("signed-status").inner_text()
            _check(phone)
            signer.close()
        page.reload()
        assert page.get_by_test_id("receipt-counts").inner_text() == "已签收 2/3"
        submit(page, page.get_by_role("button", name="一键提醒未签收单位"))
        assert "已提醒 1 个单位" in page.locator(".messages").inner_text()
        _check(page)
        context.close()
        assert set(
            NoticeRecipient.objects.filter(signed_at__isnull=False).values_list("organization__short_name", flat=True)
        ) == {town.short_name, "南湖镇"}
        reminded = Notification.objects.filter(kind="publishing.notice_reminder")
        assert set(reminded.values_list("user__username", flat=True)) == {"town_b_admin"}

        # 6. The village sends its item up; the township adopts it; the township's portal names the source.
        context, page = _phone(browser, live_server, county.village_a1_secretary.username)
        page.goto(f"/console/o/{village.pk}/")
        submit(page, page.get_by_role("link", name="向上级报送信息"))
        submit(page, page.get_by_role("link", name="报送").filter(has_text="王庄村开展志愿服务活动"))  # 报送：<title>
        _check(page)
        submit(page, page.get_by_role("button", name="报送"))
        assert f"稿件已报送给{town.short_name}" in page.locator(".messages").inner_text()
        context.close()
        context, page = _phone(browser, live_server, "town_a_media")
        page.goto(f"/console/o/{town.pk}/")
        submit(page, page.get_by_role("link", name="下级报送的信息"))
        assert "王庄村开展志愿服务活动" in page.locator("main").inner_text()
        _check(page)
        submit(page, page.get_by_role("button", name="采用").first)
        assert Submission.objects.get(article=village_item).state == Submission.State.ADOPTED
        context.close()
        reader.goto(f"/o/{town.pk}/news/")
        submit(reader, reader.get_by_role("link", name="王庄村开展志愿服务活动").first)
        assert f"来源：{village.name}" in reader.locator("main").inner_text()
        _check(reader)
        citizen.close()
