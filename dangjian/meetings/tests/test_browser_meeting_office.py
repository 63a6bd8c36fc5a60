"""The meeting office in a real browser, on a 390 px phone in both text sizes and on a desktop: the branch
secretary plans this month's 支部委员会, members answer on their phones (one confirms, one asks for leave), the
secretary ticks attendance and records the meeting held, writes the minutes, the host signs them off, and the
minutes print."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dangjian.conftest import assert_accessible
from dangjian.meetings.models import Attendee, Meeting, Minutes
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_as(browser, live_server, login: str, width: int, large: bool):
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, login)
    page.wait_for_url("**/console/**")
    if large:
        submit(page, page.get_by_role("link", name="大字模式"))
        assert page.evaluate("document.documentElement.classList.contains('large-text')")
    return context, page


def check(page, width: int) -> None:
    assert_accessible(page)
    assert_fits(page, width)


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_a_branch_committee_meeting_from_notice_to_printed_minutes(browser, live_server, county, width, large):
    org = county.village_a1

    def account(username):
        return f.UserFactory(username=username, full_name=username)

    host = f.member(org, "王建国", committee_post="secretary", user=account("m_host"))
    f.member(org, "李秀英", committee_post="organization", user=account("m_recorder"))
    f.member(org, "张大山", committee_post="publicity", user=account("m_zhang"))
    f.member(org, "刘桂兰", committee_post="discipline", user=account("m_liu"))
    f.member(org, "赵老汉")  # not on the committee

    # The secretary plans the meeting from the menu, on the phone.
    secretary, page = open_as(browser, live_server, county.village_a1_secretary.username, width, large)
    submit(page, page.get_by_role("link", name="组织生活").first)
    submit(page, page.get_by_role("link", name=org.name))
    submit(page, page.get_by_role("link", name="安排会议"))
    start = timezone.localtime() + datetime.timedelta(hours=2)
    page.get_by_label("类型").select_option(label="支部委员会")
    page.get_by_label("主题").fill("研究本月党员发展工作")
    page.get_by_label("开始时间").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("地点").fill("村部会议室")
    page.get_by_label("主持人").select_option(label="王建国（支部书记）")
    page.get_by_label("记录人").select_option(label="李秀英（组织委员）")
    page.get_by_label("参会范围").select_option(label="支部委员会委员")
    check(page, width)
    submit(page, page.get_by_role("button", name="安排会议并发送通知"))
    assert "会议已安排" in page.locator(".messages").inner_text()
    meeting = Meeting.objects.get()
    assert set(meeting.attendees.values_list("member__name", flat=True)) == {"王建国", "李秀英", "张大山", "刘桂兰"}
    assert page.locator(".check-in-qr svg").is_visible()
    check(page, width)

    # 张大山 confirms on his phone; 刘桂兰 asks for leave with her reason.
    zhang, member_page = open_as(browser, live_server, "m_zhang", width, large)
    submit(member_page, member_page.get_by_role("link", name="我的会议").first)
    submit(member_page, member_page.get_by_role("link", name="研究本月党员发展工作"))
    check(member_page, width)
    submit(member_page, member_page.get_by_role("button", name="确认参加"))
    assert "您已确认参加" in member_page.locator(".messages").inner_text()
    assert "您已确认参加" in member_page.locator(".my-answer").inner_text()
    assert member_page.get_by_role("button", name="确认参加").count() == 0
    assert member_page.get_by_role("button", name="改为请假").is_visible()
    check(member_page, width)
    zhang.close()
    liu, member_page = open_as(browser, live_server, "m_liu", width, large)
    submit(member_page, member_page.get_by_role("link", name="研究本月党员发展工作"))  # from the console home panel
    member_page.get_by_label("请假原因").fill("在县医院陪护老人")
    submit(member_page, member_page.get_by_role("button", name="请假"))
    assert Attendee.objects.get(member__name="刘桂兰").leave_reason == "在县医院陪护老人"
    liu.close()

    # The meeting begins: the secretary ticks attendance, records it held and writes the minutes.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=30))
    page.reload()
    for name in ("王建国", "李秀英", "张大山"):
        tick = page.locator("label.tick", has=page.get_by_label(f"{name}出席")).bounding_box()
        assert tick and tick["width"] >= 44 and tick["height"] >= 44  # 2.75rem: a finger's tap
        page.get_by_label(f"{name}出席").check()
    check(page, width)
    submit(page, page.get_by_role("button", name="保存出席情况"))
    submit(page, page.get_by_role("button", name="登记会议已召开"))
    assert page.locator(".state-held").first.is_visible()
    submit(page, page.get_by_role("link", name="填写会议记录"))
    page.get_by_label("议程").fill("一、传达县委组织部关于发展党员工作的通知\n二、讨论确定发展对象")
    page.get_by_label("讨论情况").fill("与会委员逐一发表意见。")
    page.get_by_label("决议").fill("同意将两名入党积极分子列为发展对象。")
    check(page, width)
    submit(page, page.get_by_role("button", name="保存会议记录"))
    secretary.close()

    # The host signs the minutes off; the print page shows the 会议记录.
    host_context, host_page = open_as(browser, live_server, "m_host", width, large)
    submit(host_page, host_page.get_by_role("link", name="研究本月党员发展工作"))
    host_page.get_by_label("我已核对会议记录，签署后不能再修改").check()
    submit(host_page, host_page.get_by_role("button", name="签署会议记录"))
    minutes = Minutes.objects.get()
    assert minutes.signed_off_by == host.user
    assert host_page.locator(".signed").is_visible()
    check(host_page, width)
    submit(host_page, host_page.get_by_role("link", name="打印").first)
    sheet = host_page.locator("main").inner_text()
    for words in ("会议记录", "主持人", "王建国", "实到", "刘桂兰", "在县医院陪护老人", "决议", "签署"):
        assert words in sheet
    check(host_page, width)
    host_context.close()
