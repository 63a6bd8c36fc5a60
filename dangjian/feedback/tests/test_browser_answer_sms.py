"""Issue 11 item 4 in a real browser: a villager asks to be told by SMS, staff answer, the (file-backend)
SMS names the case and its link, and the villager opens the link, shows the password while typing it and
reads the answer inside the village's own frame. On a 390 px phone in both text sizes, and on a desktop."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from dangjian.conftest import assert_accessible
from dangjian.feedback import actions
from dangjian.feedback.models import Case, State
from dangjian.tests_support.browser import assert_fits, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13812345678"


def _in_village_frame(page, county) -> None:
    assert county.village_a1.name in page.locator(".org-bar .org-name").inner_text()
    assert page.locator(".section-nav").get_by_role("link", name="群众反馈").is_visible()


@pytest.mark.parametrize(
    ("width", "large"),
    [(390, False), (390, True), (1280, False)],
    ids=["phone-standard-text", "phone-large-text", "desktop"],
)
def test_citizen_is_told_by_sms_and_reads_the_answer_in_the_village_frame(
    browser, live_server, county, settings, width, large
):
    settings.SITE_URL = live_server.url  # the link in the message leads to this server
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    citizen = context.new_page()

    citizen.goto(f"/o/{county.village_a1.pk}/")
    if large:  # the site's own switch
        citizen.get_by_role("link", name="大字模式").click()
        citizen.wait_for_url(f"**/o/{county.village_a1.pk}/")
    assert citizen.evaluate("document.documentElement.classList.contains('large-text')") is large
    citizen.get_by_role("link", name="群众反馈").first.click()
    citizen.get_by_role("link", name="我要反映").click()
    citizen.get_by_label("求助").check()
    citizen.get_by_label("标题").fill("村口路灯坏了")
    citizen.get_by_label("具体情况").fill("王庄村村口路灯坏了三个月，晚上老人出门看不见。")
    sms_choice = citizen.get_by_label("答复后短信通知我")
    assert not sms_choice.is_checked()  # an explicit choice of the citizen's own
    sms_choice.check()
    # Ticked without a mobile number: a clear message, the text kept.
    submit(citizen, citizen.get_by_role("button", name="提交"))
    assert "要收到短信通知，请在上面填写11位手机号码" in citizen.locator("main").inner_text()
    assert citizen.get_by_label("标题").input_value() == "村口路灯坏了"
    assert_accessible(citizen)
    assert_fits(citizen, width)
    citizen.get_by_label("联系电话（可选）").fill(MOBILE)
    submit(citizen, citizen.get_by_role("button", name="提交"))
    number = citizen.get_by_test_id("case-number").inner_text()
    password = citizen.get_by_test_id("case-password").inner_text()
    case = Case.objects.get(number=number)
    assert case.sms_consent and case.contact_phone == MOBILE

    # Staff accept and dispatch (their own journey, tested elsewhere); the village secretary answers.
    actions.accept_case(county.town_a_admin, case.pk)
    actions.dispatch_case(county.town_a_admin, case.pk, county.village_a1.pk)
    actions.start_case(county.village_a1_secretary, case.pk)
    staff_context = browser.new_context(
        viewport={"width": width, "height": 844}, locale="zh-CN", base_url=live_server.url
    )
    staff = staff_context.new_page()
    sign_in(staff, "a1_secretary")
    staff.goto(f"/console/feedback/{case.pk}/")
    # The citizen did not agree to publish: the box says the reply is for them alone.
    staff.get_by_label("答复群众（群众本人可查看，不公开）").fill("已更换路灯灯泡，今晚起恢复照明。")
    submit(staff, staff.get_by_role("button", name="提交答复"))
    assert Case.objects.get(pk=case.pk).state == State.ANSWERED
    staff_context.close()

    # The worker sends the message after the commit: one file, the number and the link, not the answer.
    sms_dir = Path(settings.SMS_OPTIONS["directory"])
    assert not list(sms_dir.glob("*.txt"))
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    (message,) = [p.read_text(encoding="utf-8") for p in sms_dir.glob("*.txt")]
    assert message.startswith(f"To: {MOBILE}\n") and number in message
    assert "灯泡" not in message and password not in message
    link = re.search(r"https?://\S+", message).group(0)
    assert link.startswith(f"{live_server.url}/feedback/track/{number}/")

    # Another day, another browser: the citizen opens the link from the SMS.
    context.clear_cookies()
    if large:
        context.add_cookies([{"name": "dj_large_text", "value": "1", "url": live_server.url}])
    citizen.goto(link)
    citizen.wait_for_url("**/feedback/lookup/**")
    _in_village_frame(citizen, county)
    assert citizen.get_by_label("受理编号").input_value() == number
    field = citizen.get_by_label("查询密码")
    field.fill(password)
    toggle = citizen.get_by_role("button", name="显示")
    assert field.get_attribute("type") == "password"
    toggle.click()
    assert field.get_attribute("type") == "text"
    toggle = citizen.get_by_role("button", name="隐藏")
    assert toggle.is_visible() and citizen.get_by_role("button", name="显示").count() == 0
    assert_accessible(citizen)
    assert_fits(citizen, width)
    toggle.focus()
    citizen.keyboard.press("Space")  # usable from the keyboard
    assert field.get_attribute("type") == "password"
    assert citizen.get_by_role("button", name="显示").is_visible()
    assert citizen.evaluate("document.documentElement.classList.contains('large-text')") is large
    submit(citizen, citizen.get_by_role("button", name="查询", exact=True))

    assert "已更换路灯灯泡" in citizen.get_by_test_id("reply").inner_text()
    _in_village_frame(citizen, county)
    assert_accessible(citizen)
    assert_fits(citizen, width)
    context.close()
