"""The registry's console pages: who sees what (masking), who is refused, search, filters, to-do lines."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.members import actions
from dangjian.members.actions import TransferInput
from dangjian.members.models import Member, MemberTransfer
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1980, 5, 6)
NUMBER = f.id_number(321, BIRTH)


def login(client, username: str):
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def li(county):
    return f.member(county.village_a1, "李建国", birth_date=BIRTH, id_number=NUMBER, mobile="13812345678")


def form_data(**overrides) -> dict:
    values = {
        "name": "王秀英",
        "sex": "f",
        "id_number": f.id_number(600, datetime.date(1990, 2, 3), "f"),
        "birth_date": "1990-02-03",
        "ethnicity": "汉族",
        "education": "college",
        "mobile": "13987654321",
        "joined_on": "2015-07-01",
        "category": "full",
        "full_member_on": "2016-07-01",
        "job": "村民",
        "committee_post": "",
    }
    values.update(overrides)
    return values


def test_branch_secretary_sees_the_full_mobile_and_a_masked_id(client, county, li):
    page = login(client, "a1_secretary").get(reverse("console:members", args=[county.village_a1.pk]))
    html = page.content.decode()
    assert "13812345678" in html
    assert NUMBER not in html and li.id_number_masked in html
    page = client.get(reverse("console:member", args=[li.pk]))
    assert "13812345678" in page.content.decode() and NUMBER not in page.content.decode()


def test_township_admin_sees_mobiles_masked_and_never_the_full_id(client, county, li):
    login(client, "town_a_admin")
    for url in (
        reverse("console:members", args=[county.town_a.pk]),
        reverse("console:members", args=[county.village_a1.pk]),
        reverse("console:member", args=[li.pk]),
        reverse("console:member_edit", args=[li.pk]),
    ):
        html = client.get(url).content.decode()
        assert "138****5678" in html, url
        assert "13812345678" not in html and NUMBER not in html, url


def test_the_history_page_shows_mobiles_masked(client, county):
    login(client, "a1_secretary")
    client.post(reverse("console:member_new", args=[county.village_a1.pk]), form_data())
    member = Member.objects.get()
    edit = form_data(mobile="13711112222", id_number="", seen_version=member.version)
    assert client.post(reverse("console:member_edit", args=[member.pk]), edit).status_code == 302
    html = login(client, "town_a_admin").get(reverse("console:history", args=["member", member.pk])).content.decode()
    assert "139****4321" in html and "137****2222" in html
    assert "13987654321" not in html and "13711112222" not in html


def test_township_list_has_the_branch_column(client, county, li):
    f.member(county.village_a2, "孙丽")
    html = login(client, "town_a_admin").get(reverse("console:members", args=[county.town_a.pk])).content.decode()
    assert "李建国" in html and "孙丽" in html and "王庄村" in html and "李湾村" in html


@pytest.mark.parametrize("role", ["secretary", "org_admin"])
def test_another_townships_staff_get_404(client, county, li, role):
    f.staff("town_b_staff", role, county.town_b)
    login(client, "town_b_staff")
    assert client.get(reverse("console:member", args=[li.pk])).status_code == 404
    assert client.get(reverse("console:member_edit", args=[li.pk])).status_code == 404
    assert client.get(reverse("console:members", args=[county.village_a1.pk])).status_code == 403
    response = client.post(reverse("console:member_edit", args=[li.pk]), form_data(name="改名"))
    assert response.status_code == 404
    li.refresh_from_db()
    assert li.name == "李建国"


def test_a_media_officer_cannot_open_the_registry(client, county, li):
    login(client, "town_a_media")
    assert client.get(reverse("console:members", args=[county.village_a1.pk])).status_code == 403
    assert client.get(reverse("console:member", args=[li.pk])).status_code == 404
    assert client.get(reverse("console:members_home")).status_code == 404
    response = client.post(reverse("console:member_new", args=[county.village_a1.pk]), form_data())
    assert response.status_code == 403
    assert Member.objects.count() == 1


def test_a_forged_member_id_in_a_raw_post_changes_nothing(client, county):
    other = f.member(county.village_b1, "赵六")
    login(client, "a1_secretary")
    for name in ("member_edit", "member_status", "member_transfer"):
        response = client.post(reverse(f"console:{name}", args=[other.pk]), {"name": "改名", "status": "deceased"})
        assert response.status_code == 404
    other.refresh_from_db()
    assert (other.name, other.status) == ("赵六", Member.Status.ACTIVE)


def test_adding_a_member_through_the_form(client, county):
    login(client, "a1_secretary")
    response = client.post(reverse("console:member_new", args=[county.village_a1.pk]), form_data())
    assert response.status_code == 302
    member = Member.objects.get()
    assert (member.name, member.organization) == ("王秀英", county.village_a1)


def test_bad_input_is_shown_under_the_field_with_the_input_kept(client, county):
    login(client, "a1_secretary")
    number = form_data()["id_number"]
    broken = number[:17] + ("0" if number[17] != "0" else "1")
    response = client.post(reverse("console:member_new", args=[county.village_a1.pk]), form_data(id_number=broken))
    html = response.content.decode()
    assert response.status_code == 200
    assert "校验码" in html or "校验位" in html
    assert 'value="王秀英"' in html
    assert not Member.objects.exists()


def test_a_duplicate_in_another_township_names_the_branch(client, county):
    number = form_data()["id_number"]
    f.member(county.village_b1, "赵六", id_number=number, birth_date=datetime.date(1990, 2, 3), sex="f")
    response = login(client, "a1_secretary").post(
        reverse("console:member_new", args=[county.village_a1.pk]), form_data()
    )
    assert f"该身份证号已登记在{county.village_b1.name}" in response.content.decode()
    assert Member.objects.count() == 1


def test_a_concurrent_edit_shows_the_conflict_message(client, county, li):
    login(client, "a1_secretary")
    seen = li.version
    Member.objects.filter(pk=li.pk).update(version=seen + 1, name="别人改的")
    data = form_data(name="李建军", id_number="", birth_date="1980-05-06", sex="m", seen_version=seen)
    response = client.post(reverse("console:member_edit", args=[li.pk]), data)
    assert response.status_code == 200
    assert "在您编辑期间有人修改了此记录" in response.content.decode()
    li.refresh_from_db()
    assert li.name == "别人改的"


def test_search_by_id_number_is_exact_only(client, county, li):
    f.member(county.village_a1, "孙丽")
    login(client, "town_a_admin")
    url = reverse("console:members", args=[county.town_a.pk])
    found = client.get(url, {"q": NUMBER}).content.decode()
    assert "李建国" in found and "孙丽" not in found
    partial = client.get(url, {"q": NUMBER[:10]}).content.decode()
    assert "李建国" not in partial
    by_name = client.get(url, {"q": "建国"}).content.decode()
    assert "李建国" in by_name and "孙丽" not in by_name


def test_filters_by_status_category_and_flag(client, county, li):
    f.member(county.village_a1, "孙丽", category="probationary", full_member_on=None, is_veteran=True)
    f.member(county.village_a1, "周强", status=Member.Status.DECEASED)
    login(client, "a1_secretary")
    url = reverse("console:members", args=[county.village_a1.pk])
    default = client.get(url).content.decode()
    assert "李建国" in default and "孙丽" in default and "周强" not in default
    assert "周强" in client.get(url, {"status": "deceased"}).content.decode()
    probationary = client.get(url, {"category": "probationary"}).content.decode()
    assert "孙丽" in probationary and "李建国" not in probationary
    veterans = client.get(url, {"flag": "veteran"}).content.decode()
    assert "孙丽" in veterans and "李建国" not in veterans


def _list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_page_makes_the_same_number_of_queries_for_more_members(client, county):
    group = f.OrganizationFactory(name="第一党小组", kind="group", parent=county.village_a1)
    for i in range(3):
        f.member(county.village_a1, f"成员{i}", party_group=group)
    login(client, "town_a_admin")
    url = reverse("console:members", args=[county.town_a.pk])
    _list_queries(client, url)
    few = _list_queries(client, url)
    for i in range(12):
        f.member(county.village_a2 if i % 2 else county.village_a1, f"新成员{i}", party_group=None if i % 2 else group)
    assert _list_queries(client, url) == few


def test_organization_page_links_to_the_members_with_their_count(client, county, li):
    f.member(county.village_a1, "周强", status=Member.Status.DECEASED)
    html = login(client, "a1_secretary").get(reverse("console:organization", args=[county.village_a1.pk])).content
    assert f'href="{reverse("console:members", args=[county.village_a1.pk])}"' in html.decode()
    assert "党员 (1)" in html.decode()


def test_transfer_pages_on_both_branches_and_the_todo_line(client, county, li):
    target_secretary = f.staff("b1_secretary", "secretary", county.village_b1)
    login(client, "a1_secretary")
    response = client.post(
        reverse("console:member_transfer", args=[li.pk]),
        {"to_organization": county.village_b1.pk, "left_on": timezone.localdate().isoformat(), "reason": "务工"},
    )
    assert response.status_code == 302
    transfer = MemberTransfer.objects.get()
    assert "等待其确认" in client.get(reverse("console:member", args=[li.pk])).content.decode()

    login(client, "b1_secretary")
    dashboard = client.get(reverse("console:dashboard")).content.decode()
    assert "1 名转入党员待您确认" in dashboard
    todo = client.get(reverse("console:members_home"), {"todo": "incoming"}).content.decode()
    assert todo.count('data-testid="todo-item"') == 1 and "李建国" in todo
    assert "李建国" in client.get(reverse("console:members", args=[county.village_b1.pk])).content.decode()
    response = client.post(
        reverse("console:member_receive", args=[transfer.pk]), {"arrived_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    li.refresh_from_db()
    assert li.organization == county.village_b1
    # Both branches' member pages list the transfer with its dates.
    for user, org in (("a1_secretary", county.village_a1), ("b1_secretary", county.village_b1)):
        html = login(client, user).get(reverse("console:members", args=[org.pk])).content.decode()
        assert html.count('data-testid="transfer"') == 1 and timezone.localdate().isoformat() in html
    assert target_secretary.pk


def test_the_target_cannot_be_confirmed_by_another_township(client, county, li):
    transfer = actions.transfer_member(
        county.village_a1_secretary, li.pk, TransferInput(county.village_a2.pk, timezone.localdate())
    )
    f.staff("b1_secretary", "secretary", county.village_b1)
    login(client, "b1_secretary")
    url = reverse("console:member_receive", args=[transfer.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"arrived_on": timezone.localdate().isoformat()}).status_code == 404
    li.refresh_from_db()
    assert li.organization == county.village_a1


def test_probation_todo_counts_what_its_list_shows(client, county, today, settings):
    ends_soon = today - datetime.timedelta(days=365) + datetime.timedelta(days=10)
    f.member(county.village_a1, "孙丽", category="probationary", full_member_on=None, joined_on=ends_soon)
    f.member(county.village_a1, "周强", category="probationary", full_member_on=None, joined_on=today)
    f.member(county.village_b1, "赵六", category="probationary", full_member_on=None, joined_on=ends_soon)
    login(client, "a1_secretary")
    dashboard = client.get(reverse("console:dashboard")).content.decode()
    assert "1 名预备党员预备期即将期满" in dashboard
    assert 'href="/console/members/?todo=probation"' in dashboard
    listed = client.get(reverse("console:members_home"), {"todo": "probation"}).content.decode()
    assert listed.count('data-testid="todo-item"') == 1 and "孙丽" in listed and "周强" not in listed


def test_the_step_pages_open_for_the_branch(client, county, li):
    f.staff("b1_secretary", "secretary", county.village_b1)
    login(client, "a1_secretary")
    for name in ("member_status", "member_transfer", "member_edit"):
        response = client.get(reverse(f"console:{name}", args=[li.pk]))
        assert response.status_code == 200 and "李建国" in response.content.decode(), name
    transfer = actions.transfer_member(
        county.village_a1_secretary, li.pk, TransferInput(county.village_b1.pk, timezone.localdate())
    )
    page = login(client, "b1_secretary").get(reverse("console:member_receive", args=[transfer.pk])).content.decode()
    assert "李建国" in page and li.id_number_masked in page and "13812345678" not in page


def test_status_change_through_the_form_refuses_a_future_date(client, county, li):
    login(client, "a1_secretary")
    url = reverse("console:member_status", args=[li.pk])
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(url, {"status": "deceased", "on": future})
    assert response.status_code == 200 and "日期不能晚于今天" in response.content.decode()
    li.refresh_from_db()
    assert li.status == Member.Status.ACTIVE
    response = client.post(url, {"status": "suspended", "on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    li.refresh_from_db()
    assert li.status == Member.Status.SUSPENDED


def test_a_revoked_secretary_is_refused_at_once(client, county, li):
    login(client, "a1_secretary")
    assert client.get(reverse("console:member", args=[li.pk])).status_code == 200
    county.village_a1_secretary.role_grants.all().delete()
    assert client.get(reverse("console:member", args=[li.pk])).status_code == 403
    response = client.post(reverse("console:member_edit", args=[li.pk]), form_data(name="改名"))
    assert response.status_code == 403
    li.refresh_from_db()
    assert li.name == "李建国"


def test_the_list_names_the_member_category_not_the_policy_category(client, county, li):
    html = login(client, "a1_secretary").get(reverse("console:members", args=[county.village_a1.pk])).content.decode()
    assert '<th scope="col">类别</th>' in html and "政策类别" not in html


def test_the_list_links_to_the_roster_import_and_the_members_accounts(client, county, li):
    html = login(client, "a1_secretary").get(reverse("console:members", args=[county.village_a1.pk])).content.decode()
    assert f'href="{reverse("console:roster_import", args=[county.village_a1.pk])}"' in html and "导入党员名册" in html
    assert f'href="{reverse("console:member_accounts", args=[county.village_a1.pk])}"' in html and "党员账号" in html
    # The import page leads back to the list.
    html = client.get(reverse("console:roster_import", args=[county.village_a1.pk])).content.decode()
    assert f'href="{reverse("console:members", args=[county.village_a1.pk])}"' in html


def test_the_member_page_offers_the_invitation_or_shows_the_account_state(client, county, li):
    from dangjian.members import accounts

    login(client, "a1_secretary")
    invite = reverse("console:member_invite", args=[li.pk])
    html = client.get(reverse("console:member", args=[li.pk])).content.decode()
    assert f'href="{invite}"' in html and "邀请党员开通账号" in html and "未开通" in html
    accounts.create_invitation(county.village_a1_secretary, li.pk)
    html = client.get(reverse("console:member", args=[li.pk])).content.decode()
    assert "已邀请（有效至" in html and f'href="{invite}"' not in html
    li.user = User.objects.create_user("li_account", password=PASSWORD)
    li.save()
    html = client.get(reverse("console:member", args=[li.pk])).content.decode()
    assert "已开通" in html and f'href="{invite}"' not in html
    # Without a mobile, or off the roll, no invitation is offered.
    no_mobile = f.member(county.village_a1, "钱七", mobile="")
    html = client.get(reverse("console:member", args=[no_mobile.pk])).content.decode()
    assert "未登记手机号" in html and reverse("console:member_invite", args=[no_mobile.pk]) not in html
    gone = f.member(county.village_a1, "孙八", mobile="13900001111", status=Member.Status.DECEASED)
    html = client.get(reverse("console:member", args=[gone.pk])).content.decode()
    assert reverse("console:member_invite", args=[gone.pk]) not in html and 'data-testid="account-state"' not in html


@pytest.mark.parametrize("name", ["<b>测试</b>李四<script>alert(1)</script>", "李四2", "李\x07四", "张三\n李四"])
def test_a_name_with_markup_digits_or_control_characters_is_refused(client, county, name):
    login(client, "a1_secretary")
    response = client.post(reverse("console:member_new", args=[county.village_a1.pk]), form_data(name=name))
    assert response.status_code in (200, 400)
    assert "姓名只能包含汉字、字母和间隔号" in response.content.decode()
    assert not Member.objects.exists()


@pytest.mark.parametrize("name", ["阿依古丽·买买提", "李 四", "Maria Müller"])
def test_names_of_minorities_and_in_letters_are_accepted(client, county, name):
    login(client, "a1_secretary")
    response = client.post(reverse("console:member_new", args=[county.village_a1.pk]), form_data(name=name))
    assert response.status_code == 302
    assert Member.objects.get().name == name
