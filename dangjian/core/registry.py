"""The module registry: what each app adds to the shared pages, declared from its `AppConfig.ready()`.

The console menu, the console dashboard, an organization's console page, the portal's section menu and the
portal home are drawn from these lists; no template or view names the apps that fill them, so adding a module
edits no other module (docs/architecture.md, "Adding a module"). Each app also declares its usage metrics:
what it counts per organization and period, for the usage summaries, and what keeps its portal fresh
(`PortalUpdate`, `UpdateRule`) or is overdue (`Overdue`), for the summaries' 形同摆设 status.

    from dangjian.core import registry

    class FeedbackConfig(AppConfig):
        def ready(self):
            registry.register(registry.MenuItem("feedback", _("Feedback inbox"), "console:feedback_inbox", ...))

Entries are kept in `order`, then in the order they were registered; a key may be registered once per kind.
Visibility rules get the request (or the user and the organization) and must be cheap: they run on every
console page. `core` imports no app: the callables live in the apps and only the registry holds them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise


def _always(*_args: Any) -> bool:
    return True


@dataclass(frozen=True)
class MenuItem:
    """An entry of the console menu (console_base.html)."""

    key: str
    label: StrOrPromise
    url_name: str
    order: int = 100
    visible: Callable[[HttpRequest], bool] = _always
    badge: Callable[[HttpRequest], int] | None = None  # e.g. unread notifications; 0 shows nothing
    badge_label: Callable[[int], str] | None = None  # words for screen readers, e.g. "3 unread"


@dataclass(frozen=True)
class DashboardPanel:
    """A section of the console home. `context(request)` returns the template's context, or None to hide it."""

    key: str
    template: str
    context: Callable[[HttpRequest], dict | None]
    order: int = 100
    # Shown to signed-in accounts without a staff role too (a party member's own panels); others are staff only.
    everyone: bool = False


@dataclass(frozen=True)
class ToDo:
    """A line of the person's to-do, at the top of the console home: "您有 3 件待受理", linking to the module's
    list filtered to exactly those items (so the number and the list agree; test it).

    `count(request)` is the number of items waiting for this person, or None when this kind of work is not
    theirs (the line is not shown; say it with a cheap check first, it runs on every console home). `locked`,
    when given and it returns words, is shown with the link instead of a number, e.g. a supervision officer
    who has not yet given the one-time code this session. `text(n)` are the words for n items (ngettext)."""

    key: str
    text: Callable[[int], str]
    count: Callable[[HttpRequest], int | None]
    url_name: str
    query: str = ""  # appended to the URL: the filter giving exactly the counted items, e.g. "todo=accept"
    order: int = 100
    locked: Callable[[HttpRequest], StrOrPromise | None] | None = None


@dataclass(frozen=True)
class OrganizationLink:
    """A button on an organization's console page, to one of the module's pages for that organization."""

    key: str
    label: StrOrPromise
    url_name: str  # reversed with the organization's id
    visible: Callable[[Any, Any], bool]  # (user, organization)
    order: int = 100
    secondary: bool = False
    count: Callable[[Any], int] | None = None  # (organization) → a number shown after the label


@dataclass(frozen=True)
class OrganizationPanel:
    """A section of an organization's console page. `context(user, organization)` or None to hide it."""

    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


@dataclass(frozen=True)
class PortalSection:
    """An entry of a portal's section menu (portal_base.html); views name it by `key` as the current one."""

    key: str
    label: StrOrPromise
    url_name: str  # reversed with the organization's id
    order: int = 100


@dataclass(frozen=True)
class PortalBlock:
    """A section of the portal home. `context(organization)` returns the template's context, or None."""

    key: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100


@dataclass(frozen=True)
class Counted:
    """How the usage summaries (dangjian/analytics) keep a metric in rollups instead of counting on each view.

    `rows()` is a queryset of every row that counts, of any organization and any date (it may annotate the
    fields named below). Each row adds to the own figure of the organization named by `organization` (a field
    or a lookup such as "room__organization"), in the period holding its `date` (a DateField, or the local date
    of a DateTimeField). `distinct` counts distinct values of a field instead of rows (rooms with messages).
    With `until` the metric is a stock, counted at the period's last day: rows dated on or before it whose
    `until` is empty or after it (members on the roll).

    The rollups are refreshed when a row of `rows()`'s model is saved or deleted (its organization is read from
    the instance along `organization`; with `moves=True` the organization it had before the save too), and when
    one of `watch` changes: ("app_label.Model", "lookup from that model to the organization"). The clock's nightly
    rebuild catches anything that changed without a save (a bulk update, a deadline passing).

    A figure that is not a count of rows (the required meetings a branch did not hold) gives `compute`:
    `compute(organization_ids or None)` returns {(organization id, period kind, period start): own figure} for
    every period kind ("w", "m", "q", "y"); `rows()` then only names the model whose changes refresh it.

    `listed(queryset)` turns the counted rows of a subtree and period into what the figure's rows page lists
    (default: the rows; active rooms list rooms), each shown by `label(obj)` and linked to `link(obj)`; only
    holders of `capability` on the organization may see them. Without a capability the figure has no rows
    page (supervision gives counts only).
    """

    rows: Callable[[], Any]
    organization: str
    date: str
    distinct: str = "pk"
    until: str | None = None
    moves: bool = False
    watch: tuple[tuple[str, str], ...] = ()
    capability: str | None = None
    listed: Callable[[Any], Any] | None = None
    label: Callable[[Any], str] | None = None
    link: Callable[[Any], str | None] | None = None
    compute: Callable[[Any], dict[tuple[int, str, datetime.date], int]] | None = None


@dataclass(frozen=True)
class UsageMetric:
    """Something a module counts per organization and period, for the usage summaries.

    `count(organization, start, end)` is the number for the organization's whole subtree over
    [start, end) (dates), counted from the records: the reference the rollups are checked against.
    `counted` says how the rollups keep it (see `Counted`); `group` places it on the summary page
    ("interaction", "life", "learning", "publishing", "reach", "content") and `definition` is the sentence
    shown one click away from the figure. Metrics are about organizations, never about a person.
    """

    key: str  # "<module>.<what>", e.g. "feedback.answered_on_time"
    label: StrOrPromise
    count: Callable[[Any, datetime.date, datetime.date], int]
    order: int = 100
    counted: Counted | None = None
    group: str = "content"
    definition: StrOrPromise = ""


@dataclass(frozen=True)
class UsageRate:
    """A rate the usage summaries show beside the metrics: `numerator` / `denominator` (two metric keys) over the
    same subtree and period, e.g. answered on time / answered; "—" when the denominator is 0."""

    key: str
    label: StrOrPromise
    numerator: str
    denominator: str
    group: str = "content"
    definition: StrOrPromise = ""
    order: int = 100


@dataclass(frozen=True)
class PortalUpdate:
    """What a module changes on an organization's portal pages, for the freshness the usage summaries check
    (an organization whose portal home has not changed for weeks is flagged 形同摆设).

    `changed(organization_ids)` returns {organization id: when the module last changed one of `pages` of that
    organization's portal} for the given organizations (None: every organization), from the module's records in
    a few grouped queries (never one per organization). Only the organization's own doing counts (its articles,
    its leaders), not what an organization above pushes down to it. `pages` names the pages it changes: "home"
    (the portal home) and "leaders" (the leadership page). The summaries keep the result (analytics' `LastChange`)
    and refresh it when a row of one of `watch`'s models is saved or deleted: ("app_label.Model", "lookup from
    that model to the organization"); the nightly rebuild catches what changed without a save.
    """

    key: str  # "<module>.<what>", e.g. "publishing.articles"
    label: StrOrPromise
    changed: Callable[[Any], dict[int, datetime.datetime]]
    pages: tuple[str, ...] = ("home",)
    watch: tuple[tuple[str, str], ...] = ()
    order: int = 100


@dataclass(frozen=True)
class RuledItem:
    """One thing an organization must update at least every `rule_days` days (a column, 栏目), as an `UpdateRule`
    lists it: `key` is unique within the rule and the organization (the column's id), `counted_from` is when the
    rule started to run (its creation: with nothing published yet, the days are counted from then)."""

    organization_id: int
    key: str
    name: str
    rule_days: int | None
    counted_from: datetime.datetime


@dataclass(frozen=True)
class UpdateRule:
    """Things each organization must update at least every so many days (publishing's columns, 栏目: the
    government-website inspection rules), for the usage summaries' freshness (5 or more overdue: 形同摆设).

    `items(root)` lists the current `RuledItem`s of the organizations of root's subtree, one query (a path range);
    `changed(organization_ids)` returns {(organization id, item key): when the item was last updated}, from the
    records (kept by the summaries like a `PortalUpdate`'s, refreshed on saves of `watch`'s models). Holders of
    `capability` on an organization see its overdue items in the "what to do now" list, each linked to
    `link(organization id, item key)` (its console page; called only for the items listed).
    """

    key: str
    label: StrOrPromise
    items: Callable[[Any], list[RuledItem]]
    changed: Callable[[Any], dict[tuple[int, str], datetime.datetime]]
    capability: str
    link: Callable[[int, str], str]
    watch: tuple[tuple[str, str], ...] = ()
    order: int = 100


@dataclass(frozen=True)
class OverdueItem:
    """One item of an `Overdue` list: the organization it belongs to, its words, where it is handled (None: the
    viewer may not open it), and since when it is overdue (a deadline, or the day a limit ran out)."""

    organization_id: int
    label: str
    link: str | None
    since: datetime.datetime | datetime.date | None = None


@dataclass(frozen=True)
class Overdue:
    """Work in an organization's subtree that is past its limit, for the usage summaries' "what to do now" lists
    (overdue feedback cases, questions unanswered beyond a limit, notices not signed off past their date, required
    meetings missing).

    `items(root, now, limit, user)` returns (the first `limit` `OverdueItem`s of root's subtree, most overdue
    first; their total), in a few queries; each item's `link` is one `user` may open (or None). Only holders of
    `capability` on the root see the list. With `unanswered=True` it is
    interaction left unanswered, which the freshness status counts: `counts(root, now)` gives {organization id: n}
    for the subtree in one grouped query answered by an index; `text(n)` is the reason sentence ("3 件群众反馈超期未
    答复"); an organization with `settings.<threshold>` or more is 形同摆设, with 1 or more 需关注.
    """

    key: str
    label: StrOrPromise
    items: Callable[[Any, datetime.datetime, int, Any], tuple[list[OverdueItem], int]]
    capability: str
    text: Callable[[int], str]
    unanswered: bool = False
    counts: Callable[[Any, datetime.datetime], dict[int, int]] | None = None
    threshold: str = ""  # the settings name of the idle threshold, e.g. "SUMMARY_UNANSWERED_CASES"
    order: int = 100


@dataclass(frozen=True)
class TrackedModel:
    """A model whose changes the console's history page shows (core.history records them), and who may read it:
    those holding `capability` on the record's organization (content managers always may)."""

    key: str  # the model name, as in the history URL: "leader", "replytemplate"
    app_label: str
    capability: str
    order: int = 100


@dataclass(frozen=True)
class PathColumn:
    """A module's denormalized copy of `Organization.path` (e.g. feedback's `Case.place_path`, kept for index
    ranges). When a subtree moves, organizations.tree rewrites every registered column in the same transaction
    as the tree itself, so no module keeps an old path."""

    key: str  # "<module>.<model>.<column>"
    model: str  # "app_label.ModelName"
    column: str
    order: int = 100


@dataclass(frozen=True)
class OrganizationData:
    """A module's records that belong to an organization, for closing and merging it (organizations.tree).

    `count(organization)` is how many there are (shown on the confirmation page before anything is done).
    `merge(source, target)` moves them to the surviving organization, inside the caller's transaction (paths
    of its `PathColumn`s included); None means they stay with the closed organization (and do not stop it from
    being closed), e.g. supervision reports sealed to the receiving unit's keys.
    """

    key: str  # "<module>.<what>", e.g. "feedback.cases"
    label: StrOrPromise
    count: Callable[[Any], int]
    merge: Callable[[Any, Any], None] | None
    order: int = 100


Entry = (
    MenuItem
    | ToDo
    | DashboardPanel
    | OrganizationLink
    | OrganizationPanel
    | PortalSection
    | PortalBlock
    | UsageMetric
    | UsageRate
    | TrackedModel
    | PathColumn
    | OrganizationData
    | PortalUpdate
    | UpdateRule
    | Overdue
)
E = TypeVar("E", bound=Entry)


@dataclass
class Registry:
    _entries: dict[type, list[Any]] = field(default_factory=dict)

    def register(self, *entries: Entry) -> None:
        for entry in entries:
            kind = self._entries.setdefault(type(entry), [])
            if any(existing.key == entry.key for existing in kind):
                raise ValueError(f"{type(entry).__name__} {entry.key!r} is registered twice")
            kind.append(entry)
            kind.sort(key=lambda item: item.order)  # stable: same order keeps registration order

    def entries(self, kind: type[E]) -> list[E]:
        return list(self._entries.get(kind, []))

    def get(self, kind: type[E], key: str) -> E:
        for entry in self._entries.get(kind, []):
            if entry.key == key:
                return entry
        raise KeyError(key)

    def unregister(self, kind: type, key: str) -> None:
        """For tests that add a module of their own."""
        self._entries[kind] = [entry for entry in self._entries.get(kind, []) if entry.key != key]


registry = Registry()
register = registry.register
entries = registry.entries


def app_modules(submodule: str) -> Iterator[Any]:
    """Each installed project app's `submodule` (e.g. "urls", "console_urls", "demo"), in INSTALLED_APPS order."""
    import importlib
    import importlib.util

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("dangjian."):
            continue
        name = f"{config.name}.{submodule}"
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) in dates as aware datetimes at local midnight, for metrics that count timestamps."""
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end, datetime.time.min, tzinfo=zone),
    )
