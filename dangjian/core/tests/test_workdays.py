"""Working-day arithmetic across statutory holidays, make-up days (调休) and administrators' overrides."""

import datetime

import pytest
from django.utils import timezone

from dangjian.core import workdays
from dangjian.core.models import CalendarOverride

D = datetime.date


@pytest.fixture(autouse=True)
def _fresh_overrides(db):
    workdays.forget_overrides()
    yield
    workdays.forget_overrides()


def test_national_day_week_is_skipped_and_the_make_up_saturday_counts():
    # 2026: 1-7 October off, Saturday 10 October is a make-up working day.
    assert workdays.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert workdays.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert workdays.add_workdays(D(2026, 9, 30), 4) == D(2026, 10, 12)


def test_spring_festival_is_skipped_and_both_make_up_saturdays_count():
    # 2026: 15-23 February off; Saturdays 14 and 28 February are working days.
    assert workdays.is_workday(D(2026, 2, 14))
    assert workdays.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert workdays.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert workdays.add_workdays(D(2026, 2, 14), 10) == D(2026, 3, 6)
    assert workdays.add_workdays(D(2026, 2, 24), 4) == D(2026, 2, 28)


def test_same_day_deadline_on_a_holiday_moves_to_the_next_working_day():
    assert workdays.add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 8)
    assert workdays.add_workdays(D(2026, 10, 8), 0) == D(2026, 10, 8)


def test_deadline_is_the_end_of_the_local_day():
    received = datetime.datetime(2026, 9, 30, 16, 0, tzinfo=timezone.get_current_timezone())
    deadline = timezone.localtime(workdays.deadline_after(received, 1))
    assert (deadline.date(), deadline.hour, deadline.minute) == (D(2026, 10, 8), 23, 59)


def test_override_turns_a_working_day_off_and_a_sunday_on():
    CalendarOverride.objects.create(date=D(2026, 10, 8), is_workday=False, note="本地假日")
    CalendarOverride.objects.create(date=D(2026, 10, 11), is_workday=True, note="补班")
    workdays.forget_overrides()
    assert workdays.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 9)
    assert workdays.add_workdays(D(2026, 10, 10), 1) == D(2026, 10, 11)


def test_a_year_the_package_does_not_know_counts_weekdays_and_is_reported():
    assert not workdays.calendar_knows(D(2027, 1, 4))
    # Friday 1 January 2027 is a weekday for the fallback until an administrator enters the holiday.
    assert workdays.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert workdays.uncovered_years(D(2026, 11, 26)) == [2027]
    CalendarOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    workdays.forget_overrides()
    assert workdays.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert workdays.uncovered_years(D(2026, 11, 26)) == []


def test_working_days_between_counts_only_working_days():
    assert workdays.workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert workdays.workdays_between(D(2026, 10, 10), D(2026, 10, 1)) == 0
