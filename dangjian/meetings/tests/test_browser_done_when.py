"""Issue 12's "done when", in one real-browser journey on a 390 px phone in large text (the hardest screen): a
branch secretary imports the branch from Excel, invites a member, plans this month's 支部委员会, the member confirms
on their phone, the minutes are signed off and printed, and the township sees the branch as up to date.

Each step's own journey runs on three screens in its module's tests; this one proves the steps join up, through
the pages alone (no action called directly; only the clock is moved, by putting the meeting's start in the past)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from dangjian.conftest import assert_accessible
from dangjian.meetings.models import Meeting, Minutes
from dangjian.members.models import Member
from dangjian.members.tests.roster_files import person, workbook_bytes
from dangjian.tests_support.browser import assert_fits, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
MOBILE = "13811112222"
PASSWORD = "qingshan-2026"


def _phone(browser, live_server):
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/")
    submit(page, page.get_by_role("link", name="大字模式"))
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    return context, page


def _check(page) -> None:
    assert_accessible(page)
    assert_fits(page, WIDTH)


def test_from_an_excel_roster_to_a_branch_up_to_date(browser, live_server, county, settings):
    # This month's required meeting in this test is the branch committee's (frequencies are settings).
    settings.MEETING_FREQUENCIES = {"committee": "monthly"}
    branch = county.village_a1
    host_row = person(1, 姓名="王建国", 支委职务="支部书记", 手机号码=MOBILE)
    recorder_row = person(2, 姓名="李秀英", 支委职务="组织委员")
    rows = [host_row, recorder_row, person(3, 姓名="张大山", 支委职务="宣传委员"), person(4, 姓名="赵老汉")]

    # 1. The secretary imports the branch from Excel.
    secretary, page = _phone(browser, live_server)
    sign_in(page, county.village_a1_secretary.username)
    page.goto(f"/console/o/{branch.pk}/")
    submit(page, page.get_by_role("link", name="导入党员名册"))
    page.get_by_label("名册文件").set_input_files(
        {
            "name": "王庄村党员名册.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": workbook_bytes(rows),
        }
    )
    submit(page, page.get_by_role("button", name="上传并检查"))
    assert "无误 4 行" in page.get_by_test_id("roster-summary").inner_text()
    _check(page)
    submit(page, page.get_by_role("button", name="全部导入"))
    assert "已导入 4 名党员" in page.get_by_test_id("roster-result").inner_text()
    assert Member.objects.filter(organization=branch, status=Member.Status.ACTIVE).count() == 4

    # 2. The secretary invites the branch secretary-to-be (the meeting's host) to open an account.
    host = Member.objects.get(name="王建国")
    page.goto(f"/console/o/{branch.pk}/")
    submit(page, page.get_by_role("link", name="党员账号"))
    submit(page, page.get_by_test_id(f"member-account-{host.pk}").get_by_role("link", name="邀请党员开通账号"))
    submit(page, page.get_by_role("button", name="邀请党员开通账号"))
    link = re.sub(r"^https?://[^/]+", "", page.get_by_test_id("invitation-link").inner_text().strip())
    _check(page)

    # ... and the member opens it on their own phone and sets a password.
    member_context, member_page = _phone(browser, live_server)
    member_page.goto(link)
    member_page.get_by_label("设置密码").fill(PASSWORD)
    member_page.get_by_label("再输入一遍密码").fill(PASSWORD)
    submit(member_page, member_page.get_by_role("button", name="开通账号"))
    member_page.wait_for_url("**/console/me/")
    host.refresh_from_db()
    assert host.user is not None

    # 3. The secretary plans this month's 支部委员会.
    page.goto("/console/")
    submit(page, page.get_by_role("link", name="组织生活").first)
    submit(page, page.get_by_role("link", name=branch.name))
    submit(page, page.get_by_role("link", name="安排会议"))
    start = timezone.localtime() + datetime.timedelta(hours=1)
    page.get_by_label("类型").select_option(label="支部委员会")
    page.get_by_label("主题").fill("研究本月党员发展工作")
    page.get_by_label("开始时间").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("地点").fill("村部会议室")
    page.get_by_label("主持人").select_option(label="王建国（支部书记）")
    page.get_by_label("记录人").select_option(label="李秀英（组织委员）")
    page.get_by_label("参会范围").select_option(label="支部委员会委员")
    submit(page, page.get_by_role("button", name="安排会议并发送通知"))
    meeting = Meeting.objects.get()
    assert set(meeting.attendees.values_list("member__name", flat=True)) == {"王建国", "李秀英", "张大山"}

    # 4. The member confirms on their phone, from the console home.
    member_page.goto("/console/")
    submit(member_page, member_page.get_by_role("link", name="研究本月党员发展工作"))
    submit(member_page, member_page.get_by_role("button", name="确认参加"))
    assert "您已确认参加" in member_page.locator(".messages").inner_text()
    _check(member_page)

    # 5. The meeting takes place (the clock moves on): attendance, held, minutes.
    begun = max(timezone.now() - datetime.timedelta(minutes=20), meeting.starts_at - datetime.timedelta(hours=2))
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=begun)
    page.goto(f"/console/meetings/{meeting.pk}/")
    for name in ("王建国", "李秀英", "张大山"):
        page.get_by_label(f"{name}出席").check()
    submit(page, page.get_by_role("button", name="保存出席情况"))
    submit(page, page.get_by_role("button", name="登记会议已召开"))
    submit(page, page.get_by_role("link", name="填写会议记录"))
    page.get_by_label("议程").fill("一、传达县委组织部关于发展党员工作的通知\n二、讨论确定发展对象")
    page.get_by_label("讨论情况").fill("与会委员逐一发表意见。")
    page.get_by_label("决议").fill("同意将两名入党积极分子列为发展对象。")
    submit(page, page.get_by_role("button", name="保存会议记录"))
    secretary.close()

    # 6. The host signs the minutes off on their phone and prints them.
    member_page.goto(f"/console/meetings/{meeting.pk}/")
    member_page.get_by_label("我已核对会议记录，签署后不能再修改").check()
    submit(member_page, member_page.get_by_role("button", name="签署会议记录"))
    assert Minutes.objects.get().signed_off_by == host.user
    submit(member_page, member_page.get_by_role("link", name="打印").first)
    sheet = member_page.locator("main").inner_text()
    for words in ("会议记录", "研究本月党员发展工作", "王建国", "李秀英", "决议"):
        assert words in sheet
    _check(member_page)
    member_context.close()

    # 7. The township sees the branch as up to date for the month the meeting was held.
    held_on = timezone.localtime(Meeting.objects.get().starts_at)
    township, town_page = _phone(browser, live_server)
    sign_in(town_page, county.town_a_admin.username)
    town_page.goto("/console/")
    submit(town_page, town_page.get_by_test_id("compliance-panel").get_by_role("link", name=county.town_a.name))
    if held_on.year != timezone.localdate().year:  # the first minutes of a year: the meeting was last year
        town_page.get_by_label("年份").fill(str(held_on.year))
        submit(town_page, town_page.get_by_role("button", name="查看该年"))
    row = town_page.get_by_test_id("compliance-grid").locator(f"tr[data-branch='{branch.pk}']")
    assert row.locator("td").nth(held_on.month - 1).locator("[aria-hidden=true]").inner_text() == "齐"
    _check(town_page)
    township.close()
