"""Journey 1 without a browser: walking the tree and what each portal shows."""

import datetime

import pytest
from django.urls import reverse

from dangjian.organizations import actions
from dangjian.tests_support.factories import LeaderFactory, PolicyFactory, TermFactory

pytestmark = pytest.mark.django_db


def test_home_shows_the_county_portal(client, county):
    html = client.get("/").content.decode()
    assert "中共测试县委员会" in html
    assert "东城镇" in html and "西山乡" in html  # children listed


def test_village_portal_has_breadcrumbs_up_to_the_county(client, county):
    html = client.get(reverse("orgs:portal", args=[county.village_a1.pk])).content.decode()
    assert f'href="{reverse("orgs:portal", args=[county.county.pk])}"' in html
    assert f'href="{reverse("orgs:portal", args=[county.town_a.pk])}"' in html
    crumbs = html.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert crumbs.index("测试县") < crumbs.index("东城镇") < crumbs.index("王庄村")


def test_portal_shows_current_leadership_team(client, county):
    old = TermFactory(
        organization=county.town_a,
        name="第十五届",
        elected_on=datetime.date(2016, 9, 1),
        ends_on=datetime.date(2021, 9, 1),
    )
    LeaderFactory(term=old, name="旧书记")
    current = TermFactory(organization=county.town_a, name="第十六届")
    LeaderFactory(term=current, name="陈立新", post="党委书记")
    html = client.get(reverse("orgs:portal", args=[county.town_a.pk])).content.decode()
    assert "第十六届" in html and "陈立新" in html and "党委书记" in html
    assert "旧书记" not in html


def test_portal_lists_own_and_ancestor_policies_newest_first(client, county, today):
    PolicyFactory(issuer=county.county, title="县级较早政策", issued_on=today - datetime.timedelta(days=20))
    PolicyFactory(issuer=county.town_a, title="镇级最新政策", issued_on=today - datetime.timedelta(days=1))
    PolicyFactory(issuer=county.village_a1, title="村级中间政策", issued_on=today - datetime.timedelta(days=10))
    PolicyFactory(issuer=county.town_b, title="别的乡政策")
    PolicyFactory(issuer=county.village_a2, title="邻村政策")
    html = client.get(reverse("orgs:portal", args=[county.village_a1.pk])).content.decode()
    assert html.index("镇级最新政策") < html.index("村级中间政策") < html.index("县级较早政策")
    assert "别的乡政策" not in html and "邻村政策" not in html


def test_portal_shows_a_change_at_once(client, county, django_capture_on_commit_callbacks):
    url = reverse("orgs:portal", args=[county.village_a1.pk])
    client.get(url)  # fills the page cache
    village = county.village_a1
    data = actions.ProfileInput(name=village.name, short_name=village.short_name, intro="刚刚更新的简介")
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_profile(county.town_a_media, village.pk, data)
    assert "刚刚更新的简介" in client.get(url).content.decode()


def test_leader_page_shows_post_duties_cv_and_term(client, county):
    term = TermFactory(
        organization=county.village_a1,
        name="第十二届",
        elected_on=datetime.date(2026, 3, 15),
        ends_on=datetime.date(2031, 3, 15),
    )
    leader = LeaderFactory(
        term=term,
        name="王秀兰",
        post="党支部书记、村委会主任",
        duties="主持支部全面工作",
        cv="1975年出生，大专学历。",
        contact="0571-86000000",
    )
    html = client.get(reverse("orgs:leader", args=[county.village_a1.pk, leader.pk])).content.decode()
    for text in [
        "王秀兰",
        "党支部书记、村委会主任",
        "主持支部全面工作",
        "1975年出生，大专学历。",
        "第十二届",
        "2026-03-15",
        "2031-03-15",
        "0571-86000000",
    ]:
        assert text in html


def test_leader_of_another_organization_is_not_found_under_this_portal(client, county):
    leader = LeaderFactory(term=TermFactory(organization=county.village_b1))
    assert client.get(reverse("orgs:leader", args=[county.village_a1.pk, leader.pk])).status_code == 404


def test_unknown_organization_is_not_found(client, county):
    assert client.get("/o/999999/").status_code == 404


def test_portal_page_query_count_is_bounded(client, county, django_assert_max_num_queries):
    term = TermFactory(organization=county.village_a1)
    leaders = [LeaderFactory(term=term) for _ in range(8)]
    policies = [PolicyFactory(issuer=county.county) for _ in range(12)]
    with django_assert_max_num_queries(12):  # 9: the latest news block (publishing) is one more; 10: courses;
        # 11, 12: the exchange's blocks (the residents' room to join, the latest answered questions)
        response = client.get(reverse("orgs:portal", args=[county.village_a1.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert all(f'<span class="leader-name">{leader.name}</span>' in html for leader in leaders)
    # The newest policies that apply here (same issue date: the last created first), and no older ones.
    newest = sorted(policies, key=lambda p: p.pk, reverse=True)
    shown = [p for p in newest if p.title in html]
    assert shown == newest[:8]  # the portal lists 8


def test_section_menu_marks_the_current_section(client, county):
    html = client.get(reverse("policies:list", args=[county.village_a1.pk])).content.decode()
    menu = html.split('class="section-nav"')[1].split("</nav>")[0]
    assert f'href="{reverse("policies:list", args=[county.village_a1.pk])}" aria-current="page"' in menu
    assert menu.count('aria-current="page"') == 1


def test_a_villager_finds_the_village_by_typing_its_name_from_the_home_page(client, county):
    """Issue 11 item 12: not only by scrolling two levels of 下级组织 lists."""
    home = client.get("/").content.decode()
    assert 'action="/find/"' in home and "查找您所在的村（社区）" in home
    page = client.get("/find/", {"q": "王庄"}).content.decode()
    assert f'<a href="/o/{county.village_a1.pk}/">东城镇王庄村党支部委员会</a>' in page
    assert "东城镇" in page[page.index("find-results") :]  # which township it is in
    assert "李湾村" not in page[page.index("find-results") :]
    both = client.get("/find/", {"q": "西山 石桥"}).content.decode()
    assert f'href="/o/{county.village_b1.pk}/"' in both and f'href="/o/{county.town_b.pk}/"' not in both


def test_finding_nothing_or_odd_input_says_so_in_chinese(client, county):
    page = client.get("/find/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "没有名称含“&lt;script&gt;alert(1" in page and "<script>alert" not in page
    assert client.get("/find/", {"q": "村" * 500}).status_code == 200
    assert "找到" not in client.get("/find/").content.decode().split("<main")[1].split("</form>")[1]


def test_a_village_portal_has_no_find_box(client, county):
    assert 'action="/find/"' not in client.get(f"/o/{county.village_a1.pk}/").content.decode()
