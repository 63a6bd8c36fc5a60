"""The walk-through's JavaScript fix in real browsers: a room opens at its newest message (with the composer in
view) on a phone in both text sizes and on a desktop, unless the link asks for one message (#m<id>)."""

import pytest
from django.test import Client

from dangjian.conftest import assert_accessible
from dangjian.exchange import actions
from dangjian.exchange.models import Room
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IN_VIEW = "el => { const r = el.getBoundingClientRect(); return r.bottom > 0 && r.top < window.innerHeight; }"


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_a_room_opens_at_its_newest_message(browser, live_server, county, settings, width, large):
    settings.EXCHANGE_PERSON_PER_MINUTE = settings.EXCHANGE_NEW_PERSON_PER_MINUTE = 1000
    settings.EXCHANGE_ROOM_PER_MINUTE = 1000
    alice = f.UserFactory(username="alice")
    room = f.room(county.village_a1, "王庄村民群", people=[alice], audience=Room.Audience.RESIDENTS)
    posted = [actions.post_message(alice, room.pk, actions.MessageInput(body=f"第{i}条通知")) for i in range(30)]
    client = Client()
    client.force_login(alice)
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15_000)
    name = "sessionid"
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto("/")
        if large:
            submit(page, page.get_by_role("link", name="大字模式"))
        page.goto(f"/rooms/{room.pk}/")
        page.wait_for_load_state("load")
        newest = page.locator(f"#m{posted[-1].pk}")
        assert newest.evaluate(IN_VIEW)
        assert page.locator("#id_body").evaluate(IN_VIEW)
        assert not page.locator(f"#m{posted[0].pk}").evaluate(IN_VIEW)
        assert_fits(page)
        assert_accessible(page)
        page.goto(f"/rooms/{room.pk}/#m{posted[0].pk}")
        page.reload()
        page.wait_for_load_state("load")
        assert page.locator(f"#m{posted[0].pk}").evaluate(IN_VIEW)
    finally:
        context.close()
