"""Opening reports for a discipline officer: with their unlocked private key, through the keys of the units
they are an officer of (accounts.permissions.SUPERVISION_OFFICER). Each opening is in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from dangjian.accounts.permissions import SUPERVISION_OFFICER, units_for
from dangjian.organizations.models import Organization

from . import crypto, keys
from .audit import audit
from .models import Report, State, UnitKey

INBOX_LIMIT = 300  # reports listed at once
# The officer's to-do (registered as core.registry.ToDo; the inbox's `todo` filter lists the same reports):
# new ones (to accept, not accept or forward; forwarded here, to register) and those being handled.
TODO_STATES: dict[str, tuple[str, ...]] = {
    "new": (State.RECEIVED, State.FORWARDED),
    "handle": (State.ACCEPTED, State.IN_DISPOSAL, State.CONCLUDED, State.OBJECTED),
}


@dataclass
class Opened:
    report: Report
    key: bytes
    payload: dict
    unit: Organization  # the unit the officer reads it as


def officer_units(user) -> list[Organization]:
    """Organizations on which the user is a discipline officer (their reports and those below)."""
    return list(units_for(user, SUPERVISION_OFFICER))


def readable_units(user) -> list[Organization]:
    """Units whose reports the officer may read: their own units and every unit below them."""
    units = officer_units(user)
    if not units:
        return []
    condition = Q()
    for unit in units:
        condition |= Q(path__startswith=unit.path)
    return list(Organization.objects.filter(condition))


class OfficerReader:
    """Opens reports for one officer. Each unit key is unsealed once, so an inbox of many reports
    costs one X25519 operation per unit rather than per report."""

    def __init__(self, user, user_private: bytes | None):
        if user_private is None:
            raise PermissionDenied
        self.user = user
        self.user_private = user_private
        self.paths = [u.path for u in officer_units(user)]
        self._unit_private: dict[int, bytes | None] = {}

    def _covers(self, unit: Organization) -> bool:
        return any(unit.path.startswith(p) for p in self.paths)

    def _unit_key(self, unit_key: UnitKey) -> bytes | None:
        if unit_key.pk not in self._unit_private:
            self._unit_private[unit_key.pk] = keys.unit_private_key(self.user, unit_key, self.user_private)
        return self._unit_private[unit_key.pk]

    def open(self, report: Report, *, record: bool = True) -> Opened:
        """`report` with `receiving_unit` and `shares__unit_key__organization` loaded; a 404 if not allowed."""
        if not self._covers(report.receiving_unit):
            raise Http404
        for share in report.shares.all():
            unit = share.unit_key.organization
            if not self._covers(unit):
                continue
            unit_private = self._unit_key(share.unit_key)
            if unit_private is None:
                continue
            report_key = crypto.unseal(share.sealed_key, unit_private)
            payload = crypto.decrypt_json(report.payload, report_key)
            if self.user.pk in payload.get("excluded_officers", []):
                raise Http404
            if record:
                audit(unit, self.user, "view", report.pk)
            return Opened(report, report_key, payload, unit)
        raise Http404


def reports_for_reading():
    return Report.objects.select_related("receiving_unit").prefetch_related("shares__unit_key__organization")


def open_as_officer(user, user_private: bytes | None, report_id: int, *, record: bool = True) -> Opened:
    """Decrypt a report for an officer allowed to read it; anyone else gets a 404."""
    reader = OfficerReader(user, user_private)
    report = reports_for_reading().filter(pk=report_id).first()
    if report is None:
        raise Http404
    return reader.open(report, record=record)


def inbox_reports(user, todo: str = ""):
    """The reports the officer's inbox lists (before opening): of the units they may read, those of a to-do
    kind when `todo` names one."""
    reports = reports_for_reading().filter(receiving_unit__in=readable_units(user))
    if todo in TODO_STATES:
        reports = reports.filter(state__in=TODO_STATES[todo])
    return reports[:INBOX_LIMIT]


def todo_count(user, user_private: bytes, todo: str) -> int:
    """How many reports of the to-do kind the inbox would list for the officer: those they can open (a report
    that excludes them is not counted). Nothing of the content is kept or shown, so nothing is audited."""
    officer_reader = OfficerReader(user, user_private)
    count = 0
    for report in inbox_reports(user, todo):
        try:
            officer_reader.open(report, record=False)
        except Http404:
            continue
        count += 1
    return count
