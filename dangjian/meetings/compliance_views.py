"""Console pages of meeting compliance (三会一课落实情况): a branch's own year, the grid of a township or county,
and the secretary's list of required meetings of the current period not yet held (the to-do's list)."""

from __future__ import annotations

import datetime
from html import escape

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.permissions import MANAGE_MEETINGS, get_organization_for_user, has_capability
from dangjian.console.shell import console_view

from . import compliance

FIRST_YEAR = 2000
SORTS = ("tree", "name", "missing")


class YearForm(forms.Form):
    """The year shown: this year unless another valid one is chosen."""

    year = forms.IntegerField(
        label=pgettext_lazy("meeting compliance", "Year"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": FIRST_YEAR}),
        error_messages={"invalid": _("Enter the year as four digits, for example 2026.")},
    )

    def __init__(self, data, today: datetime.date):
        self.today = today
        super().__init__(data if data.get("year") else None, initial={"year": today.year})
        self.fields["year"].widget.attrs["max"] = today.year + 1

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not FIRST_YEAR <= year <= self.today.year + 1:
            raise ValidationError(
                _("Choose a year between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": self.today.year + 1},
                code="bounds",
            )
        return year

    def chosen_year(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return self.today.year


def _year(request) -> tuple[YearForm, int, datetime.date]:
    today = timezone.localdate()
    form = YearForm(request.GET, today)
    return form, form.chosen_year(), today


@console_view
def branch_compliance(request, org_id: int):
    """A branch's own year: each required kind with its months, quarters or the year, held or not."""
    organization = get_organization_for_user(request.user, org_id, MANAGE_MEETINGS)
    form, year, today = _year(request)
    row = compliance.branch_report(organization, year, today)
    has_branches_below = organization.children.open().exclude(kind="group").exists()
    return render(
        request,
        "meetings/compliance/branch.html",
        {
            "org": organization,
            "form": form,
            "year": year,
            "row": row,
            "kinds": row.by_kind() if row else [],
            "has_branches_below": has_branches_below,
            "frequencies": _frequency_lines(),
        },
    )


@console_view
def compliance_grid(request, org_id: int):
    """The branches of a township or county by month: what was held and what is missing."""
    organization = get_organization_for_user(request.user, org_id, MANAGE_MEETINGS)
    form, year, today = _year(request)
    sort = request.GET.get("sort", "tree")
    sort = sort if sort in SORTS else "tree"
    report = compliance.build(organization, year, today, detail=False)
    parent = organization.parent
    may_go_up = parent is not None and parent.closed_at is None and _may(request.user, parent)
    return render(
        request,
        "meetings/compliance/grid.html",
        {
            "org": organization,
            "form": form,
            "year": year,
            "report": report,
            "groups": [(unit, rows, grid_rows_html(rows, year)) for unit, rows in report.grouped(sort)],
            "sort": sort,
            "months": range(1, 13),
            "parent": parent if may_go_up else None,
            "frequencies": _frequency_lines(),
        },
    )


@console_view
def due_list(request):
    """The required meetings of the current period not yet held in the branches the user runs (the to-do)."""
    items = compliance.due_for_user(request.user)
    return render(request, "meetings/compliance/due.html", {"items": items, "today": timezone.localdate()})


def _may(user, organization) -> bool:
    return has_capability(user, MANAGE_MEETINGS, organization)


def _frequency_lines() -> list[tuple[str, str]]:
    words = {"monthly": _("once a month"), "quarterly": _("once a quarter"), "yearly": _("once a year")}
    return [(compliance.kind_label(kind), str(words[freq])) for kind, freq in compliance.frequencies().items()]


def grid_rows_html(rows, year: int) -> str:
    """The rows of a township's branches in the grid: the branch's name linking to its own page, the twelve
    months and the year's missing count. Built in Python (a county has a thousand rows), every value escaped."""
    link = reverse("console:meetings_compliance", args=[0]).replace("/0/", "/{}/")
    parts = []
    for row in rows:
        name = escape(row.branch.short_name or row.branch.name)
        missing = f"<strong>{row.missing}</strong>" if row.missing else "0"
        parts.append(
            f'<tr data-branch="{row.branch.pk}"><th scope="row"><a href="{link.format(row.branch.pk)}?year={year}">'
            f"{name}</a></th>{''.join(cell.html() for cell in row.cells)}<td>{missing}</td></tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped values and our own markup
