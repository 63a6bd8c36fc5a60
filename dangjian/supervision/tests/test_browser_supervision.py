"""Supervision journeys in a real browser: an anonymous report, an officer with TOTP, the reporter's follow-up."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.conftest import assert_accessible
from dangjian.supervision.models import Message, Report, State
from dangjian.tests_support.browser import phone_page, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_report_handled_by_an_officer_and_followed_with_the_receipt(browser, live_server, county, officers):
    reporter_context, reporter = phone_page(browser, live_server)
    reporter.goto(f"/o/{county.village_a1.pk}/")
    reporter.get_by_role("link", name="监督举报").click()
    assert_accessible(reporter)
    reporter.get_by_role("link", name="我要举报").click()
    reporter.get_by_label("匿名举报").check()
    reporter.get_by_label("违反了哪项纪律？").select_option("integrity")
    reporter.get_by_label("具体问题类型").select_option("吃拿卡要")
    reporter.get_by_label("被举报人").fill("王大海")
    reporter.get_by_label("职务").fill("村委会主任")
    reporter.get_by_label("具体情况").fill("办理宅基地审批时索要好处费五百元。")
    reporter.get_by_label("我如实反映所了解的情况", exact=False).check()
    assert_accessible(reporter)
    submit(reporter, reporter.get_by_role("button", name="提交举报"))
    receipt = reporter.get_by_test_id("receipt").inner_text()
    assert len(receipt.replace(" ", "")) == 16
    # On the phone the code breaks into two lines of two groups each, never three groups and one.
    lines = reporter.get_by_test_id("receipt").evaluate(
        "el => [...el.querySelectorAll('.nowrap')].map(s => [s.textContent, s.getClientRects().length])"
    )
    assert [len(text.split()) for text, _rects in lines] == [2, 2] and all(rects == 1 for _text, rects in lines)
    reporter.reload()  # pull-to-refresh posts the form again: the same report and receipt, nothing more
    assert reporter.get_by_test_id("receipt").inner_text() == receipt
    assert Report.objects.count() == 1
    assert "只显示这一次" in reporter.locator("main").inner_text()
    assert_accessible(reporter)
    assert not reporter_context.cookies()  # nothing identifies the reporter's browser
    report = Report.objects.get()
    assert report.receiving_unit == county.town_a

    officer_context, officer = phone_page(browser, live_server)
    device = TOTPDevice.objects.create(user=officers.a_officer, name="phone", confirmed=True)
    sign_in(officer, "a_officer")
    officer.goto("/console/supervision/")
    officer.get_by_label("身份验证器显示的6位验证码").fill(f"{totp(device.bin_key):06d}")
    assert_accessible(officer)
    submit(officer, officer.get_by_role("button", name="验证"))
    submit(officer, officer.get_by_role("link", name="王大海 · 吃拿卡要"))
    assert "好处费五百元" in officer.get_by_test_id("what").inner_text()
    assert_accessible(officer)
    officer.locator("summary", has_text="受理").first.click()
    submit(officer, officer.get_by_role("button", name="受理"))
    officer.get_by_label("给举报人的留言").fill("请问索要好处费时是否有其他人在场？")
    submit(officer, officer.locator("form:has(textarea[name='body'])").get_by_role("button"))
    report.refresh_from_db()
    assert report.state == State.ACCEPTED

    reporter_context.clear_cookies()
    reporter.goto("/supervision/follow/")
    reporter.get_by_label("回执码（16位数字）").fill(receipt)
    assert_accessible(reporter)
    submit(reporter, reporter.get_by_role("button", name="查询"))
    assert "已受理" in reporter.get_by_test_id("report-state").inner_text()
    assert "是否有其他人在场" in reporter.locator("main").inner_text()
    reporter.get_by_label("您的回复或补充").fill("当时村会计也在场。")
    submit(reporter, reporter.locator("form:has(textarea[name='m-body'])").get_by_role("button", name="提交"))
    assert "当时村会计也在场" in reporter.locator("main").inner_text()
    reporter.reload()
    assert "当时村会计也在场" in reporter.locator("main").inner_text()
    assert Message.objects.filter(from_reporter=True).count() == 1
    assert_accessible(reporter)
    assert not reporter_context.cookies()

    # The reported village's secretary finds nothing.
    secretary_context, secretary = phone_page(browser, live_server)
    sign_in(secretary, "a1_secretary")
    secretary.goto("/console/supervision/")
    assert "王大海" not in secretary.content()
    secretary.goto(f"/console/supervision/{report.pk}/")
    assert "好处费" not in secretary.content()
    for context in [reporter_context, officer_context, secretary_context]:
        context.close()


def test_an_officer_of_the_unit_above_makes_and_revokes_a_township_officer(browser, live_server, county, officers):
    from dangjian.accounts.models import Role, RoleGrant
    from dangjian.supervision.models import AuditEntry
    from dangjian.tests_support import factories as f

    f.UserFactory(username="newcomer", full_name="钱新")
    context, page = phone_page(browser, live_server)
    device = TOTPDevice.objects.create(user=officers.county_officer, name="phone", confirmed=True)
    sign_in(page, "county_officer")
    page.goto("/console/supervision/officers/")
    page.get_by_label("身份验证器显示的6位验证码").fill(f"{totp(device.bin_key):06d}")
    submit(page, page.get_by_role("button", name="验证"))
    submit(page, page.get_by_role("link", name=county.town_a.name))
    assert_accessible(page)
    page.get_by_label("被授权人的用户名或手机号").fill("newcomer")
    submit(page, page.get_by_role("button", name="授予"))
    assert "钱新" in page.locator("main").inner_text()
    assert RoleGrant.objects.filter(user__username="newcomer", role=Role.DISCIPLINE).exists()
    submit(page, page.locator("li", has_text="吴纪检").get_by_role("button", name="撤销"))
    # One tap only asks: the page says what will happen, and nothing has changed yet.
    assert "新的恢复密钥" in page.locator("main").inner_text()
    assert_accessible(page)
    assert RoleGrant.objects.filter(user=officers.a_officer2, role=Role.DISCIPLINE).exists()
    submit(page, page.get_by_role("button", name="确认撤销"))
    assert page.get_by_test_id("recovery-key").inner_text()
    assert_accessible(page)
    assert not RoleGrant.objects.filter(user=officers.a_officer2, role=Role.DISCIPLINE).exists()
    assert AuditEntry.objects.filter(action="keys_rotated", unit=county.town_a).exists()
    context.close()
