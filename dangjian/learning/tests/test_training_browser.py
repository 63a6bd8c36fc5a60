"""Training in a real browser, on a 390 px phone in both text sizes and on a desktop: the township's admin
publishes a session for its new-media officers (starting in 20 minutes), an invited officer registers on the
phone, opens the door's check-in link, confirms with one tap and is recorded as attended; the organizer's console
page shows it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.conftest import assert_accessible
from dangjian.learning.models import Registration, TrainingSession
from dangjian.tests_support.browser import assert_fits, open_as, submit

from .training_people import officers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, width: int) -> None:
    assert_accessible(page)
    assert_fits(page, width)


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_an_invited_officer_registers_and_checks_in_at_the_door(browser, live_server, county, width, large):
    (officer,) = officers(county, 1)

    # The township's admin publishes the session from the 培训 menu.
    organizer, page = open_as(browser, live_server, county.town_a_admin.username, width=width, large=large)
    submit(page, page.get_by_role("link", name="培训").first)
    check(page, width)
    page.get_by_label("举办培训的组织").select_option(label=county.town_a.name)
    submit(page, page.get_by_role("button", name="新建培训"))
    start = timezone.localtime() + datetime.timedelta(minutes=20)
    page.get_by_label("标题").fill("新媒体稿件写作培训")
    page.get_by_label("开始时间").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("结束时间").fill((start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("地点").fill("镇政府三楼会议室")
    page.get_by_label("名额").fill("2")
    page.get_by_label("邀请担任该角色的工作人员").select_option(label="新媒体专员")
    check(page, width)
    submit(page, page.get_by_role("button", name="发布并邀请"))
    assert "已通知受邀人员" in page.locator(".messages").inner_text()
    session = TrainingSession.objects.get()
    check(page, width)

    # The officer opens the session (the invitation links to it) and registers.
    phone, officer_page = open_as(browser, live_server, officer.username, width=width, large=large)
    officer_page.goto(reverse("learning:training", args=[session.pk]))
    assert "剩余 2 个名额" in officer_page.locator(".my-registration").inner_text()
    check(officer_page, width)
    submit(officer_page, officer_page.get_by_role("button", name="报名"))
    assert "您已报名" in officer_page.locator(".my-registration").inner_text()
    check(officer_page, width)

    # The door page shows the QR code; the officer's phone opens its address and confirms with one tap.
    submit(page, page.get_by_role("link", name="现场签到二维码"))
    assert page.locator(".check-in-qr svg").is_visible()
    check(page, width)
    session.refresh_from_db()
    officer_page.goto(reverse("learning:training_checkin", args=[session.pk, session.checkin_token]))
    check(officer_page, width)
    submit(officer_page, officer_page.get_by_role("button", name="确认签到"))
    assert "已签到" in officer_page.locator(".answer-box").inner_text()
    check(officer_page, width)
    assert Registration.objects.get(session=session, user=officer).attended

    # The organizer's console page shows the attendance.
    submit(page, page.get_by_role("link", name="返回培训页面"))
    assert page.get_by_role("checkbox", name=f"{officer}出席").is_checked()
    assert "参加 1" in page.locator(".training-counts").inner_text()
    check(page, width)
    organizer.close()
    phone.close()
