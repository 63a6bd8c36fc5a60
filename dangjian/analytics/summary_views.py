"""The console's summary pages (使用汇总): an organization's subtree by period, its children, a trend, and the rows
behind each figure. Everything on the summary page comes from the rollups (summary.py, queries.py); only the rows
page reads records, those of one figure."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.permissions import (
    VIEW_SUMMARIES,
    get_organization_for_user,
    has_capability,
    require,
    scope_paths,
)
from dangjian.console.shell import console_view
from dangjian.core.registry import UsageMetric, registry
from dangjian.organizations.models import Organization

from . import freshness, queries, summary
from .periods import KINDS, MONTH, Period
from .rows import has_rows, listed_rows

KIND_CHOICES = {
    "w": pgettext_lazy("summary period", "By week"),
    "m": pgettext_lazy("summary period", "By month"),
    "q": pgettext_lazy("summary period", "By quarter"),
    "y": pgettext_lazy("summary period", "By year"),
}
ROWS_PER_PAGE = 50


def may_view_summaries(request) -> bool:
    """The menu item's rule: holders of VIEW_SUMMARIES somewhere (and administrators)."""
    user = request.user
    return bool(user.is_superuser and user.is_active) or bool(scope_paths(user, VIEW_SUMMARIES))


def chosen_period(params, today: datetime.date) -> tuple[Period, str]:
    """The period asked for by `period` (its code, e.g. "2026-11") or `kind` (that kind's current period), this
    month by default; with words for the viewer when the request could not be followed as it was."""
    code, kind = params.get("period", "").strip(), params.get("kind", "").strip()
    notice = ""
    if code:
        try:
            period = Period.parse(code)
        except ValueError:
            period = Period.holding(MONTH, today)
            notice = _("The period asked for was not understood; this month is shown instead.")
    elif kind:
        if kind in KINDS:
            period = Period.holding(kind, today)
        else:
            period = Period.holding(MONTH, today)
            notice = _("The kind of period asked for was not understood; this month is shown instead.")
    else:
        period = Period.holding(MONTH, today)
    if period.start > today:
        period = Period.holding(period.kind, today)
        notice = _("That period has not begun yet; the current one is shown instead.")
    return period, notice


def _query(period: Period, group: str, sort: str = "", descending: bool = True) -> str:
    params = {"period": period.code, "group": group}
    if sort:
        params["sort"] = sort
        params["dir"] = "desc" if descending else "asc"
    return "?" + urlencode(params)


def _sort(params, group: summary.Group) -> tuple[str, bool]:
    sort = params.get("sort", "")
    if sort != "name" and sort not in {measure.key for measure in group.measures}:
        return "", False
    return sort, params.get("dir") != "asc"


def _columns(period: Period, group: summary.Group, sort: str, descending: bool) -> list[dict]:
    """The children table's sortable columns: the link each header leads to and its aria-sort."""
    columns = []
    for key, measure in [("name", None), *((m.key, m) for m in group.measures)]:
        current = sort == key
        # A first click sorts numbers from the largest and names from A; a second click turns the order round.
        first_descending = key != "name"
        next_descending = (not descending) if current else first_descending
        columns.append(
            {
                "key": key,
                "measure": measure,
                "href": _query(period, group.key, key, next_descending),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return columns


def _breadcrumbs(user, organization: Organization, period: Period, group: str) -> list[dict]:
    """The organizations above, each linked to its own summary when the viewer may see it."""
    return [
        {
            "organization": above,
            "href": reverse("console:summary", args=[above.pk]) + _query(period, group)
            if not above.is_closed and has_capability(user, VIEW_SUMMARIES, above)
            else "",
        }
        for above in organization.ancestors()
    ]


@console_view
def summaries(request):
    """The menu's 使用汇总: the viewer's own organization's summary, or a choice when they hold it on several."""
    user = request.user
    if user.is_superuser and user.is_active:
        tops = Organization.objects.filter(parent__isnull=True, closed_at__isnull=True)
    else:
        paths = scope_paths(user, VIEW_SUMMARIES)
        if not paths:
            raise Http404
        tops = Organization.objects.filter(path__in=paths, closed_at__isnull=True)
    shown = list(tops.order_by("path"))
    if len(shown) == 1:
        return redirect("console:summary", shown[0].pk)
    return render(request, "analytics/summaries.html", {"organizations": shown})


@console_view
def organization_summary(request, org_id: int):
    """The subtree's figures for a period by group, the direct children's figures of one group (sortable), and
    the group's trend over the last periods (a chart and the same figures as a table)."""
    user = request.user
    organization = get_organization_for_user(user, org_id, VIEW_SUMMARIES)
    today = timezone.localdate()
    period, notice = chosen_period(request.GET, today)
    groups = summary.groups()
    group = next((g for g in groups if g.key == request.GET.get("group")), groups[0] if groups else None)
    values = queries.figures([organization.pk], period)[organization.pk]
    sections = [
        (g, list(zip(g.measures, summary.cells(user, organization, g.measures, values, period), strict=True)))
        for g in groups
    ]
    context = {
        "org": organization,
        "period": period,
        "notice": notice,
        "sections": sections,
        "groups": groups,
        "group": group,
        "breadcrumbs": _breadcrumbs(user, organization, period, group.key if group else ""),
        # The status section (freshness, 形同摆设, what to do now), as of today, under the period choice.
        "status_template": "analytics/_summary_status.html",
        "status_query": f"?period={period.code}",
        "home_days": settings.SUMMARY_IDLE_HOME_DAYS,
        "overdue_columns": settings.SUMMARY_IDLE_OVERDUE_COLUMNS,
    }
    fresh = freshness.subtree_freshness(organization)
    context["freshness"] = fresh
    context["todo_lists"] = freshness.todo_now(user, organization, freshness=fresh)
    if group is not None:
        sort, descending = _sort(request.GET, group)
        trend = summary.trend(organization, group, period)
        context.update(
            {
                "children": summary.child_rows(user, organization, group, period, sort, descending),
                "columns": _columns(period, group, sort, descending),
                "trend": trend,
                "trend_rows": [
                    (label, [series["data"][index] for series in trend["series"]])
                    for index, label in enumerate(trend["labels"])
                ][::-1],
                "group_links": [(g, _query(period, g.key)) for g in groups],
            }
        )
    first = summary.first_start(organization, period.kind)
    context.update(
        {
            "nothing_yet": first is None or period.end <= first,
            "kind_links": [
                (kind, label, _query(Period.holding(kind, today), group.key if group else ""), kind == period.kind)
                for kind, label in KIND_CHOICES.items()
            ],
            "previous_link": _query(period.previous(), group.key if group else ""),
            "next_link": _query(period.next(), group.key if group else "") if period.next().start <= today else "",
            "recent": _around(period, today),
        }
    )
    return render(request, "analytics/summary.html", context)


def _around(period: Period, today: datetime.date) -> list[Period]:
    """The periods offered in the chooser: the latest ones up to today, newest first, the chosen one among them."""
    latest = Period.holding(period.kind, today)
    found = latest.recent(summary.TREND_PERIODS)[::-1]
    return found if period in found else [*found, period]


@console_view
def summary_rows(request, org_id: int, metric: str, period: str):
    """The rows a figure counts, for holders of the metric's capability on the organization; a metric that has
    no rows page (no capability, or not a count of rows), a forged key or period is not found."""
    user = request.user
    organization = get_organization_for_user(user, org_id, VIEW_SUMMARIES)
    try:
        usage_metric = registry.get(UsageMetric, metric)
    except KeyError:
        raise Http404 from None
    if usage_metric not in queries.metrics() or not has_rows(usage_metric):
        raise Http404
    try:
        chosen = Period.parse(period)
    except ValueError:
        raise Http404 from None
    if chosen.start > timezone.localdate():
        raise Http404
    counted = usage_metric.counted
    assert counted is not None and counted.capability is not None
    require(user, counted.capability, organization)
    page = Paginator(listed_rows(usage_metric, organization, chosen), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    label = counted.label or str
    link = counted.link or (lambda _obj: None)
    figure = queries.figures([organization.pk], chosen)[organization.pk].get(usage_metric.key, 0)
    return render(
        request,
        "analytics/summary_rows.html",
        {
            "org": organization,
            "metric": usage_metric,
            "period": chosen,
            "page": page,
            "items": [(label(obj), link(obj)) for obj in page.object_list],
            "figure": figure,
            "back": reverse("console:summary", args=[organization.pk]) + _query(chosen, usage_metric.group),
            "definition_anchor": summary.anchor(usage_metric.key),
        },
    )
