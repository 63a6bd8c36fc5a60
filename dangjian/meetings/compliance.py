"""Whether each branch held the meetings it must hold (三会一课 compliance), per kind and period.

What counts (the 口径 the pages state):
- a branch is any open organization other than a party group that has members on the roll; a party group
  (a GROUP organization directly below its branch, with members on the roll) must hold its own 党小组会;
- how often each kind is required is `settings.MEETING_FREQUENCIES` (monthly, quarterly, yearly);
- a required meeting of a period is held when a meeting of that kind (for a 党小组会, of that group) was recorded
  as held and starts within the period; a planned or cancelled meeting does not count;
- a period that ended without one is overdue; the current period without one is due; later periods are upcoming.

Only meetings are counted, never people's attendance, and branches are not ranked. The whole grid of a county is
three queries (the subtree, the branches and groups with members, the meetings grouped by branch, group, kind,
state and month), whatever the number of branches.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from html import escape

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_MEETINGS, held_paths
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from .models import Meeting

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "yearly": 12}


class Status(StrEnum):
    HELD = "held"
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"


STATUS_WORDS = {
    Status.HELD: pgettext_lazy("meeting compliance", "held"),
    Status.OVERDUE: pgettext_lazy("meeting compliance", "overdue"),
    Status.DUE: pgettext_lazy("meeting compliance", "due"),
    Status.UPCOMING: pgettext_lazy("meeting compliance", "not yet due"),
}
STATUS_SYMBOLS = {Status.HELD: "✓", Status.OVERDUE: "✗", Status.DUE: "…", Status.UPCOMING: "—"}


def frequencies() -> dict[str, str]:
    """The required kinds and how often, from settings, in the order of Meeting.Kind."""
    configured = getattr(settings, "MEETING_FREQUENCIES", {}) or {}
    return {
        kind: configured[kind]
        for kind in Meeting.Kind.values
        if configured.get(kind) in MONTHS_PER_PERIOD  # a kind absent or with another value is not required
    }


def kind_label(kind: str) -> str:
    key = (get_language(), kind)
    if key not in _KIND_LABELS:
        _KIND_LABELS[key] = str(Meeting.Kind(kind).label)
    return _KIND_LABELS[key]


_KIND_LABELS: dict[tuple[str | None, str], str] = {}


@dataclass(frozen=True)
class Period:
    frequency: str
    year: int
    index: int  # the month (1-12), the quarter (1-4) or 1 for the year

    @property
    def first_month(self) -> int:
        return (self.index - 1) * MONTHS_PER_PERIOD[self.frequency] + 1

    @property
    def last_month(self) -> int:
        return self.index * MONTHS_PER_PERIOD[self.frequency]

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def end(self) -> datetime.date:
        """The first day after the period."""
        if self.last_month == 12:
            return datetime.date(self.year + 1, 1, 1)
        return datetime.date(self.year, self.last_month + 1, 1)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def code(self) -> str:
        if self.frequency == "monthly":
            return f"{self.year}-{self.index:02d}"
        if self.frequency == "quarterly":
            return f"{self.year}-Q{self.index}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.frequency == "monthly":
            return _("%(month)s/%(year)s") % {"month": self.index, "year": self.year}
        if self.frequency == "quarterly":
            return _("Q%(quarter)s %(year)s") % {"quarter": self.index, "year": self.year}
        return _("year %(year)s") % {"year": self.year}

    @property
    def short_label(self) -> str:
        if self.frequency == "monthly":
            return _("Month %(month)s") % {"month": self.index}
        if self.frequency == "quarterly":
            return _("Quarter %(quarter)s") % {"quarter": self.index}
        return pgettext("meeting compliance", "Whole year")

    def status(self, held: int, today: datetime.date) -> Status:
        if held:
            return Status.HELD
        if today >= self.end:
            return Status.OVERDUE
        if today >= self.start:
            return Status.DUE
        return Status.UPCOMING


def periods(frequency: str, year: int) -> list[Period]:
    return [Period(frequency, year, index) for index in range(1, 12 // MONTHS_PER_PERIOD[frequency] + 1)]


def current_period(frequency: str, today: datetime.date) -> Period:
    return Period(frequency, today.year, (today.month - 1) // MONTHS_PER_PERIOD[frequency] + 1)


@dataclass(slots=True)
class Item:
    """One required meeting: a branch (and its party group, for 党小组会), a kind and a period."""

    branch_id: int
    group_id: int | None
    group_name: str
    kind: str
    period: Period
    status: Status
    held: int = 0
    planned: int = 0  # planned (not yet held) meetings of this kind in the period

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def name(self) -> str:
        """The kind, with the party group for a 党小组会: "党小组会（第一党小组）"."""
        if self.group_name:
            return _("%(kind)s (%(group)s)") % {"kind": self.kind_label, "group": self.group_name}
        return self.kind_label

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.group_id or 0}:{self.period.code}"

    @property
    def status_word(self) -> str:
        return str(STATUS_WORDS[self.status])

    @property
    def symbol(self) -> str:
        return STATUS_SYMBOLS[self.status]


class Words:
    """The grid's words, translated once per page rather than once per cell."""

    def __init__(self):
        self.months = [_("Month %(month)s") % {"month": month} for month in range(1, 13)]
        self.missing = _("Missing %(n)s")
        self.due = _("Due %(n)s")
        self.all_held = pgettext("meeting compliance", "All held")
        self.nothing = _("%(month)s: nothing required")
        self.not_yet = _("%(month)s: not yet due")
        self.all = _("%(month)s: all %(n)s required meetings held")
        self.missing_names = _("missing: %(names)s")
        self.due_names = _("not yet held: %(names)s")
        self._labels: dict[tuple[str, int, int], str] = {}

    def label(self, state: str, month: int, n: int = 0) -> str:
        """The screen reader's words of a cell that names no meeting, made once per page for each month."""
        key = (state, month, n)
        if key not in self._labels:
            name = self.months[month - 1]
            template = {"none": self.nothing, "upcoming": self.not_yet, "full": self.all}[state]
            self._labels[key] = template % {"month": name, "n": n}
        return self._labels[key]


class Cell:
    """A month of a branch in the grid: the required meetings whose period ends in that month, with its state,
    short text ("齐", "缺2", "待1", "—") and what a screen reader hears, worked out once."""

    __slots__ = ("month", "items", "overdue", "due", "state", "text", "label")

    def __init__(
        self, month: int, items: list[Item], words: Words | None = None, total: int | None = None, held: int = 0
    ):
        """`items`: the month's required meetings, or (for the grid) only those missing or due, with `total` the
        number required and `held` the number held."""
        words = words or Words()
        self.month = month
        self.items = items
        self.overdue = [item for item in items if item.status == Status.OVERDUE] if items else []
        self.due = [item for item in items if item.status == Status.DUE] if items else []
        name = words.months[month - 1]
        if total is None:
            total, held = len(items), sum(1 for item in items if item.status == Status.HELD)
        if not total:
            self.state, self.text, self.label = "none", "—", words.label("none", month)
        elif self.overdue or self.due:
            self.state = "missing" if self.overdue else "due"
            self.text = words.missing % {"n": len(self.overdue)} if self.overdue else words.due % {"n": len(self.due)}
            parts = []
            if self.overdue:
                parts.append(words.missing_names % {"names": "、".join(item.name for item in self.overdue)})
            if self.due:
                parts.append(words.due_names % {"names": "、".join(item.name for item in self.due)})
            self.label = f"{name}：{'；'.join(parts)}"
        elif held == total:
            self.state, self.text, self.label = "full", words.all_held, words.label("full", month, total)
        else:
            self.state, self.text, self.label = "upcoming", "—", words.label("upcoming", month)

    def html(self) -> str:
        """The cell's markup (a county's grid has 12,000 cells: built here, not by the template language)."""
        return (
            f'<td class="cc cc-{self.state}"><span aria-hidden="true">{escape(self.text)}</span>'
            f'<span class="visually-hidden">{escape(self.label)}</span></td>'
        )  # the standard library's escape: the same characters as Django's, without its lazy-string wrapper


@dataclass
class BranchRow:
    branch: Organization
    parent_unit: Organization | None  # the township a branch belongs to, in a county's grid
    groups: list[Organization]
    items: list[Item]
    cells: list[Cell] = field(default_factory=list)
    missing: int = 0  # required meetings of ended periods not held
    due: int = 0  # of the current period, not held yet
    held: int = 0

    def by_kind(self) -> list[dict]:
        """For the branch page: each required kind (per party group for 党小组会) with its periods in order."""
        rows: dict[tuple[str, int | None], dict] = {}
        for item in self.items:
            row = rows.setdefault(
                (item.kind, item.group_id),
                {"name": item.name, "kind": item.kind, "frequency": item.period.frequency, "items": []},
            )
            row["items"].append(item)
        for row in rows.values():
            row["missing"] = sum(1 for item in row["items"] if item.status == Status.OVERDUE)
        return list(rows.values())


@dataclass
class Report:
    root: Organization
    year: int
    today: datetime.date
    rows: list[BranchRow]

    @property
    def branches_with_missing(self) -> int:
        return sum(1 for row in self.rows if row.missing)

    @property
    def missing(self) -> int:
        return sum(row.missing for row in self.rows)

    @property
    def due(self) -> int:
        return sum(row.due for row in self.rows)

    def row_for(self, branch_id: int) -> BranchRow | None:
        return next((row for row in self.rows if row.branch.pk == branch_id), None)

    def grouped(self, sort: str = "tree") -> list[tuple[Organization | None, list[BranchRow]]]:
        """Rows under their township (a county's grid; None for branches directly under the root), sorted by
        the tree's order, by name, or by the number of missing meetings (most first)."""
        groups: dict[int | None, list[BranchRow]] = {}
        units: dict[int | None, Organization | None] = {}
        for row in self.rows:
            key = row.parent_unit.pk if row.parent_unit is not None else None
            groups.setdefault(key, []).append(row)
            units[key] = row.parent_unit
        for rows in groups.values():
            if sort == "name":
                rows.sort(key=lambda row: (row.branch.name, row.branch.pk))
            elif sort == "missing":
                rows.sort(key=lambda row: (-row.missing, -row.due, row.branch.name, row.branch.pk))
        ordered = sorted(groups, key=lambda key: (key is not None, getattr(units[key], "path", "")))
        return [(units[key], groups[key]) for key in ordered]


def _aware(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def build(root: Organization, year: int, today: datetime.date | None = None, *, detail: bool = True) -> Report:
    """The compliance of every branch in `root`'s subtree (root included) for `year`, in three queries.

    Without `detail` (the grid, the summaries) a row keeps as items only the required meetings missing or due,
    and its cells and counts are kept from the others: a county's grid makes a few thousand objects, not 34,000."""
    today = today or timezone.localdate()
    required = frequencies()
    bounds = root.subtree_range()
    organizations = {
        org.pk: org
        for org in Organization.objects.filter(path__gte=bounds["gte"], path__lt=bounds["lt"], closed_at__isnull=True)
        .only("pk", "name", "short_name", "kind", "parent_id", "path", "depth", "sort_order")
        .order_by("path")
    }
    on_roll = (
        Member.objects.filter(
            status=Member.Status.ACTIVE,
            organization__path__gte=bounds["gte"],
            organization__path__lt=bounds["lt"],
        )
        .values_list("organization_id", "party_group_id")
        .order_by()  # no ordering columns, or DISTINCT would not collapse the members
        .distinct()
    )
    branch_groups: dict[int, set[int]] = defaultdict(set)
    for member_branch, member_group in on_roll:
        branch = organizations.get(member_branch)
        if branch is None or branch.kind == Organization.Kind.GROUP:
            continue
        branch_groups.setdefault(member_branch, set())
        group = organizations.get(member_group) if member_group else None
        if group is not None and group.kind == Organization.Kind.GROUP and group.parent_id == member_branch:
            branch_groups[member_branch].add(group.pk)

    # One row per branch, party group, kind and state, with the meetings of each month as twelve columns: the
    # months are counted by the database (index range on starts_at), whatever the number of meetings.
    counts: dict[tuple[int, int | None, str, str], list[int]] = {}
    if branch_groups and required:
        starts = [_aware(datetime.date(year, month, 1)) for month in range(1, 13)]
        starts.append(_aware(datetime.date(year + 1, 1, 1)))
        months = {
            f"m{month}": Count("id", filter=Q(starts_at__gte=starts[month - 1], starts_at__lt=starts[month]))
            for month in range(1, 13)
        }
        meetings = (
            Meeting.objects.filter(
                organization__path__gte=bounds["gte"],
                organization__path__lt=bounds["lt"],
                state__in=[Meeting.State.HELD, Meeting.State.PLANNED],
                kind__in=list(required),
                starts_at__gte=starts[0],
                starts_at__lt=starts[12],
            )
            .values_list("organization_id", "party_group_id", "kind", "state")
            .annotate(**months)
            .order_by()
        )
        for meeting_branch, meeting_group, meeting_kind, meeting_state, *per_month in meetings:
            key = (
                meeting_branch,
                meeting_group if meeting_kind == Meeting.Kind.GROUP else None,
                meeting_kind,
                meeting_state,
            )
            if key in counts:
                counts[key] = [a + b for a, b in zip(counts[key], per_month, strict=True)]
            else:
                counts[key] = list(per_month)

    spans: dict[Period, tuple[int, int]] = {}
    year_periods = {frequency: periods(frequency, year) for frequency in set(required.values())}
    not_held = {period: period.status(0, today) for found in year_periods.values() for period in found}
    spans.update({period: (period.first_month - 1, period.last_month) for period in not_held})
    words = Words()
    rows: list[BranchRow] = []
    for branch_id in sorted(branch_groups, key=lambda pk: organizations[pk].path):
        branch = organizations[branch_id]
        groups = sorted((organizations[pk] for pk in branch_groups[branch_id]), key=lambda org: org.path)
        items: list[Item] = []
        required_in, held_in = [0] * 13, [0] * 13
        counted = {Status.HELD: 0, Status.OVERDUE: 0, Status.DUE: 0, Status.UPCOMING: 0}
        for kind, frequency in required.items():
            units: list[Organization | None]
            if kind == Meeting.Kind.GROUP:
                units = list(groups)
                if not units:
                    continue  # a branch without party groups holds no 党小组会
            else:
                units = [None]
            for unit in units:
                group_id = unit.pk if unit is not None else None
                group_name = (unit.short_name or unit.name) if unit is not None else ""
                held_by_month = counts.get((branch_id, group_id, kind, Meeting.State.HELD))
                planned_by_month = counts.get((branch_id, group_id, kind, Meeting.State.PLANNED))
                for period in year_periods[frequency]:
                    first, last = spans[period]
                    held = sum(held_by_month[first:last]) if held_by_month else 0
                    status = Status.HELD if held else not_held[period]
                    counted[status] += 1
                    required_in[last] += 1
                    if held:
                        held_in[last] += 1
                    if detail or status == Status.OVERDUE or status == Status.DUE:
                        items.append(
                            Item(
                                branch_id,
                                group_id,
                                group_name,
                                kind,
                                period,
                                status,
                                held,
                                sum(planned_by_month[first:last]) if planned_by_month else 0,
                            )
                        )
        parent_unit = None
        if branch.depth > root.depth + 1:
            parent_unit = organizations.get(int(branch.path.split("/")[root.depth + 1]))
        row = BranchRow(
            branch=branch,
            parent_unit=parent_unit,
            groups=groups,
            items=items,
            missing=counted[Status.OVERDUE],
            due=counted[Status.DUE],
            held=counted[Status.HELD],
        )
        month_items: dict[int, list[Item]] = defaultdict(list)
        for item in items:
            month_items[spans[item.period][1]].append(item)
        row.cells = [
            Cell(month, month_items.get(month, []), words, required_in[month], held_in[month]) for month in range(1, 13)
        ]
        rows.append(row)
    return Report(root=root, year=year, today=today, rows=rows)


def branch_report(branch: Organization, year: int, today: datetime.date | None = None) -> BranchRow | None:
    """The branch's own row (None when it has no members on the roll: not a branch)."""
    return build(branch, year, today).row_for(branch.pk)


def due_items(organizations, today: datetime.date | None = None) -> list[tuple[Organization, Item]]:
    """The required meetings of the current period not yet held, in these organizations (each on its own, not
    the branches below them): a branch secretary's to-do."""
    today = today or timezone.localdate()
    found: list[tuple[Organization, Item]] = []
    for organization in organizations:
        row = branch_report(organization, today.year, today)
        if row is None:
            continue
        found.extend((organization, item) for item in row.items if item.status == Status.DUE)
    return found


def due_for_user(user, today: datetime.date | None = None) -> list[tuple[Organization, Item]]:
    """The due items of the branches where the user holds MANAGE_MEETINGS through a grant on the branch itself
    (a township's staff are not the ones who convene a village's meetings)."""
    paths = held_paths(user, MANAGE_MEETINGS)
    if not paths:
        return []
    return due_items(Organization.objects.filter(path__in=paths, closed_at__isnull=True).order_by("path"), today)


def missing_between(root: Organization, start: datetime.date, end: datetime.date) -> int:
    """Required meetings of the subtree whose period ended in [start, end) without one (for the usage summary)."""
    today = timezone.localdate()
    total = 0
    for year in range(start.year, (end - datetime.timedelta(days=1)).year + 1):
        for row in build(root, year, today, detail=False).rows:
            total += sum(
                1 for item in row.items if item.status == Status.OVERDUE and start <= item.period.last_day < end
            )
    return total


def held_between(root: Organization, start: datetime.date, end: datetime.date) -> int:
    """Meetings held in the subtree that started in [start, end) (for the usage summary)."""
    bounds = root.subtree_range()
    return Meeting.objects.filter(
        organization__path__gte=bounds["gte"],
        organization__path__lt=bounds["lt"],
        state=Meeting.State.HELD,
        starts_at__gte=_aware(start),
        starts_at__lt=_aware(end),
    ).count()
