"""Role grants through the actions, called directly with ids: the same checks as the roles page."""

import pytest
from django.core.exceptions import PermissionDenied

from dangjian.accounts import actions
from dangjian.accounts.models import Role, RoleGrant
from dangjian.core.history import ActionError, NotFound
from dangjian.core.models import ChangeRecord
from dangjian.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_grant_and_revoke_by_ids_are_recorded(county):
    person = UserFactory(username="newcomer")
    grant = actions.grant_role(county.town_a_admin, county.village_a1.pk, person.pk, Role.SECRETARY)
    actions.revoke_role(county.town_a_admin, county.town_a.pk, grant.pk)
    assert [r.action for r in ChangeRecord.objects.order_by("id")] == ["create", "delete"]
    assert not RoleGrant.objects.filter(user=person).exists()


def test_grant_outside_ones_area_or_of_an_unknown_role_is_refused(county):
    person = UserFactory(username="newcomer")
    with pytest.raises(PermissionDenied):
        actions.grant_role(county.town_a_admin, county.village_b1.pk, person.pk, Role.SECRETARY)
    with pytest.raises(ActionError, match="^请从列表中选择角色。$"):
        actions.grant_role(county.town_a_admin, county.village_a1.pk, person.pk, "emperor")
    with pytest.raises(NotFound):
        actions.grant_role(county.town_a_admin, county.village_a1.pk, 999_999, Role.SECRETARY)
    with pytest.raises(NotFound):
        actions.grant_role(county.town_a_admin, 999_999, person.pk, Role.SECRETARY)
    assert not RoleGrant.objects.filter(user=person).exists() and not ChangeRecord.objects.exists()


def test_a_disabled_account_or_a_second_grant_is_refused(county):
    person = UserFactory(username="newcomer", is_active=False)
    with pytest.raises(ActionError, match="^此账号已停用。$"):
        actions.grant_role(county.town_a_admin, county.village_a1.pk, person.pk, Role.SECRETARY)
    with pytest.raises(ActionError, match=f"^{county.village_a1_secretary} 在此组织已拥有此角色。$"):
        actions.grant_role(county.town_a_admin, county.village_a1.pk, county.village_a1_secretary.pk, Role.SECRETARY)
    assert RoleGrant.objects.filter(organization=county.village_a1).count() == 1
    assert not ChangeRecord.objects.exists()


def test_a_grant_of_another_township_is_not_revoked(county):
    grant = RoleGrant.objects.get(user=county.town_b_discipline)
    other = RoleGrant.objects.create(user=UserFactory(), organization=county.village_b1, role=Role.SECRETARY)
    with pytest.raises(NotFound):
        actions.revoke_role(county.town_a_admin, county.town_a.pk, other.pk)
    with pytest.raises(PermissionDenied):
        actions.revoke_role(county.town_a_admin, county.town_b.pk, other.pk)
    with pytest.raises(ActionError):
        actions.revoke_role(county.county_admin, county.county.pk, grant.pk)  # the discipline role
    assert RoleGrant.objects.filter(pk__in=[grant.pk, other.pk]).count() == 2 and not ChangeRecord.objects.exists()


def _signed_in_request(client, user):
    from django.test import RequestFactory

    client.force_login(user)
    request = RequestFactory().post("/accounts/password/")
    request.user = user
    request.session = client.session
    return request


def test_changing_ones_password_rewraps_the_officers_key_in_the_same_transaction(client, county):
    from dangjian.supervision import keys

    officer = county.town_b_discipline
    officer.set_password("Old-pass-2026!")
    officer.save()
    private = keys.ensure_user_keypair(officer, "Old-pass-2026!")
    actions.change_own_password(_signed_in_request(client, officer), "Old-pass-2026!", "New-pass-2026!")
    officer.refresh_from_db()
    assert officer.check_password("New-pass-2026!")
    assert keys.ensure_user_keypair(officer, "New-pass-2026!") == private


def test_a_failure_while_rewrapping_keys_leaves_the_old_password(client, county):
    from dangjian.accounts.signals import password_changed

    user = county.town_a_media
    user.set_password("Old-pass-2026!")
    user.save()

    def fails(**kwargs):
        raise RuntimeError("key store unavailable")

    password_changed.connect(fails, dispatch_uid="test-fails")
    try:
        with pytest.raises(RuntimeError):
            actions.change_own_password(_signed_in_request(client, user), "Old-pass-2026!", "New-pass-2026!")
    finally:
        password_changed.disconnect(dispatch_uid="test-fails")
    user.refresh_from_db()
    assert user.check_password("Old-pass-2026!") and not user.check_password("New-pass-2026!")


@pytest.mark.parametrize(("old", "new"), [("wrong-old", "New-pass-2026!"), ("Old-pass-2026!", "123")])
def test_a_wrong_old_password_or_a_weak_new_one_is_refused(client, county, old, new):
    user = county.town_a_media
    user.set_password("Old-pass-2026!")
    user.save()
    with pytest.raises(ActionError):
        actions.change_own_password(_signed_in_request(client, user), old, new)
    user.refresh_from_db()
    assert user.check_password("Old-pass-2026!")


def test_the_password_page_says_what_to_do_and_addresses_the_user_as_nin(client, county):
    user = county.town_a_media
    user.set_password("Old-pass-2026!")
    user.save()
    client.force_login(user)
    page = client.get("/accounts/password/").content.decode()
    assert "原密码" in page and "您的密码至少要有 10 个字符。" in page and "你的" not in page
    empty = {"old_password": "", "new_password1": "", "new_password2": ""}
    page = client.post("/accounts/password/", empty).content.decode()
    for message in ("请输入原密码。", "请输入新密码。", "请再输入一次新密码。"):
        assert message in page
    assert "这个字段是必填项" not in page
    posted = {"old_password": "wrong-old", "new_password1": "12345678", "new_password2": "12345678"}
    page = client.post("/accounts/password/", posted).content.decode()
    assert "原密码不对，请重新输入。" in page and "你的" not in page
    posted["old_password"] = "Old-pass-2026!"
    page = client.post("/accounts/password/", posted).content.decode()
    assert "密码太短了，请至少用 10 个字符。" in page and "密码不能全是数字，请加上字母或符号。" in page
    assert "你" not in page
    user.refresh_from_db()
    assert user.check_password("Old-pass-2026!")
