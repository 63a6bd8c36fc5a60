"""Members' accounts (issue 12): the secretary's invitation, joining with it, the member's own record, and every
way in that must stay shut."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role, User
from dangjian.members import accounts
from dangjian.members.models import Invitation, Member
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "qingshan-2026"
MOBILE = "13712345678"


@pytest.fixture
def member(county):
    return f.member(county.village_a1, "王秀英", mobile=MOBILE)


def invite(client, secretary, member) -> str:
    """The secretary issues an invitation on the page; returns the link's path."""
    client.force_login(secretary)
    response = client.post(reverse("console:member_invite", args=[member.pk]))
    assert response.status_code == 200
    link = re.search(r'data-testid="invitation-link"[^>]*>([^<]+)<', response.content.decode()).group(1)
    client.logout()
    return re.sub(r"^https?://[^/]+", "", link)


def test_secretary_sees_link_qr_code_expiry_name_and_masked_mobile_once(client, county, member):
    client.force_login(county.village_a1_secretary)
    response = client.post(reverse("console:member_invite", args=[member.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'aria-label="邀请链接的二维码"' in html
    assert "王秀英" in html and "137****5678" in html and MOBILE not in html
    token = re.search(r"/join/([\w-]+)/", html).group(1)
    invitation = Invitation.objects.get(member=member)
    assert invitation.token_hash == accounts.token_hash(token) and token not in invitation.token_hash
    expected = timezone.localtime(invitation.expires_at)
    assert (invitation.expires_at - invitation.created_at) == datetime.timedelta(days=7)
    assert expected.strftime("%Y-%m-%d %H:%M") in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_the_link_and_qr_code_use_the_address_the_secretary_opened_whatever_site_url_says(
    client, county, member, settings
):
    """The demo on another port, or a server whose SITE_URL was never set: the link must still open."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    client.force_login(county.village_a1_secretary)
    response = client.post(reverse("console:member_invite", args=[member.pk]), HTTP_HOST="127.0.0.1:8010")
    link = re.search(r'data-testid="invitation-link"[^>]*>([^<]+)<', response.content.decode()).group(1)
    assert link.startswith("http://127.0.0.1:8010/join/")


def test_member_joins_with_the_link_and_lands_on_their_record(client, county, member):
    path = invite(client, county.village_a1_secretary, member)
    page = client.get(path)
    html = page.content.decode()
    assert page.status_code == 200
    assert "东城镇王庄村党支部委员会" in html and "137****5678" in html and MOBILE not in html
    response = client.post(path, {"step": "join", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("console:member_me")
    member.refresh_from_db()
    assert member.user.username == MOBILE and member.user.mobile == MOBILE and member.user.check_password(NEW_PASSWORD)
    assert Invitation.objects.get(member=member).used_at is not None
    me = client.get(reverse("console:member_me"))
    assert me.status_code == 200 and "我的党员信息" in me.content.decode()


# --- Invitations: the secretary's side ---------------------------------------------------------------------------


def test_a_new_invitation_withdraws_the_previous_open_one(client, county, member):
    first = invite(client, county.village_a1_secretary, member)
    second = invite(client, county.village_a1_secretary, member)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert Invitation.objects.filter(member=member, withdrawn_at__isnull=True).count() == 1


def test_withdrawn_invitation_is_refused(client, county, member):
    path = invite(client, county.village_a1_secretary, member)
    client.force_login(county.village_a1_secretary)
    response = client.post(reverse("console:member_invite_withdraw", args=[member.pk]), follow=True)
    assert "邀请已撤回" in response.content.decode()
    client.logout()
    response = client.post(path, {"step": "join", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 404 and "这个邀请链接不能使用" in response.content.decode()
    assert not User.objects.filter(username=MOBILE).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mobile": ""}, "请先在党员信息中填写其手机号码"),
        ({"status": Member.Status.TRANSFERRED_OUT}, "只有在册党员才能邀请开通账号"),
    ],
    ids=["no-mobile", "transferred-out"],
)
def test_no_invitation_without_mobile_or_off_the_roll(client, county, member, change, message):
    Member.objects.filter(pk=member.pk).update(**change)
    client.force_login(county.village_a1_secretary)
    response = client.post(reverse("console:member_invite", args=[member.pk]))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Invitation.objects.exists()


def test_no_invitation_for_a_member_who_has_an_account(client, county, member):
    member.user = f.UserFactory(username=MOBILE, mobile=MOBILE)
    member.save()
    client.force_login(county.village_a1_secretary)
    response = client.post(reverse("console:member_invite", args=[member.pk]))
    assert response.status_code == 400 and "已经开通了账号" in response.content.decode()


def test_the_list_of_the_branch_shows_each_members_account_state(client, county, member):
    opened = f.member(county.village_a1, "李建国", mobile="13712340000")
    opened.user = f.UserFactory(username="13712340000", mobile="13712340000")
    opened.save()
    invited = f.member(county.village_a1, "赵大海", mobile="13712341111")
    issued = accounts.create_invitation(county.village_a1_secretary, invited.pk)
    f.member(county.village_a1, "孙老汉", status=Member.Status.DECEASED)
    client.force_login(county.village_a1_secretary)
    org_page = client.get(reverse("console:organization", args=[county.village_a1.pk])).content.decode()
    url = reverse("console:member_accounts", args=[county.village_a1.pk])
    assert f'href="{url}"' in org_page
    html = client.get(url).content.decode()
    row = lambda m: re.search(rf'data-testid="member-account-{m.pk}">(.*?)</li>', html, re.S).group(1)  # noqa: E731
    assert "已开通" in row(opened)
    until = timezone.localtime(issued.invitation.expires_at).strftime("%Y-%m-%d %H:%M")
    assert f"已邀请（有效至{until}）" in row(invited)
    assert "未开通" in row(member) and reverse("console:member_invite", args=[member.pk]) in row(member)
    assert "孙老汉" not in html
    assert MOBILE not in html and "137****5678" in html


def test_invitations_are_recorded_in_the_members_history(county, member):
    accounts.create_invitation(county.village_a1_secretary, member.pk)
    accounts.withdraw_invitation(county.village_a1_secretary, member.pk)
    from dangjian.core.history import history_for

    texts = [str(r.changes) for r in history_for(member)]
    assert any("已邀请开通账号" in t for t in texts) and any("邀请已撤回" in t for t in texts)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_secretary_of_another_township_gets_404_for_the_invitation_page(client, county, member, method):
    foreign = f.staff("b1_secretary", Role.SECRETARY, county.village_b1)
    client.force_login(foreign)
    response = getattr(client, method)(reverse("console:member_invite", args=[member.pk]))
    assert response.status_code == 404
    assert client.post(reverse("console:member_invite_withdraw", args=[member.pk])).status_code == 404
    assert client.get(reverse("console:member_accounts", args=[county.village_a1.pk])).status_code == 403
    assert not Invitation.objects.exists()


def test_a_media_officer_cannot_invite(client, county, member):
    client.force_login(county.town_a_media)
    assert client.post(reverse("console:member_invite", args=[member.pk])).status_code == 404
    assert client.get(reverse("console:member_accounts", args=[county.village_a1.pk])).status_code == 403
    assert not Invitation.objects.exists()


# --- Joining with the invitation ----------------------------------------------------------------------------------


def _join(client, path, password=NEW_PASSWORD, again=None):
    return client.post(path, {"step": "join", "password1": password, "password2": again or password})


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "密码太短"),
        ("1234567890123", "密码不能全是数字"),
    ],
    ids=["too-short", "digits-only"],
)
def test_a_weak_password_is_refused_in_plain_words(client, county, member, password, message):
    path = invite(client, county.village_a1_secretary, member)
    response = _join(client, path, password)
    html = response.content.decode()
    assert response.status_code == 400 and message in html and "您" in html
    assert not User.objects.filter(username=MOBILE).exists()
    assert Invitation.objects.get(member=member).used_at is None


def test_two_different_passwords_are_refused(client, county, member):
    path = invite(client, county.village_a1_secretary, member)
    response = _join(client, path, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert response.status_code == 400 and "两次输入的密码不一样" in response.content.decode()
    assert not User.objects.filter(username=MOBILE).exists()


def _invalid_page(response) -> str:
    html = response.content.decode()
    assert response.status_code == 404 and "这个邀请链接不能使用" in html
    main = re.search(r"<main.*</main>", html, re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)


def test_used_expired_withdrawn_forged_and_off_the_roll_tokens_read_the_same(client, county, member):
    secretary = county.village_a1_secretary
    used = invite(client, secretary, member)
    assert _join(client, used).status_code == 302
    client.logout()
    others = [f.member(county.village_a1, f"党员乙{i}", mobile=f"1371234000{i}") for i in range(3)]
    expired = invite(client, secretary, others[0])
    Invitation.objects.filter(member=others[0]).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    withdrawn = invite(client, secretary, others[1])
    accounts.withdraw_invitation(secretary, others[1].pk)
    gone = invite(client, secretary, others[2])
    Member.objects.filter(pk=others[2].pk).update(status=Member.Status.SUSPENDED)
    forged = "/join/" + "A" * 43 + "/"
    pages = {_invalid_page(client.get(path)) for path in (used, expired, withdrawn, gone, forged)}
    assert len(pages) == 1
    for path in (expired, withdrawn, gone, forged):
        assert _join(client, path).status_code == 404
    assert User.objects.filter(username__startswith="137123400").count() == 0


def test_a_used_token_cannot_be_used_again_even_with_another_password(client, county, member):
    path = invite(client, county.village_a1_secretary, member)
    assert _join(client, path).status_code == 302
    other = client_class_new()
    response = _join(other, path, "another-pass-99")
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.user.check_password(NEW_PASSWORD) and not member.user.check_password("another-pass-99")


def client_class_new():
    from django.test import Client

    return Client()


def test_a_double_submit_makes_one_account_and_both_answers_lead_to_the_record(client, county, member):
    path = invite(client, county.village_a1_secretary, member)
    first, second = _join(client, path), _join(client_class_new(), path)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("console:member_me")
    assert User.objects.filter(mobile=MOBILE).count() == 1


def test_the_join_page_sets_no_password_without_the_token(client, county, member):
    invite(client, county.village_a1_secretary, member)
    for path in ("/join/x/", "/join/" + "b" * 43 + "/"):
        assert _join(client, path).status_code == 404
    assert not User.objects.filter(mobile=MOBILE).exists()
    member.refresh_from_db()
    assert member.user is None


def test_guessing_tokens_is_slowed_down(client, county, member):
    path = invite(client, county.village_a1_secretary, member)
    for i in range(accounts.wrong_tokens_per_client.limit):
        client.get(f"/join/guess{i}/")
    response = client.get(path)
    assert response.status_code == 429 and "15分钟后再试" in response.content.decode()


def test_a_staff_member_who_is_a_member_keeps_one_account(client, county, member):
    staff = f.staff("a2_secretary", Role.SECRETARY, county.village_a2, mobile=MOBILE)
    path = invite(client, county.village_a1_secretary, member)
    page = client.get(path).content.decode()
    assert "这个手机号已经有账号" in page and 'name="password1"' not in page
    wrong = client.post(path, {"step": "link", "password": "not-it-at-all"})
    assert wrong.status_code == 400 and "密码不对" in wrong.content.decode()
    member.refresh_from_db()
    assert member.user is None
    # Choosing a new password does not take over the existing account either: the page asks for its password.
    response = _join(client, path)
    assert "这个手机号已经有账号" in response.content.decode() and not User.objects.filter(username=MOBILE).exists()
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
    response = client.post(path, {"step": "link", "password": PASSWORD})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.user == staff and User.objects.filter(mobile=MOBILE).count() == 1
    assert staff.role_grants.count() == 1
    assert "我的党员信息" in client.get(reverse("console:dashboard")).content.decode()


def test_a_token_does_not_link_the_account_of_whoever_is_signed_in(client, county, member):
    """A staff member signed in who opens a member's invitation does not get that member's record."""
    path = invite(client, county.village_a1_secretary, member)
    client.force_login(county.town_a_admin)
    response = _join(client, path)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.user != county.town_a_admin and member.user.username == MOBILE
    assert not Member.objects.filter(user=county.town_a_admin).exists()


def test_an_account_of_another_member_is_not_linked(client, county, member):
    """The existing account with the mobile number already holds another member's record: refused."""
    holder = f.UserFactory(username="holder", mobile=MOBILE)
    other = f.member(county.village_a2, "别的党员", mobile="13700000000")
    other.user = holder
    other.save()
    path = invite(client, county.village_a1_secretary, member)
    response = client.post(path, {"step": "link", "password": PASSWORD})
    assert response.status_code == 400 and "已关联其他党员" in response.content.decode()
    member.refresh_from_db()
    assert member.user is None and Invitation.objects.get(member=member).used_at is None


# --- The member's own area ----------------------------------------------------------------------------------------


@pytest.fixture
def member_user(member):
    user = f.UserFactory(username=MOBILE, mobile=MOBILE, full_name=member.name)
    member.user = user
    member.save()
    return user


def test_a_member_without_role_sees_their_panel_and_menu_on_the_console_home(client, member_user):
    client.force_login(member_user)
    html = client.get(reverse("console:dashboard")).content.decode()
    assert 'data-testid="member-panel"' in html
    assert html.count(f'href="{reverse("console:member_me")}"') >= 2  # the panel's button and the menu


def test_a_member_reads_their_own_page_not_the_staff_console(client, county, member_user):
    client.force_login(member_user)
    html = client.get(reverse("console:dashboard")).content.decode()
    assert "<h1>个人中心</h1>" in html and "我的首页" in html
    assert "管理后台" not in html and "后台首页" not in html
    client.force_login(county.village_a1_secretary)
    html = client.get(reverse("console:dashboard")).content.decode()
    assert "<h1>管理后台</h1>" in html and "后台首页" in html


def test_the_own_record_masks_the_id_number_and_shows_the_mobile(client, member, member_user):
    client.force_login(member_user)
    html = client.get(reverse("console:member_me")).content.decode()
    number = member.id_number()
    assert number not in html and member.id_number_masked in html and "*" in member.id_number_masked
    assert MOBILE in html and "王秀英" in html and "东城镇王庄村党支部委员会" in html


def test_a_member_off_the_roll_loses_the_member_pages_at_once(client, member, member_user):
    client.force_login(member_user)
    assert client.get(reverse("console:member_me")).status_code == 200
    for status in (Member.Status.TRANSFERRED_OUT, Member.Status.SUSPENDED, Member.Status.DECEASED):
        Member.objects.filter(pk=member.pk).update(status=status)
        assert client.get(reverse("console:member_me")).status_code == 403
        home = client.get(reverse("console:dashboard")).content.decode()
        assert 'data-testid="member-panel"' not in home and reverse("console:member_me") not in home
        assert client.get(reverse("console:organization", args=[member.organization_id])).status_code == 403


def test_a_staff_member_who_is_a_member_sees_their_record_too(client, county):
    secretary = county.village_a1_secretary
    f.member(county.village_a1, "张书记", mobile="13912345678", user=secretary)
    client.force_login(secretary)
    home = client.get(reverse("console:dashboard")).content.decode()
    assert 'data-testid="member-panel"' in home
    assert "张书记" in client.get(reverse("console:member_me")).content.decode()


def test_staff_without_a_member_record_get_403_on_the_member_page(client, county):
    client.force_login(county.town_a_admin)
    assert client.get(reverse("console:member_me")).status_code == 403
    assert 'data-testid="member-panel"' not in client.get(reverse("console:dashboard")).content.decode()


def _member_or_signed_in_view(view) -> bool:
    while view is not None:
        code = getattr(view, "__code__", None)
        if code is not None and code.co_qualname.split(".")[0] in ("member_view", "signed_in_view"):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def test_a_member_account_reaches_no_staff_console_page(client, county, member, member_user):
    """Every console route but the member's own and the signed-in ones (home, notifications) answers 403 or 404
    to a member without a role, whatever ids are in the URL."""
    from django.urls import URLPattern, get_resolver

    console = get_resolver().url_patterns
    resolver = next(p for p in console if getattr(p, "namespace", None) == "console")
    client.force_login(member_user)
    checked = 0
    for pattern in resolver.url_patterns:
        if not isinstance(pattern, URLPattern) or _member_or_signed_in_view(pattern.callback):
            continue
        if pattern.name == "two_factor":
            continue  # supervision's one-time code page serves any signed-in account (and reads nothing)
        kwargs = {}
        for name, converter in pattern.pattern.converters.items():
            kwargs[name] = county.village_a1.pk if type(converter).__name__ == "IntConverter" else "x"
        if "member_id" in kwargs:
            kwargs["member_id"] = member.pk
        url = reverse(f"console:{pattern.name}", kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (403, 404, 405), f"{method} {url}: {response.status_code}"
        checked += 1
    assert checked > 20


# --- The token stays out of the logs --------------------------------------------------------------------------


def test_the_token_is_not_written_to_the_request_log(client, county, member, caplog):
    import logging

    caplog.set_level(logging.WARNING, logger="django.request")
    path = invite(client, county.village_a1_secretary, member)
    token = path.split("/")[2]
    _join(client, path, "short")  # refused: a 400 line
    client.get("/join/" + "C" * 43 + "/")  # a 404 line
    assert "/join/…" in caplog.text and token not in caplog.text and "C" * 43 not in caplog.text


def test_the_token_is_not_written_to_the_access_log():
    import logging
    import types

    from gunicorn.config import Config

    from dangjian.gunicorn_logging import PrivateAccessLogger

    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    config = Config()
    config.set("accesslog", "-")
    logger = PrivateAccessLogger(config)
    logger.access_log.handlers = [Collect()]
    token = "s3cr3t-T0ken_abcdefghijklmnopqrstuvwxyz0123"
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/join/{token}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "RAW_URI": f"/join/{token}/",
    }
    resp = types.SimpleNamespace(status="200 OK", sent=10, headers=[])
    logger.access(resp, types.SimpleNamespace(headers=[]), environ, datetime.timedelta(seconds=0.01))
    assert len(lines) == 1 and "/join/…/" in lines[0] and token not in lines[0]
