"""Who is a discipline officer of a unit: granting and revoking the role, and making a unit's keys.

These are supervision events, not administration. Only a discipline officer of a unit above may
grant or revoke the discipline role on a unit (for the top unit, another officer of the top unit);
the system administrator may propose a change, which takes effect when such an officer confirms it.
An organization administrator grants every other role (accounts.actions) but not this one.

Every grant, revocation, proposal and key creation is in the audit chain and told to the unit's
officers and to the officers of the unit above (console notifications, never report content); a revoked
officer is told too.
Revoking deletes the officer's sealed copies of the unit's keys and rotates the unit key, so that a
copy of the database and the revoked officer's password open no report filed afterwards.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.actions import add_supervision_officer, remove_supervision_officer
from dangjian.accounts.permissions import (
    DECIDE_SUPERVISION_OFFICERS,
    SUPERVISION_OFFICER,
    holders,
    holds_above,
    holds_exactly,
)
from dangjian.core.history import ActionError
from dangjian.notifications.api import notify
from dangjian.organizations.models import Organization

from . import keys, notices
from .audit import audit
from .models import OfficerChange, UnitKeyGrant


def discipline_officers(unit: Organization):
    """The unit's discipline officers (active accounts with the role on exactly this unit)."""
    return holders(unit, SUPERVISION_OFFICER)


def is_officer_of(user, unit: Organization) -> bool:
    return holds_exactly(user, SUPERVISION_OFFICER, unit)


def supervising_unit(unit: Organization) -> Organization | None:
    """The unit whose discipline officers decide on `unit`'s officers: the nearest unit above with
    discipline officers; for the top unit (or if no unit above has any), the unit itself if it has some."""
    for above in reversed(unit.ancestors()):
        if discipline_officers(above).exists():
            return above
    return unit if discipline_officers(unit).exists() else None


def deciders(unit: Organization):
    above = supervising_unit(unit)
    return list(discipline_officers(above)) if above is not None else []


def may_decide(user, unit: Organization) -> bool:
    """A discipline officer of a unit above (role on an ancestor); for a unit with no officer above,
    an officer of the unit itself."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if holds_above(user, DECIDE_SUPERVISION_OFFICERS, unit):
        return True
    return holds_exactly(user, DECIDE_SUPERVISION_OFFICERS, unit) and supervising_unit(unit) == unit


def _tell(unit: Organization, kind: str, /, **params) -> None:
    """The unit's officers and the deciding officers above (console only, each once; notices.py)."""
    notify([*discipline_officers(unit), *deciders(unit)], kind, organization=unit, unit=unit.name, **params)


# --- The discipline role --------------------------------------------------------------------------------


def grant_officer(actor, user, unit: Organization) -> OfficerChange | None:
    """Make `user` a discipline officer of `unit`. A deciding officer does it at once; the system
    administrator's request waits for a deciding officer's confirmation (returned as pending), except
    when no discipline officer exists above or on the unit at all (the first officer of an installation)."""
    if not user.is_active:
        raise ActionError(_("This account is disabled."))
    if is_officer_of(user, unit):
        raise ActionError(_("%(user)s already holds this role here.") % {"user": user})
    if may_decide(actor, unit) and actor.pk != user.pk:
        _apply_grant(actor, user, unit)
        return None
    if getattr(actor, "is_superuser", False) and actor.is_active:
        if supervising_unit(unit) is None:
            _apply_grant(actor, user, unit)
            return None
        return _propose(actor, user, unit, OfficerChange.Kind.GRANT)
    raise PermissionDenied


def revoke_officer(actor, user, unit: Organization) -> tuple[OfficerChange | None, str | None]:
    """Take the discipline role on `unit` from `user`. Returns (pending change, new recovery key)."""
    if not is_officer_of(user, unit):
        raise ActionError(_("This person is not a discipline officer of this unit."))
    if may_decide(actor, unit) and actor.pk != user.pk:
        return None, _apply_revoke(actor, user, unit)
    if getattr(actor, "is_superuser", False) and actor.is_active:
        if not [o for o in deciders(unit) if o.pk != user.pk]:
            return None, _apply_revoke(actor, user, unit)
        return _propose(actor, user, unit, OfficerChange.Kind.REVOKE), None
    raise PermissionDenied


def _propose(actor, user, unit: Organization, kind: str) -> OfficerChange:
    with transaction.atomic():
        change, _created = OfficerChange.objects.get_or_create(
            unit=unit, user=user, kind=kind, status=OfficerChange.Status.PENDING, defaults={"proposed_by": actor}
        )
        audit(unit, actor, f"officer_{kind}_proposed", detail=user.username)
        _tell(
            unit,
            notices.OFFICER_PROPOSED,
            actor=str(actor),
            change=str(change.kind),
            user=str(user),
        )
    return change


def decide(actor, change: OfficerChange, confirm: bool) -> str | None:
    """A deciding officer confirms (or declines) the system administrator's proposal; returns the
    new recovery key when a confirmed revocation rotated the unit's keys."""
    if not may_decide(actor, change.unit) or actor.pk == change.user_id:
        raise PermissionDenied
    recovery = None
    with transaction.atomic():
        change = OfficerChange.objects.select_for_update().get(pk=change.pk)
        if change.status != OfficerChange.Status.PENDING:
            raise ActionError(_("This request was already decided."))
        change.status = OfficerChange.Status.CONFIRMED if confirm else OfficerChange.Status.DECLINED
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.save(update_fields=["status", "decided_by", "decided_at"])
        if not confirm:
            audit(change.unit, actor, f"officer_{change.kind}_declined", detail=change.user.username)
            _tell(
                change.unit,
                notices.OFFICER_DECLINED,
                actor=str(actor),
                change=str(change.kind),
                user=str(change.user),
            )
        elif change.kind == OfficerChange.Kind.GRANT:
            if not is_officer_of(change.user, change.unit):
                _apply_grant(actor, change.user, change.unit, proposed_by=change.proposed_by)
        elif is_officer_of(change.user, change.unit):
            recovery = _apply_revoke(actor, change.user, change.unit, proposed_by=change.proposed_by)
    return recovery


def _apply_grant(actor, user, unit: Organization, proposed_by=None) -> None:
    try:
        with transaction.atomic():
            add_supervision_officer(actor, user, unit)
            audit(unit, actor, "officer_granted", detail=_detail(user, proposed_by))
            _tell(
                unit,
                notices.OFFICER_GRANTED,
                user=str(user),
                actor=str(actor),
            )
    except IntegrityError:
        raise ActionError(_("%(user)s already holds this role here.") % {"user": user}) from None


def _apply_revoke(actor, user, unit: Organization, proposed_by=None) -> str | None:
    """Delete the role and the officer's key copies; rotate the unit key for the remaining officers."""
    with transaction.atomic():
        remove_supervision_officer(user, unit)
        keys.remove_access(user, unit)
        remaining = [o for o in discipline_officers(unit) if o.pk != user.pk]
        recovery = keys.rotate_unit_key(unit, actor, remaining)
        audit(unit, actor, "officer_revoked", detail=_detail(user, proposed_by))
        if recovery is not None:
            audit(unit, actor, "keys_rotated", detail=user.username)
        _tell(
            unit,
            notices.OFFICER_REVOKED,
            user=str(user),
            actor=str(actor),
        )
        notify([user], notices.YOU_ARE_REVOKED, organization=unit, unit=unit.name, actor=str(actor))
    return recovery


def _detail(user, proposed_by) -> str:
    detail = user.username
    if proposed_by is not None:
        detail += f" (proposed by {proposed_by.username})"
    return detail


# --- A unit's keys ------------------------------------------------------------------------------------


def create_unit_keys(user, unit: Organization, user_private: bytes) -> str:
    """An officer of a keyless unit makes its keys: audited and told to the unit and the unit above."""
    if not is_officer_of(user, unit):
        raise PermissionDenied
    with transaction.atomic():
        recovery = keys.create_unit_key(user, unit, user_private)
        audit(unit, user, "keys_created")
        _tell(
            unit,
            notices.KEYS_CREATED,
            user=str(user),
        )
    return recovery


def grant_key_access(actor, actor_private: bytes, unit: Organization, officer) -> UnitKeyGrant:
    """An officer of the unit with working access gives another officer of the unit a copy of its keys; audited
    in the same transaction."""
    if not is_officer_of(actor, unit) or not is_officer_of(officer, unit):
        raise PermissionDenied
    unit_key = keys.current_unit_key(unit)
    if unit_key is None:
        raise ActionError(_("This unit has no report keys yet."))
    with transaction.atomic():
        grant = keys.grant_access(actor, actor_private, unit_key, officer)
        audit(unit, actor, "grant", detail=officer.username)
    return grant


def recover_key_access(actor, unit: Organization, recovery: str) -> UnitKeyGrant:
    """An officer of the unit restores their own access with the unit's recovery key; audited in the same
    transaction (a wrong key changes nothing and is not recorded)."""
    if not is_officer_of(actor, unit):
        raise PermissionDenied
    unit_key = keys.current_unit_key(unit)
    if unit_key is None:
        raise ActionError(_("This unit has no report keys yet."))
    with transaction.atomic():
        grant = keys.recover_access(actor, unit_key, recovery)
        audit(unit, actor, "recover")
    return grant


def pending_for(user):
    """Proposals this user may decide."""
    return [
        change
        for change in OfficerChange.objects.filter(status=OfficerChange.Status.PENDING).select_related(
            "unit", "user", "proposed_by"
        )
        if may_decide(user, change.unit) and change.user_id != user.pk
    ]
