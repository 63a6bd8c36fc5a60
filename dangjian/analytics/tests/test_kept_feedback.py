"""Feedback's usage metrics kept in the rollups: cases received, accepted, answered, answered on time, overdue (a
stock), escalated, rated and satisfied (and the two rates), through the module's own actions and its clock over
three months; and the overdue stock when a deadline passes with no write at all."""

import datetime
import uuid

import pytest
import time_machine
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.analytics import queries, rollups
from dangjian.analytics.models import Figure
from dangjian.analytics.periods import Period
from dangjian.core.registry import UsageMetric, registry
from dangjian.feedback import actions, clock
from dangjian.feedback.models import Case, Rating, State
from dangjian.tests_support import factories as f

from .kept import assert_kept, at

pytestmark = pytest.mark.django_db

KEYS = [
    "feedback.received",
    "feedback.accepted",
    "feedback.answered",
    "feedback.answered_on_time",
    "feedback.overdue",
    "feedback.escalated",
    "feedback.rated",
    "feedback.satisfied",
]


def _submit(place, title="村口路灯坏了"):
    case, _password, created = actions.submit_case(
        place_id=place.pk,
        category="help",
        title=title,
        description="村口路灯坏了三个月，晚上看不见路。",
        client_token=uuid.uuid4(),
    )
    assert created
    return case


def _handle_and_answer(user, case):
    actions.accept_and_handle_case(user, case.pk)
    return actions.answer_case(user, case.pk, "已安排电工修好。")


def test_feedback_figures_kept_equal_the_records_and_the_counts(county):
    a1 = county.village_a1_secretary
    a2 = f.staff("a2_secretary", Role.SECRETARY, county.village_a2)
    b1 = f.staff("b1_secretary", Role.SECRETARY, county.village_b1)
    organizations = [county.county, county.town_a, county.town_b, county.village_a1, county.village_a2]
    with time_machine.travel(at(2026, 3, 2)):
        satisfied = _submit(county.village_a1, "路灯坏了")
        _handle_and_answer(a1, satisfied)  # on time
        actions.rate_case(satisfied.pk, Rating.SATISFIED)
    with time_machine.travel(at(2026, 3, 3)):
        unrated = _submit(county.village_a1, "垃圾没人清运")
    with time_machine.travel(at(2026, 3, 4)):
        _handle_and_answer(a1, unrated)  # on time; the citizen never rates it
    with time_machine.travel(at(2026, 3, 5)):
        late = _submit(county.village_a2, "水渠堵了")  # nobody accepts it: escalated, then overdue
    with time_machine.travel(at(2026, 3, 9, 9)):
        assert clock.scan_deadlines()["supervised"] == 1  # the acceptance deadline (6 March) passed
        assert_kept(KEYS, organizations, [datetime.date(2026, 3, 2), datetime.date(2026, 3, 9)])
    with time_machine.travel(at(2026, 3, 10)):
        rejected = _submit(county.village_b1, "广告推销")
        actions.reject_case(b1, rejected.pk, "不属于受理范围。")  # owes no answer: never overdue
    with time_machine.travel(at(2026, 3, 31, 20)):
        # The answer deadline (12 March) passed with no write: the nightly rebuild is what counts it.
        assert rollups.rebuild() > 0
        march_end = assert_kept(KEYS, organizations, [datetime.date(2026, 3, 31)])
        assert march_end[("feedback.overdue", "李湾村", "m", "2026-03")] == 1  # past 12 March, unanswered
    with time_machine.travel(at(2026, 4, 2)):
        assert clock.scan_deadlines()["closed_unrated"] == 1  # the unrated case's 20 working days are over
        _handle_and_answer(a2, late)  # answered late
    with time_machine.travel(at(2026, 5, 10)):
        days = [datetime.date(2026, 3, 2), datetime.date(2026, 3, 31), datetime.date(2026, 4, 2)]
        days.append(datetime.date(2026, 5, 10))
        totals = assert_kept(KEYS, organizations + [county.village_b1], days)
        values = queries.figures([county.county.pk], Period.holding("m", datetime.date(2026, 3, 2)))[county.county.pk]

    assert Case.objects.get(pk=unrated.pk).rating == Rating.UNRATED
    assert Case.objects.get(pk=rejected.pk).state == State.REJECTED
    assert totals[("feedback.received", "测试县", "m", "2026-03")] == 4
    assert totals[("feedback.accepted", "测试县", "m", "2026-03")] == 2
    assert totals[("feedback.accepted", "李湾村", "m", "2026-04")] == 1
    assert totals[("feedback.answered", "东城镇", "m", "2026-03")] == 2
    assert totals[("feedback.answered_on_time", "测试县", "m", "2026-03")] == 2
    assert totals[("feedback.answered", "测试县", "m", "2026-04")] == 1
    assert totals[("feedback.answered_on_time", "测试县", "m", "2026-04")] == 0
    assert totals[("feedback.escalated", "东城镇", "m", "2026-03")] == 1
    assert totals[("feedback.escalated", "西山乡", "y", "2026")] == 0
    # Overdue at the end of March and of the first quarter; answered on 2 April, so no longer at April's end.
    assert totals[("feedback.overdue", "测试县", "m", "2026-03")] == 1
    assert totals[("feedback.overdue", "测试县", "q", "2026-q1")] == 1
    assert totals[("feedback.overdue", "测试县", "m", "2026-04")] == 0
    assert totals[("feedback.overdue", "石桥村", "m", "2026-03")] == 0  # the rejected case
    # Rated and satisfied are the cohort of the answers: the unrated one counts as answered, not as satisfied.
    assert totals[("feedback.rated", "测试县", "m", "2026-03")] == 1
    assert totals[("feedback.satisfied", "测试县", "m", "2026-03")] == 1
    assert totals[("feedback.satisfied", "测试县", "m", "2026-04")] == 0
    rates = queries.rate_values(values)
    assert (rates["feedback.answered_on_time_rate"].numerator, rates["feedback.answered_on_time_rate"].denominator) == (
        2,
        2,
    )
    assert (rates["feedback.satisfaction_rate"].numerator, rates["feedback.satisfaction_rate"].denominator) == (1, 2)


def _kept_overdue(organization, day) -> int:
    period = Period.holding("m", day)
    figure = Figure.objects.filter(organization=organization, metric="feedback.overdue", kind="m", start=period.start)
    return figure.first().total if figure.exists() else 0


def test_a_deadline_passing_makes_a_case_overdue_in_the_rebuild_with_no_write(county):
    overdue = registry.get(UsageMetric, "feedback.overdue")
    june = Period.holding("m", datetime.date(2026, 6, 1))
    with time_machine.travel(at(2026, 6, 1)):
        case = _submit(county.village_a1)
        rollups.refresh_pending()
    deadline = timezone.localtime(case.answer_deadline)
    assert (deadline.date(), deadline.time()) == (datetime.date(2026, 6, 8), datetime.time(23, 59, 59))
    with time_machine.travel(at(2026, 6, 8, 23)):  # the last day it may be answered
        assert overdue.count(county.county, june.start, june.end) == 0
        assert _kept_overdue(county.county, june.start) == 0
        assert rollups.compare() == {}
    with time_machine.travel(at(2026, 6, 9, 1)):  # the deadline passed; nothing was written
        rollups.refresh_pending()
        assert overdue.count(county.county, june.start, june.end) == 1
        assert _kept_overdue(county.county, june.start) == 0  # not seen until the rebuild
        assert rollups.compare()
        rollups.rebuild()
        assert _kept_overdue(county.county, june.start) == 1
        assert _kept_overdue(county.village_a1, june.start) == 1
        assert rollups.compare() == {}
    with time_machine.travel(at(2026, 6, 10)):
        _handle_and_answer(county.village_a1_secretary, case)  # answered late: the save refreshes the stock
        rollups.refresh_pending()
        assert _kept_overdue(county.county, june.start) == 0
        assert rollups.compare() == {}
    assert (
        Figure.objects.get(organization=county.county, metric="feedback.answered", kind="m", start=june.start).total
        == 1
    )


def test_the_clock_escalating_an_overdue_case_refreshes_the_stock_without_a_rebuild(county):
    june = Period.holding("m", datetime.date(2026, 6, 1))
    with time_machine.travel(at(2026, 6, 1)):
        _submit(county.village_a1)
        rollups.refresh_pending()
    with time_machine.travel(at(2026, 6, 9, 1)):
        clock.scan_deadlines()  # escalates the case (a save), which marks its figures
        rollups.refresh_pending()
        assert _kept_overdue(county.county, june.start) == 1
        assert (
            Figure.objects.get(
                organization=county.town_a, metric="feedback.escalated", kind="m", start=june.start
            ).total
            == 1
        )
        assert rollups.compare() == {}


def test_the_rows_link_to_the_case_page_only_for_those_who_handle_feedback_there(county):
    """The rows behind each feedback figure link to the console's case page: a township handling feedback above the
    village opens it, another township's staff are refused, so no rows page leads past the inbox's own rule."""
    from django.test import Client

    from dangjian.tests_support.factories import PASSWORD

    with time_machine.travel(at(2026, 6, 1)):
        case = _submit(county.village_a1)
    with time_machine.travel(at(2026, 6, 9, 1)):
        clock.scan_deadlines()  # escalated and overdue
    town_b_admin = f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    allowed, refused = Client(), Client()
    assert allowed.login(username=county.town_a_admin.username, password=PASSWORD)
    assert refused.login(username=town_b_admin.username, password=PASSWORD)
    for key in ("feedback.received", "feedback.overdue", "feedback.escalated"):
        counted = registry.get(UsageMetric, key).counted
        assert counted is not None and counted.link is not None and counted.label is not None
        rows = counted.rows()
        shown = list(counted.listed(rows) if counted.listed else rows)
        assert [row.pk for row in shown] == [case.pk], key
        link = counted.link(shown[0])
        assert counted.label(shown[0]) == f"{case.number} {case.title_public}"
        assert allowed.get(link).status_code == 200, key
        assert refused.get(link).status_code == 404, key
