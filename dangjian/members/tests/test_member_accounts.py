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
    return link.removeprefix("https://dj.example.gov.cn")


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
