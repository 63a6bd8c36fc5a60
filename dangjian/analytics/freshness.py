"""Freshness and the 形同摆设 status of every organization of a subtree, and what to do now.

What the modules declare in the registry (core/registry.py):
- `PortalUpdate`: when a module last changed an organization's portal home or leadership page (articles
  published, leaders edited, policies issued...);
- `UpdateRule`: things each organization must update every so many days (publishing's columns);
- `Overdue`: work past its limit (feedback cases, questions, notices, meetings); those marked `unanswered` are
  interaction left unanswered and count for the status.

The last changes are kept in `LastChange` (one row per organization, source and item), marked in the
transaction of each change by analytics.watch (a `PendingRollup` whose metric is "freshness:<source key>"),
refreshed by the rollups' task and rebuilt by the nightly rebuild (`refresh`, `rebuild`, `compare`, like the
figures in rollups.py). The days since, the rules and the overdue work are worked out when read, so the status
is right on any day without a write.

`subtree_freshness(root)` reads a whole subtree (a county's 1,000 organizations) in a fixed number of queries:
the organizations, their kept last changes, each rule's items, each unanswered source's counts. Party groups are
not judged (they have no portal columns of their own). An organization is
- 形同摆设 (idle) when its portal home has not changed for SUMMARY_IDLE_HOME_DAYS days (or never), when
  SUMMARY_IDLE_OVERDUE_COLUMNS or more of its columns are overdue, or when an unanswered source reaches its
  threshold (SUMMARY_UNANSWERED_*);
- 需关注 (attention) when anything is overdue short of that;
- 正常 (ok) otherwise;
each with its reasons as sentences, and every organization counts the idle and attention organizations below it.

`todo_now(user, root)` gives the "what to do now" lists of the subtree, each bounded, only those the viewer holds
the capability for on the root.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from dangjian.accounts.permissions import has_capability
from dangjian.core.registry import Overdue, PortalUpdate, UpdateRule, entries
from dangjian.organizations.models import Organization, ids_in_path

from .models import LastChange, RollupLock

PREFIX = "freshness:"  # the metric of a PendingRollup that marks a freshness source
HOME, LEADERS = "home", "leaders"
OK, ATTENTION, IDLE = "ok", "attention", "idle"
STATUS_LABELS = {
    OK: pgettext_lazy("freshness status", "In use"),
    ATTENTION: pgettext_lazy("freshness status", "Needs attention"),
    IDLE: pgettext_lazy("freshness status", "Idle"),
}
NOT_JUDGED = {Organization.Kind.GROUP}  # party groups keep no portal columns of their own

Key = tuple[int, str, str]  # organization id, source key, item key ("" for a PortalUpdate)


# --- Keeping the last changes ---------------------------------------------------------------------------------


def _source(key: str) -> PortalUpdate | UpdateRule | None:
    return next((source for source in sources() if source.key == key), None)


def sources() -> list[PortalUpdate | UpdateRule]:
    return [*entries(PortalUpdate), *entries(UpdateRule)]


def watched() -> list[tuple[str, str, str]]:
    """(mark, "app_label.Model", lookup to the organization) for analytics.watch."""
    return [(PREFIX + source.key, label, lookup) for source in sources() for label, lookup in source.watch]


def _changes(source: PortalUpdate | UpdateRule, organization_ids: list[int] | None) -> dict[Key, datetime.datetime]:
    if isinstance(source, PortalUpdate):
        return {
            (organization_id, source.key, ""): when
            for organization_id, when in source.changed(organization_ids).items()
            if when is not None
        }
    return {
        (organization_id, source.key, item): when
        for (organization_id, item), when in source.changed(organization_ids).items()
        if when is not None
    }


def _lock() -> None:
    """The rollups' lock (see rollups._lock): refreshes and rebuilds run one at a time."""
    RollupLock.objects.get_or_create(pk=1)
    RollupLock.objects.filter(pk=1).update(ticks=F("ticks") + 1)


def _write(wanted: dict[Key, datetime.datetime], kept: dict[Key, LastChange]) -> int:
    """Make the kept rows equal `wanted` over the keys of both; returns how many rows changed."""
    paths = dict(
        Organization.objects.filter(pk__in={key[0] for key in wanted.keys() - kept.keys()}).values_list("pk", "path")
    )
    created, updated, dropped = [], [], []
    for key in wanted.keys() | kept.keys():
        row, when = kept.get(key), wanted.get(key)
        if row is None and when is not None and key[0] in paths:
            created.append(
                LastChange(organization_id=key[0], path=paths[key[0]], source=key[1], item=key[2], changed_at=when)
            )
        elif row is not None and when is None:
            dropped.append(row.pk)
        elif row is not None and when is not None and row.changed_at != when:
            row.changed_at = when
            updated.append(row)
    LastChange.objects.bulk_create(created, batch_size=1000)
    LastChange.objects.bulk_update(updated, ["changed_at"], batch_size=1000)
    for start in range(0, len(dropped), 500):
        LastChange.objects.filter(pk__in=dropped[start : start + 500]).delete()
    return len(created) + len(updated) + len(dropped)


def refresh(marks: Iterable[tuple[int, str]]) -> int:
    """Recompute the last changes of these (organization id, "freshness:<source>") marks; returns rows changed."""
    by_source: dict[str, set[int]] = defaultdict(set)
    for organization_id, mark in marks:
        if mark.startswith(PREFIX):
            by_source[mark[len(PREFIX) :]].add(organization_id)
    if not by_source:
        return 0
    changed = 0
    with transaction.atomic():
        _lock()
        for key, organization_ids in by_source.items():
            source = _source(key)
            ids = sorted(organization_ids)
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                wanted = _changes(source, chunk) if source is not None else {}
                kept = {
                    (row.organization_id, row.source, row.item): row
                    for row in LastChange.objects.filter(organization_id__in=chunk, source=key)
                }
                changed += _write(wanted, kept)
    return changed


def computed() -> dict[Key, datetime.datetime]:
    """Every last change worked out from the modules' records."""
    found: dict[Key, datetime.datetime] = {}
    for source in sources():
        found.update(_changes(source, None))
    return found


def stored() -> dict[Key, datetime.datetime]:
    return {
        (row.organization_id, row.source, row.item): row.changed_at
        for row in LastChange.objects.all().iterator(chunk_size=5000)
    }


def compare() -> dict[Key, tuple[datetime.datetime | None, datetime.datetime | None]]:
    """The kept last changes that differ from the records: {key: (kept, computed)}."""
    kept, fresh = stored(), computed()
    return {
        key: (kept.get(key), fresh.get(key)) for key in kept.keys() | fresh.keys() if kept.get(key) != fresh.get(key)
    }


def rebuild() -> int:
    """Recompute every last change from the records and write what differs (the nightly rebuild)."""
    with transaction.atomic():
        _lock()
        wanted = computed()
        kept = {(row.organization_id, row.source, row.item): row for row in LastChange.objects.all()}
        return _write(wanted, kept)


# --- Reading a subtree ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnState:
    """One ruled item (a column) of an organization, as of `today`."""

    rule: str  # the UpdateRule's key
    key: str
    name: str
    rule_days: int | None
    last_changed: datetime.datetime | None
    days_since: int | None  # None: never updated
    overdue_days: int  # 0: within its rule (or no rule)

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


@dataclass(frozen=True)
class Reason:
    code: str  # "home", "columns", or an Overdue key ("feedback.overdue")
    text: str
    idle: bool  # makes the organization 形同摆设 (else only 需关注)


@dataclass(slots=True)
class SubtreeOrganization:
    """What the status needs of an organization, read as plain values: a county's thousand organizations as model
    instances cost a third of the status's time. Has the attributes of an Organization that the status, its
    templates and the reports read."""

    pk: int
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    path: str
    depth: int

    @property
    def id(self) -> int:
        return self.pk

    @property
    def ancestor_ids(self) -> list[int]:
        return ids_in_path(self.path)

    def __str__(self) -> str:
        return self.name


@dataclass
class OrganizationFreshness:
    organization: Organization | SubtreeOrganization
    home_changed: datetime.datetime | None = None
    home_days: int | None = None  # None: the home was never updated
    leaders_changed: datetime.datetime | None = None
    leaders_days: int | None = None
    columns: list[ColumnState] = field(default_factory=list)
    unanswered: dict[str, int] = field(default_factory=dict)  # Overdue key → count in this organization
    status: str = OK
    reasons: list[Reason] = field(default_factory=list)
    below_idle: int = 0  # organizations strictly below that are 形同摆设
    below_attention: int = 0
    below_ok: int = 0
    children: list[OrganizationFreshness] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def overdue_columns(self) -> list[ColumnState]:
        return [column for column in self.columns if column.overdue]

    @property
    def below(self) -> int:
        return self.below_idle + self.below_attention + self.below_ok


@dataclass
class SubtreeFreshness:
    root: OrganizationFreshness
    by_id: dict[int, OrganizationFreshness]
    today: datetime.date

    def counts(self) -> dict[str, int]:
        """How many organizations of the subtree (root included) are in each status."""
        found = {OK: 0, ATTENTION: 0, IDLE: 0}
        for item in self.by_id.values():
            found[item.status] += 1
        return found

    def idle(self) -> list[OrganizationFreshness]:
        return [item for item in self.by_id.values() if item.status == IDLE]

    def outline(self, levels: int | None = None, flagged_from: int | None = None) -> list[OutlineRow]:
        """The tree as a flat list for a nested HTML list drawn by a loop (no recursive include: a county has a
        thousand organizations): the root, then each organization after its parent, down to `levels` below the
        root (None: all). From the level `flagged_from` down only the organizations that are idle or need
        attention, or have such below them, are listed (their parent's line counts the others): a county's page
        names its flagged villages, not its thousand. `opens` says a nested list of children follows; `closes`
        how many lists end after it."""
        rows: list[OutlineRow] = []

        def flagged(item: OrganizationFreshness) -> bool:
            return item.status != OK or bool(item.below_idle or item.below_attention)

        def walk(item: OrganizationFreshness, level: int) -> None:
            children = item.children if levels is None or level < levels else []
            if flagged_from is not None and level + 1 >= flagged_from:
                children = [child for child in children if flagged(child)]
            row = OutlineRow(item, level, bool(children))
            rows.append(row)
            for child in children:
                walk(child, level + 1)
            if children:
                rows[-1].closes += 1

        walk(self.root, 0)
        return rows


@dataclass
class OutlineRow:
    item: OrganizationFreshness
    level: int
    opens: bool
    closes: int = 0

    @property
    def closing(self) -> range:
        return range(self.closes)


def _days(today: datetime.date, when: datetime.datetime | None, zone=None) -> int | None:
    if when is None:
        return None
    return max(0, (today - when.astimezone(zone or timezone.get_current_timezone()).date()).days)


class _DaysSince:
    """`_days(today, when, zone)` for the thousands of moments of a county: the local midnights of the last
    SPAN days are worked out once (in UTC, as the database gives moments), and each moment is placed among them
    (bisect) instead of converted to a local date; older moments are converted."""

    SPAN = 400

    def __init__(self, today: datetime.date, zone):
        self.today, self.zone = today, zone
        first = today - datetime.timedelta(days=self.SPAN - 1)
        self.midnights = [
            datetime.datetime.combine(first + datetime.timedelta(days=i), datetime.time(), zone).astimezone(
                datetime.UTC
            )
            for i in range(self.SPAN)
        ]  # midnights[-1] starts today

    def __call__(self, when: datetime.datetime | None) -> int | None:
        if when is None:
            return None
        if when < self.midnights[0]:
            return _days(self.today, when, self.zone)
        return self.SPAN - bisect.bisect_right(self.midnights, when)


def _threshold(name: str) -> int:
    return max(1, int(getattr(settings, name, 1) or 1)) if name else 1


@dataclass(frozen=True)
class _Rules:
    """The settings and words the judgement needs, read once per subtree rather than once per organization."""

    idle_days: int
    idle_columns: int
    never: str
    unanswered: list[tuple[Overdue, int]]  # each unanswered source with its idle threshold

    @classmethod
    def read(cls) -> _Rules:
        return cls(
            settings.SUMMARY_IDLE_HOME_DAYS,
            settings.SUMMARY_IDLE_OVERDUE_COLUMNS,
            _("The portal home has never been updated"),
            [(entry, _threshold(entry.threshold)) for entry in entries(Overdue) if entry.unanswered],
        )


def _judge(item: OrganizationFreshness, rules: _Rules) -> None:
    reasons: list[Reason] = []
    if item.home_days is None:
        reasons.append(Reason(HOME, rules.never, True))
    elif item.home_days >= rules.idle_days:
        reasons.append(
            Reason(HOME, _("The portal home has not been updated for %(days)s days") % {"days": item.home_days}, True)
        )
    overdue = sum(1 for column in item.columns if column.overdue_days > 0)
    if overdue:
        reasons.append(
            Reason(
                "columns",
                ngettext("%(n)s column is overdue for an update", "%(n)s columns are overdue for an update", overdue)
                % {"n": overdue},
                overdue >= rules.idle_columns,
            )
        )
    if item.unanswered:
        for entry, threshold in rules.unanswered:
            n = item.unanswered.get(entry.key, 0)
            if n:
                reasons.append(Reason(entry.key, entry.text(n), n >= threshold))
    if reasons:
        reasons.sort(key=lambda reason: not reason.idle)
        item.reasons = reasons
        item.status = IDLE if reasons[0].idle else ATTENTION
    else:
        item.reasons, item.status = [], OK


def subtree_freshness(root: Organization, *, now: datetime.datetime | None = None) -> SubtreeFreshness:
    """The freshness and status of every open organization of root's subtree (party groups below it left out),
    as a tree (`root`, each with its `children` in the tree's order) and by id, in a fixed number of queries."""
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    today = timezone.localdate(now)
    bounds = root.subtree_range()
    organizations = [
        SubtreeOrganization(*row)
        for row in Organization.objects.filter(path__gte=bounds["gte"], path__lt=bounds["lt"], closed_at__isnull=True)
        .values_list("pk", "name", "short_name", "kind", "parent_id", "path", "depth")
        .order_by("path")
    ]
    organizations = [org for org in organizations if org.pk == root.pk or org.kind not in NOT_JUDGED]
    by_id = {org.pk: OrganizationFreshness(org) for org in organizations}
    if root.pk not in by_id:  # a closed root: shown alone
        by_id[root.pk] = OrganizationFreshness(root)

    pages = {source.key: source.pages for source in entries(PortalUpdate)}
    column_changes: dict[tuple[int, str, str], datetime.datetime] = {}
    for organization_id, source_key, item_key, when in LastChange.objects.filter(
        path__gte=bounds["gte"], path__lt=bounds["lt"]
    ).values_list("organization_id", "source", "item", "changed_at"):
        found = by_id.get(organization_id)
        if found is None:
            continue
        if not item_key:
            source_pages = pages.get(source_key, ())
            if HOME in source_pages and (found.home_changed is None or when > found.home_changed):
                found.home_changed = when
            if LEADERS in source_pages and (found.leaders_changed is None or when > found.leaders_changed):
                found.leaders_changed = when
        else:
            column_changes[(organization_id, source_key, item_key)] = when

    days_since = _DaysSince(today, zone)
    for rule in entries(UpdateRule):
        for ruled in rule.items(root):
            found = by_id.get(ruled.organization_id)
            if found is None:
                continue
            last = column_changes.get((ruled.organization_id, rule.key, ruled.key))
            since = days_since(last)
            measured = since if since is not None else days_since(ruled.counted_from) or 0
            overdue = max(0, measured - ruled.rule_days) if ruled.rule_days else 0
            found.columns.append(ColumnState(rule.key, ruled.key, ruled.name, ruled.rule_days, last, since, overdue))

    for entry in entries(Overdue):
        if entry.unanswered and entry.counts is not None:
            for organization_id, n in entry.counts(root, now).items():
                if organization_id in by_id and n:
                    by_id[organization_id].unanswered[entry.key] = n

    rules = _Rules.read()
    for item in by_id.values():
        item.home_days = days_since(item.home_changed)
        item.leaders_days = days_since(item.leaders_changed)
        _judge(item, rules)
    # The tree, and each status counted in every organization above it (within the subtree).
    for item in by_id.values():
        organization = item.organization
        if organization.pk != root.pk and organization.parent_id in by_id:
            by_id[organization.parent_id].children.append(item)
        for ancestor_id in organization.ancestor_ids[root.depth : -1] if organization.pk != root.pk else []:
            above = by_id.get(ancestor_id)
            if above is not None:
                setattr(above, f"below_{item.status}", getattr(above, f"below_{item.status}") + 1)
    return SubtreeFreshness(root=by_id[root.pk], by_id=by_id, today=today)


# --- What to do now -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TodoEntry:
    organization: str  # the organization's short name
    label: str
    link: str | None
    detail: str  # e.g. "超期 12 天"


@dataclass(frozen=True)
class TodoList:
    key: str  # "columns" or an Overdue key
    title: str
    entries: list[TodoEntry]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


def _short(organization: Organization | SubtreeOrganization | None) -> str:
    return (organization.short_name or organization.name) if organization is not None else ""


def _overdue_words(today: datetime.date, since: datetime.datetime | datetime.date | None) -> str:
    if since is None:
        return ""
    day = timezone.localdate(since) if isinstance(since, datetime.datetime) else since
    days = max(0, (today - day).days)
    if days == 0:
        return pgettext("overdue", "Overdue today")
    return ngettext("%(n)s day overdue", "%(n)s days overdue", days) % {"n": days}


def todo_now(
    user,
    root: Organization,
    *,
    limit: int | None = None,
    now: datetime.datetime | None = None,
    freshness: SubtreeFreshness | None = None,
) -> list[TodoList]:
    """The "what to do now" lists of root's subtree for this viewer: stale columns, then each registered
    `Overdue` list, each its first `limit` (SUMMARY_TODO_LIMIT) entries, most overdue first, with the total.
    A list whose capability the viewer lacks on root is left out; an empty list is left out too. Pass the
    `freshness` already read for the page to spare its queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    limit = settings.SUMMARY_TODO_LIMIT if limit is None else limit
    found: list[TodoList] = []
    rules = [rule for rule in entries(UpdateRule) if has_capability(user, rule.capability, root)]
    if rules:
        freshness = freshness or subtree_freshness(root, now=now)
        by_key = {rule.key: rule for rule in rules}
        stale = sorted(
            (
                (column.overdue_days, item.organization, column)
                for item in freshness.by_id.values()
                for column in item.columns
                if column.overdue and column.rule in by_key
            ),
            key=lambda row: (-row[0], row[1].path, row[2].name),
        )
        if stale:
            found.append(
                TodoList(
                    "columns",
                    _("Columns overdue for an update"),
                    [
                        TodoEntry(
                            _short(organization),
                            column.name,
                            by_key[column.rule].link(organization.pk, column.key) or None,
                            ngettext(
                                "%(n)s day past its rule of %(rule)s days",
                                "%(n)s days past its rule of %(rule)s days",
                                days,
                            )
                            % {"n": days, "rule": column.rule_days},
                        )
                        for days, organization, column in stale[:limit]
                    ],
                    len(stale),
                )
            )
    for entry in entries(Overdue):
        if not has_capability(user, entry.capability, root):
            continue
        items, total = entry.items(root, now, limit, user)
        if not total:
            continue
        names = {
            pk: short or name
            for pk, short, name in Organization.objects.filter(
                pk__in={item.organization_id for item in items}
            ).values_list("pk", "short_name", "name")
        }
        found.append(
            TodoList(
                entry.key,
                str(entry.label),
                [
                    TodoEntry(
                        names.get(item.organization_id, ""),
                        item.label,
                        item.link,
                        _overdue_words(today, item.since),
                    )
                    for item in items
                ],
                total,
            )
        )
    return found
