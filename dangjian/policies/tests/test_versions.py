"""Issue 11 item 11: policies in force first, versions of a policy grouped under its newest one, and
policies not yet in force marked and never leading a portal's block."""

import datetime

import pytest
from django.urls import reverse

from dangjian.core.history import InvalidInput
from dangjian.core.models import ChangeRecord
from dangjian.policies import actions
from dangjian.policies.models import Policy
from dangjian.tests_support.factories import PASSWORD, PolicyFactory, category

from .test_library import listed, policy_data

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _expired(today, **kwargs):
    return PolicyFactory(
        issued_on=today - 900 * DAY, effective_on=today - 900 * DAY, expires_on=today - 10 * DAY, **kwargs
    )


def _pending(today, **kwargs):
    return PolicyFactory(issued_on=today - DAY, effective_on=today + 30 * DAY, **kwargs)


def test_the_list_shows_policies_in_force_first(client, county, today):
    _expired(today, issuer=county.county, title="最新发布但已失效")
    _pending(today, issuer=county.county, title="尚未施行的")
    PolicyFactory(issuer=county.county, title="现行旧政策", issued_on=today - 400 * DAY)
    PolicyFactory(issuer=county.county, title="现行新政策", issued_on=today - 2 * DAY)
    Policy.objects.filter(title="最新发布但已失效").update(issued_on=today)
    assert listed(client, county.village_a1) == ["现行新政策", "现行旧政策", "尚未施行的", "最新发布但已失效"]


def test_search_results_show_policies_in_force_first(client, county, today):
    # The expired one matches better (the word in its title), yet the one in force comes first.
    _expired(today, issuer=county.county, title="宅基地审批办法", body="宅基地审批。宅基地。")
    PolicyFactory(issuer=county.county, title="农村建房管理办法", body="建房须办理宅基地审批手续。")
    assert listed(client, county.village_a1, q="宅基地") == ["农村建房管理办法", "宅基地审批办法"]
    # The same through the other search path (a filter besides the words).
    assert listed(client, county.village_a1, q="宅基地", level="0") == ["农村建房管理办法", "宅基地审批办法"]


def test_a_policy_not_yet_in_force_is_marked_with_its_date(client, county, today):
    policy = _pending(today, issuer=county.county, title="新的补贴办法")
    html = client.get(reverse("policies:list", args=[county.village_a1.pk])).content.decode()
    assert f"尚未施行，{policy.effective_on:%Y-%m-%d}起施行" in html


def test_a_policy_not_yet_in_force_does_not_lead_the_portal_block(client, county, today):
    PolicyFactory(issuer=county.county, title="现行的老政策", issued_on=today - 300 * DAY)
    _pending(today, issuer=county.town_a, title="下月施行的新政策")
    html = client.get(reverse("orgs:portal", args=[county.village_a1.pk])).content.decode()
    assert html.index("现行的老政策") < html.index("下月施行的新政策")
    assert "尚未施行，" in html


# --- versions ---------------------------------------------------------------------------------


@pytest.fixture
def media_client(client, county):
    assert client.login(username="town_a_media", password=PASSWORD)
    return client


def _amend(media_client, county, old, **overrides):
    data = policy_data(title="东城镇危房改造补助办法（2026年修订）", replaces=old.pk, **overrides)
    response = media_client.post(reverse("console:policy_new", args=[county.town_a.pk]), data)
    assert response.status_code == 302, response.content.decode()
    return Policy.objects.get(title=data["title"])


def test_the_editor_names_the_policy_a_new_one_replaces_and_lists_show_it_once(media_client, client, county):
    old = PolicyFactory(issuer=county.town_a, title="东城镇危房改造补助办法", body="危房改造补助每户一万元。")
    new = _amend(media_client, county, old, body="危房改造补助每户两万元。")
    assert new.replaces == old
    old.refresh_from_db()
    assert old.superseded
    record = ChangeRecord.objects.get(object_id=new.pk, action="create")
    assert record.actor == county.town_a_media
    media_client.logout()
    assert listed(client, county.village_a1) == [new.title]
    # A search finds the newest version only, not the old one beside it.
    assert listed(client, county.village_a1, q="危房改造") == [new.title]
    assert listed(client, county.village_a1, q="危房改造", level="1") == [new.title]
    html = client.get(reverse("policies:list", args=[county.village_a1.pk])).content.decode()
    assert "历史版本 1" in html and f"/policies/{new.pk}/#versions" in html


def test_the_newest_version_lists_the_older_ones_and_an_old_one_names_its_replacement(media_client, client, county):
    first = PolicyFactory(issuer=county.town_a, title="办法（2020年版）")
    second = _amend(media_client, county, first)
    media_client.logout()
    page = client.get(reverse("policies:detail", args=[county.village_a1.pk, second.pk])).content.decode()
    assert 'id="versions"' in page and f"/policies/{first.pk}/" in page and "办法（2020年版）" in page
    old_page = client.get(reverse("policies:detail", args=[county.village_a1.pk, first.pk]))
    assert old_page.status_code == 200  # old links keep working
    text = old_page.content.decode()
    assert "本政策已被" in text and f"/policies/{second.pk}/" in text and "替代/修订" in text


def test_three_versions_count_two_earlier_ones(client, county):
    county_admin = county.county_admin
    first = PolicyFactory(issuer=county.county, title="第一版")
    second = actions.save_policy(county_admin, county.county.pk, _input(title="第二版", replaces_id=first.pk))
    third = actions.save_policy(county_admin, county.county.pk, _input(title="第三版", replaces_id=second.pk))
    response = client.get(reverse("policies:list", args=[county.village_a1.pk]))
    assert [(r["policy"].title, r["older"]) for r in response.context["results"]] == [("第三版", 2)]
    assert [v.title for v in third.versions()] == ["第三版", "第二版", "第一版"]


def test_unpublishing_or_deleting_the_new_version_brings_the_old_one_back(media_client, client, county):
    old = PolicyFactory(issuer=county.town_a, title="旧版办法")
    new = _amend(media_client, county, old)
    url = reverse("console:policy_edit", args=[county.town_a.pk, new.pk])
    data = policy_data(title=new.title, replaces=old.pk, seen_version=new.version)
    del data["is_published"]
    assert media_client.post(url, data).status_code == 302
    assert listed(client, county.village_a1) == ["旧版办法"]
    new.refresh_from_db()
    actions.delete_policy(county.town_a_media, county.town_a.pk, new.pk)
    old.refresh_from_db()
    assert not old.superseded and listed(client, county.village_a1) == ["旧版办法"]


def _input(**overrides):
    data = {
        "title": "办法",
        "category_id": category("housing").pk,
        "issued_on": datetime.date(2026, 1, 5),
        "effective_on": datetime.date(2026, 1, 5),
        "body": "正文。",
    }
    data.update(overrides)
    return actions.PolicyInput(**data)


def test_a_policy_of_another_branch_cannot_be_named_as_replaced(media_client, county):
    """Raw POST with the id of a policy outside the issuer's subtree (another township, the county above)."""
    for other in [PolicyFactory(issuer=county.town_b), PolicyFactory(issuer=county.county)]:
        data = policy_data(title="越权替代", replaces=other.pk)
        response = media_client.post(reverse("console:policy_new", args=[county.town_a.pk]), data)
        assert response.status_code == 200
        assert "请从列表中选择被替代的政策" in response.content.decode()
        other.refresh_from_db()
        assert not other.superseded and not Policy.objects.filter(title="越权替代").exists()


def test_the_action_refuses_another_branch_a_second_replacement_and_a_loop(county):
    admin = county.town_a_admin
    other = PolicyFactory(issuer=county.town_b)
    with pytest.raises(InvalidInput):
        actions.save_policy(admin, county.town_a.pk, _input(replaces_id=other.pk))
    old = PolicyFactory(issuer=county.village_a1)  # a village below the township: allowed
    new = actions.save_policy(admin, county.town_a.pk, _input(title="新版", replaces_id=old.pk))
    with pytest.raises(InvalidInput):  # already replaced by another
        actions.save_policy(admin, county.town_a.pk, _input(title="又一版", replaces_id=old.pk))
    with pytest.raises(InvalidInput):  # the old one cannot replace its own newer version
        actions.save_policy(
            admin, county.village_a1.pk, _input(replaces_id=new.pk), policy_id=old.pk, expected_version=old.version
        )
    assert not Policy.objects.filter(title="又一版").exists()


def test_the_editor_offers_only_policies_of_its_subtree_not_yet_replaced(media_client, county):
    mine = PolicyFactory(issuer=county.village_a1, title="本镇村的政策")
    PolicyFactory(issuer=county.town_b, title="他乡的政策")
    PolicyFactory(issuer=county.county, title="县里的政策")
    html = media_client.get(reverse("console:policy_new", args=[county.town_a.pk])).content.decode()
    assert f'value="{mine.pk}"' in html and "本镇村的政策" in html
    assert "他乡的政策" not in html and "县里的政策" not in html
    assert "本政策替代/修订了" in html and "无（独立的新政策）" in html


def test_pages_run_on_from_policies_in_force_to_those_to_come_and_expired(client, county, today):
    for n in range(22):
        PolicyFactory(issuer=county.county, title=f"现行{n:02d}", issued_on=today - (100 + n) * DAY)
    _pending(today, issuer=county.county, title="将施行")
    _expired(today, issuer=county.county, title="已失效")
    first = listed(client, county.village_a1)
    assert first == [f"现行{n:02d}" for n in range(20)]
    assert listed(client, county.village_a1, page=2) == ["现行20", "现行21", "将施行", "已失效"]
    html = client.get(reverse("policies:list", args=[county.village_a1.pk])).content.decode()
    assert "共 24 条政策" in html
