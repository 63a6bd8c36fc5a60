"""The form asking for a usage report: the kind (month, quarter, year, week), the year and which one of it."""

from __future__ import annotations

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import ChoiceChips

from . import periods
from .periods import Period

FIRST_YEAR = 2000


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of report"),
        choices=[
            (periods.MONTH, pgettext_lazy("usage report", "Monthly")),
            (periods.QUARTER, pgettext_lazy("usage report", "Quarterly")),
            (periods.YEAR, pgettext_lazy("usage report", "Yearly")),
            (periods.WEEK, pgettext_lazy("usage report", "Weekly")),
        ],
        widget=ChoiceChips,
        error_messages={"invalid_choice": _("Choose a kind of report."), "required": _("Choose a kind of report.")},
    )
    year = forms.IntegerField(
        label=pgettext_lazy("usage report", "Year"),
        error_messages={"invalid": _("Enter the year as a number, e.g. 2026."), "required": _("Enter the year.")},
    )
    number = forms.IntegerField(
        label=_("Month, quarter or week"),
        required=False,
        help_text=_("For a monthly report 1 to 12, a quarterly one 1 to 4, a weekly one 1 to 53; empty for a year."),
        error_messages={"invalid": _("Enter a whole number.")},
    )
    client_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        last = Period.holding(periods.MONTH, today).previous()
        self.initial.setdefault("kind", periods.MONTH)
        self.initial.setdefault("year", last.start.year)
        self.initial.setdefault("number", last.start.month)
        self.initial.setdefault("client_token", uuid.uuid4())
        self.fields["client_token"].error_messages = {
            "required": _("The form has expired; please submit it again."),
            "invalid": _("The form has expired; please submit it again."),
        }

    def clean(self):
        data = super().clean() or {}
        kind, year, number = data.get("kind"), data.get("year"), data.get("number")
        if kind is None or year is None:
            return data
        today = timezone.localdate()
        if not FIRST_YEAR <= year <= today.year:
            self.add_error(
                "year", _("The year is between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": today.year}
            )
            return data
        limits = {periods.MONTH: 12, periods.QUARTER: 4, periods.WEEK: 53}
        if kind == periods.YEAR:
            start = datetime.date(year, 1, 1)
        elif number is None:
            self.add_error("number", _("Enter which month, quarter or week of the year."))
            return data
        elif not 1 <= number <= limits[kind]:
            self.add_error("number", _("Enter a number from 1 to %(n)s.") % {"n": limits[kind]})
            return data
        elif kind == periods.MONTH:
            start = datetime.date(year, number, 1)
        elif kind == periods.QUARTER:
            start = datetime.date(year, 3 * (number - 1) + 1, 1)
        else:
            try:
                start = datetime.date.fromisocalendar(year, number, 1)
            except ValueError:
                self.add_error("number", _("%(year)s has no week %(n)s.") % {"year": year, "n": number})
                return data
        if start > today:
            self.add_error(
                "number" if kind != periods.YEAR else "year",
                _("That period has not begun yet; choose one up to today."),
            )
            return data
        data["period"] = Period(kind, start)
        return data
