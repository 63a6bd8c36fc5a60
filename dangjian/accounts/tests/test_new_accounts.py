"""An administrator makes a new person's account and grants their role in one step (issue 11 item 1)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dangjian.accounts import actions
from dangjian.accounts.models import Role, RoleGrant, User
from dangjian.core.history import ActionError
from dangjian.core.models import ChangeRecord


def _post(client, org, **data):
    fields = {"full_name": "赵新民", "mobile": "13912345678", "role": Role.SECRETARY, **data}
    return client.post(reverse("console:account_new", args=[org.pk]), fields)


def test_granting_to_an_unknown_mobile_offers_to_create_the_account(county, client):
    client.force_login(county.county_admin)
    response = client.post(
        reverse("console:roles", args=[county.village_a1.pk]), {"login": "13912345678", "role": Role.SECRETARY}
    )
    page = response.content.decode()
    assert "没有使用此用户名或手机号的账号" in page
    assert reverse("console:account_new", args=[county.village_a1.pk]) in page


def test_the_administrator_creates_the_account_and_sees_the_one_time_password_once(county, client):
    client.force_login(county.county_admin)
    response = _post(client, county.village_a1)
    assert response.status_code == 200
    assert "no-store" in response.headers.get("Cache-Control", "")
    password = response.context["made"].password
    shown = "".join(response.context["made"].password_groups)
    assert shown == password and "此密码只显示这一次" in response.content.decode()
    assert "".join(f"<span>{group}</span>" for group in response.context["made"].password_groups) in (
        response.content.decode()
    )
    user = User.objects.get(mobile="13912345678")
    assert user.full_name == "赵新民" and user.personal_name == "赵新民" and user.must_change_password
    assert user.check_password(password) and password not in user.password
    grant = RoleGrant.objects.get(user=user)
    assert (grant.organization, grant.role, grant.granted_by) == (
        county.village_a1,
        Role.SECRETARY,
        county.county_admin,
    )
    for model in (User, RoleGrant):
        assert ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(model), action="create", organization=county.village_a1
        ).exists()
    # The roles page does not show the password again.
    assert password not in client.get(reverse("console:roles", args=[county.village_a1.pk])).content.decode()


def test_the_new_person_must_choose_their_own_password_at_first_sign_in(county, client):
    made = actions.create_account_with_role(
        county.county_admin, county.village_a1.pk, "赵新民", "13912345678", "secretary"
    )
    response = client.post(
        reverse("accounts:login"), {"username": "13912345678", "password": made.password}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:password_change"))
    assert "一次性初始密码" in response.content.decode()
    assert client.get(reverse("console:organization", args=[county.village_a1.pk])).status_code == 302
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": made.password,
            "new_password1": "清河村 2026 自己的密码",
            "new_password2": "清河村 2026 自己的密码",
        },
    )
    assert response.status_code == 302
    made.user.refresh_from_db()
    assert not made.user.must_change_password
    assert client.get(reverse("console:organization", args=[county.village_a1.pk])).status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"mobile": "1391234567"}, "mobile"),
        ({"mobile": "23912345678"}, "mobile"),
        ({"mobile": "13900000001"}, "mobile"),  # the county administrator's own number
        ({"full_name": "  "}, "full_name"),
    ],
)
def test_bad_or_duplicate_input_is_refused_in_chinese_and_nothing_is_made(county, client, data, field):
    client.force_login(county.county_admin)
    before = User.objects.count()
    response = _post(client, county.village_a1, **data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert User.objects.count() == before
    if data.get("mobile") == "13900000001":
        assert "已有使用此手机号的账号" in response.content.decode()


def test_the_discipline_role_is_not_granted_this_way(county):
    with pytest.raises(ActionError):
        actions.create_account_with_role(
            county.county_admin, county.village_a1.pk, "赵新民", "13912345678", "discipline"
        )
    assert not User.objects.filter(mobile="13912345678").exists()


@pytest.mark.parametrize(
    ("who", "org"),
    [("town_a_admin", "village_b1"), ("village_a1_secretary", "village_a1"), ("town_a_media", "village_a1")],
)
def test_someone_who_may_not_grant_there_is_refused_and_nothing_is_made(county, client, who, org):
    with pytest.raises(PermissionDenied):
        actions.create_account_with_role(
            getattr(county, who), getattr(county, org).pk, "赵新民", "13912345678", "secretary"
        )
    client.force_login(getattr(county, who))
    assert _post(client, getattr(county, org)).status_code == 403
    assert not User.objects.filter(mobile="13912345678").exists()


def test_a_township_admin_creates_a_secretary_for_their_village(county):
    made = actions.create_account_with_role(
        county.town_a_admin, county.village_a2.pk, "钱立", "13912345679", "secretary"
    )
    assert made.grant.organization == county.village_a2


def test_the_role_starts_at_please_choose_and_is_required(county, client):
    """Nobody grants administrator rights by accident: no role is preselected, and none chosen is refused."""
    client.force_login(county.county_admin)
    page = client.get(reverse("console:account_new", args=[county.village_a1.pk])).content.decode()
    select = page[page.index('name="role"') : page.index("</select>", page.index('name="role"'))]
    assert '<option value="" selected>请选择</option>' in select and select.count("selected") == 1
    for role, message in [("", "请选择要授予的角色。"), ("discipline", "请从列表中选择要授予的角色。")]:
        response = _post(client, county.village_a1, role=role)
        assert response.context["form"].errors["role"] == [message]
    assert not User.objects.filter(mobile="13912345678").exists()
    # The roles page's grant form too.
    roles = client.get(reverse("console:roles", args=[county.village_a1.pk])).content.decode()
    assert '<option value="" selected>请选择</option>' in roles
    response = client.post(reverse("console:roles", args=[county.village_a1.pk]), {"login": "nobody"})
    assert response.context["form"].errors["role"] == ["请选择要授予的角色。"]
    assert not RoleGrant.objects.filter(user=county.nobody).exists()


def test_the_one_time_password_reads_aloud_without_look_alikes():
    """Lowercase letters and digits only, no 0/o, 1/l/i; longer, so at least as strong as the 10 mixed-case signs."""
    import math

    passwords = [actions.initial_password() for _i in range(200)]
    assert all(len(p) == 12 for p in passwords)
    used = set("".join(passwords))
    assert used <= set("abcdefghjkmnpqrstuvwxyz23456789") and not used & set("0o1liIOL")
    assert math.log2(len(actions.PASSWORD_ALPHABET)) * 12 >= math.log2(55) * 10
