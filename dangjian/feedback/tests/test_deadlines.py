"""Deadlines in working days, escalation (督办), extensions and unrated closing, with the clock moved."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dangjian.core.history import ActionError
from dangjian.feedback import actions, clock
from dangjian.feedback.models import Case, Extension, Rating, State, TimeLimit

from .conftest import new_case

pytestmark = pytest.mark.django_db

TZ = timezone.get_fixed_timezone(8 * 60)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TZ)


def _local(moment):
    """The moment on the wall clock of China (UTC+8), aware: it equals at(...) only at the same instant."""
    return timezone.localtime(moment, TZ)


@pytest.mark.parametrize(
    ("category", "answer_by"),
    [
        ("consult", at(2026, 10, 10, 23, 59, 59)),  # 3 working days: 8, 9, Saturday 10 (调休)
        ("help", at(2026, 10, 13, 23, 59, 59)),  # 5: 8, 9, 10, 12, 13
        ("complaint", at(2026, 10, 20, 23, 59, 59)),  # 10
    ],
)
def test_limits_per_category_skip_national_day(county, category, answer_by):
    with time_machine.travel(at(2026, 9, 30, 15, 0), tick=False):
        case = new_case(county.village_a1, category=category)
    assert _local(case.accept_deadline) == at(2026, 10, 8, 23, 59, 59)
    assert _local(case.answer_deadline) == answer_by


def test_case_received_before_spring_festival_is_due_after_it(county):
    with time_machine.travel(at(2026, 2, 13, 10, 0), tick=False):
        case = new_case(county.village_a1, category="consult")
    # Saturday 14 February is a make-up working day, then 24 and 25 February.
    assert _local(case.answer_deadline).date() == datetime.date(2026, 2, 25)
    assert _local(case.accept_deadline).date() == datetime.date(2026, 2, 14)


def test_urgent_case_is_due_the_same_working_day(county):
    with time_machine.travel(at(2026, 11, 25, 9, 0), tick=False):
        case = new_case(county.village_a1, category="complaint")
        actions.accept_case(county.village_a1_secretary, case.pk, urgent=True)
    case.refresh_from_db()
    assert _local(case.answer_deadline) == at(2026, 11, 25, 23, 59, 59)


def test_limits_are_configurable_per_category(county):
    TimeLimit.objects.filter(category="consult").update(answer_days=1)
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False):
        case = new_case(county.village_a1, category="consult")
    assert _local(case.answer_deadline).date() == datetime.date(2026, 11, 24)


def test_overdue_acceptance_escalates_to_the_parent_and_notifies_its_staff(county):
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False):
        case = new_case(county.village_a1)
    with time_machine.travel(at(2026, 11, 24, 23, 0), tick=False):
        assert clock.scan_deadlines()["supervised"] == 0
    with time_machine.travel(at(2026, 11, 25, 0, 5), tick=False):
        assert clock.scan_deadlines()["supervised"] == 1
        assert clock.scan_deadlines()["supervised"] == 0  # flagged once
    case.refresh_from_db()
    assert case.supervised and case.supervising_org == county.town_a
    assert case.events.filter(kind="supervise", organization=county.town_a).exists()
    assert county.town_a_admin.notifications.filter(target_id=case.pk, kind="feedback.overdue").exists()
    assert county.village_a1_secretary.notifications.filter(target_id=case.pk, kind="feedback.overdue").exists()


def test_overdue_answer_escalates_to_the_leads_parent(county):
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False):
        case = new_case(county.village_b1, category="consult")
        actions.accept_case(county.county_admin, case.pk)
        actions.dispatch_case(county.county_admin, case.pk, county.town_a.pk)
    with time_machine.travel(at(2026, 11, 27, 0, 1), tick=False):
        clock.scan_deadlines()
    case.refresh_from_db()
    assert case.supervised and case.supervising_org == county.county


def test_answered_case_is_not_escalated(county):
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False):
        case = new_case(county.village_a1, category="consult")
        actions.accept_case(county.village_a1_secretary, case.pk)
        actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
        actions.answer_case(county.village_a1_secretary, case.pk, "已答复")
    with time_machine.travel(at(2026, 12, 1, 9, 0), tick=False):
        assert clock.scan_deadlines()["supervised"] == 0


def test_extension_before_the_deadline_approved_by_the_parent_moves_it(county):
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False):
        case = new_case(county.village_a1, category="consult")  # due Thursday 26 November
        actions.accept_case(county.village_a1_secretary, case.pk)
        actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
        extension = actions.request_extension(county.village_a1_secretary, case.pk, 2, "需要等供电所排期")
        with pytest.raises(PermissionDenied):  # the village cannot approve its own extension
            actions.decide_extension(county.village_a1_secretary, extension.pk, True)
        actions.decide_extension(county.town_a_admin, extension.pk, True)
    case.refresh_from_db()
    assert _local(case.answer_deadline).date() == datetime.date(2026, 11, 30)
    assert Extension.objects.get().decision == Extension.Decision.APPROVED


def test_extension_after_the_deadline_is_refused(county):
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False):
        case = new_case(county.village_a1, category="consult")
        actions.accept_case(county.village_a1_secretary, case.pk)
        actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    with time_machine.travel(at(2026, 11, 27, 9, 0), tick=False), pytest.raises(ActionError):
        actions.request_extension(county.village_a1_secretary, case.pk, 2, "太晚了")
    assert not Extension.objects.exists()


def test_unrated_case_closes_after_20_working_days_and_is_never_satisfied(county):
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        case = new_case(county.village_a1, category="consult")
        actions.accept_case(county.village_a1_secretary, case.pk)
        actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
        actions.answer_case(county.village_a1_secretary, case.pk, "已答复")
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):  # 19 working days later
        assert clock.scan_deadlines()["closed_unrated"] == 0
    with time_machine.travel(at(2026, 12, 1, 0, 1), tick=False):
        assert clock.scan_deadlines()["closed_unrated"] == 1
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.CLOSED and case.rating == Rating.UNRATED
    from dangjian.feedback.stats import figures_for

    total = figures_for(county.county)["total"]
    assert total.unrated == 1 and total.satisfied == 0 and total.satisfaction_rate is None


def test_contact_phone_is_forgotten_a_year_after_closing(county):
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        old = new_case(county.village_a1, contact_phone="13812345678")
        actions.reject_case(county.village_a1_secretary, old.pk, "重复")
    recent = new_case(county.village_a1, contact_phone="13912345678")
    result = clock.forget_personal_data()
    assert result["contacts_cleared"] == 1
    assert Case.objects.get(pk=old.pk).contact_phone == ""
    assert Case.objects.get(pk=recent.pk).contact_phone == "13912345678"
