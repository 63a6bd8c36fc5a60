"""Signing in with a one-time code by SMS (issue 12), only where an SMS sender is configured."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.members import accounts
from dangjian.members.models import Member, SignInCode
from dangjian.notifications import codes
from dangjian.notifications.models import SmsMessage
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db

MOBILE = "13712345678"
PAGE = "/sign-in/sms/"


@pytest.fixture
def member_user(county):
    user = f.UserFactory(username=MOBILE, mobile=MOBILE, full_name="王秀英")
    f.member(county.village_a1, "王秀英", mobile=MOBILE, user=user)
    return user


def _send(client, mobile=MOBILE):
    return client.post(PAGE, {"step": "send", "mobile": mobile})


def _code() -> str:
    return re.search(r"\d{6}", SmsMessage.objects.filter(key__startswith="members.code:").latest("pk").text).group(0)


def _verify(client, code, mobile=MOBILE):
    return client.post(PAGE, {"step": "verify", "mobile": mobile, "code": code})


def test_without_an_sms_sender_the_page_and_its_link_do_not_exist(client, settings):
    settings.SMS_BACKEND = ""
    assert client.get(PAGE).status_code == 404
    assert PAGE not in client.get(reverse("accounts:login")).content.decode()


def test_the_sign_in_page_says_members_sign_in_with_their_mobile_and_offers_the_code(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "党员请用手机号和收到邀请时设置的密码登录" in html
    assert f'href="{PAGE}"' in html and "用短信验证码登录" in html


def test_a_member_signs_in_with_the_code_and_sees_their_panel(client, member_user):
    response = _send(client, "137 1234 5678")
    notice = re.search(r'data-testid="code-sent">(.*?)</p>', response.content.decode(), re.S).group(1)
    assert "137****5678" in notice and MOBILE not in notice
    response = _verify(client, _code())
    assert response.status_code == 302 and response["Location"] == reverse("console:dashboard")
    assert 'data-testid="member-panel"' in client.get(reverse("console:dashboard")).content.decode()


def test_the_answer_is_the_same_for_a_number_of_no_member_account(client, member_user):
    def shown(mobile):
        html = _send(client, mobile).content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        return re.search(r'data-testid="code-sent">(.*?)</p>', html, re.S).group(1).replace(mobile[-4:], "")

    assert shown(MOBILE) == shown("13799990000")
    assert SmsMessage.objects.filter(key__startswith="members.code:").count() == 1
    assert SignInCode.objects.count() == 2
    assert not SignInCode.objects.filter(mobile_digest=MOBILE).exists()  # numbers only as keyed hashes


def test_no_code_is_sent_to_a_member_off_the_roll_or_a_staff_account(client, county, member_user):
    Member.objects.filter(user=member_user).update(status=Member.Status.TRANSFERRED_OUT)
    _send(client)
    staff = f.staff("a2_sec", Role.SECRETARY, county.village_a2, mobile="13811112222")
    f.member(county.village_a2, "张书记", mobile="13811112222", user=staff)
    _send(client, "13811112222")
    assert not SmsMessage.objects.filter(key__startswith="members.code:").exists()


def test_a_code_works_once(client, member_user):
    _send(client)
    code = _code()
    assert _verify(client, code).status_code == 302
    other = type(client)()
    response = _verify(other, code)
    assert response.status_code == 400 and "验证码不对或已过期" in response.content.decode()


def test_a_code_dies_after_five_wrong_tries(client, member_user):
    _send(client)
    code = _code()
    wrong = "000000" if code != "000000" else "111111"
    for _i in range(codes.CODE_TRIES):
        assert _verify(client, wrong).status_code == 400
    assert _verify(client, code).status_code == 400


def test_a_code_expires_after_ten_minutes(client, member_user):
    _send(client)
    SignInCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert _verify(client, _code()).status_code == 400


def test_codes_are_limited_per_number(client, member_user):
    for _i in range(accounts.codes.per_mobile.limit):
        _send(client)
        SignInCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    response = _send(client)
    assert response.status_code == 400 and "一小时后再试" in response.content.decode()


def test_wrong_codes_are_limited_per_client(client, member_user):
    _send(client)
    code = _code()
    for i in range(accounts.codes.wrong_per_client.limit):
        _verify(client, "000000", mobile=f"1370000{i:04d}")
    response = _verify(client, code)
    assert response.status_code == 400 and "15分钟后再试" in response.content.decode()


def test_the_code_is_stored_only_as_a_keyed_hash(client, member_user):
    _send(client)
    code = _code()
    row = SignInCode.objects.get()
    assert code not in row.code_hash and MOBILE not in row.mobile_digest


def test_after_sign_in_the_member_goes_where_they_were_going_on_this_site_only(client, member_user):
    _send(client)
    response = client.post(
        PAGE, {"step": "verify", "mobile": MOBILE, "code": _code(), "next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse("console:dashboard")


def test_codes_are_forgotten_a_day_after_they_expire(client, member_user):
    _send(client)
    SignInCode.objects.update(
        created_at=timezone.now() - datetime.timedelta(days=2), expires_at=timezone.now() - datetime.timedelta(days=2)
    )
    _send(client, "13799990000")
    assert SignInCode.objects.count() == 1
