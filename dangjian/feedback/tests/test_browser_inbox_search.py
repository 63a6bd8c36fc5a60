"""Issue 11.2 in a real browser: a township officer finds the case a citizen phones about, on a phone."""

import pytest

from dangjian.conftest import assert_accessible
from dangjian.core.context_processors import LARGE_TEXT_COOKIE
from dangjian.tests_support.browser import assert_fits, sign_in, submit

from .conftest import new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


def test_officer_finds_a_case_by_phone_number_and_words_in_both_text_sizes(phone, live_server, county):
    lamp = new_case(county.village_a1, title="村口路灯坏了", contact_phone="13912345678")
    new_case(county.village_a1, title="村里道路积水", description="下雨后道路积水，出行不便。")
    other = new_case(county.village_b1, title="石桥村路灯坏了", description="石桥村的路灯坏了。")
    sign_in(phone, "town_a_admin")
    for width, large in ((WIDTH, False), (WIDTH, True), (1280, False)):
        phone.set_viewport_size({"width": width, "height": 844})
        phone.context.add_cookies([{"name": LARGE_TEXT_COOKIE, "value": "1" if large else "0", "url": live_server.url}])
        phone.goto("/console/feedback/?view=all")
        box = phone.get_by_label("搜索")
        box.fill("139 1234 5678")
        submit(phone, phone.get_by_role("button", name="搜索"))
        main = phone.locator("main").inner_text()
        assert "找到 1 件" in main and "村口路灯坏了" in main and "村里道路积水" not in main
        assert phone.get_by_label("搜索").input_value() == "139 1234 5678"
        assert_fits(phone, width)
        assert_accessible(phone)

        phone.get_by_label("搜索").fill("路灯")
        submit(phone, phone.get_by_role("button", name="搜索"))
        main = phone.locator("main").inner_text()
        assert "村口路灯坏了" in main and "石桥村路灯坏了" not in main

        phone.get_by_label("搜索").fill(other.number)  # another township's case, by its exact number
        submit(phone, phone.get_by_role("button", name="搜索"))
        main = phone.locator("main").inner_text()
        assert "没有找到。可按受理编号、来电号码或标题中的词语查找。" in main and "石桥村" not in main
        assert_fits(phone, width)
        assert_accessible(phone)

        phone.get_by_label("搜索").fill(lamp.number)
        submit(phone, phone.get_by_role("button", name="搜索"))
        phone.get_by_role("link", name="村口路灯坏了").click()
        assert lamp.number in phone.locator("main").inner_text()
