"""Issue 9, items 5, 7 and 15: the two-factor page redirects only within the site, each enrolment
shows a fresh secret, the QR code is inline markup with the key in groups of four, and a throttled
code says how long to wait."""

import base64
import datetime
import re
from urllib.parse import urlencode

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.tests_support.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOSTILE_NEXT = [
    "//evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "https://evil.example/x",
    "http:evil.example/x",
    "javascript:alert(1)",
    " //evil.example/x",
]


def code_for(device) -> str:
    return f"{totp(device.bin_key):06d}"


def wrong_code_for(device) -> str:
    right = code_for(device)
    return "000000" if right != "000000" else "111111"


def shown_secret(page) -> bytes:
    grouped = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.content.decode()).group(1)
    return base64.b32decode(grouped.replace(" ", ""))


def sign_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_9_5_the_two_factor_page_never_redirects_off_site(client, county, officers, target):
    sign_in(client, officers.a_officer)
    device = TOTPDevice.objects.create(user=officers.a_officer, name="phone", confirmed=True)
    response = client.post("/console/2fa/?" + urlencode({"next": target}), {"token": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == "/console/supervision/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_9_5_the_sign_in_page_never_redirects_off_site(client, county, target):
    response = client.post("/accounts/login/", {"username": "town_a_media", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/console/"


def test_9_5_a_local_next_is_followed(client, county, officers):
    sign_in(client, officers.a_officer)
    device = TOTPDevice.objects.create(user=officers.a_officer, name="phone", confirmed=True)
    response = client.post(
        "/console/2fa/?" + urlencode({"next": "/console/supervision/?tab=1&x=2"}), {"token": code_for(device)}
    )
    assert response["Location"] == "/console/supervision/?tab=1&x=2"


def test_9_5_the_officer_pages_pass_their_own_address_to_the_two_factor_page_intact(client, county, officers):
    sign_in(client, officers.a_officer)
    response = client.get("/console/supervision/?a=1&b=2")
    assert response["Location"] == "/console/2fa/?" + urlencode({"next": "/console/supervision/?a=1&b=2"})


def test_9_7_each_enrolment_visit_shows_a_fresh_secret(client, county, officers):
    sign_in(client, officers.a_officer)
    first = shown_secret(client.get("/console/2fa/"))
    second = shown_secret(client.get("/console/2fa/"))
    assert first != second
    assert not TOTPDevice.objects.filter(user=officers.a_officer).exists()  # showing the page writes nothing


def test_9_7_a_secret_seen_on_an_earlier_visit_is_no_second_factor(client, county, officers):
    sign_in(client, officers.a_officer)
    seen_by_a_shoulder = shown_secret(client.get("/console/2fa/"))
    fresh = shown_secret(client.get("/console/2fa/"))
    response = client.post("/console/2fa/", {"token": f"{totp(seen_by_a_shoulder):06d}"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=officers.a_officer, confirmed=True).exists()
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=5)):
        response = client.post("/console/2fa/", {"token": f"{totp(fresh):06d}"})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=officers.a_officer)
    assert device.confirmed and device.bin_key == fresh


def test_9_7_a_secret_shown_to_one_session_cannot_be_confirmed_from_another(client, county, officers):
    from django.test import Client

    sign_in(client, officers.a_officer)
    seen = shown_secret(client.get("/console/2fa/"))
    # Someone who saw that page (and knows the password) signs in elsewhere and types the seen secret's code.
    other = Client()
    sign_in(other, officers.a_officer)
    theirs = shown_secret(other.get("/console/2fa/"))
    response = other.post("/console/2fa/", {"token": f"{totp(seen):06d}"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert theirs != seen


def test_9_15_the_qr_code_is_inline_markup_and_the_key_is_in_groups_of_four(client, county, officers):
    sign_in(client, officers.a_officer)
    page = client.get("/console/2fa/").content.decode()
    assert "data:image" not in page
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-label="[^"]+"', page)
    key = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", key)


def test_9_15_a_right_code_just_after_a_wrong_one_says_how_long_to_wait(client, county, officers):
    sign_in(client, officers.a_officer)
    device = TOTPDevice.objects.create(user=officers.a_officer, name="phone", confirmed=True)
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.post("/console/2fa/", {"token": wrong_code_for(device)})
        client.post("/console/2fa/", {"token": wrong_code_for(device)})  # too soon: not counted as a guess
        response = client.post("/console/2fa/", {"token": code_for(device)})
        page = response.content.decode()
        assert response.status_code == 429
        assert "错误或已过期" not in page
        assert re.search(r"请\s*1\s*秒后再试", page)
        clock.shift(datetime.timedelta(seconds=2))
        response = client.post("/console/2fa/", {"token": code_for(device)})
        assert response.status_code == 302


def test_9_8_no_page_shows_the_secret_after_enrolment(client, county, officers):
    sign_in(client, officers.a_officer)
    secret = shown_secret(client.get("/console/2fa/"))
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=1)):
        assert client.post("/console/2fa/", {"token": f"{totp(secret):06d}"}).status_code == 302
    device = TOTPDevice.objects.get(user=officers.a_officer)
    client.logout()
    sign_in(client, officers.a_officer)
    page = client.get("/console/2fa/").content.decode()
    assert device.key not in page.lower()
    assert base64.b32encode(device.bin_key).decode() not in page.replace(" ", "")
    assert "<svg" not in page


NEW_PASSWORD = "a much longer new passphrase 2026"


def change_password(client, **extra):
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, **extra}
    return client.post("/accounts/password/", data)


def test_9_6_an_officer_with_two_factor_cannot_change_the_password_without_a_current_code(client, county, officers):
    sign_in(client, officers.a_officer)
    device = TOTPDevice.objects.create(user=officers.a_officer, name="phone", confirmed=True)
    assert client.post("/console/2fa/", {"token": code_for(device)}).status_code == 302
    form = client.get("/accounts/password/").content.decode()
    assert 'name="token"' in form
    response = change_password(client)
    assert response.status_code == 200
    assert "请输入身份验证器当前显示的6位验证码。" in response.content.decode()
    officers.a_officer.refresh_from_db()
    assert officers.a_officer.check_password(PASSWORD)


def test_9_6_a_wrong_code_does_not_change_the_password(client, county, officers):
    sign_in(client, officers.a_officer)
    device = TOTPDevice.objects.create(user=officers.a_officer, name="phone", confirmed=True)
    response = change_password(client, token=wrong_code_for(device))
    assert "错误或已过期" in response.content.decode()
    officers.a_officer.refresh_from_db()
    assert officers.a_officer.check_password(PASSWORD)


def test_9_6_with_a_current_code_the_password_changes_and_the_report_keys_still_open(client, county, officers):
    from .conftest import file_report

    report, _receipt = file_report(county)
    sign_in(client, officers.a_officer)
    device = TOTPDevice.objects.create(user=officers.a_officer, name="phone", confirmed=True)
    assert change_password(client, token=code_for(device)).status_code == 302
    officers.a_officer.refresh_from_db()
    assert officers.a_officer.check_password(NEW_PASSWORD)
    client.logout()
    client.post("/accounts/login/", {"username": "a_officer", "password": NEW_PASSWORD})
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=31)):
        assert client.post("/console/2fa/", {"token": code_for(device)}).status_code == 302
        page = client.get(f"/console/supervision/{report.pk}/")
    assert page.status_code == 200
    assert "王大海" in page.content.decode()


def test_9_6_staff_without_a_second_factor_change_the_password_as_before(client, county):
    client.post("/accounts/login/", {"username": "town_a_media", "password": PASSWORD})
    assert 'name="token"' not in client.get("/accounts/password/").content.decode()
    assert change_password(client).status_code == 302
