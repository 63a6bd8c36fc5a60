"""Issue 12 (members), in a real browser on a 390 px phone in both text sizes (the site's own 大字模式 switch) and on
a desktop: a village secretary opens 党员 from the menu, adds a member, sees them listed with the ID-card number
masked, edits the record and starts a transfer to another village by typing part of its name."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.conftest import assert_accessible
from dangjian.members.models import Member, MemberTransfer
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {
    "phone-standard": ({"width": 390, "height": 844}, False),
    "phone-large-text": ({"width": 390, "height": 844}, True),
    "desktop": ({"width": 1280, "height": 900}, False),
}
BIRTH = datetime.date(1988, 9, 15)
NUMBER = f.id_number(415, BIRTH, "f")


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request, browser, live_server):
    viewport, large = VIEWPORTS[request.param]
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.large = large
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def fits(page) -> None:
    assert_fits(page)
    assert_accessible(page)


def test_a_secretary_adds_edits_and_transfers_a_member(page, county):
    f.member(county.village_a1, "李建国", mobile="13812345678")
    sign_in(page, "a1_secretary")
    page.goto("/console/")
    if page.large:
        submit(page, page.get_by_role("link", name="大字模式"))
        assert page.evaluate("document.documentElement.classList.contains('large-text')")
    submit(page, page.get_by_role("navigation", name="管理后台").get_by_role("link", name="党员", exact=True))
    fits(page)
    submit(page, page.get_by_role("link", name="东城镇王庄村党支部委员会"))
    assert page.get_by_text("13812345678").is_visible()  # the branch's own committee sees the number
    # The status, the last column, is in view without scrolling the table sideways (on a phone the ID-card
    # number and the joining date are left to the member's own page).
    box = page.get_by_role("columnheader", name="状态").bounding_box()
    assert box is not None and box["x"] + box["width"] <= page.viewport_size["width"]
    fits(page)

    submit(page, page.get_by_role("link", name="添加党员"))
    fits(page)
    page.get_by_label("姓名").fill("王秀英")
    page.get_by_label("性别").select_option("f")
    page.get_by_label("身份证号").fill(NUMBER.lower())
    page.get_by_label("出生日期").fill(BIRTH.isoformat())
    page.get_by_label("手机号").fill("13987654321")
    page.get_by_label("入党日期").fill("2012-07-01")
    page.get_by_label("转正日期").fill("2013-07-01")
    page.get_by_label("老党员").check()
    submit(page, page.get_by_role("button", name="保存"))
    assert page.get_by_text("党员已添加。").is_visible()
    row = page.get_by_role("row").filter(has_text="王秀英")
    expect(row).to_contain_text(NUMBER[:3] + "*" * 13 + NUMBER[-2:])
    assert NUMBER not in page.content()
    fits(page)

    submit(page, row.get_by_role("link", name="王秀英"))
    expect(page.get_by_test_id("flags")).to_contain_text("老党员")
    fits(page)
    submit(page, page.get_by_role("link", name="修改信息"))
    assert page.get_by_label("身份证号").input_value() == ""  # never shown in full, even to the branch
    page.get_by_label("工作岗位或职务").fill("村妇女主任")
    submit(page, page.get_by_role("button", name="保存"))
    assert page.get_by_text("党员信息已保存。").is_visible()
    member = Member.objects.get(name="王秀英")
    assert member.job == "村妇女主任" and member.id_number() == NUMBER

    submit(page, page.get_by_role("link", name="转出到其他支部"))
    fits(page)
    # The plain select became the searchable picker: type part of the village's name.
    search = page.locator("#id_to_organization-ts-control")
    expect(search).to_have_accessible_name("转入支部：")
    search.click()
    search.press_sequentially("石桥")
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_count(1)
    options.first.click()
    search.press("Escape")
    page.get_by_label("转出日期").fill(timezone.localdate().isoformat())
    page.get_by_label("理由").fill("随子女迁居")
    submit(page, page.get_by_role("button", name="确认"))
    expect(page.get_by_test_id("pending-transfer")).to_contain_text("西山乡石桥村党支部委员会")
    transfer = MemberTransfer.objects.get(member=member)
    assert transfer.to_organization == county.village_b1 and transfer.arrived_on is None
    assert Member.objects.get(pk=member.pk).organization == county.village_a1  # until the target confirms
    fits(page)
