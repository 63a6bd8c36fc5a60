"""A county administrator manages the tree: add, move, merge (撤并) and close organizations (issue 11 item 1)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dangjian.accounts.models import Role, RoleGrant
from dangjian.core.history import ActionError, NotFound
from dangjian.core.models import ChangeRecord
from dangjian.feedback import actions as feedback_actions
from dangjian.feedback.models import Case, CaseStat
from dangjian.organizations import tree
from dangjian.organizations.actions import ProfileInput, update_profile
from dangjian.organizations.models import Leader, Organization
from dangjian.policies.models import Policy
from dangjian.tests_support import factories as f


def _case(place) -> Case:
    case, _password, _created = feedback_actions.submit_case(
        place_id=place.pk, category="consult", title="路灯不亮", description="村口路灯坏了一个月了，请帮忙修一下。"
    )
    return case


def _village(county, name="东城镇新村党支部委员会", short="新村"):
    return tree.add_organization(
        county.county_admin, county.town_a.pk, tree.NewOrganizationInput(name=name, kind="village", short_name=short)
    )


def _state(*orgs):
    """What the database holds about these organizations, to show that a refusal changed nothing."""
    return [
        (o.path, o.parent_id, o.closed_at, o.merged_into_id)
        for o in Organization.objects.filter(pk__in=[x.pk for x in orgs])
    ]


# --- Add ----------------------------------------------------------------------------------------


def test_county_admin_adds_a_village_with_history(county, client):
    village = _village(county)
    assert village.parent == county.town_a
    assert village.path == f"{county.town_a.path}{village.pk:07d}/"
    assert village.depth == 2
    assert ChangeRecord.objects.filter(object_id=village.pk, action="create", organization=village).exists()
    assert "新村" in client.get(reverse("orgs:portal", args=[county.town_a.pk])).content.decode()


def test_add_refuses_a_kind_that_does_not_belong_below(county):
    with pytest.raises(ActionError):
        tree.add_organization(
            county.county_admin, county.county.pk, tree.NewOrganizationInput(name="某村党支部", kind="village")
        )
    assert not Organization.objects.filter(name="某村党支部").exists()


def test_add_refuses_a_duplicate_name_among_siblings(county):
    with pytest.raises(ActionError, match="王庄村"):
        tree.add_organization(
            county.county_admin,
            county.town_a.pk,
            tree.NewOrganizationInput(name=county.village_a1.name, kind="village"),
        )


def test_add_page_creates_the_village(county, client):
    client.force_login(county.county_admin)
    response = client.post(
        reverse("console:org_add", args=[county.town_a.pk]),
        {"name": "东城镇新村党支部委员会", "short_name": "新村", "kind": "village", "address": "", "phone": ""},
    )
    made = Organization.objects.get(short_name="新村")
    assert response.status_code == 302 and response.url == reverse("console:organization", args=[made.pk])


@pytest.mark.parametrize("who", ["town_a_admin", "village_a1_secretary", "town_a_media"])
def test_add_below_another_township_or_without_the_role_is_refused(county, client, who):
    client.force_login(getattr(county, who))
    target = county.town_b if who == "town_a_admin" else county.town_a
    response = client.post(reverse("console:org_add", args=[target.pk]), {"name": "伪造村", "kind": "village"})
    assert response.status_code == 403
    assert not Organization.objects.filter(name="伪造村").exists()


# --- Move ---------------------------------------------------------------------------------------


def test_moving_a_village_repaths_it_its_groups_and_the_cases(county, client, django_capture_on_commit_callbacks):
    group = f.OrganizationFactory(name="王庄村第一党小组", kind="group", parent=county.village_a1)
    case = _case(group)
    cached = client.get(reverse("orgs:portal", args=[county.village_a1.pk])).content.decode()
    assert f'<a href="/o/{county.town_a.pk}/">东城镇</a>' in cached
    with django_capture_on_commit_callbacks(execute=True):
        tree.move_organization(county.county_admin, county.village_a1.pk, county.town_b.pk)
    county.village_a1.refresh_from_db()
    group.refresh_from_db()
    case.refresh_from_db()
    assert county.village_a1.path == f"{county.town_b.path}{county.village_a1.pk:07d}/"
    assert group.path == f"{county.village_a1.path}{group.pk:07d}/" and group.depth == 3
    assert case.place_path == group.path
    assert set(CaseStat.objects.filter(organization=group).values_list("org_path", flat=True)) == {group.path}
    page = client.get(reverse("orgs:portal", args=[county.village_a1.pk])).content.decode()
    town_b_link = f'<a href="/o/{county.town_b.pk}/">西山乡</a>'
    town_a_link = f'<a href="/o/{county.town_a.pk}/">东城镇</a>'
    assert town_b_link in page and town_a_link not in page
    assert ChangeRecord.objects.filter(object_id=county.village_a1.pk, changes__has_key="parent").exists()


def test_a_moved_village_is_in_the_new_townships_scope(county):
    from dangjian.accounts.permissions import MANAGE_CONTENT, has_capability

    b_admin = f.staff("b_admin", Role.ORG_ADMIN, county.town_b)
    tree.move_organization(county.county_admin, county.village_a1.pk, county.town_b.pk)
    village = Organization.objects.get(pk=county.village_a1.pk)
    assert has_capability(b_admin, MANAGE_CONTENT, village)
    assert not has_capability(county.town_a_admin, MANAGE_CONTENT, village)


def test_move_into_its_own_subtree_is_refused(county):
    before = _state(county.town_a, county.village_a1)
    with pytest.raises(ActionError):
        tree.move_organization(county.county_admin, county.town_a.pk, county.village_a1.pk)
    assert _state(county.town_a, county.village_a1) == before


def test_township_admin_cannot_move_a_village_out_of_their_township(county, client):
    before = _state(county.village_a1)
    with pytest.raises(PermissionDenied):
        tree.move_organization(county.town_a_admin, county.village_a1.pk, county.town_b.pk)
    client.force_login(county.town_a_admin)
    response = client.post(reverse("console:org_move", args=[county.village_a1.pk]), {"new_parent": county.town_b.pk})
    assert response.status_code == 200 and "form" not in response.context
    assert _state(county.village_a1) == before


NOWHERE = "只能移到您管理范围内的组织下；需要跨乡镇移动请联系县里的管理员。"


@pytest.mark.parametrize("where", ["town_a", "village_a1"])
def test_a_township_admin_with_nowhere_to_move_to_is_told_why_without_a_button(county, client, where):
    """A township admin manages one township: a village of it has no other township to go to, and the township
    itself is moved by the county. The page says so, with no select and no button; no Move link leads there."""
    client.force_login(county.town_a_admin)
    response = client.get(reverse("console:org_move", args=[getattr(county, where).pk]))
    page = response.content.decode()
    assert response.status_code == 200 and NOWHERE in page
    assert "<select" not in page and ">移动</button>" not in page
    town_page = client.get(reverse("console:organization", args=[county.town_a.pk])).content.decode()
    village_page = client.get(reverse("console:organization", args=[county.village_a1.pk])).content.decode()
    move_url = reverse("console:org_move", args=[county.village_a1.pk])
    assert move_url not in town_page and move_url not in village_page
    assert reverse("console:org_close", args=[county.village_a1.pk]) in town_page
    client.force_login(county.county_admin)
    assert move_url in client.get(reverse("console:organization", args=[county.town_a.pk])).content.decode()


def test_township_admin_cannot_move_their_own_township(county):
    with pytest.raises(PermissionDenied):
        tree.move_organization(county.town_a_admin, county.town_a.pk, county.town_b.pk)


def test_village_secretary_cannot_open_the_move_page(county, client):
    client.force_login(county.village_a1_secretary)
    assert client.get(reverse("console:org_move", args=[county.village_a1.pk])).status_code == 403


# --- Merge (撤并村) -------------------------------------------------------------------------------


@pytest.fixture
def a1_content(county):
    """Village a1 with a leader, a policy, a case and a history of its own."""
    term = f.TermFactory(organization=county.village_a1)
    leader = f.LeaderFactory(term=term, organization=county.village_a1, name="王一")
    policy = f.PolicyFactory(issuer=county.village_a1, title="王庄村低保评议办法")
    update_profile(county.county_admin, county.village_a1.pk, ProfileInput(name=county.village_a1.name, intro="老简介"))
    return {"leader": leader, "policy": policy, "case": _case(county.village_a1)}


def test_the_confirmation_page_lists_what_will_move_before_anything_is_done(county, client, a1_content):
    client.force_login(county.county_admin)
    response = client.post(
        reverse("console:org_close", args=[county.village_a1.pk]), {"how": "merge", "merge_into": county.village_a2.pk}
    )
    plan = response.context["plan"]
    assert {line.label: line.count for line in plan.moving} == {
        "历届领导班子及成员（作为被撤并组织的往届班子保留，不并入现任班子）": 1,
        "本组织发布的政策": 1,
        "群众反馈": 1,
    }
    assert [g.user for g in plan.ended_roles] == [county.village_a1_secretary]
    page = response.content.decode()
    assert "李湾村" in page and county.village_a1_secretary.full_name in page
    county.village_a1.refresh_from_db()
    assert county.village_a1.closed_at is None
    assert Case.objects.get(pk=a1_content["case"].pk).place_id == county.village_a1.pk


def test_merging_a_village_moves_its_things_and_keeps_its_history(county, client, a1_content):
    client.force_login(county.county_admin)
    county.village_a1.refresh_from_db()
    response = client.post(
        reverse("console:org_close", args=[county.village_a1.pk]),
        {"how": "merge", "merge_into": county.village_a2.pk, "confirm": "1", "version": county.village_a1.version},
    )
    a1, a2 = county.village_a1, county.village_a2
    assert response.status_code == 302 and response.url == reverse("console:organization", args=[a2.pk])
    a1.refresh_from_db()
    assert a1.closed_at is not None and a1.merged_into == a2
    assert Leader.objects.get(pk=a1_content["leader"].pk).organization == a2
    policy = Policy.objects.get(pk=a1_content["policy"].pk)
    assert policy.issuer == a2 and policy.issuer_token == f"i{a2.pk}"
    case = Case.objects.get(pk=a1_content["case"].pk)
    assert (case.place, case.place_path) == (a2, a2.path)
    assert not CaseStat.objects.filter(organization=a1).exists()
    assert CaseStat.objects.filter(organization=a2).first().received == 1
    # Its history stays readable.
    history = client.get(reverse("console:history", args=["organization", a1.pk]))
    assert history.status_code == 200 and "老简介" in history.content.decode()
    # The secretary's role ended, recorded.
    assert not RoleGrant.objects.filter(organization=a1).exists()
    assert ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(RoleGrant), action="delete", organization=a1
    ).exists()


def test_a_merge_leaves_the_survivors_current_leaders_alone(county, client, a1_content, today):
    """撤并 of 王庄村 into 李湾村: 李湾村's public leaders page still shows one 党支部书记, its own; 王庄村's team
    follows as history, under "原王庄村第十届", ended on the merge date. The confirmation page says so."""
    import datetime

    a1, a2 = county.village_a1, county.village_a2
    own = f.TermFactory(organization=a2, name="第十一届", elected_on=today - datetime.timedelta(days=900))
    f.LeaderFactory(term=own, organization=a2, name="李二", post="党支部书记")
    # 王庄村's team was elected later than 李湾村's: it must still not become 李湾村's current team.
    Leader.objects.filter(pk=a1_content["leader"].pk).update(post="党支部书记")
    a1.terms.update(name="第十届", elected_on=today - datetime.timedelta(days=100))
    Organization.objects.filter(pk=a1.pk).update(short_name="王庄村")  # a1_content's profile edit cleared it
    client.force_login(county.county_admin)
    plan = client.post(
        reverse("console:org_close", args=[a1.pk]), {"how": "merge", "merge_into": a2.pk}
    ).content.decode()
    assert "作为被撤并组织的往届班子保留，不并入现任班子" in plan and "：<strong>1</strong>" in plan
    tree.close_organization(county.county_admin, a1.pk, merge_into_id=a2.pk)
    client.logout()
    response = client.get(f"/o/{a2.pk}/leaders/")
    assert [leader.name for leader in response.context["current"].leaders.all()] == ["李二"]
    assert response.context["past_terms"] == []
    [merged] = response.context["merged_terms"]
    assert merged.shown_name == "原王庄村第十届" and merged.ends_on == today
    page = response.content.decode()
    current_section = page[page.index('id="current-h"') : page.index('data-testid="merged-terms"')]
    assert current_section.count("党支部书记") == 1 and "王一" not in current_section
    assert "原王庄村第十届" in page[page.index('data-testid="merged-terms"') :] and "王一" in page
    home = client.get(f"/o/{a2.pk}/").content.decode()
    assert "李二" in home and "王一" not in home
    detail = client.get(f"/o/{a2.pk}/leaders/{a1_content['leader'].pk}/").content.decode()
    assert "原王庄村第十届" in detail


def test_old_links_of_a_merged_village_redirect_to_the_same_page_of_the_survivor(county, client, a1_content):
    tree.close_organization(county.county_admin, county.village_a1.pk, merge_into_id=county.village_a2.pk)
    a1, a2 = county.village_a1.pk, county.village_a2.pk
    for old, new in [
        (f"/o/{a1}/", f"/o/{a2}/?from={a1}"),
        (f"/o/{a1}/leaders/", f"/o/{a2}/leaders/?from={a1}"),
        (f"/o/{a1}/policies/?q=低保", f"/o/{a2}/policies/?q=%E4%BD%8E%E4%BF%9D&from={a1}"),
        (
            reverse("policies:detail", args=[a1, a1_content["policy"].pk]),
            f"/o/{a2}/policies/{a1_content['policy'].pk}/?from={a1}",
        ),
    ]:
        response = client.get(old)
        assert response.status_code == 301, old
        assert response.url == new
    assert client.get(f"/o/{a2}/policies/{a1_content['policy'].pk}/").status_code == 200


def test_a_merged_village_leaves_the_lists(county, client):
    tree.close_organization(county.county_admin, county.village_a1.pk, merge_into_id=county.village_a2.pk)
    assert "王庄村" not in client.get(reverse("orgs:portal", args=[county.town_a.pk])).content.decode()
    assert "王庄村" not in client.get(reverse("orgs:find"), {"q": "王庄"}).content.decode()
    client.force_login(county.county_admin)
    page = client.get(reverse("console:organization", args=[county.town_a.pk])).content.decode()
    assert reverse("console:organization", args=[county.village_a1.pk]) not in page
    form_page = client.get(reverse("feedback:submit", args=[county.town_a.pk])).content.decode()
    assert "王庄村" not in form_page


@pytest.mark.parametrize("who", ["county_admin", "town_a_admin", "town_a_media"])
def test_a_merged_village_leaves_the_dashboard_list_and_its_count(county, client, who):
    """我管理的组织（N 个）: a merged village is neither listed nor counted; its own console page stays."""
    user = getattr(county, who)
    client.force_login(user)
    before = client.get(reverse("console:dashboard")).context["organization_count"]
    tree.close_organization(county.county_admin, county.village_a1.pk, merge_into_id=county.village_a2.pk)
    response = client.get(reverse("console:dashboard"))
    assert response.context["organization_count"] == before - 1
    page = response.content.decode()
    assert reverse("console:organization", args=[county.village_a1.pk]) not in page
    assert client.get(reverse("console:organization", args=[county.village_a1.pk])).status_code == 200


def test_a_merged_village_has_no_row_of_zeros_in_the_figures(county, today):
    import datetime

    from dangjian.feedback import stats

    _case(county.village_a1)
    tree.close_organization(county.county_admin, county.village_a1.pk, merge_into_id=county.village_a2.pk)
    figures = stats.breakdown(county.town_a, today - datetime.timedelta(days=30), today)
    assert [row.label for row in figures["rows"]] == ["李湾村"]
    assert figures["rows"][0].received == 1 and figures["total"].received == 1


def test_merge_into_an_organization_outside_ones_tree_is_refused(county, client, a1_content):
    before = _state(county.village_a1)
    with pytest.raises(PermissionDenied):
        tree.close_organization(county.town_a_admin, county.village_a1.pk, merge_into_id=county.village_b1.pk)
    client.force_login(county.town_a_admin)
    client.post(
        reverse("console:org_close", args=[county.village_a1.pk]),
        {"how": "merge", "merge_into": county.village_b1.pk, "confirm": "1"},
    )
    assert _state(county.village_a1) == before
    assert Policy.objects.get(pk=a1_content["policy"].pk).issuer_id == county.village_a1.pk


def test_merge_into_itself_or_below_is_refused(county):
    group = f.OrganizationFactory(name="王庄村第一党小组", kind="group", parent=county.village_a1)
    with pytest.raises(ActionError):
        tree.close_organization(county.county_admin, county.village_a1.pk, merge_into_id=county.village_a1.pk)
    with pytest.raises(ActionError):
        tree.close_organization(county.county_admin, county.village_a1.pk, merge_into_id=group.pk)
    assert Organization.objects.get(pk=county.village_a1.pk).closed_at is None


def test_merge_of_an_organization_of_another_township_is_refused(county):
    with pytest.raises(PermissionDenied):
        tree.close_organization(county.town_a_admin, county.village_b1.pk, merge_into_id=county.village_a1.pk)
    assert Organization.objects.get(pk=county.village_b1.pk).closed_at is None


def test_a_village_secretary_cannot_merge_their_village(county, client):
    client.force_login(county.village_a1_secretary)
    response = client.post(
        reverse("console:org_close", args=[county.village_a1.pk]),
        {"how": "merge", "merge_into": county.village_a2.pk, "confirm": "1"},
    )
    assert response.status_code == 403
    assert Organization.objects.get(pk=county.village_a1.pk).closed_at is None


def test_merging_with_a_forged_target_id_changes_nothing(county):
    with pytest.raises(NotFound):
        tree.close_organization(county.county_admin, county.village_a1.pk, merge_into_id=999_999)
    assert Organization.objects.get(pk=county.village_a1.pk).closed_at is None


def test_a_township_admin_merges_two_of_their_villages(county):
    tree.close_organization(county.town_a_admin, county.village_a1.pk, merge_into_id=county.village_a2.pk)
    assert Organization.objects.get(pk=county.village_a1.pk).merged_into_id == county.village_a2.pk


def test_merge_or_close_is_an_explicit_choice_with_plain_chinese_messages(county, client, a1_content):
    """No default that silently closes: the choice is required, 撤并到 is required when merging, and a forged
    target gets a plain message, not Django's "选择一个有效的选项。 26 不在可用的选项中。"."""
    client.force_login(county.county_admin)
    url = reverse("console:org_close", args=[county.village_a1.pk])
    page = client.get(url).content.decode()
    assert 'type="radio"' in page and "checked" not in page and "data-picker" in page and "tom-select" in page
    cases = [
        ({"merge_into": "", "confirm": "1"}, "how", "请选择“撤并到其他组织”还是“直接撤销”。"),
        ({"how": "merge", "merge_into": "", "confirm": "1"}, "merge_into", "请选择要并入的组织。"),
        ({"how": "merge", "merge_into": 999_999}, "merge_into", "请从列表中选择要并入的组织。"),
        ({"how": "merge", "merge_into": county.village_a1.pk}, "merge_into", "请从列表中选择要并入的组织。"),
        ({"how": "merge", "merge_into": "26x", "confirm": "1"}, "merge_into", "请从列表中选择要并入的组织。"),
    ]
    for data, field, message in cases:
        response = client.post(url, data)
        assert response.status_code == 200 and response.context["form"].errors[field] == [message], data
        assert "不在可用的选项中" not in response.content.decode()
    assert Organization.objects.get(pk=county.village_a1.pk).closed_at is None
    # Choosing to close with a target still filled in closes without merging (the plan says 撤销, not 撤并).
    plan = client.post(url, {"how": "close", "merge_into": county.village_a2.pk}).context["plan"]
    assert plan.target is None


# --- Close without a merge ----------------------------------------------------------------------


def test_closing_a_village_that_still_has_policies_is_refused_in_chinese(county, client, a1_content):
    client.force_login(county.county_admin)
    response = client.post(
        reverse("console:org_close", args=[county.village_a1.pk]), {"how": "close", "merge_into": "", "confirm": "1"}
    )
    page = response.content.decode()
    assert "撤并到其他组织" in page and "本组织发布的政策 1" in page
    assert Organization.objects.get(pk=county.village_a1.pk).closed_at is None


def test_closing_an_empty_village_keeps_it_as_closed_and_its_links_lead_to_the_township(county, client):
    empty = _village(county)
    tree.close_organization(county.county_admin, empty.pk)
    empty.refresh_from_db()
    assert empty.closed_at is not None and empty.merged_into is None
    response = client.get(f"/o/{empty.pk}/")
    assert response.status_code == 301 and response.url == f"/o/{county.town_a.pk}/?from={empty.pk}"
    with pytest.raises(ActionError):
        tree.move_organization(county.county_admin, empty.pk, county.town_b.pk)


def _notice(response) -> str:
    page = response.content.decode()
    if 'data-testid="closed-notice"' not in page:
        return ""
    return page.split('data-testid="closed-notice">', 1)[1].split("</p>", 1)[0]


def test_an_old_link_of_a_closed_or_merged_village_says_where_the_villager_landed(county, client):
    """A villager's old WeChat link: the page landed on says the village was closed (or merged), and the plain
    page, cached for everybody else, never carries the notice."""
    empty = _village(county)
    plain = client.get(f"/o/{county.town_a.pk}/")  # cached before the village closes
    assert _notice(plain) == ""
    tree.close_organization(county.county_admin, empty.pk)
    landed = client.get(f"/o/{empty.pk}/", follow=True)
    assert landed.redirect_chain[-1][0] == f"/o/{county.town_a.pk}/?from={empty.pk}"
    assert _notice(landed) == "新村已撤销，现在显示的是上级组织东城镇的页面。"
    assert _notice(client.get(f"/o/{county.town_a.pk}/")) == ""
    assert _notice(client.get(f"/o/{county.town_a.pk}/?from={empty.pk}")) != ""  # from the cache, still right

    tree.close_organization(county.county_admin, county.village_a1.pk, merge_into_id=county.village_a2.pk)
    landed = client.get(f"/o/{county.village_a1.pk}/leaders/", follow=True)
    assert _notice(landed) == "王庄村已撤并到李湾村，现在显示的是李湾村的页面。"
    assert _notice(client.get(f"/o/{county.village_a2.pk}/leaders/")) == ""
    # A forged or unrelated `from` shows nothing: an open village, a closed one leading elsewhere, junk.
    for forged in [county.village_a2.pk, empty.pk, "x", "9" * 30]:
        assert _notice(client.get(f"/o/{county.village_a2.pk}/?from={forged}")) == ""
    assert client.get(f"/o/{county.village_a2.pk}/?from={'9' * 30}").status_code == 200


def test_a_merged_village_is_edited_no_more_but_a_form_opened_before_reaches_the_survivor(county, client, today):
    """Typed console URLs and raw POSTs for a merged village change nothing; a citizen's form opened before
    the merge is not lost: the case goes to the village it became part of."""
    from dangjian.accounts import actions as account_actions
    from dangjian.policies import actions as policy_actions

    tree.close_organization(county.county_admin, county.village_a1.pk, merge_into_id=county.village_a2.pk)
    before = Organization.objects.get(pk=county.village_a1.pk).name
    with pytest.raises(NotFound):
        update_profile(county.county_admin, county.village_a1.pk, ProfileInput(name="改名后的村"))
    with pytest.raises(NotFound):
        account_actions.grant_role(county.county_admin, county.village_a1.pk, county.nobody.pk, Role.SECRETARY)
    with pytest.raises(NotFound):
        policy_actions.save_policy(
            county.county_admin,
            county.village_a1.pk,
            policy_actions.PolicyInput(
                title="撤并后的新政策",
                category_id=f.category().pk,
                issued_on=today,
                effective_on=today,
                body="正文",
            ),
        )
    client.force_login(county.county_admin)
    response = client.post(reverse("console:profile_edit", args=[county.village_a1.pk]), {"name": "改名后的村"})
    assert response.status_code == 404
    assert Organization.objects.get(pk=county.village_a1.pk).name == before
    assert not RoleGrant.objects.filter(organization=county.village_a1, role=Role.SECRETARY, user=county.nobody)
    assert not Policy.objects.filter(title="撤并后的新政策").exists()

    case = _case(county.village_a1)
    assert case.place_id == county.village_a2.pk


# --- The profile's public phone -------------------------------------------------------------------


def test_the_public_phone_must_be_a_phone_number(county, client):
    """ "abc" is refused in Chinese, on the profile and on a new organization; the numbers in use stay valid."""
    from dangjian.organizations import demo_texts

    client.force_login(county.county_admin)
    url = reverse("console:profile_edit", args=[county.village_a1.pk])
    fields = {"name": county.village_a1.name, "short_name": "王庄村", "seen_version": county.village_a1.version}
    message = "请填写手机号或座机号码，例如 13812345678 或 0371-12345678。"
    for bad in ["abc", "12", "0371-1234567x", "13812345678abc"]:
        response = client.post(url, {**fields, "phone": bad})
        assert response.status_code == 200 and response.context["form"].errors["phone"] == [message], bad
    assert Organization.objects.get(pk=county.village_a1.pk).phone == ""
    added = client.post(
        reverse("console:org_add", args=[county.town_a.pk]),
        {"name": "东城镇新村党支部委员会", "short_name": "新村", "kind": "village", "phone": "abc"},
    )
    assert added.context["form"].errors["phone"] == [message]
    assert not Organization.objects.filter(short_name="新村").exists()
    good = [
        "0371-12345678",
        "037112345678",
        "(0371)1234567",
        "（0371）12345678",
        "0371 1234 5678",
        "13812345678",
        "138 1234 5678",
        "１３８１２３４５６７８",
        "0371-12345678转801",
        "12345",
        "400-123-4567",
        "0371-12345678、13812345678",
        demo_texts.COUNTY["phone"],
        "0571-86020110",
    ]
    for number in good:
        response = client.post(url, {**fields, "phone": number, "seen_version": ""})
        assert response.status_code == 302, (number, response.context["form"].errors)
        assert Organization.objects.get(pk=county.village_a1.pk).phone == number
