"""The periods of the usage summaries: ISO weeks (from Monday), months, quarters and years, in local dates.

A period is a kind ("w", "m", "q", "y") and its first day; it covers [start, end(kind, start)).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEEK, MONTH, QUARTER, YEAR = "w", "m", "q", "y"
KINDS = (WEEK, MONTH, QUARTER, YEAR)
KIND_LABELS = {WEEK: _("Week"), MONTH: _("Month"), QUARTER: _("Quarter"), YEAR: _("Year")}


def start_of(kind: str, day: datetime.date) -> datetime.date:
    if kind == WEEK:
        return day - datetime.timedelta(days=day.weekday())
    if kind == MONTH:
        return day.replace(day=1)
    if kind == QUARTER:
        return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if kind == YEAR:
        return datetime.date(day.year, 1, 1)
    raise ValueError(kind)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def end_of(kind: str, start: datetime.date) -> datetime.date:
    """The first day after the period that starts on `start`."""
    if kind == WEEK:
        return start + datetime.timedelta(days=7)
    return _add_months(start, {MONTH: 1, QUARTER: 3, YEAR: 12}[kind])


def previous(kind: str, start: datetime.date) -> datetime.date:
    if kind == WEEK:
        return start - datetime.timedelta(days=7)
    return _add_months(start, -{MONTH: 1, QUARTER: 3, YEAR: 12}[kind])


def starts_between(kind: str, first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    """The starts of every period of `kind` that holds a day in [first, last]."""
    start = start_of(kind, first)
    while start <= last:
        yield start
        start = end_of(kind, start)


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date

    @classmethod
    def holding(cls, kind: str, day: datetime.date) -> Period:
        return cls(kind, start_of(kind, day))

    @classmethod
    def current(cls, kind: str) -> Period:
        return cls.holding(kind, timezone.localdate())

    @property
    def end(self) -> datetime.date:
        return end_of(self.kind, self.start)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    def previous(self) -> Period:
        return Period(self.kind, previous(self.kind, self.start))

    def next(self) -> Period:
        return Period(self.kind, self.end)

    def recent(self, count: int) -> list[Period]:
        """This period and the `count - 1` before it, oldest first (for trends)."""
        found = [self]
        while len(found) < count:
            found.append(found[-1].previous())
        return found[::-1]

    @property
    def code(self) -> str:
        """The period in a URL: "2026-q4", "2026-11", "2026-w48", "2026"."""
        if self.kind == YEAR:
            return f"{self.start.year}"
        if self.kind == QUARTER:
            return f"{self.start.year}-q{(self.start.month - 1) // 3 + 1}"
        if self.kind == MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        iso = self.start.isocalendar()
        return f"{iso.year}-w{iso.week:02d}"

    @classmethod
    def parse(cls, code: str) -> Period:
        """The inverse of `code`; ValueError for anything else."""
        code = code.strip().lower()
        if len(code) > 10:
            raise ValueError(code)
        if code.isdigit() and len(code) == 4:
            if not 2000 <= int(code) <= 2100:
                raise ValueError(code)
            return cls(YEAR, datetime.date(int(code), 1, 1))
        year_text, _sep, rest = code.partition("-")
        if not year_text.isdigit() or len(year_text) != 4 or not rest:
            raise ValueError(code)
        year = int(year_text)
        if year < 2000 or year > 2100:
            raise ValueError(code)
        if rest.startswith("q") and rest[1:] in ("1", "2", "3", "4"):
            return cls(QUARTER, datetime.date(year, 3 * (int(rest[1:]) - 1) + 1, 1))
        if rest.startswith("w") and rest[1:].isdigit():
            return cls(WEEK, datetime.date.fromisocalendar(year, int(rest[1:]), 1))
        if rest.isdigit() and 1 <= int(rest) <= 12:
            return cls(MONTH, datetime.date(year, int(rest), 1))
        raise ValueError(code)

    def __str__(self) -> str:
        if self.kind == YEAR:
            return _("%(year)s") % {"year": self.start.year}
        if self.kind == QUARTER:
            return _("Q%(quarter)s %(year)s") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == MONTH:
            return _("%(month)s/%(year)s") % {"month": self.start.month, "year": self.start.year}
        iso = self.start.isocalendar()
        return _("Week %(week)s of %(year)s") % {"week": iso.week, "year": iso.year}
