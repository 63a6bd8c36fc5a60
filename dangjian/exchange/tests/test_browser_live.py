"""Issue 15, the live side in real browsers: two people in one room, each in a browser of their own on a phone (both
text sizes) or a desktop; what one types appears in the other's page without a reload, and the page says so when
the connection drops and comes back."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from dangjian.conftest import assert_accessible
from dangjian.exchange.models import Message, Room
from dangjian.tests_support import factories as f
from dangjian.tests_support.asgiserver import AsgiServer
from dangjian.tests_support.browser import assert_fits, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _site(live_server) -> str:
    return live_server.url.replace("localhost", "127.0.0.1")


def _signed_in_page(browser, live_server, user, width: int, large: bool):
    client = Client()
    client.force_login(user)
    # The pages on 127.0.0.1 like the socket, so the session cookie goes to both (cookies ignore ports).
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN", base_url=_site(live_server))
    context.set_default_timeout(15_000)
    host = "127.0.0.1"
    name = django_settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "domain": host, "path": "/"}])
    page = context.new_page()
    page.goto("/")
    if large:
        submit(page, page.get_by_role("link", name="大字模式"))
    return context, page


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_a_message_typed_in_one_browser_appears_in_the_other_without_reload(
    browser, live_server, county, settings, width, large
):
    alice = f.UserFactory(username="alice")
    bob = f.UserFactory(username="bob")
    room = f.room(county.village_a1, "王庄村民群", people=[alice, bob], audience=Room.Audience.RESIDENTS)
    with AsgiServer(EXCHANGE_WATCH_SECONDS="0.2", REALTIME_ALLOWED_ORIGINS=_site(live_server)) as realtime:
        settings.REALTIME_URL = realtime.url
        settings.SECURE_CSP = {**settings.SECURE_CSP, "connect-src": ["'self'", realtime.url]}
        alice_context, alice_page = _signed_in_page(browser, live_server, alice, width, large)
        bob_context, bob_page = _signed_in_page(browser, live_server, bob, width, large)
        try:
            url = f"/rooms/{room.pk}/"
            for page in (alice_page, bob_page):
                page.goto(url)
                page.wait_for_selector("#room[data-live='1']")
            alice_page.locator("#id_body").fill("今晚七点村委会开会，\n请大家准时参加。<b>不是粗体</b>")
            alice_page.locator("#composer button[type=submit]").click()
            shown = bob_page.locator("#messages li.message").last
            shown.locator(".message-body").wait_for()
            assert shown.locator(".message-author").inner_text() == "alice"
            assert (
                shown.locator(".message-body").inner_text() == "今晚七点村委会开会，\n请大家准时参加。<b>不是粗体</b>"
            )
            assert bob_page.locator("#messages b").count() == 0  # text, never HTML
            # The sender's page empties the box when the server acknowledges the message (which may come after
            # Bob already sees it) and shows the message once; nothing was reloaded.
            expect(alice_page.locator("#id_body")).to_have_value("")
            alice_page.locator("#messages li.message .message-body").first.wait_for()
            assert alice_page.locator("#messages li.message").count() == 1
            assert Message.objects.get().body.startswith("今晚七点")
            assert bob_page.evaluate("document.documentElement.classList.contains('large-text')") is large
            assert_accessible(bob_page)
            assert_fits(bob_page, width)
            # Bob answers; it appears on Alice's page too.
            bob_page.locator("#id_body").fill("收到")
            bob_page.locator("#composer button[type=submit]").click()
            alice_page.locator("#messages li.message:nth-child(2) .message-body").wait_for()
            assert alice_page.locator("#messages li.message").nth(1).locator(".message-body").inner_text() == "收到"
        finally:
            alice_context.close()
            bob_context.close()


def test_the_page_says_the_connection_dropped_and_catches_up_after_it_comes_back(
    browser, live_server, county, settings
):
    alice = f.UserFactory(username="alice")
    bob = f.UserFactory(username="bob")
    room = f.room(county.village_a1, "王庄村民群", people=[alice, bob], audience=Room.Audience.RESIDENTS)
    context, page = _signed_in_page(browser, live_server, bob, 390, False)
    try:
        with AsgiServer(EXCHANGE_WATCH_SECONDS="0.2", REALTIME_ALLOWED_ORIGINS=_site(live_server)) as realtime:
            settings.REALTIME_URL = realtime.url
            settings.SECURE_CSP = {**settings.SECURE_CSP, "connect-src": ["'self'", realtime.url]}
            page.goto(f"/rooms/{room.pk}/")
            page.wait_for_selector("#room[data-live='1']")
            port = realtime.port
        # The real-time server is gone: the page says so; a message is posted meanwhile through the plain page.
        page.wait_for_selector("#room-status:not([hidden])")
        assert page.locator("#room-status").inner_text() == "连接中断，正在重新连接…"
        poster = Client()
        poster.force_login(alice)
        poster.post(f"/rooms/{room.pk}/post/", {"body": "断线期间的消息"})
        # Back on the same port: the page reconnects, asks for what it missed, and shows it.
        back = AsgiServer(EXCHANGE_WATCH_SECONDS="0.2", REALTIME_ALLOWED_ORIGINS=_site(live_server))
        back.port = port
        with back:
            page.locator("#messages .message-body", has_text="断线期间的消息").wait_for(timeout=40_000)
            assert page.locator("#room-status").is_hidden()
    finally:
        context.close()


def test_my_group_chats_count_unread_live_and_say_when_someone_mentions_me(browser, live_server, county, settings):
    """Bob keeps 我的群聊 open on his phone; Alice writes in their room from hers: his badge counts without a
    reload, and her @mention is announced in a live region."""
    alice = f.UserFactory(username="alice")
    bob = f.UserFactory(username="bob")
    room = f.room(county.village_a1, "王庄村民群", people=[alice, bob], audience=Room.Audience.RESIDENTS)
    with AsgiServer(EXCHANGE_WATCH_SECONDS="0.2", REALTIME_ALLOWED_ORIGINS=_site(live_server)) as realtime:
        settings.REALTIME_URL = realtime.url
        settings.SECURE_CSP = {**settings.SECURE_CSP, "connect-src": ["'self'", realtime.url]}
        alice_context, alice_page = _signed_in_page(browser, live_server, alice, 390, False)
        bob_context, bob_page = _signed_in_page(browser, live_server, bob, 390, False)
        try:
            bob_page.goto("/rooms/")
            bob_page.wait_for_selector("#me-live[data-live='1']", state="attached")
            badge = bob_page.locator(f"[data-room-unread='{room.pk}']")
            expect(badge).to_be_hidden()
            alice_page.goto(f"/rooms/{room.pk}/")
            alice_page.wait_for_selector("#room[data-live='1']")
            alice_page.locator("#id_body").fill("大家好")
            alice_page.locator("#composer button[type=submit]").click()
            expect(badge).to_have_text("1 条未读")
            expect(bob_page.locator("[data-unread-total]")).to_have_text("1 条未读消息")
            # The console home's 我的群聊 panel, opened after the first message, follows too.
            console = bob_context.new_page()
            console.goto("/console/")
            console.wait_for_selector("#me-live[data-live='1']", state="attached")
            panel_total = console.get_by_test_id("my-rooms-panel").locator("[data-unread-total]")
            expect(panel_total).to_have_text("1 条未读消息")
            alice_page.locator("#id_body").fill("@bob 明天上午来村部开会")
            alice_page.locator("#composer button[type=submit]").click()
            expect(badge).to_have_text("2 条未读")
            expect(panel_total).to_have_text("2 条未读消息")
            notice = bob_page.locator("#me-notice")
            expect(notice).to_contain_text("alice 在“王庄村民群”中提到了您：@bob 明天上午来村部开会")
            assert notice.get_attribute("aria-live") == "polite"
            assert notice.locator("a").get_attribute("href") == f"/rooms/{room.pk}/#m{Message.objects.last().pk}"
            assert_accessible(bob_page)
            assert_fits(bob_page, 390)
            expect(console.locator("#me-notice")).to_contain_text("alice 在“王庄村民群”中提到了您")
            assert_accessible(console)
            assert_fits(console, 390)
            # Bob reads the room in another tab: the first tab's badge and total go away without a reload.
            reading = bob_context.new_page()
            reading.goto(f"/rooms/{room.pk}/")
            reading.wait_for_selector("#room[data-live='1']")
            expect(badge).to_be_hidden()
            expect(bob_page.locator("[data-unread-total]")).to_be_hidden()
            expect(panel_total).to_have_text("没有未读消息。")
        finally:
            alice_context.close()
            bob_context.close()


def test_my_group_chats_stay_quiet_when_the_socket_server_is_down(browser, live_server, county, settings):
    bob = f.UserFactory(username="bob")
    f.room(county.village_a1, "王庄村民群", people=[bob], audience=Room.Audience.RESIDENTS)
    settings.REALTIME_URL = "ws://127.0.0.1:9"  # nothing listens there
    settings.SECURE_CSP = {**settings.SECURE_CSP, "connect-src": ["'self'", settings.REALTIME_URL]}
    context, page = _signed_in_page(browser, live_server, bob, 390, False)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto("/rooms/")
        page.wait_for_selector("#me-live", state="attached")
        page.wait_for_timeout(1500)
        assert errors == []
        assert page.locator("#me-notice").inner_text() == ""
    finally:
        context.close()
