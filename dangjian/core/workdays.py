"""Chinese working days: statutory holidays, make-up workdays (调休) and administrators' overrides.

A deadline of *n* working days is the end (23:59:59, local time) of the n-th working day after the
day something happened; n = 0 means the end of that day if it is a working day, else the end of
the next working day. Years the calendar package does not know yet fall back to Monday-Friday,
and the console warns (see `uncovered_years`) until an administrator adds overrides for them.
"""

from __future__ import annotations

import datetime

import chinese_calendar
from django.core.cache import cache
from django.utils import timezone

from .models import CalendarOverride

_OVERRIDES_KEY = "workdays:overrides:v1"
_OVERRIDES_SECONDS = 60
_MAX_SCAN_DAYS = 3660  # a safety bound: ten years without a working day means a broken calendar


def _overrides() -> dict[datetime.date, bool]:
    overrides = cache.get(_OVERRIDES_KEY)
    if overrides is None:
        overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
        cache.set(_OVERRIDES_KEY, overrides, _OVERRIDES_SECONDS)
    return overrides


def forget_overrides() -> None:
    """Called after an override is saved so the next computation reads the table again."""
    cache.delete(_OVERRIDES_KEY)


def calendar_knows(day: datetime.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: datetime.date, overrides: dict[datetime.date, bool] | None = None) -> bool:
    overrides = _overrides() if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(day: datetime.date, count: int) -> datetime.date:
    """The date of the `count`-th working day after `day` (count 0: `day` itself or the next working day)."""
    overrides = _overrides()
    current = day
    if count == 0:
        for _ in range(_MAX_SCAN_DAYS):
            if is_workday(current, overrides):
                return current
            current += datetime.timedelta(days=1)
        raise ValueError("no working day found")
    remaining = count
    for _ in range(_MAX_SCAN_DAYS):
        current += datetime.timedelta(days=1)
        if is_workday(current, overrides):
            remaining -= 1
            if remaining == 0:
                return current
    raise ValueError("no working day found")


def end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def deadline_after(moment: datetime.datetime, count: int) -> datetime.datetime:
    """The aware datetime by which something received at `moment` is due, `count` working days on."""
    return end_of_day(add_workdays(timezone.localdate(moment), count))


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    overrides = _overrides()
    days = 0
    current = start
    while current < end:
        current += datetime.timedelta(days=1)
        if is_workday(current, overrides):
            days += 1
    return days


def uncovered_years(today: datetime.date | None = None, horizon_days: int = 60) -> list[int]:
    """Years within the horizon that neither the package nor any override covers."""
    today = today or timezone.localdate()
    years = sorted({today.year, (today + datetime.timedelta(days=horizon_days)).year})
    override_years = {d.year for d in _overrides()}
    return [y for y in years if not calendar_knows(datetime.date(y, 6, 1)) and y not in override_years]
