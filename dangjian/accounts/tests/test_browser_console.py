"""Journey 4 in a real browser: staff sign in, work in the console within their subtree."""

import datetime

import pytest
from PIL import Image
from playwright.sync_api import expect

from dangjian.accounts.models import RoleGrant
from dangjian.conftest import assert_accessible
from dangjian.core.models import ChangeRecord
from dangjian.organizations.models import Leader
from dangjian.tests_support.browser import sign_in
from dangjian.tests_support.factories import PASSWORD, PolicyFactory, TermFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_media_officer_maintains_leaders_and_policies_in_own_subtree(phone, county, today, tmp_path):
    TermFactory(
        organization=county.village_a1,
        name="第十一届",
        elected_on=today - datetime.timedelta(days=1800),
        ends_on=today + datetime.timedelta(days=45),
    )
    policy = PolicyFactory(issuer=county.town_a, title="东城镇人居环境整治方案")
    photo = tmp_path / "leader.jpg"
    Image.new("RGB", (2400, 3000), (120, 20, 20)).save(photo, format="JPEG")

    sign_in(phone, "13900000002")  # by mobile number
    assert phone.locator("h1").inner_text() == "管理后台"
    warnings = phone.locator(".warnings").inner_text()
    assert "东城镇王庄村党支部委员会" in warnings and "第十一届" in warnings
    assert "中共测试县西山乡委员会" not in phone.locator("main").inner_text()
    assert_accessible(phone)

    phone.get_by_role("link", name="东城镇王庄村党支部委员会").first.click()
    phone.get_by_role("link", name="新增领导").click()
    phone.get_by_label("姓名").fill("赵新民")
    phone.get_by_label("职务").fill("党支部书记")
    phone.get_by_label("分工").fill("主持支部全面工作")
    phone.get_by_label("照片").set_input_files(str(photo))
    assert_accessible(phone)
    phone.get_by_role("button", name="保存").click()
    assert "领导信息已保存" in phone.locator(".messages").inner_text()
    leader = Leader.objects.get(name="赵新民")
    with Image.open(leader.photo.path) as stored:
        assert max(stored.size) == 1200

    phone.goto(f"/o/{county.village_a1.pk}/leaders/")
    assert "赵新民" in phone.locator("main").inner_text()
    assert phone.locator("img[src*='leaders/']").count() == 1

    phone.goto(f"/console/o/{county.town_a.pk}/policies/{policy.pk}/")
    phone.get_by_label("标题").fill("东城镇农村人居环境整治提升方案")
    phone.get_by_role("button", name="保存").click()
    assert "政策已保存" in phone.locator(".messages").inner_text()
    history = phone.locator("#history-h + ol").inner_text()
    assert "东城镇人居环境整治方案" in history and "town_a_media" not in history
    record = ChangeRecord.objects.get(object_id=policy.pk, action="update")
    assert record.actor == county.town_a_media

    response = phone.goto(f"/console/o/{county.village_b1.pk}/leaders/new/")
    assert response.status == 403


def test_county_admin_grants_a_role_in_a_village(phone, county):
    sign_in(phone, "county_admin")
    phone.goto(f"/console/o/{county.village_b1.pk}/roles/")
    phone.get_by_label("被授权人的用户名或手机号").fill("nobody")
    phone.locator("#id_role").select_option("media_officer")
    assert_accessible(phone)
    phone.get_by_role("button", name="授予").click()
    assert "角色已授予" in phone.locator(".messages").inner_text()
    assert RoleGrant.objects.filter(user=county.nobody, organization=county.village_b1).exists()


def test_wrong_password_then_right_one(phone, county):
    phone.goto("/accounts/login/")
    phone.get_by_label("用户名或手机号").fill("town_a_media")
    phone.get_by_label("密码").fill("not the password")
    phone.get_by_role("button", name="登录").click()
    assert "用户名/手机号或密码错误" in phone.locator("form").inner_text()
    assert_accessible(phone)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    expect(phone.locator("h1")).to_have_text("管理后台")
