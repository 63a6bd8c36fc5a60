"""Residents' accounts (issue 15): the code flow of 居民登录 (new and returning residents, wrong and expired codes,
forged `next`, a staff number, SMS off), the real name encrypted at rest, `identity_of` for the moderators, the
join link of a residents' room, and deleting or forgetting an account."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role, User
from dangjian.core import fieldcrypt
from dangjian.exchange import access, resident_views, residents
from dangjian.exchange.models import Membership, Message, Resident, ResidentCode, Room
from dangjian.exchange.resident_views import join_redirect
from dangjian.notifications import codes, sms
from dangjian.notifications.models import SmsMessage
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db
START = "/rooms/residents/"
ME = "/rooms/residents/me/"
MOBILE = "13912345678"


def _sms_files(settings) -> list[str]:
    directory = Path(settings.SMS_OPTIONS["directory"])
    return [p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.txt"))] if directory.exists() else []


def _code_sent(settings, mobile=MOBILE) -> str:
    """The code as the resident reads it on the phone: the file backend's latest message to the number."""
    latest = SmsMessage.objects.filter(key__startswith="exchange.resident-code:").order_by("-pk").first()
    sms.deliver_pending_sms()
    assert any(f"To: {mobile}" in text and latest.text in text for text in _sms_files(settings))
    return re.search(r"验证码为(\d{6})", latest.text).group(1)


def _send(client, mobile=MOBILE, next_url=""):
    return client.post(START, {"step": "send", "mobile": mobile, "next": next_url})


def _verify(client, code, mobile=MOBILE, next_url=""):
    return client.post(START, {"step": "verify", "mobile": mobile, "code": code, "next": next_url})


def _profile(client, name="李秀兰", consent=True, next_url=""):
    data = {"step": "profile", "real_name": name, "next": next_url}
    if consent:
        data["consent"] = "on"
    return client.post(START, data)


@pytest.fixture
def village_room(county):
    return f.room(county.village_a1, "王庄村民群", audience=Room.Audience.RESIDENTS, kind=Room.Kind.VILLAGE)


def test_a_new_resident_verifies_the_number_gives_a_name_and_lands_on_next(client, county, settings, village_room):
    join = f"/rooms/{village_room.pk}/join/"
    page = client.get(START, {"next": join}).content.decode()
    assert "王庄村民群" in page and "手机号" in page
    response = _send(client, next_url=join)
    assert response.status_code == 200
    notice = re.search(r'data-testid="code-sent">([^<]+)<', response.content.decode()).group(1)
    assert "139****5678" in notice and MOBILE not in notice
    code = _code_sent(settings)
    row = ResidentCode.objects.get()
    assert code not in row.code_hash and MOBILE not in row.mobile_digest
    response = _verify(client, code, next_url=join)
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="resident-rules"' in page
    assert "只有处理举报的管理员" in page and not User.objects.filter(mobile=MOBILE).exists()
    # The name is checked: digits and one letter are refused, nothing is saved.
    for bad in ("李", "李秀兰2", "a" * 21):
        response = _profile(client, name=bad, next_url=join)
        assert response.status_code == 400 and "真实姓名" in response.content.decode()
    response = _profile(client, consent=False, next_url=join)
    assert response.status_code == 400 and "同意" in response.content.decode()
    assert not Resident.objects.exists() and not User.objects.filter(mobile=MOBILE).exists()
    response = _profile(client, name=" 阿依古丽 • 买买提 ", next_url=join)
    assert response.status_code == 302 and response["Location"] == join
    user = User.objects.get(mobile=MOBILE)
    assert user.username == MOBILE and not user.has_usable_password() and user.is_active
    assert residents.identity_of(user) == ("阿依古丽·买买提", MOBILE)
    assert int(client.session["_auth_user_id"]) == user.pk
    assert access.may_join(user, village_room)
    # A resident joins only residents' rooms.
    members_room = f.room(county.village_a1, "支部群", audience=Room.Audience.MEMBERS)
    assert not access.may_join(user, members_room)


def test_the_real_name_is_encrypted_at_rest(county):
    user = f.resident(MOBILE, real_name="王小明")
    with connection.cursor() as cursor:
        cursor.execute("SELECT real_name FROM exchange_resident WHERE user_id = %s", [user.pk])
        stored = bytes(cursor.fetchone()[0])
    assert "王小明".encode() not in stored and stored
    assert fieldcrypt.decrypt(stored) == "王小明"


def test_a_returning_resident_signs_in_with_a_code(client, county, settings):
    user = f.resident(MOBILE, real_name="王小明")
    before = Resident.objects.get(user=user).verified_at
    _send(client, next_url="/rooms/residents/me/")
    response = _verify(client, _code_sent(settings), next_url="/rooms/residents/me/")
    assert response.status_code == 302 and response["Location"] == ME
    assert int(client.session["_auth_user_id"]) == user.pk
    assert Resident.objects.get(user=user).verified_at > before
    page = client.get(ME).content.decode()
    assert "139****5678" in page and "王小明" in page
    # Signed in, the start page sends on to `next` at once.
    assert client.get(START, {"next": "/rooms/"})["Location"] == "/rooms/"


def test_the_page_reads_the_same_whether_or_not_an_account_exists(client, county, settings):
    f.resident(MOBILE)
    existing = _send(client).content.decode().replace("139****5678", "MASKED")
    client.cookies.clear()
    other = _send(client, mobile="13700000000").content.decode().replace("137****0000", "MASKED")
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|value="1\d{10}"')
    assert strip.sub("", existing) == strip.sub("", other)


def test_five_wrong_codes_kill_the_code(client, county, settings):
    _send(client)
    code = _code_sent(settings)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _try in range(codes.CODE_TRIES):
        response = _verify(client, wrong)
        assert response.status_code == 400 and "验证码不对或已过期" in response.content.decode()
    response = _verify(client, code)
    assert response.status_code == 400 and 'data-testid="resident-rules"' not in response.content.decode()
    assert "_auth_user_id" not in client.session and resident_views.VERIFIED_KEY not in client.session


def test_an_expired_code_is_refused_and_a_used_one_works_once(client, county, settings):
    f.resident(MOBILE)
    _send(client)
    code = _code_sent(settings)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        response = _verify(client, code)
        assert response.status_code == 400 and "_auth_user_id" not in client.session
    ResidentCode.objects.all().delete()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20)):
        _send(client)
        code = _code_sent(settings)
        assert _verify(client, code).status_code == 302
        client.logout()
        assert _verify(client, code).status_code == 400


def test_a_forged_next_to_another_site_is_refused(client, county, settings):
    f.resident(MOBILE)
    for forged in (
        "https://evil.example.com/",
        "//evil.example.com/x",
        "/\\evil.example.com",
        "javascript:alert(1)",
        "/\t/evil.example.com",
    ):
        client.logout()
        ResidentCode.objects.all().delete()
        _send(client, next_url=forged)
        response = _verify(client, _code_sent(settings), next_url=forged)
        assert response.status_code == 302
        assert response["Location"] in (reverse("exchange:resident_me"), "/rooms/"), forged
    page = client.get(START, {"next": "https://evil.example.com/"})  # signed in: nowhere to send on to
    assert page.status_code == 200 and 'href="https://evil' not in page.content.decode()


def test_a_staff_number_is_refused_and_told_to_use_the_password(client, county, settings):
    f.staff("town_officer", Role.MEDIA_OFFICER, county.town_a, mobile=MOBILE)
    _send(client)
    response = _verify(client, _code_sent(settings))
    page = response.content.decode()
    assert response.status_code == 400 and 'data-testid="resident-refused"' in page and "密码" in page
    assert "_auth_user_id" not in client.session and not Resident.objects.exists()
    with pytest.raises(residents.ActionError):
        residents.become_resident(MOBILE, "王小明", True)
    assert not Resident.objects.exists()


def test_a_party_members_account_becomes_a_residents_too(client, county, settings):
    user = f.UserFactory(username="member1", mobile=MOBILE)
    f.member(county.village_a1, user=user, mobile=MOBILE)
    _send(client)
    response = _verify(client, _code_sent(settings))
    assert 'data-testid="resident-rules"' in response.content.decode()
    assert _profile(client).status_code == 302
    assert Resident.objects.get().user == user and User.objects.filter(mobile=MOBILE).count() == 1
    # Deleting the resident's part keeps the member's account.
    client.post(reverse("exchange:resident_delete"), {"confirm": "yes"})
    user.refresh_from_db()
    assert user.is_active and user.mobile == MOBILE and not Resident.objects.exists()


def test_a_signed_in_member_is_told_no_resident_account_is_needed(client, county):
    client.force_login(county.village_a1_secretary)
    page = client.get(START).content.decode()
    assert 'data-testid="resident-signed-in"' in page and "无需" in page


def test_without_sms_the_page_says_whom_to_ask_and_nothing_breaks(client, county, settings, village_room):
    settings.SMS_BACKEND = ""
    response = client.get(START, {"next": f"/rooms/{village_room.pk}/join/"})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="resident-unavailable"' in page
    assert county.village_a1.name in page
    response = _send(client)
    assert response.status_code == 200 and 'data-testid="resident-unavailable"' in response.content.decode()
    assert not ResidentCode.objects.exists() and not SmsMessage.objects.exists()
    assert "居民登录" not in client.get(reverse("accounts:login")).content.decode()


def test_the_sign_in_page_links_to_the_residents_sign_in(client, county):
    page = client.get(reverse("accounts:login"), {"next": "/rooms/7/join/"}).content.decode()
    assert "居民登录" in page and f"{START}?next=/rooms/7/join/" in page


def test_the_join_link_of_a_residents_room_sends_an_anonymous_visitor_to_sign_in(county, village_room):
    join = f"/rooms/{village_room.pk}/join/"
    request = RequestFactory().get(join)
    request.user = AnonymousUser()
    response = join_redirect(request, village_room)
    assert (
        response.status_code == 302 and response["Location"] == f"{START}?next=%2Frooms%2F{village_room.pk}%2Fjoin%2F"
    )
    members_room = f.room(county.village_a1, "支部群", audience=Room.Audience.MEMBERS)
    assert join_redirect(request, members_room) is None
    request.user = f.resident(MOBILE)
    assert join_redirect(request, village_room) is None


def test_identity_of_decrypts_for_the_moderators_and_masks_when_asked(county):
    user = f.resident(MOBILE, real_name="赵大勇")
    assert residents.identity_of(user) == residents.Identity("赵大勇", MOBILE)
    assert residents.identity_of(user, masked=True) == ("赵大勇", "139****5678")
    staff = county.village_a1_secretary
    assert residents.identity_of(staff).real_name == (staff.full_name or "")


def test_deleting_the_account_ends_memberships_keeps_the_nickname_on_messages(client, county, village_room):
    user = f.resident(MOBILE, real_name="赵大勇")
    Membership.objects.create(room=village_room, user=user, nickname="老赵")
    from dangjian.exchange import actions

    actions.post_message(user, village_room.pk, actions.MessageInput(body="路灯修好了吗"))
    client.force_login(user)
    page = client.get(ME).content.decode()
    assert "王庄村民群" in page and "老赵" in page
    response = client.post(reverse("exchange:resident_delete"), {})
    assert response.status_code == 302 and Resident.objects.exists()  # not ticked: nothing happens
    response = client.post(reverse("exchange:resident_delete"), {"confirm": "yes"})
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert not user.is_active and user.mobile is None and MOBILE not in user.username
    assert not Resident.objects.exists()
    assert Membership.objects.get(user=user).left_at is not None
    assert Message.objects.get().nickname == "老赵"
    # The number is free again: the same person may come back as a new resident.
    assert residents.account_for(MOBILE) is None


def test_someone_elses_forged_delete_is_refused(client, county):
    client.force_login(county.village_a1_secretary)
    response = client.post(reverse("exchange:resident_delete"), {"confirm": "yes"})
    assert response.status_code == 302
    county.village_a1_secretary.refresh_from_db()
    assert county.village_a1_secretary.is_active
    assert client.post(reverse("exchange:resident_delete"), {"confirm": "yes"}).status_code == 302
    client.logout()
    response = client.post(reverse("exchange:resident_delete"), {"confirm": "yes"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_residents_not_seen_for_long_are_forgotten(county, settings, village_room):
    settings.RESIDENT_INACTIVE_DAYS = 730
    old = timezone.now() - datetime.timedelta(days=800)
    gone = f.resident(MOBILE, real_name="王一")
    Resident.objects.filter(user=gone).update(created_at=old, verified_at=old)
    User.objects.filter(pk=gone.pk).update(last_login=old)
    seen = f.resident("13911112222", real_name="王二")
    Resident.objects.filter(user=seen).update(created_at=old, verified_at=old)
    User.objects.filter(pk=seen.pk).update(last_login=timezone.now() - datetime.timedelta(days=30))
    new = f.resident("13933334444", real_name="王三")  # joined today, never signed in since
    assert residents.forget_inactive() == 1
    gone.refresh_from_db()
    assert not gone.is_active and not Resident.objects.filter(user=gone).exists()
    assert Resident.objects.filter(user=seen).exists() and Resident.objects.filter(user=new).exists()
    assert "dangjian.exchange.resident_tasks.forget_inactive_residents" in settings.PERIODIC_TASKS
    from dangjian.exchange import resident_tasks

    assert resident_tasks.forget_inactive_residents.call() == {"residents_forgotten": 0, "codes_removed": 0}


def test_the_demo_residents_are_in_the_village_room_and_the_demo_resident_signs_in(client, county, village_room):
    from dangjian.demo.context import DEMO_PASSWORD, DemoContext
    from dangjian.exchange import demo_residents

    ctx = DemoContext()
    demo_residents.load(ctx)
    assert Resident.objects.count() == len(demo_residents.RESIDENTS)
    nicknames = set(Membership.objects.filter(room=village_room).values_list("nickname", flat=True))
    assert {nickname for _mobile, nickname, _days in demo_residents.RESIDENTS} == nicknames
    [sign_in] = ctx.sign_ins
    assert sign_in.username == "13800000008" and "演示密码" in sign_in.role
    assert residents.identity_of(User.objects.get(username="13800000008")).real_name
    response = client.post(reverse("accounts:login"), {"username": "13800000008", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(f"/rooms/{village_room.pk}/").status_code == 200
    demo_residents.load(DemoContext())  # loading again adds nothing
    assert Resident.objects.count() == len(demo_residents.RESIDENTS)


def test_a_resident_on_the_console_home_finds_their_account_and_rooms(client, county, village_room):
    user = f.resident(MOBILE)
    Membership.objects.create(room=village_room, user=user, nickname="老赵")
    client.force_login(user)
    page = client.get(reverse("console:dashboard")).content.decode()
    assert 'data-testid="resident-panel"' in page and "王庄村民群" in page and ME in page
    client.force_login(county.village_a1_secretary)
    assert 'data-testid="resident-panel"' not in client.get(reverse("console:dashboard")).content.decode()


def test_the_name_step_without_a_verified_number_or_too_late_creates_nothing(client, county, settings):
    response = _profile(client)
    assert response.status_code == 400 and "重新验证" in response.content.decode()
    _send(client)
    _verify(client, _code_sent(settings))
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=21)):
        response = _profile(client)
    assert response.status_code == 400 and "重新验证" in response.content.decode()
    assert not Resident.objects.exists() and not User.objects.filter(mobile=MOBILE).exists()


def test_a_code_step_without_a_number_asks_for_the_number(client, county):
    response = client.post(START, {"step": "verify", "mobile": "", "code": "123456"})
    assert response.status_code == 400 and 'data-testid="resident-again"' in response.content.decode()


def test_opening_the_page_again_after_the_code_goes_on_at_the_name_step(client, county, settings):
    _send(client)
    _verify(client, _code_sent(settings))
    again = client.get(reverse("exchange:resident_start")).content.decode()
    assert 'name="real_name"' in again and 'name="code"' not in again
    _profile(client)
    assert User.objects.filter(mobile=MOBILE, resident__isnull=False).exists()
