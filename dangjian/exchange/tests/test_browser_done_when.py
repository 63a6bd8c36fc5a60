"""Issue 15's "done when", in real browsers on phones: a village secretary and a resident talk in their room (each in
a browser of their own, the resident in large text); a bad message is held and removed with an audit entry, and the
resident's page hears of it; the resident asks the organization two questions from the room, one is answered
officially and found on the portal, the other becomes a feedback case that keeps its link."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from dangjian.conftest import assert_accessible
from dangjian.core.models import SensitiveWord
from dangjian.exchange.models import Membership, Message, ModerationEntry, PublicQuestion, Room
from dangjian.feedback.models import Case, State
from dangjian.tests_support import factories as f
from dangjian.tests_support.asgiserver import AsgiServer
from dangjian.tests_support.browser import assert_fits, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _site(live_server) -> str:
    return live_server.url.replace("localhost", "127.0.0.1")


def _phone(browser, live_server, user, large: bool):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=_site(live_server))
    context.set_default_timeout(15_000)
    name = django_settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "domain": "127.0.0.1", "path": "/"}])
    page = context.new_page()
    page.goto("/")
    if large:
        submit(page, page.get_by_role("link", name="大字模式"))
    return context, page


def _check(page):
    assert_accessible(page)
    assert_fits(page, 390)


def _send(page, text: str) -> None:
    page.locator("#id_body").fill(text)
    page.locator("#composer button[type=submit]").click()


def test_a_secretary_and_a_resident_talk_moderate_and_ask_the_organization_on_phones(
    browser, live_server, county, settings
):
    village = county.village_a1
    secretary = county.village_a1_secretary
    resident = f.resident("13700005555", real_name="孙秀英")
    room = f.room(village, "王庄村民群", kind="village", audience=Room.Audience.RESIDENTS)
    Membership.objects.create(room=room, user=secretary, nickname="王庄党支部", role=Membership.Role.ADMIN)
    Membership.objects.create(room=room, user=resident, nickname="秀英大姐")
    SensitiveWord.objects.create(word="内部消息", level=SensitiveWord.Level.FLAG)
    with AsgiServer(EXCHANGE_WATCH_SECONDS="0.2", REALTIME_ALLOWED_ORIGINS=_site(live_server)) as realtime:
        settings.REALTIME_URL = realtime.url
        settings.SECURE_CSP = {**settings.SECURE_CSP, "connect-src": ["'self'", realtime.url]}
        staff_context, staff = _phone(browser, live_server, secretary, large=False)
        resident_context, phone = _phone(browser, live_server, resident, large=True)
        try:
            for page in (staff, phone):
                page.goto(f"/rooms/{room.pk}/")
                page.wait_for_selector("#room[data-live='1']")

            # They talk: each sees the other's message without reloading; the secretary's is marked official.
            _send(staff, "各位乡亲，村里的事可以在群里说。")
            said = phone.locator("#messages li.message").last
            said.locator(".message-body").wait_for()
            assert "官方" in said.inner_text() and "各位乡亲" in said.inner_text()
            _send(phone, "村东头的路灯坏了好几天了")
            staff.locator("#messages li.message:nth-child(2) .message-body").wait_for()
            assert "路灯坏了" in staff.locator("#messages li.message").nth(1).inner_text()
            _check(phone)

            # A bad message is held: the resident sees it waiting, the secretary is the one who sees it to review.
            _send(phone, "听说有内部消息，要征地了")
            phone.locator("#messages li.message-held").wait_for()
            held = Message.objects.get(state=Message.State.HELD)
            staff.locator(f"#m{held.pk}.message-held").wait_for()
            staff.goto("/console/exchange/moderation/")
            _check(staff)
            staff.locator(f"#reject-{held.pk}").fill("未经核实的消息")
            submit(staff, staff.get_by_role("button", name="不通过并删除"))
            held.refresh_from_db()
            assert held.state == Message.State.REMOVED
            entry = ModerationEntry.objects.get(message=held)
            assert entry.actor == secretary and entry.reason == "未经核实的消息"
            # The resident's open page hears of it at once: the text is gone.
            phone.locator(f"#m{held.pk}.message-removed").wait_for()
            assert "内部消息" not in phone.locator("#messages").inner_text()
            staff.goto("/console/exchange/moderation/log/")
            assert "未经核实的消息" in staff.locator("main").inner_text()
            _check(staff)

            # The resident asks the organization in public from the room; the secretary answers officially.
            submit(phone, phone.get_by_test_id("room-ask"))
            phone.get_by_label("您的问题").fill("今年的低保申请什么时候开始？")
            phone.get_by_label("显示的称呼").fill("秀英大姐")
            _check(phone)
            submit(phone, phone.get_by_role("button", name="提交问题"))
            asked = PublicQuestion.objects.get()
            staff.goto(f"/console/exchange/questions/{asked.pk}/")
            staff.get_by_label("官方答复").fill("低保常年受理，请到村委会便民服务点申请。")
            submit(staff, staff.get_by_role("button", name="发布答复"))
            phone.goto(f"/o/{village.pk}/questions/")
            phone.get_by_label("搜索问题和答复").fill("低保")
            submit(phone, phone.get_by_role("button", name="搜索"))
            found = phone.get_by_test_id("question-item")
            assert found.count() == 1 and "官方答复" in found.inner_text()
            _check(phone)

            # Another question is really a problem to solve: it becomes a feedback case in one step.
            phone.goto(f"/rooms/{room.pk}/")
            submit(phone, phone.get_by_test_id("room-ask"))
            phone.get_by_label("您的问题").fill("村东头的路灯什么时候修？")
            phone.get_by_label("显示的称呼").fill("秀英大姐")
            submit(phone, phone.get_by_role("button", name="提交问题"))
            problem = PublicQuestion.objects.exclude(pk=asked.pk).get()
            staff.goto(f"/console/exchange/questions/{problem.pk}/")
            staff.get_by_label("反馈类别").select_option("help")
            submit(staff, staff.get_by_role("button", name="转为群众反馈工单"))
            problem.refresh_from_db()
            case = Case.objects.get()
            assert problem.state == PublicQuestion.State.CASE and problem.case == case
            assert case.state == State.RECEIVED and case.accept_deadline is not None
            assert f"/console/exchange/questions/{problem.pk}/" in case.origin_url
            phone.goto(f"/o/{village.pk}/questions/{problem.pk}/")
            assert case.number in phone.locator("main").inner_text()
            _check(phone)
        finally:
            staff_context.close()
            resident_context.close()
