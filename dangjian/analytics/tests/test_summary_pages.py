"""The console's summary pages (使用汇总): an organization's subtree totals by period from the rollups, its
children's table sortable by any column, the drill-down and the way back up, the trend as a table, and the rows
behind each figure, as many as the figure says; and who may see what."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.analytics import queries, rollups
from dangjian.analytics.periods import Period
from dangjian.analytics.rows import has_rows
from dangjian.core.registry import UsageMetric, registry
from dangjian.organizations.models import Organization
from dangjian.tests_support import factories as f

from .summary_support import PERIOD, fill, links, text

pytestmark = pytest.mark.django_db


def summary_url(organization, query=f"period={PERIOD}") -> str:
    return reverse("console:summary", args=[organization.pk]) + (f"?{query}" if query else "")


def rows_url(organization, key, period=PERIOD) -> str:
    return reverse("console:summary_rows", args=[organization.pk, key, period])


def value(html, key) -> str:
    """The figure shown for a metric (without the words for screen readers after it)."""
    return text(html, f"value-{key}").split(" ")[0]


def _open(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def filled(county):
    return fill(county)


# --- What the page shows -------------------------------------------------------------------------


def test_the_county_sees_its_subtree_totals_by_group_in_chinese(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.county))
    assert "<h1>中共测试县委员会使用汇总</h1>" in html
    assert text(html, "summary-period").startswith("时期：2026年3月")
    assert "互动" in text(html, "group-interaction")
    assert "覆盖" in text(html, "group-reach")
    assert value(html, "feedback.received") == "4"
    assert value(html, "exchange.messages") == "5"
    assert value(html, "exchange.active_rooms") == "3"
    assert value(html, "exchange.residents_in_rooms") == "2"
    # Each label opens its definition in one click, without JavaScript.
    definition = str(registry.get(UsageMetric, "feedback.received").definition)
    assert definition and definition in text(html, "figure-feedback.received")
    assert re.search(r"<details class=\"definition\"><summary>[^<]+</summary><p>[^<]+</p></details>", html)


def test_the_page_shows_every_kept_metric_generically_by_group(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.county))
    for metric in queries.metrics():
        assert f'data-testid="figure-{metric.key}"' in html, metric.key
        assert f'id="def-{metric.key.replace(".", "-").replace("_", "-")}"' in html, metric.key
    unkept = [m for m in registry.entries(UsageMetric) if m.counted is None]
    for metric in unkept:
        assert f'data-testid="figure-{metric.key}"' not in html


def test_a_township_sees_its_own_totals_not_the_county_s(client, county, filled):
    html = _open(client, county.town_a_admin, summary_url(county.town_a))
    assert value(html, "feedback.received") == "3"
    assert value(html, "exchange.messages") == "4"


def test_another_month_shows_its_own_figures(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.county, "period=2026-02"))
    assert value(html, "feedback.received") == "1"
    assert value(html, "exchange.messages") == "0"


def test_a_quarter_and_a_year_add_up_their_months(client, county, filled):
    quarter = _open(client, county.county_admin, summary_url(county.county, "period=2026-q1"))
    assert value(quarter, "feedback.received") == "5"
    year = _open(client, county.county_admin, summary_url(county.county, "period=2026"))
    assert value(year, "feedback.received") == "5"
    assert text(year, "summary-period").startswith("时期：2026年")


def test_the_default_period_is_this_month(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.county, ""))
    assert text(html, "summary-period").startswith(f"时期：{timezone.localdate():%Y}年{timezone.localdate().month}月")
    assert 'data-testid="summary-notice"' not in html


def test_a_kind_alone_shows_that_kind_s_current_period(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.county, "kind=q"))
    today = timezone.localdate()
    assert text(html, "summary-period").startswith(f"时期：{today.year}年第{(today.month - 1) // 3 + 1}季度")


@pytest.mark.parametrize(
    "query", ["period=2026-13", "period=abc", "period=1999-01", "period=2026-w99", "period=" + "9" * 300, "kind=x"]
)
def test_a_forged_period_falls_back_to_this_month_with_a_chinese_message(client, county, filled, query):
    html = _open(client, county.county_admin, summary_url(county.county, query))
    assert "无法识别" in text(html, "summary-notice")
    today = timezone.localdate()
    assert text(html, "summary-period").startswith(f"时期：{today.year}年{today.month}月")


def test_a_future_period_shows_the_current_one_and_says_so(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.county, "period=2099-q2"))
    assert "尚未开始" in text(html, "summary-notice")
    today = timezone.localdate()
    assert text(html, "summary-period").startswith(f"时期：{today.year}年第{(today.month - 1) // 3 + 1}季度")


def test_a_period_before_anything_was_recorded_says_so(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.county, "period=2024-05"))
    assert "没有任何记录" in text(html, "summary-nothing-yet")
    assert value(html, "feedback.received") == "0"
    later = _open(client, county.county_admin, summary_url(county.county))
    assert 'data-testid="summary-nothing-yet"' not in later


def test_the_next_period_link_stops_at_the_current_one(client, county, filled):
    current = Period.holding("m", timezone.localdate())
    html = _open(client, county.county_admin, summary_url(county.county, f"period={current.code}"))
    assert 'rel="next"' not in html
    assert f"period={current.previous().code}" in html
    past = _open(client, county.county_admin, summary_url(county.county))
    assert 'rel="next"' in past and "period=2026-04" in past


# --- The children's table: sorting and drill-down ------------------------------------------------


def _child_order(html) -> list[str]:
    return re.findall(r'<tr data-testid="child-(\d+)">', html)


def test_the_children_table_has_one_row_per_township_with_the_group_s_figures(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.county, f"period={PERIOD}&group=interaction"))
    assert _child_order(html) == [str(county.town_a.pk), str(county.town_b.pk)]
    assert text(html, f"cell-{county.town_a.pk}-feedback.received") == "3"
    assert text(html, f"cell-{county.town_b.pk}-feedback.received") == "1"
    assert text(html, f"cell-{county.town_a.pk}-exchange.messages") == "4"
    assert "组织" in text(html, "sort-name")


def test_sorting_by_a_column_through_links(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.town_a, f"period={PERIOD}&group=interaction"))
    a1, a2 = str(county.village_a1.pk), str(county.village_a2.pk)
    ascending_link = links(html, "sort-feedback.received")[0].replace("&amp;", "&")
    assert "sort=feedback.received" in ascending_link and "dir=desc" in ascending_link
    by_most = _open(client, county.county_admin, reverse("console:summary", args=[county.town_a.pk]) + ascending_link)
    assert _child_order(by_most) == [a1, a2]
    assert 'aria-sort="descending"' in by_most
    turned = links(by_most, "sort-feedback.received")[0].replace("&amp;", "&")
    assert "dir=asc" in turned
    by_least = _open(client, county.county_admin, reverse("console:summary", args=[county.town_a.pk]) + turned)
    assert _child_order(by_least) == [a2, a1]
    assert 'aria-sort="ascending"' in by_least


def test_sorting_by_name_and_a_forged_sort_key_keeps_the_tree_order(client, county, filled):
    by_name = _open(client, county.county_admin, summary_url(county.county, f"period={PERIOD}&sort=name&dir=desc"))
    assert _child_order(by_name) == sorted(
        _child_order(by_name), key=lambda pk: Organization.objects.get(pk=pk).short_name, reverse=True
    )
    forged = _open(
        client, county.county_admin, summary_url(county.county, f"period={PERIOD}&sort=__class__&group=../x")
    )
    assert _child_order(forged) == [str(county.town_a.pk), str(county.town_b.pk)]


def test_drill_down_from_the_county_to_a_village_and_back_up(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.county))
    town_link = [
        href for href in links(html, f"child-{county.town_a.pk}") if "/summary/" in href and "rows" not in href
    ][0]
    town = _open(client, county.county_admin, town_link.replace("&amp;", "&"))
    assert "东城镇" in town and value(town, "feedback.received") == "3"
    village_link = [href for href in links(town, f"child-{county.village_a1.pk}") if "rows" not in href][0]
    village = _open(client, county.county_admin, village_link.replace("&amp;", "&"))
    assert value(village, "feedback.received") == "2"
    assert 'data-testid="summary-children"' not in village
    crumbs = links(village, "summary-breadcrumbs")
    assert [href.split("?")[0] for href in crumbs] == [
        reverse("console:summary", args=[county.county.pk]),
        reverse("console:summary", args=[county.town_a.pk]),
    ]
    assert all(f"period={PERIOD}" in href for href in crumbs)


def test_a_village_secretary_s_breadcrumbs_above_his_village_are_not_links(client, county, filled):
    html = _open(client, county.village_a1_secretary, summary_url(county.village_a1))
    assert links(html, "summary-breadcrumbs") == []
    assert "东城镇" in text(html, "summary-breadcrumbs")


def test_the_trend_is_also_a_table_without_javascript(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.county, f"period={PERIOD}&group=interaction"))
    table = text(html, "trend-table")
    assert "2026年3月" in table and "2025年4月" in table and "2025年3月" not in table
    rows = re.findall(r"<tr><th scope=\"row\">([^<]+)</th>", html.split('data-testid="trend-table"')[1])
    assert len(rows) == 12
    assert 'id="summary-trend" type="application/json"' in html
    assert "vendor/echarts/echarts.min.js" in html and "analytics/summary.js" in html


def test_a_closed_child_is_listed_only_while_it_counts_something(client, county, filled):
    closed = f.OrganizationFactory(name="已撤销的村", short_name="旧村", kind="village", parent=county.town_a)
    Organization.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    html = _open(client, county.county_admin, summary_url(county.town_a))
    assert f'data-testid="child-{closed.pk}"' not in html


# --- Who may see what -----------------------------------------------------------------------------


def test_a_village_secretary_sees_his_village_only(client, county, filled):
    client.force_login(county.village_a1_secretary)
    assert client.get(summary_url(county.village_a1)).status_code == 200
    for other in (county.village_a2, county.town_a, county.county, county.village_b1):
        assert client.get(summary_url(other)).status_code == 403, other.short_name


def test_a_township_admin_sees_his_villages_but_not_another_township_s(client, county, filled):
    client.force_login(county.town_a_admin)
    for own in (county.town_a, county.village_a1, county.village_a2):
        assert client.get(summary_url(own)).status_code == 200
    for other in (county.town_b, county.village_b1, county.county):
        response = client.get(summary_url(other))
        assert response.status_code == 403
        assert "石桥村桥面破损" not in response.content.decode()


@pytest.mark.parametrize("who", ["resident", "member", "discipline", "nobody"])
def test_people_without_the_capability_are_refused(client, county, filled, who):
    if who == "resident":
        user = filled["residents"][0]
    elif who == "member":
        user = f.UserFactory(username="party_member")
        f.member(county.village_a1, "王党员", user=user)
    elif who == "discipline":
        user = county.town_b_discipline
    else:
        user = county.nobody
    client.force_login(user)
    for url in (summary_url(county.village_b1), rows_url(county.village_b1, "feedback.received")):
        response = client.get(url)
        assert response.status_code == 403
        assert "石桥村桥面破损" not in response.content.decode()
    assert client.get(reverse("console:summaries")).status_code in (403, 404)


def test_signed_out_visitors_are_sent_to_sign_in(client, county, filled):
    response = client.get(summary_url(county.county))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(rows_url(county.county, "feedback.received"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_forged_organization_ids_metric_keys_and_periods_are_not_found(client, county, filled):
    client.force_login(county.county_admin)
    assert client.get(reverse("console:summary", args=[999999])).status_code == 404
    assert client.get(rows_url(Organization(pk=999999), "feedback.received")).status_code == 404
    for key in ("feedback.nope", "__init__", "x" * 200, "supervision.reports_received", "meetings.required_missing"):
        assert client.get(rows_url(county.county, key)).status_code == 404, key
    for period in ("2026-13", "nope", "1999", "2099-01", "2026-w60", "9" * 50):
        assert client.get(rows_url(county.county, "feedback.received", period)).status_code == 404, period


def test_the_menu_item_leads_holders_to_their_organization_s_summary(client, county, filled):
    client.force_login(county.town_a_admin)
    home = client.get(reverse("console:dashboard")).content.decode()
    assert "使用汇总" in home and reverse("console:summaries") in home
    response = client.get(reverse("console:summaries"))
    assert response.status_code == 302 and response["Location"] == reverse("console:summary", args=[county.town_a.pk])
    client.force_login(county.town_b_discipline)
    assert reverse("console:summaries") not in client.get(reverse("console:dashboard")).content.decode()


def test_someone_holding_it_on_two_organizations_chooses_one(client, county, filled):
    f.staff("two_places", Role.SECRETARY, county.village_a1)
    from dangjian.accounts.models import RoleGrant, User

    user = User.objects.get(username="two_places")
    RoleGrant.objects.create(user=user, organization=county.village_b1, role=Role.SECRETARY)
    html = _open(client, user, reverse("console:summaries"))
    assert "王庄村" in text(html, "summary-organizations") and "石桥村" in text(html, "summary-organizations")


# --- The rows behind a figure ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("organization", "key"),
    [
        ("county", "feedback.received"),
        ("town_a", "feedback.received"),
        ("village_a1", "feedback.received"),
        ("county", "exchange.messages"),
        ("town_a", "exchange.messages"),
        ("county", "exchange.active_rooms"),
        ("county", "exchange.residents_in_rooms"),
        ("village_a1", "exchange.residents_in_rooms"),
    ],
)
def test_the_rows_listed_are_as_many_as_the_figure_shown(client, county, filled, organization, key):
    place = getattr(county, organization)
    summary = _open(client, county.county_admin, summary_url(place))
    figure = int(value(summary, key))
    assert figure > 0
    link = links(summary, f"figure-link-{key}")[0]
    assert link == rows_url(place, key)
    rows = _open(client, county.county_admin, link)
    listed = re.findall(r"<li class=\"card\">", rows.split('data-testid="summary-rows"')[1])
    assert len(listed) == figure
    assert text(rows, "rows-count") == f"共{figure}条。"
    assert 'data-testid="rows-refreshing"' not in rows


def test_every_kept_metric_s_rows_equal_its_figures_in_every_kind_of_period(client, county, filled):
    from dangjian.analytics.rows import listed_rows

    for metric in queries.metrics():
        if not has_rows(metric):
            continue
        for organization in (county.county, county.town_a, county.village_a1, county.village_b1):
            for code in ("2026-02", "2026-03", "2026-w11", "2026-q1", "2026"):
                period = Period.parse(code)
                figure = queries.figures([organization.pk], period)[organization.pk].get(metric.key, 0)
                assert listed_rows(metric, organization, period).count() == figure, (metric.key, code)


def test_the_rows_page_lists_the_cases_with_links_and_nothing_of_the_february_one(client, county, filled):
    rows = _open(client, county.county_admin, rows_url(county.town_a, "feedback.received"))
    assert "村口路灯坏了" in rows and "李湾村道路积水" in rows
    assert "二月的路灯问题" not in rows and "石桥村桥面破损" not in rows
    assert "/console/feedback/" in "".join(links(rows, "summary-rows"))


def test_the_rows_of_messages_say_where_and_when_never_who_or_what(client, county, filled):
    rows = _open(client, county.county_admin, rows_url(county.town_a, "exchange.messages"))
    listed = text(rows, "summary-rows")
    assert "王庄村民交流群" in listed and "东城镇工作群" in listed
    assert "路灯什么时候修" not in listed and "村东老李" not in listed


def test_figures_without_a_capability_are_not_linked_and_their_rows_page_does_not_exist(client, county, filled):
    html = _open(client, county.county_admin, summary_url(county.county))
    for metric in queries.metrics():
        if not has_rows(metric):
            assert f'data-testid="figure-link-{metric.key}"' not in html
            assert client.get(rows_url(county.county, metric.key)).status_code == 404


def test_the_rows_need_the_metric_s_own_capability(client, county, filled):
    # A party-member secretary of 王庄村 holds VIEW_SUMMARIES and HANDLE_FEEDBACK: both pages open.
    client.force_login(county.village_a1_secretary)
    assert client.get(rows_url(county.village_a1, "feedback.received")).status_code == 200
    assert client.get(rows_url(county.village_b1, "feedback.received")).status_code == 403
    # A new-media officer may see the summary but does not handle feedback: the figure is shown without a link
    # and its rows are refused.
    html = _open(client, county.town_a_media, summary_url(county.town_a))
    assert value(html, "feedback.received") == "3"
    assert 'data-testid="figure-link-feedback.received"' not in html
    response = client.get(rows_url(county.town_a, "feedback.received"))
    assert response.status_code == 403 and "村口路灯坏了" not in response.content.decode()


def test_the_rows_page_says_when_the_summary_is_behind(client, county, filled):
    from dangjian.feedback import actions as feedback

    feedback.submit_case(place_id=county.village_a1.pk, category="help", title="新的反馈", description="今天的新问题。")
    today = Period.holding("m", timezone.localdate())
    rows = _open(client, county.county_admin, rows_url(county.village_a1, "feedback.received", today.code))
    assert text(rows, "rows-count") == "共1条。"
    assert "0" in text(rows, "rows-refreshing")
    rollups.refresh_pending()
    rows = _open(client, county.county_admin, rows_url(county.village_a1, "feedback.received", today.code))
    assert 'data-testid="rows-refreshing"' not in rows


def test_rows_are_paginated(client, county, filled, settings):
    from dangjian.analytics import summary_views

    settings.DEBUG = False
    original = summary_views.ROWS_PER_PAGE
    summary_views.ROWS_PER_PAGE = 2
    try:
        first = _open(client, county.county_admin, rows_url(county.county, "feedback.received"))
        second = _open(client, county.county_admin, rows_url(county.county, "feedback.received") + "?page=2")
        junk = _open(client, county.county_admin, rows_url(county.county, "feedback.received") + "?page=abc")
    finally:
        summary_views.ROWS_PER_PAGE = original
    assert len(re.findall(r'<li class="card">', first)) == 2
    assert len(re.findall(r'<li class="card">', second)) == 2
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert len(re.findall(r'<li class="card">', junk)) == 2


# --- A bounded number of queries -------------------------------------------------------------------


def _tree(root, townships: int, villages: int) -> None:
    for t in range(townships):
        town = f.OrganizationFactory(name=f"第{t}镇党委", short_name=f"第{t}镇", kind="township", parent=root)
        for v in range(villages):
            f.OrganizationFactory(name=f"第{t}镇第{v}村党支部", short_name=f"第{t}-{v}村", kind="village", parent=town)


def _queries_for(client, user, url, django_assert_max_num_queries, limit):
    client.force_login(user)
    client.get(url)  # sessions and caches warmed the same way for both trees
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_county_page_makes_as_many_queries_for_80_organizations_as_for_40(
    client, county, filled, django_assert_max_num_queries
):
    _tree(county.county, 4, 8)  # about 40 organizations in all
    rollups.rebuild()
    url = summary_url(county.county)
    small = _queries_for(client, county.county_admin, url, django_assert_max_num_queries, 40)
    _tree(county.county, 4, 9)  # about 80
    rollups.rebuild()
    assert Organization.objects.count() >= 80
    large = _queries_for(client, county.county_admin, url, django_assert_max_num_queries, 40)
    assert large == small


def test_a_figure_changed_by_an_action_shows_after_the_refresh(client, county, filled):
    from dangjian.feedback import actions as feedback

    today = Period.holding("m", timezone.localdate())
    before = _open(client, county.county_admin, summary_url(county.county, f"period={today.code}"))
    assert value(before, "feedback.received") == "0"
    feedback.submit_case(place_id=county.village_b1.pk, category="help", title="新的反馈", description="今天的新问题。")
    rollups.refresh_pending()
    after = _open(client, county.county_admin, summary_url(county.county, f"period={today.code}"))
    assert value(after, "feedback.received") == "1"
