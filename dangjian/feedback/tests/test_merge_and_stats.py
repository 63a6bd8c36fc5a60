"""Merging the same problem, and the precomputed figures matching a full recount."""

import pytest

from dangjian.core.history import ActionError
from dangjian.feedback import actions, suggestions
from dangjian.feedback.models import Case, CaseStat, Rating, State
from dangjian.feedback.stats import figures_for, rebuild_stats

from .conftest import new_case

pytestmark = pytest.mark.django_db


def test_similar_case_at_the_same_place_is_offered_for_merging(county):
    first = new_case(county.village_a1, title="村口路灯坏了", description="王庄村村口的路灯坏了，晚上很黑")
    second = new_case(county.village_a1, title="路灯不亮", description="村口路灯坏了好几天，晚上很黑看不见")
    unrelated = new_case(county.village_a1, title="低保怎么申请", description="想咨询低保申请需要什么材料")
    elsewhere = new_case(county.village_a2, title="村口路灯坏了", description="李湾村村口的路灯坏了，晚上很黑")
    offered = [case.pk for case, _score in suggestions.merge_candidates(second)]
    assert first.pk in offered
    assert unrelated.pk not in offered and elsewhere.pk not in offered


def test_merged_cases_show_how_many_people_raised_it(client, county):
    main = new_case(county.village_a1, is_public=True)
    other = new_case(county.village_a1, title="路灯不亮")
    third = new_case(county.village_a1, title="路灯还是不亮")
    actions.accept_case(county.village_a1_secretary, main.pk)
    actions.merge_case(county.village_a1_secretary, other.pk, main.pk)
    actions.merge_case(county.village_a1_secretary, third.pk, main.pk)
    main.refresh_from_db()
    assert main.supporters == 3
    assert Case.objects.get(pk=other.pk).state == State.MERGED
    page = client.get(f"/o/{county.village_a1.pk}/feedback/").content.decode()
    assert "3 人反映" in page
    assert page.count("case-item") == 1  # merged cases are not listed twice


def test_merging_across_places_or_into_itself_is_refused(county):
    first = new_case(county.village_a1)
    second = new_case(county.village_a2)
    with pytest.raises(ActionError):
        actions.merge_case(county.town_a_admin, first.pk, second.pk)
    with pytest.raises(ActionError):
        actions.merge_case(county.town_a_admin, first.pk, first.pk)
    assert Case.objects.filter(state=State.MERGED).count() == 0


def test_citizen_of_a_merged_case_follows_the_main_case(client, county):
    main = new_case(county.village_a1)
    other = new_case(county.village_a1, title="路灯不亮")
    actions.accept_case(county.village_a1_secretary, main.pk)
    actions.merge_case(county.village_a1_secretary, other.pk, main.pk)
    actions.dispatch_case(county.village_a1_secretary, main.pk, county.village_a1.pk)
    actions.answer_case(county.village_a1_secretary, main.pk, "路灯已全部修好")
    response = client.post("/feedback/lookup/", {"number": other.number, "password": other.query_password}, follow=True)
    body = response.content.decode()
    assert main.number in body and "路灯已全部修好" in body


def _work_through(county, count_satisfied=2):
    cases = [new_case(county.village_a1, category="help") for _ in range(4)]
    cases.append(new_case(county.village_b1, category="complaint"))
    for case in cases[:3]:
        actions.accept_case(county.county_admin, case.pk)
        actions.dispatch_case(county.county_admin, case.pk, case.place.pk)
        actions.start_case(county.county_admin, case.pk)
        actions.answer_case(county.county_admin, case.pk, "已办理")
    actions.rate_case(cases[0].pk, Rating.SATISFIED)
    actions.rate_case(cases[1].pk, Rating.UNSATISFIED)  # redo
    actions.answer_case(county.county_admin, cases[1].pk, "重新办理")
    actions.rate_case(cases[1].pk, Rating.BASIC)
    actions.reject_case(county.county_admin, cases[4].pk, "重复反映")
    return cases


def test_figures_count_per_subtree_and_category(county):
    _work_through(county)
    town_a = figures_for(county.town_a)
    assert town_a["total"].received == 4 and town_a["total"].answered == 3
    assert town_a["total"].satisfied == 1 and town_a["total"].basic == 1
    assert town_a["total"].satisfaction_rate == 100.0 and town_a["total"].on_time_rate == 100.0
    county_total = figures_for(county.county)["total"]
    assert county_total.received == 5 and county_total.rejected == 1
    help_row = next(row for row in figures_for(county.county)["by_category"] if row.label == "求助")
    assert help_row.received == 4


def test_running_counters_equal_a_full_recount(county):
    _work_through(county)
    running = {
        (s.organization_id, s.month, s.category): tuple(getattr(s, n) for n in CaseStat.COUNTERS)
        for s in CaseStat.objects.all()
    }
    rebuild_stats()
    rebuilt = {
        (s.organization_id, s.month, s.category): tuple(getattr(s, n) for n in CaseStat.COUNTERS)
        for s in CaseStat.objects.all()
    }
    assert running == rebuilt and running


def test_figures_page_reads_counters_not_cases(client, county, django_assert_max_num_queries):
    _work_through(county)
    # The totals from the counters; the breakdown adds the subtree, its whole months from the counters, the days
    # of the current month and the cases waiting past their deadline (test_figures_breakdown.py).
    with django_assert_max_num_queries(10):
        response = client.get(f"/o/{county.county.pk}/feedback/figures/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<div><dt>受理件数</dt><dd>5</dd></div>" in html
    assert "<div><dt>满意率</dt><dd>100.0%</dd></div>" in html
    assert "已评价：2 件 · 未评价办结：0 件" in html
    assert '<th scope="row">求助</th><td>4</td><td>3</td>' in html
    assert '<th scope="row">投诉</th><td>1</td><td>0</td>' in html
