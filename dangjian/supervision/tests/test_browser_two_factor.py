"""Issue 9, item 15, in a real browser: the enrolment QR code is drawn, scans to the secret that the
officer's app then uses, the key is shown in groups of four, and a throttled code says how long to wait."""

import base64
import datetime
import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
import zxingcpp
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from dangjian.conftest import assert_accessible
from dangjian.tests_support.browser import phone_page, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_9_15_the_enrolment_qr_code_scans_to_the_secret_the_app_then_uses(browser, live_server, county, officers):
    context, officer = phone_page(browser, live_server)
    sign_in(officer, "a_officer")
    officer.goto("/console/supervision/")
    qr = officer.get_by_test_id("totp-qr")
    box = qr.locator("svg").bounding_box()
    assert box["width"] >= 150 and box["width"] <= 390
    scanned = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())).convert("L"))
    assert len(scanned) == 1
    uri = urlparse(scanned[0].text)
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    secret = parse_qs(uri.query)["secret"][0]
    key = officer.get_by_test_id("totp-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", key)
    assert key.replace(" ", "") == secret.rstrip("=")
    assert_accessible(officer)

    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC), tick=False) as clock:
        app_code = f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"
        wrong = "000000" if app_code != "000000" else "111111"
        officer.get_by_label("身份验证器显示的6位验证码").fill(wrong)
        submit(officer, officer.get_by_role("button", name="验证"))
        assert "错误或已过期" in officer.locator("main").inner_text()
        officer.get_by_label("身份验证器显示的6位验证码").fill(app_code)
        submit(officer, officer.get_by_role("button", name="验证"))
        text = officer.locator("main").inner_text()
        assert "请1秒后再试" in text and "错误或已过期" not in text
        assert_accessible(officer)
        clock.shift(datetime.timedelta(seconds=2))
        officer.get_by_label("身份验证器显示的6位验证码").fill(app_code)
        submit(officer, officer.get_by_role("button", name="验证"))
    assert officer.url.endswith("/console/supervision/")
    assert TOTPDevice.objects.get(user=officers.a_officer).confirmed
    context.close()


def test_9_15_a_wrong_enrolment_code_in_large_text_is_seen_without_scrolling(browser, live_server, county, officers):
    from dangjian.core.context_processors import LARGE_TEXT_COOKIE

    context, officer = phone_page(browser, live_server)
    context.add_cookies([{"name": LARGE_TEXT_COOKIE, "value": "1", "url": live_server.url}])
    sign_in(officer, "a_officer")
    officer.goto("/console/2fa/")
    officer.get_by_label("身份验证器显示的6位验证码").fill("12345")
    submit(officer, officer.get_by_role("button", name="验证"))
    error = officer.locator(".errorlist").first
    assert error.is_visible()
    box = error.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844  # on the first screen, above the QR code
    assert officer.evaluate("document.activeElement && document.activeElement.name") == "token"
    assert_accessible(officer)
    context.close()
