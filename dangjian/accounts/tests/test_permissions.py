"""Each role, inside and outside its subtree, through the console as a user would use it."""

import pytest
from django.urls import reverse

from dangjian.accounts.models import Role, RoleGrant
from dangjian.tests_support.factories import PASSWORD, LeaderFactory, PolicyFactory, TermFactory, leader_data

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_township_media_officer_creates_leader_in_own_village(client, county):
    term = TermFactory(organization=county.village_a1)
    login(client, county.town_a_media)
    response = client.post(reverse("console:leader_new", args=[county.village_a1.pk]), leader_data(term))
    assert response.status_code == 302
    assert county.village_a1.leaders.filter(name="赵新民").exists()


def test_township_media_officer_cannot_create_leader_in_other_township(client, county):
    term = TermFactory(organization=county.village_b1)
    login(client, county.town_a_media)
    response = client.post(reverse("console:leader_new", args=[county.village_b1.pk]), leader_data(term))
    assert response.status_code == 403
    assert not county.village_b1.leaders.exists()


def test_township_media_officer_cannot_edit_county_policy(client, county):
    policy = PolicyFactory(issuer=county.county, title="县级政策原文")
    login(client, county.town_a_media)
    response = client.post(reverse("console:policy_edit", args=[county.county.pk, policy.pk]), {"title": "篡改"})
    assert response.status_code == 403
    policy.refresh_from_db()
    assert policy.title == "县级政策原文"


def test_township_media_officer_cannot_edit_leader_by_guessing_ids(client, county):
    """A leader of another township reached through the media officer's own organization id."""
    leader = LeaderFactory(term=TermFactory(organization=county.village_b1), name="原名")
    login(client, county.town_a_media)
    url = reverse("console:leader_edit", args=[county.town_a.pk, leader.pk])
    response = client.post(url, leader_data(leader.term, name="改名"))
    assert response.status_code == 404
    leader.refresh_from_db()
    assert leader.name == "原名"


def test_village_secretary_edits_own_village_profile(client, county):
    login(client, county.village_a1_secretary)
    response = client.post(
        reverse("console:profile_edit", args=[county.village_a1.pk]),
        {"name": county.village_a1.name, "intro": "新的简介", "address": "", "phone": "", "short_name": "王庄村"},
    )
    assert response.status_code == 302
    county.village_a1.refresh_from_db()
    assert county.village_a1.intro == "新的简介"


def test_village_secretary_cannot_edit_neighbouring_village(client, county):
    login(client, county.village_a1_secretary)
    response = client.post(reverse("console:profile_edit", args=[county.village_a2.pk]), {"name": "x", "intro": "y"})
    assert response.status_code == 403


def test_village_secretary_cannot_edit_own_township(client, county):
    login(client, county.village_a1_secretary)
    assert client.get(reverse("console:profile_edit", args=[county.town_a.pk])).status_code == 403


def test_discipline_officer_has_no_content_rights(client, county):
    login(client, county.town_b_discipline)
    assert client.get(reverse("console:dashboard")).status_code == 200
    assert client.get(reverse("console:policy_new", args=[county.village_b1.pk])).status_code == 403


def test_account_without_role_is_refused_the_console(client, county):
    """The console home says the account holds no role (and leads to its notifications); nothing else opens."""
    login(client, county.nobody)
    home = client.get(reverse("console:dashboard"))
    assert home.status_code == 200
    page = home.content.decode()
    assert "您的账号目前没有任何角色" in page
    assert county.county.name not in page and reverse("console:feedback_inbox") not in page
    assert client.get(reverse("console:feedback_inbox")).status_code == 403
    assert client.get(reverse("console:organization", args=[county.county.pk])).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, county):
    response = client.get(reverse("console:dashboard"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_county_admin_grants_role_in_village(client, county):
    login(client, county.county_admin)
    response = client.post(
        reverse("console:roles", args=[county.village_b1.pk]), {"login": "nobody", "role": Role.MEDIA_OFFICER}
    )
    assert response.status_code == 302
    assert RoleGrant.objects.filter(
        user=county.nobody, organization=county.village_b1, role=Role.MEDIA_OFFICER
    ).exists()


def test_township_admin_cannot_grant_role_on_county(client, county):
    login(client, county.town_a_admin)
    response = client.post(
        reverse("console:roles", args=[county.county.pk]), {"login": "nobody", "role": Role.ORG_ADMIN}
    )
    assert response.status_code == 403
    assert not RoleGrant.objects.filter(user=county.nobody).exists()


def test_township_admin_cannot_grant_role_in_other_township(client, county):
    login(client, county.town_a_admin)
    response = client.post(
        reverse("console:roles", args=[county.village_b1.pk]), {"login": "nobody", "role": Role.SECRETARY}
    )
    assert response.status_code == 403


def test_media_officer_cannot_grant_roles(client, county):
    login(client, county.town_a_media)
    response = client.post(
        reverse("console:roles", args=[county.village_a1.pk]), {"login": "nobody", "role": Role.ORG_ADMIN}
    )
    assert response.status_code == 403
    assert not RoleGrant.objects.filter(user=county.nobody).exists()


def test_granted_role_holds_for_the_subtree(client, county):
    login(client, county.town_a_admin)
    client.post(reverse("console:roles", args=[county.town_a.pk]), {"login": "nobody", "role": Role.SECRETARY})
    client.logout()
    login(client, county.nobody)
    assert client.get(reverse("console:profile_edit", args=[county.village_a2.pk])).status_code == 200
    assert client.get(reverse("console:profile_edit", args=[county.village_b1.pk])).status_code == 403


def test_granting_the_same_role_twice_explains_and_keeps_one(client, county):
    login(client, county.county_admin)
    url = reverse("console:roles", args=[county.town_a.pk])
    client.post(url, {"login": "nobody", "role": Role.SECRETARY})
    response = client.post(url, {"login": "nobody", "role": Role.SECRETARY})
    assert response.status_code == 200
    assert "已拥有此角色" in response.content.decode()
    assert RoleGrant.objects.filter(user=county.nobody, organization=county.town_a).count() == 1


def test_revoking_outside_the_subtree_is_refused(client, county):
    grant = RoleGrant.objects.get(user=county.town_b_discipline)
    login(client, county.town_a_admin)
    response = client.post(reverse("console:role_revoke", args=[county.town_a.pk, grant.pk]))
    assert response.status_code == 404
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_dashboard_lists_only_organizations_in_scope(client, county):
    login(client, county.town_a_media)
    html = client.get(reverse("console:dashboard")).content.decode()
    assert "王庄村党支部委员会" in html
    assert "石桥村党支部委员会" not in html
    assert "中共测试县委员会" not in html
