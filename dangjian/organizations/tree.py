"""Changing the organization tree: add an organization, move a subtree, close one, merge one into another (撤并).

Each action takes the acting user and ids, checks `MANAGE_TREE` (held on X, it covers what lies strictly below X:
an organization is moved, closed or merged by a holder on its parent, and only to places the holder manages), and
writes in ONE transaction with its history (core.history). The modules' own records are kept right through the
registry, without this file naming a module: every `PathColumn` (a denormalized copy of a path, e.g. feedback's
`Case.place_path`) is rewritten when a subtree moves, and every `OrganizationData` entry moves its records to the
surviving organization on a merge (or says they stay). Cached public pages follow at once: every tracked change
bumps the content generation. A closed organization keeps its row, path and history; its portal links redirect
(organizations.middleware).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.models import Role, RoleGrant
from dangjian.accounts.permissions import MANAGE_TREE, has_capability, require
from dangjian.core.history import ActionError, InvalidInput, NotFound, delete_tracked, save_tracked, validate
from dangjian.core.registry import OrganizationData, PathColumn, entries

from .models import PATH_STEP, Organization

Kind = Organization.Kind

# What may be added (or moved) below an organization of each kind.
CHILD_KINDS: dict[str, tuple[str, ...]] = {
    Kind.COUNTY: (Kind.TOWNSHIP,),
    Kind.TOWNSHIP: (Kind.VILLAGE, Kind.COMMUNITY),
    Kind.VILLAGE: (Kind.GROUP,),
    Kind.COMMUNITY: (Kind.GROUP,),
    Kind.GROUP: (),
}
# What an organization of each kind may be merged into: one of the same level.
MERGE_KINDS: dict[str, tuple[str, ...]] = {
    Kind.COUNTY: (),
    Kind.TOWNSHIP: (Kind.TOWNSHIP,),
    Kind.VILLAGE: (Kind.VILLAGE, Kind.COMMUNITY),
    Kind.COMMUNITY: (Kind.COMMUNITY, Kind.VILLAGE),
    Kind.GROUP: (Kind.GROUP,),
}

CHILDREN_LABEL = gettext_lazy("Organizations below it (moved with everything in them)")


def child_kinds(parent: Organization) -> list[tuple[str, str]]:
    """(value, label) of the kinds that may be added below `parent`."""
    return [(kind, str(Kind(kind).label)) for kind in CHILD_KINDS.get(parent.kind, ())]


def may_manage_below(user, organization: Organization) -> bool:
    """Whether the user may add organizations below this one."""
    return not organization.is_closed and has_capability(user, MANAGE_TREE, organization)


def may_change(user, organization: Organization) -> bool:
    """Whether the user may move, close or merge this organization (a holder on its parent)."""
    parent = organization.parent
    return not organization.is_closed and parent is not None and has_capability(user, MANAGE_TREE, parent)


def may_move(user, organization: Organization) -> bool:
    """Whether the user may move this organization and has somewhere to move it to."""
    return may_change(user, organization) and move_targets(user, organization).exists()


def _load(organization_id, *, lock: bool = False) -> Organization:
    rows = Organization.objects.select_for_update() if lock else Organization.objects
    try:
        organization = rows.filter(pk=int(organization_id)).first()
    except (TypeError, ValueError):
        organization = None
    if organization is None:
        raise NotFound
    return organization


def _open(organization: Organization) -> Organization:
    if organization.is_closed:
        raise ActionError(_("%(name)s has been closed.") % {"name": organization.name})
    return organization


def _require_change(actor, organization: Organization) -> None:
    parent = organization.parent
    if parent is None:
        raise ActionError(_("The top organization cannot be moved, closed or merged."))
    require(actor, MANAGE_TREE, parent)


def _lock_both(first_id, second_id) -> tuple[Organization, Organization]:
    """Both rows locked in id order (two admins acting on the same pair wait for each other, no deadlock)."""
    try:
        ids = sorted({int(first_id), int(second_id)})
    except (TypeError, ValueError):
        raise NotFound from None
    found = {o.pk: o for o in Organization.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if int(first_id) not in found or int(second_id) not in found:
        raise NotFound
    return found[int(first_id)], found[int(second_id)]


# --- Add ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewOrganizationInput:
    name: str
    kind: str
    short_name: str = ""
    address: str = ""
    phone: str = ""


def add_organization(actor, parent_id: int, data: NewOrganizationInput) -> Organization:
    """A new organization below `parent_id`, of a kind that belongs there, placed last among its siblings."""
    with transaction.atomic():
        parent = _open(_load(parent_id, lock=True))
        require(actor, MANAGE_TREE, parent)
        if data.kind not in CHILD_KINDS.get(parent.kind, ()):
            message = _("This kind of organization cannot be added below %(parent)s.") % {"parent": parent.name}
            raise InvalidInput({"kind": [message]}, message)
        name = " ".join(data.name.split())
        if parent.children.open().filter(name=name).exists():
            message = _("%(parent)s already has an organization named %(name)s.") % {
                "parent": parent.name,
                "name": name,
            }
            raise InvalidInput({"name": [message]}, message)
        last = parent.children.order_by("-sort_order").values_list("sort_order", flat=True).first()
        organization = Organization(
            parent=parent,
            name=name,
            kind=data.kind,
            short_name=data.short_name.strip(),
            address=data.address.strip(),
            phone=data.phone.strip(),
            sort_order=(last + 1) if last is not None else 0,
        )
        validate(organization, exclude=["path"])
        save_tracked(actor, organization, organization)
    return organization


# --- Move ---------------------------------------------------------------------------------------


def _repath(old: str, new: str) -> None:
    """Rewrite every path starting with `old` to start with `new` instead: the tree's own and every module's
    registered copy (PathColumn), each as one UPDATE over an index range."""
    cut = len(old) + 1
    delta = new.count("/") - old.count("/")
    Organization.objects.filter(path__startswith=old).update(
        path=Concat(Value(new), Substr("path", cut), output_field=CharField()), depth=F("depth") + delta
    )
    for column in entries(PathColumn):
        model = apps.get_model(column.model)
        name = column.column
        model._default_manager.filter(**{f"{name}__gte": old, f"{name}__lt": old[:-1] + "0"}).update(
            **{name: Concat(Value(new), Substr(name, cut), output_field=CharField())}
        )


def _move(actor, organization: Organization, new_parent: Organization, *, expected_version=None) -> None:
    if new_parent.path.startswith(organization.path):
        raise ActionError(_("An organization cannot be moved into itself or into an organization below it."))
    if organization.kind not in CHILD_KINDS.get(new_parent.kind, ()):
        raise ActionError(
            _("A %(kind)s cannot be placed below %(parent)s.")
            % {"kind": organization.get_kind_display(), "parent": new_parent.name}
        )
    old_path = organization.path
    organization.parent = new_parent
    save_tracked(actor, organization, organization, expected_version=expected_version)
    new_path = f"{new_parent.path}{organization.pk:0{PATH_STEP}d}/"
    _repath(old_path, new_path)
    organization.path, organization.depth = new_path, new_path.count("/") - 1


def move_organization(actor, organization_id: int, new_parent_id: int, *, expected_version=None) -> Organization:
    """Move the organization, with everything below it, under `new_parent_id` (both within the actor's tree)."""
    with transaction.atomic():
        organization, new_parent = _lock_both(organization_id, new_parent_id)
        _open(organization)
        _open(new_parent)
        _require_change(actor, organization)
        require(actor, MANAGE_TREE, new_parent)
        if new_parent.pk == organization.parent_id:
            raise ActionError(_("%(name)s is already there.") % {"name": organization.name})
        _move(actor, organization, new_parent, expected_version=expected_version)
    return organization


def move_targets(user, organization: Organization):
    """Where the user may move the organization: open organizations they manage, of a kind that takes it, not in
    its own subtree and not its present parent."""
    from dangjian.accounts.permissions import organizations_for

    kinds = [kind for kind, children in CHILD_KINDS.items() if organization.kind in children]
    return (
        organizations_for(user, MANAGE_TREE)
        .open()
        .filter(kind__in=kinds)
        .exclude(path__startswith=organization.path)
        .exclude(pk=organization.parent_id)
        .order_by("path")
    )


def merge_targets(user, organization: Organization):
    """What the user may merge the organization into: open organizations of the same level they manage below
    their grants, outside its own subtree."""
    from dangjian.accounts.permissions import organizations_for

    return (
        organizations_for(user, MANAGE_TREE)
        .open()
        .filter(kind__in=MERGE_KINDS.get(organization.kind, ()))
        .exclude(path__startswith=organization.path)
        .order_by("path")
    )


# --- Close and merge ----------------------------------------------------------------------------


@dataclass
class Line:
    label: str
    count: int


@dataclass
class ClosePlan:
    """What closing (or merging) will do, shown on the confirmation page before anything is done."""

    organization: Organization
    target: Organization | None
    children: list[Organization] = field(default_factory=list)
    moving: list[Line] = field(default_factory=list)  # records that follow to the target
    staying: list[Line] = field(default_factory=list)  # records kept with the closed organization
    ended_roles: list[RoleGrant] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)


def _plan(organization: Organization, target: Organization | None) -> ClosePlan:
    plan = ClosePlan(organization, target)
    plan.children = list(organization.children.open().order_by("sort_order", "pk"))
    for entry in entries(OrganizationData):
        count = entry.count(organization)
        if count:
            (plan.moving if entry.merge is not None else plan.staying).append(Line(str(entry.label), count))
    grants = list(RoleGrant.objects.filter(organization=organization).select_related("user").order_by("role", "pk"))
    plan.ended_roles = [g for g in grants if g.role != Role.DISCIPLINE]
    if any(g.role == Role.DISCIPLINE for g in grants):
        plan.refusals.append(
            _(
                "This organization has discipline officers. Their role is ended only on the supervision pages, "
                "by an officer of the unit above; ask them first."
            )
        )
    if target is None and (plan.children or plan.moving):
        things = [f"{CHILDREN_LABEL} {len(plan.children)}"] if plan.children else []
        things += [f"{line.label} {line.count}" for line in plan.moving]
        plan.refusals.append(
            _(
                "%(name)s still has: %(things)s. Closing it would leave them nowhere. Merge it into another "
                "organization instead (they move there), or move them first."
            )
            % {"name": organization.name, "things": "、".join(things)}
        )
    return plan


def _check_target(actor, organization: Organization, target: Organization) -> None:
    _open(target)
    require(actor, MANAGE_TREE, target)
    if target.path.startswith(organization.path):
        raise ActionError(_("An organization cannot be merged into itself or into an organization below it."))
    if target.kind not in MERGE_KINDS.get(organization.kind, ()):
        raise ActionError(
            _("A %(kind)s cannot be merged into %(target)s.")
            % {"kind": organization.get_kind_display(), "target": target.name}
        )


def plan_close(actor, organization_id: int, merge_into_id: int | None = None) -> ClosePlan:
    """What `close_organization` would do (nothing is written); refused like the action itself."""
    organization = _open(_load(organization_id))
    _require_change(actor, organization)
    target = None
    if merge_into_id is not None:
        target = _load(merge_into_id)
        _check_target(actor, organization, target)
    return _plan(organization, target)


def close_organization(
    actor, organization_id: int, *, merge_into_id: int | None = None, expected_version: int | None = None
) -> ClosePlan:
    """Close the organization; with `merge_into_id`, merge it into that one (撤并) first: the organizations below
    it move there, and every module's records that follow (OrganizationData) move there too. The closed
    organization keeps its history and whatever stays; the roles held on it end (each recorded). Without a merge,
    refused while anything would be left nowhere. All in one transaction."""
    with transaction.atomic():
        if merge_into_id is None:
            organization, target = _open(_load(organization_id, lock=True)), None
        else:
            organization, target = _lock_both(organization_id, merge_into_id)
            _open(organization)
        _require_change(actor, organization)
        if target is not None:
            _check_target(actor, organization, target)
        plan = _plan(organization, target)
        if plan.refusals:
            raise ActionError(" ".join(plan.refusals))
        if target is not None:
            for child in plan.children:
                _move(actor, child, target)
            for entry in entries(OrganizationData):
                if entry.merge is not None:
                    entry.merge(organization, target)
            Organization.objects.filter(merged_into=organization).update(merged_into=target)
        for grant in plan.ended_roles:
            delete_tracked(actor, grant, organization)
        organization.closed_at = timezone.now()
        organization.merged_into = target
        save_tracked(actor, organization, organization, expected_version=expected_version)
    return plan


def surviving(organization: Organization) -> Organization | None:
    """Where a closed organization's pages now are: the organization it was merged into (followed to an open
    one), or None when it was closed without a merge."""
    seen = set()
    current = organization
    while current.merged_into is not None and current.pk not in seen:
        seen.add(current.pk)
        current = current.merged_into
    return None if current.is_closed else current
