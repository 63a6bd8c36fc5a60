"""Issue 15, residents in a real browser: a resident opens the join link of the village room on a phone (both text
sizes) and on a desktop, signs in as a resident with the code from the SMS (the file backend's message), gives a
real name and accepts the rules, lands on the join page signed in; once in the room, the nickname is what shows."""

import re
from pathlib import Path

import pytest

from dangjian.conftest import assert_accessible
from dangjian.exchange.models import Membership, Resident, Room
from dangjian.notifications import sms
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, open_as, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MOBILE = "13977776666"


def _code_from_the_phone(settings) -> str:
    sms.deliver_pending_sms()
    directory = Path(settings.SMS_OPTIONS["directory"])
    texts = [p.read_text(encoding="utf-8") for p in directory.glob("*.txt")]
    found = [re.search(r"验证码为(\d{6})", text) for text in texts if f"To: {MOBILE}" in text]
    assert found and found[-1]
    return found[-1].group(1)


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_a_resident_opens_the_join_link_verifies_the_number_and_lands_signed_in(
    browser, live_server, county, settings, width, large
):
    room = f.room(county.village_a1, "王庄村民群", audience=Room.Audience.RESIDENTS, kind=Room.Kind.VILLAGE)
    join = f"/rooms/{room.pk}/join/"
    context, page = open_as(browser, live_server, width=width, large=large)
    try:
        # The join page sends an anonymous visitor to sign in; the sign-in page offers 居民登录 with the same next.
        page.goto(f"/accounts/login/?next={join}")
        submit(page, page.get_by_role("link", name="居民登录"))
        assert page.get_by_test_id("resident-room").inner_text().count("王庄村民群") == 1
        assert_accessible(page)
        assert_fits(page, width)
        page.get_by_label("手机号").fill(MOBILE)
        submit(page, page.get_by_role("button", name="获取验证码"))
        assert "139****6666" in page.get_by_test_id("code-sent").inner_text()
        assert_accessible(page)
        assert_fits(page, width)
        page.get_by_label("短信验证码").fill(_code_from_the_phone(settings))
        submit(page, page.get_by_role("button", name="下一步"))
        assert page.get_by_test_id("resident-rules").is_visible()
        assert_accessible(page)
        assert_fits(page, width)
        page.get_by_label("真实姓名").fill("李秀兰")
        page.get_by_label("我已阅读并同意以上规则。").check()
        submit(page, page.get_by_role("button", name="同意并继续"))
        assert page.url.endswith(join)
        resident = Resident.objects.select_related("user").get()
        assert resident.user.mobile == MOBILE and "李秀兰".encode() not in bytes(resident.real_name)
        # In the room (joined by the rooms area's join page), only the nickname shows.
        Membership.objects.create(room=room, user=resident.user, nickname="秀兰阿姨")
        page.goto(f"/rooms/{room.pk}/")
        page.locator("#id_body").fill("村口路灯什么时候修？")
        submit(page, page.locator("#composer button[type=submit]"))
        messages = page.locator("#messages").inner_text()
        assert "秀兰阿姨" in messages and "村口路灯什么时候修" in messages and "李秀兰" not in page.content()
        assert_accessible(page)
        assert_fits(page, width)
        # 我的居民账号: the number masked, the room listed.
        page.goto("/rooms/residents/me/")
        account = page.get_by_test_id("resident-account").inner_text()
        assert "139****6666" in account and MOBILE not in account
        assert page.get_by_test_id("resident-rooms").inner_text().count("王庄村民群") == 1
        assert_accessible(page)
        assert_fits(page, width)
    finally:
        context.close()
