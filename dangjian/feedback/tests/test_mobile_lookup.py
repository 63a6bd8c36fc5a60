"""Issue 11 item 4: looking up one's cases by mobile number and a one-time SMS code, only where SMS is
configured, and attackers' tries: guessing codes, another mobile's cases, replaying a used code, floods, junk
input. Also the lookup and tracking pages in the village's frame, and the query password's 显示 button."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dangjian.feedback import actions, mobile_lookup
from dangjian.feedback.models import Case, LookupCode
from dangjian.notifications import codes, sms
from dangjian.notifications.models import SmsMessage

from .conftest import new_case

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"
OTHER = "13987654321"
LOOKUP = "/feedback/lookup/"
BY_MOBILE = "/feedback/lookup/mobile/"
MINE = "/feedback/mine/"


def _sms_texts(settings) -> list[str]:
    directory = Path(settings.SMS_OPTIONS["directory"])
    return [p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.txt"))] if directory.exists() else []


def _code_sent(settings) -> str:
    """The code of the latest message, as the citizen reads it on the phone (the backend's file)."""
    sms.deliver_pending_sms()
    latest = SmsMessage.objects.filter(key__startswith="feedback.code:").order_by("-pk").first()
    assert any(latest.text in text for text in _sms_texts(settings))
    return re.search(r"验证码(\d{6})", latest.text).group(1)


def _ask_code(client, mobile=MOBILE, **extra):
    return client.post(BY_MOBILE, {"step": "send", "mobile": mobile}, **extra)


def _verify(client, code, mobile=MOBILE, **extra):
    return client.post(BY_MOBILE, {"step": "verify", "mobile": mobile, "code": code}, **extra)


@pytest.fixture
def cases(county):
    mine = [
        new_case(county.village_a1, title="村口路灯坏了", contact_phone=MOBILE),
        new_case(county.village_b1, title="石桥村水管漏水", contact_phone=MOBILE),
    ]
    theirs = new_case(county.village_a1, title="别人的问题", contact_phone=OTHER)
    return mine, theirs


def _forget_sent_pause():
    """Move the last code's creation back past the resend pause (the test asks again at once)."""
    LookupCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))


def test_lookup_by_mobile_is_offered_only_where_sms_is_configured(client, county, settings):
    assert "用手机号码查询" in client.get(LOOKUP).content.decode()
    assert client.get(BY_MOBILE).status_code == 200
    settings.SMS_BACKEND = ""
    assert "用手机号码查询" not in client.get(LOOKUP).content.decode()
    assert client.get(BY_MOBILE).status_code == 404
    assert _ask_code(client).status_code == 404


def test_citizen_gets_a_code_and_sees_only_their_own_cases(client, county, settings, cases):
    mine, theirs = cases
    response = _ask_code(client, mobile="１３８ １２３４ ５６７８")  # typed with a Chinese input method
    assert response.status_code == 200
    notice = re.search(r'data-testid="code-sent">([^<]+)<', response.content.decode()).group(1)
    assert "138****5678" in notice and MOBILE not in notice
    code = _code_sent(settings)
    row = LookupCode.objects.get()
    assert code not in row.code_hash and MOBILE not in row.mobile_digest  # hashed at rest
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=10)
    response = _verify(client, code)
    assert response.status_code == 302 and response["Location"] == MINE
    page = client.get(MINE).content.decode()
    assert "村口路灯坏了" in page and "石桥村水管漏水" in page and "别人的问题" not in page
    for case in mine:  # each one's tracking page opens
        assert client.get(reverse("feedback:track", args=[case.number])).status_code == 200
    # Another mobile's case stays closed to this browser.
    response = client.get(reverse("feedback:track", args=[theirs.number]))
    assert response.status_code == 302 and response["Location"].startswith(LOOKUP)


def test_the_page_says_the_same_for_a_mobile_without_cases_and_sends_nothing(client, county, settings, cases):
    with_cases = _ask_code(client, mobile=MOBILE).content.decode().replace("138****5678", "MASKED")
    client.cookies.clear()
    without = _ask_code(client, mobile="13700000000").content.decode().replace("137****0000", "MASKED")
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|value="1\d{10}"')
    assert strip.sub("", with_cases) == strip.sub("", without)
    sms.deliver_pending_sms()
    assert len(_sms_texts(settings)) == 1  # only to the mobile that has cases
    assert all(MOBILE in text for text in _sms_texts(settings))


def test_guessing_codes_kills_the_code_after_a_few_tries(client, county, settings, cases):
    _ask_code(client)
    code = _code_sent(settings)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _try in range(codes.CODE_TRIES):
        response = _verify(client, wrong)
        assert response.status_code == 400 and "验证码不对或已过期" in response.content.decode()
    response = _verify(client, code)  # even the right code no longer works
    assert response.status_code == 400 and MINE not in response.get("Location", "")
    assert client.session.get("feedback_mobile_cases") is None


def test_one_device_guessing_is_stopped_across_codes_and_mobiles(client, county, settings, cases):
    for _try in range(10):
        _verify(client, "000000", mobile=f"1390000{_try:04d}")
    response = _verify(client, "123456")
    assert response.status_code == 400 and "验证码输错的次数太多了" in response.content.decode()


def test_a_used_code_cannot_be_replayed(client, county, settings, cases):
    _ask_code(client)
    code = _code_sent(settings)
    assert _verify(client, code).status_code == 302
    client.cookies.clear()
    response = _verify(client, code)
    assert response.status_code == 400 and "验证码不对或已过期" in response.content.decode()
    assert client.get(MINE).status_code == 302  # no list for the replaying browser


def test_an_expired_code_is_refused(client, county, settings, cases):
    _ask_code(client)
    code = _code_sent(settings)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        response = _verify(client, code)
    assert response.status_code == 400 and "已过期" in response.content.decode()


def test_a_new_code_replaces_the_old_one(client, county, settings, cases):
    _ask_code(client)
    first = _code_sent(settings)
    _forget_sent_pause()
    _ask_code(client)
    second = _code_sent(settings)
    if first != second:
        assert _verify(client, first).status_code == 400
    assert _verify(client, second).status_code == 302


def test_codes_are_limited_per_mobile(client, county, settings, cases):
    response = None
    for attempt in range(6):
        client.cookies.clear()
        response = _ask_code(client, REMOTE_ADDR=f"10.0.0.{attempt + 1}")
        _forget_sent_pause()
    assert response.status_code == 400 and "获取验证码的次数太多了" in response.content.decode()
    sms.deliver_pending_sms()
    assert len(_sms_texts(settings)) == 5


def test_codes_are_limited_per_client_address(client, county, settings, cases):
    response = None
    for number in range(11):
        response = _ask_code(client, mobile=f"1370000{number:04d}")
    assert response.status_code == 400 and "获取验证码的次数太多了" in response.content.decode()


def _code_sent_notice(response) -> str:
    return re.search(r'data-testid="code-sent">([^<]+)<', response.content.decode()).group(1)


def test_asking_again_within_a_minute_goes_on_to_the_code_already_sent(client, county, settings, cases):
    """Back from the SMS app (or a reload) within the minute: the code step again, nothing new sent, and the
    code on the phone still works; the page reads the same for a mobile without cases."""
    _ask_code(client)
    code = _code_sent(settings)
    response = _ask_code(client)
    page = response.content.decode()
    assert response.status_code == 200 and 'name="code"' in page and "请等1分钟" not in page
    notice = _code_sent_notice(response)
    row = LookupCode.objects.get()
    until = timezone.localtime(row.expires_at).strftime("%H:%M")
    resend = timezone.localtime(row.created_at + datetime.timedelta(seconds=60)).strftime("%H:%M:%S")
    assert "已发到手机 138****5678" in notice and f"{until} 前有效" in notice and f"{resend} 后可以重新获取" in notice
    assert SmsMessage.objects.filter(key__startswith="feedback.code:").count() == 1
    assert _verify(client, code).status_code == 302
    # The same for a mobile with no cases (nothing sent to it at all).
    client.cookies.clear()
    first = _ask_code(client, mobile="13700000000")
    again = _ask_code(client, mobile="13700000000")
    assert again.status_code == 200 and "已发到手机 137****0000" in _code_sent_notice(again)
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|value="1\d{10}"|\d\d:\d\d(:\d\d)?|1\d\d\*{4}\d{4}')
    client.cookies.clear()
    _forget_sent_pause()
    _ask_code(client)
    with_cases = _ask_code(client)
    assert first.status_code == 200
    assert strip.sub("", with_cases.content.decode()) == strip.sub("", again.content.decode())


def test_a_code_guessed_to_death_within_the_minute_is_not_offered_again(client, county, settings, cases):
    _ask_code(client)
    LookupCode.objects.update(attempts=codes.CODE_TRIES)
    response = _ask_code(client)
    assert response.status_code == 400 and "请等1分钟后再重新获取" in response.content.decode()
    assert 'name="code"' not in response.content.decode()


@pytest.mark.parametrize(
    "mobile",
    ["<script>alert(1)</script>", "1" * 5000, "+86 138-1234-56789", "", "138-1234-567a"],
    ids=["script", "enormous", "too-long", "empty", "letter"],
)
def test_junk_mobile_is_a_clear_message_never_an_error(client, county, mobile):
    response = _ask_code(client, mobile=mobile)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<script>alert(1)" not in page
    assert "请输入11位手机号码" in page
    assert not LookupCode.objects.exists()


@pytest.mark.parametrize(
    "code", ["<script>", "9" * 5000, "", "12 34 56 78"], ids=["script", "enormous", "empty", "long"]
)
def test_junk_code_is_a_clear_message_never_an_error(client, county, settings, cases, code):
    _ask_code(client)
    response = _verify(client, code)
    assert response.status_code == 400 and "<script>" not in response.content.decode().split("<main")[1]
    assert client.session.get("feedback_mobile_cases") is None


def test_mine_without_a_proved_mobile_leads_to_the_lookup(client, county):
    response = client.get(MINE)
    assert response.status_code == 302 and response["Location"] == BY_MOBILE


def test_codes_are_forgotten_a_day_after_they_expire(county, settings, cases):
    from dangjian.feedback import clock

    mobile_lookup.send_code(MOBILE, "client")
    LookupCode.objects.update(expires_at=timezone.now() - datetime.timedelta(days=2))
    assert clock.forget_personal_data()["lookup_codes_removed"] == 1


# --- The village frame and the password toggle ------------------------------------------------------


def test_lookup_from_a_village_portal_keeps_its_header_and_navigation(client, county):
    page = client.get(f"/o/{county.village_a1.pk}/feedback/").content.decode()
    assert f'href="{LOOKUP}?org={county.village_a1.pk}"' in page
    page = client.get(f"{LOOKUP}?org={county.village_a1.pk}").content.decode()
    assert "东城镇王庄村党支部委员会" in page and 'class="section-nav"' in page
    assert f'href="{BY_MOBILE}?org={county.village_a1.pk}"' in page
    page = client.get(f"{BY_MOBILE}?org={county.village_a1.pk}").content.decode()
    assert "东城镇王庄村党支部委员会" in page and 'class="section-nav"' in page


@pytest.mark.parametrize("org", ["999999", "abc", "<script>", "9" * 400])
def test_lookup_with_an_unknown_or_junk_organization_is_the_plain_page(client, county, org):
    response = client.get(LOOKUP, {"org": org})
    assert response.status_code == 200 and 'class="section-nav"' not in response.content.decode()


def test_tracking_page_is_in_the_frame_of_the_case_place(client, county):
    case = new_case(county.village_b1)
    response = client.post(
        f"{LOOKUP}?org={county.village_a1.pk}", {"number": case.number, "password": case.query_password}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "西山乡石桥村党支部委员会" in page and 'class="section-nav"' in page


def test_sms_link_without_access_opens_the_lookup_filled_in_within_the_frame(client, county):
    case = new_case(county.village_a1)
    response = client.get(f"/feedback/track/{case.number}/?org={county.village_a1.pk}")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f'value="{case.number}"' in page and 'class="section-nav"' in page
    assert "东城镇王庄村党支部委员会" in page
    # A made-up number says nothing about any case or place.
    response = client.get("/feedback/track/<script>99/")
    assert response.status_code == 302 and "script" not in response["Location"]


def test_query_password_field_is_marked_for_the_show_button(client, county):
    page = client.get(LOOKUP).content.decode()
    field = re.search(r'<input type="password" name="password"[^>]*>', page).group(0)
    assert 'data-reveal-show="显示"' in field and 'data-reveal-hide="隐藏"' in field
    assert "feedback/feedback.js" in page


def test_wrong_password_still_refused_with_the_lookup_throttle(client, county):
    case = new_case(county.village_a1)
    response = client.post(LOOKUP, {"number": case.number, "password": "00000000"})
    assert response.status_code == 400 and "受理编号或查询密码错误" in response.content.decode()
    assert actions.find_case(case.number, case.query_password).pk == case.pk
    assert Case.objects.count() == 1
