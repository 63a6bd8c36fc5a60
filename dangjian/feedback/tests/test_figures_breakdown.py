"""The figures page's breakdown by township and village over a chosen period (issue 11 item 13)."""

import datetime
import re

import pytest
from django.utils import timezone

from dangjian.feedback import actions, clock, stats
from dangjian.feedback.models import Case, Rating

from .conftest import new_case

pytestmark = pytest.mark.django_db


def _answer(county, case):
    actions.accept_case(county.county_admin, case.pk)
    actions.dispatch_case(county.county_admin, case.pk, case.place.pk)
    actions.start_case(county.county_admin, case.pk)
    actions.answer_case(county.county_admin, case.pk, "已办理")


def _work(county):
    """Town A: four cases at 王庄村 (one satisfied, one closed unrated, one late, one waiting past its deadline)
    and one at 李湾村 still waiting; town B: one case rejected."""
    a1 = [new_case(county.village_a1, contact_phone="13812345678") for _ in range(4)]
    for case in a1[:3]:
        _answer(county, case)
    actions.rate_case(a1[0].pk, Rating.SATISFIED)
    Case.objects.filter(pk=a1[1].pk).update(rating_deadline=timezone.now() - datetime.timedelta(minutes=1))
    clock.scan_deadlines()  # closes it unrated
    Case.objects.filter(pk=a1[2].pk).update(answered_on_time=False)  # answered after its time limit
    actions.accept_case(county.county_admin, a1[3].pk)
    Case.objects.filter(pk=a1[3].pk).update(answer_deadline=timezone.now() - datetime.timedelta(days=1))
    a2 = new_case(county.village_a2)
    b1 = new_case(county.village_b1, category="complaint")
    actions.reject_case(county.county_admin, b1.pk, "重复反映")
    return a1, a2, b1


def _rows(html: str) -> dict[str, list[str]]:
    """The breakdown table's rows: heading text → cell texts."""
    table = html[html.index('class="table figures-breakdown"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        heading = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if heading:
            name = re.sub(r"<[^>]+>", "", heading.group(1)).strip()
            rows[name] = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    return rows


def test_county_figures_are_broken_down_by_township(client, county):
    _work(county)
    html = client.get(f"/o/{county.county.pk}/feedback/figures/").content.decode()
    rows = _rows(html)
    # on-time rate, satisfaction (the rates first, in view on a phone), received, accepted, answered, on time,
    # overdue, not rated
    assert rows["东城镇"] == ["66.7%", "100.0%", "5", "4", "3", "2", "2", "1"]
    assert rows["西山乡"] == ["—", "—", "1", "0", "0", "0", "0", "0"]
    assert rows["合计"] == ["66.7%", "100.0%", "6", "4", "3", "2", "2", "1"]
    assert f'href="/o/{county.town_a.pk}/feedback/figures/?start=' in html


def test_unrated_cases_never_count_as_satisfied():
    row = stats.BreakdownRow(satisfied=1, unsatisfied=1, unrated=5)
    assert row.satisfaction_rate == 50.0
    assert stats.BreakdownRow(unrated=3).satisfaction_rate is None


def test_the_page_says_how_each_figure_is_counted(client, county):
    html = client.get(f"/o/{county.county.pk}/feedback/figures/").content.decode()
    assert "口径说明" in html
    assert "未评价的件数一律不算满意" in html
    assert "超过时限才答复的件数，加上已过时限仍未受理或仍未答复的件数" in html


def test_a_township_drills_down_to_its_villages(client, county):
    _work(county)
    html = client.get(f"/o/{county.town_a.pk}/feedback/figures/?start=2000-01-01&end=2004-12-31").content.decode()
    assert _rows(html)["王庄村"] == ["—", "—", "0", "0", "0", "0", "0", "0"]  # nothing in that period
    html = client.get(f"/o/{county.town_a.pk}/feedback/figures/").content.decode()
    rows = _rows(html)
    assert set(rows) == {"王庄村", "李湾村", "合计"}
    assert rows["王庄村"][2:5] == ["4", "4", "3"] and rows["李湾村"][2:5] == ["1", "0", "0"]
    assert f'href="/o/{county.county.pk}/feedback/figures/?start=' in html  # up one level, same period
    assert "测试县" in html


def test_cases_placed_at_the_organization_itself_have_their_own_row(client, county):
    new_case(county.town_a)
    new_case(county.village_a1)
    rows = _rows(client.get(f"/o/{county.town_a.pk}/feedback/figures/").content.decode())
    assert rows["东城镇（本级）"][2] == "1" and rows["王庄村"][2] == "1" and rows["合计"][2] == "2"


def test_the_period_counts_cases_by_the_day_they_arrived(client, county, today):
    old = new_case(county.village_a1)
    new_case(county.village_a1)
    last_year = datetime.datetime(today.year - 1, 12, 31, 23, 30, tzinfo=timezone.get_current_timezone())
    Case.objects.filter(pk=old.pk).update(received_at=last_year)
    url = f"/o/{county.county.pk}/feedback/figures/"
    assert _rows(client.get(url).content.decode())["东城镇"][2] == "1"  # this year by default
    html = client.get(url, {"start": f"{today.year - 1}-12-31", "end": f"{today.year - 1}-12-31"}).content.decode()
    assert _rows(html)["东城镇"][2] == "1"
    assert f"{today.year - 1}-12-31 至 {today.year - 1}-12-31 受理 1 件" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-05-01", "end": "2026-01-01"}, "开始日期晚于结束日期，请对调或重新选择。"),
        ({"start": "2000-01-01", "end": "2026-12-31"}, "时间段最长 5 年，请缩短后再查看。"),
        ({"start": "9999-12-30", "end": "9999-12-31"}, "请选择 2000-01-01 至 2099-12-31 之间的日期。"),
        ({"start": "昨天", "end": "2026-01-01"}, "请按“年-月-日”填写日期，例如 2026-01-31。"),
        ({"start": "0001-01-01", "end": ""}, "请选择 2000-01-01 至 2099-12-31 之间的日期。"),
    ],
)
def test_a_refused_period_says_why_in_chinese(client, county, query, message):
    new_case(county.village_a1)
    response = client.get(f"/o/{county.county.pk}/feedback/figures/", query)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "figures-breakdown" not in html  # no figures for a period the page did not accept


def test_columns_sort_largest_first_without_ranking_words(client, county):
    new_case(county.village_b1)
    new_case(county.village_b1)
    new_case(county.village_a1)
    url = f"/o/{county.county.pk}/feedback/figures/"
    assert list(_rows(client.get(url).content.decode()))[:2] == ["东城镇", "西山乡"]  # the tree's order
    html = client.get(url, {"sort": "received"}).content.decode()
    assert list(_rows(html))[:2] == ["西山乡", "东城镇"]
    assert 'aria-sort="descending"' in html
    assert "排名" not in html and "第一名" not in html
    assert list(_rows(client.get(url, {"sort": "<script>"}).content.decode()))[:2] == ["东城镇", "西山乡"]


def test_no_personal_data_on_the_figures_page(client, county):
    _work(county)
    html = client.get(f"/o/{county.county.pk}/feedback/figures/").content.decode()
    assert "13812345678" not in html and "county_admin" not in html


def test_breakdown_queries_do_not_grow_with_the_rows(client, county, today, django_assert_max_num_queries):
    from dangjian.tests_support import factories as f

    _work(county)
    url = f"/o/{county.town_a.pk}/feedback/figures/"
    client.get(url)
    with django_assert_max_num_queries(10) as few:
        client.get(url, {"start": f"{today.year - 1}-01-02"})  # whole months from the counters, two edges of days
    for number in range(12):
        village = f.OrganizationFactory(name=f"新村{number}", kind="village", parent=county.town_a)
        new_case(village)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url, {"start": f"{today.year - 1}-01-03"}).content.decode()
    assert len(_rows(html)) == 2 + 12 + 1


def test_whole_months_from_the_counters_and_days_from_the_cases_add_up(county, today):
    """The same cases counted over a period of whole months and edges of days, and over days only."""
    cases = _work(county)
    last_year = datetime.datetime(today.year - 1, 3, 15, 10, tzinfo=timezone.get_current_timezone())
    Case.objects.filter(pk=cases[0][0].pk).update(received_at=last_year)
    stats.rebuild_stats()
    start = datetime.date(today.year - 1, 2, 20)
    mixed = stats.breakdown(county.county, start, today)["total"]
    assert stats._split_period(start, today)[0] is not None
    days_only = [stats.breakdown(county.county, start, datetime.date(today.year - 1, 3, 30))["total"]]
    days_only.append(stats.breakdown(county.county, datetime.date(today.year - 1, 3, 31), today)["total"])
    for name in ("received", "accepted", "answered", "answered_on_time", "overdue", "satisfied", "unrated"):
        assert getattr(mixed, name) == sum(getattr(part, name) for part in days_only), name
    assert mixed.received == 6 and mixed.overdue == 2 and mixed.unrated == 1


def test_the_period_is_split_into_whole_months_and_edges():
    split = stats._split_period
    d = datetime.date
    assert split(d(2026, 1, 1), d(2026, 3, 31)) == ((d(2026, 1, 1), d(2026, 4, 1)), [])
    assert split(d(2026, 1, 15), d(2026, 3, 10)) == (
        (d(2026, 2, 1), d(2026, 3, 1)),
        [(d(2026, 1, 15), d(2026, 2, 1)), (d(2026, 3, 1), d(2026, 3, 11))],
    )
    assert split(d(2026, 1, 15), d(2026, 2, 10)) == (None, [(d(2026, 1, 15), d(2026, 2, 11))])
    assert split(d(2026, 12, 5), d(2026, 12, 31)) == (None, [(d(2026, 12, 5), d(2027, 1, 1))])


def test_staff_reach_the_figures_from_the_console_dashboard(client, county):
    client.force_login(county.county_admin)
    html = client.get("/console/").content.decode()
    assert f'href="/o/{county.county.pk}/feedback/figures/#breakdown"' in html
    client.force_login(county.village_a1_secretary)
    html = client.get("/console/").content.decode()
    assert f'href="/o/{county.village_a1.pk}/feedback/figures/#breakdown"' in html
    assert f'href="/o/{county.county.pk}/feedback/figures/#breakdown"' not in html


def test_staff_who_do_not_handle_feedback_get_no_figures_panel(client, county):
    client.force_login(county.town_a_media)
    assert "/feedback/figures/" not in client.get("/console/").content.decode()


def test_the_figures_page_stays_public(client, county):
    assert client.get(f"/o/{county.village_b1.pk}/feedback/figures/").status_code == 200


def test_the_tiles_and_the_table_each_say_their_period(client, county, today):
    old = new_case(county.village_a1)
    new_case(county.village_a1)
    since = datetime.date(today.year - 1, 3, 1)
    Case.objects.filter(pk=old.pk).update(
        received_at=datetime.datetime(since.year, 3, 15, tzinfo=timezone.get_current_timezone())
    )
    stats.rebuild_stats()
    html = client.get(
        f"/o/{county.county.pk}/feedback/figures/", {"start": f"{today.year}-01-01", "end": today.isoformat()}
    ).content.decode()
    tiles = re.search(r'data-testid="figures-period">([^<]+)<', html).group(1)
    assert tiles == f"累计（自 {since:%Y-%m} 以来）"
    table = re.search(r'data-testid="breakdown-period"><strong>([^<]+)<', html).group(1)
    assert table == f"统计期间：{today.year}-01-01 至 {today.isoformat()}"
    assert html.index('data-testid="breakdown-period"') < html.index("figures-breakdown")
    # The columns: the name, then the two rates.
    head = re.search(r'<table class="table figures-breakdown">.*?</thead>', html, re.S).group(0)
    labels = [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', head, re.S)
    ]
    assert labels[:3] == ["组织", "按时答复率", "满意率"], labels
