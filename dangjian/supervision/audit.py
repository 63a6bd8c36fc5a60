"""The supervision audit trail: appending hash-chained entries, verifying the chain (the page from the
clock's checkpoint, the clock in full), and showing entries in words.

Entries hold no report content: who, which unit, what, which report number, when.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.permissions import SUPERVISION_OFFICER, grant_counts_for
from dangjian.organizations.models import Organization

from .models import AuditCheckpoint, AuditEntry, Installation

logger = logging.getLogger(__name__)


def _entry_hash(entry: AuditEntry, previous: str) -> str:
    """The entry's hash over the one before and its stored fields (writing and verifying use this one layout)."""
    body = (
        f"{previous}|{entry.unit_id}|{entry.actor_id or ''}|{entry.action}|{entry.report_ref or ''}|"
        f"{entry.detail}|{entry.at.isoformat()}"
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _append(rows: list[tuple[Organization, int | None, str]], actor, action: str) -> list[AuditEntry]:
    """Append one entry per (unit, report id, detail), chained, in one step locked for the whole installation."""
    with transaction.atomic():
        Installation.objects.select_for_update().filter(pk=1).exists()
        previous = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or ""
        at = timezone.now()
        entries = []
        for unit, report_id, detail in rows:
            entry = AuditEntry(unit=unit, actor=actor, action=action, report_ref=report_id, detail=detail[:200], at=at)
            entry.previous_hash = previous
            entry.entry_hash = previous = _entry_hash(entry, previous)
            entries.append(entry)
        return AuditEntry.objects.bulk_create(entries)


def audit(unit: Organization, actor, action: str, report_id: int | None = None, detail: str = "") -> AuditEntry:
    """Append to the audit trail; each entry carries the hash of the one before."""
    return _append([(unit, report_id, detail)], actor, action)[0]


def audit_many(rows: list[tuple[Organization, int | None]], actor, action: str) -> None:
    """Append one entry per (unit, report id) in a single locked step (an inbox page lists many)."""
    if rows:
        _append([(unit, report_id, "") for unit, report_id in rows], actor, action)


# Every action code passed to audit() / audit_many(), in words for the audit page (a test reads the
# source and fails on a code missing here).
AUDIT_ACTIONS = {
    "list": gettext_lazy("Shown in the report list"),
    "view": gettext_lazy("Read the report"),
    "download": gettext_lazy("Downloaded evidence"),
    "message": gettext_lazy("Wrote to the reporter"),
    "accept": gettext_lazy("Accepted the report"),
    "not_accept": gettext_lazy("Did not accept the report"),
    "forward": gettext_lazy("Forwarded the report to a lower unit"),
    "register": gettext_lazy("Registered the forwarded report"),
    "dispose": gettext_lazy("Chose the way of disposal"),
    "conclude": gettext_lazy("Recorded the result"),
    "feed_back": gettext_lazy("Told the reporter the result"),
    "archive": gettext_lazy("Archived the report"),
    "purge": gettext_lazy("Deleted an expired report"),
    "grant": gettext_lazy("Gave an officer access to the report keys"),
    "recover": gettext_lazy("Restored access with the recovery key"),
    "keys_created": gettext_lazy("Created the report keys"),
    "keys_rotated": gettext_lazy("Changed the report keys"),
    "officer_granted": gettext_lazy("Appointed a discipline officer"),
    "officer_revoked": gettext_lazy("Revoked a discipline officer"),
    "officer_grant_proposed": gettext_lazy("Asked to appoint a discipline officer"),
    "officer_revoke_proposed": gettext_lazy("Asked to revoke a discipline officer"),
    "officer_grant_declined": gettext_lazy("Declined the request to appoint a discipline officer"),
    "officer_revoke_declined": gettext_lazy("Declined the request to revoke a discipline officer"),
}
_NAMED_IN_DETAIL = {"grant", "keys_rotated", *(code for code in AUDIT_ACTIONS if code.startswith("officer_"))}


def _actor_label(actor, unit: Organization) -> str:
    """Who acted, with the role they acted in: the administrator is not a discipline officer."""
    if actor is None:
        return _("The system (scheduled task)")
    name = str(actor)
    if actor.is_superuser:
        label = _("System administrator")
        return label if name == label else f"{name} · {label}"
    grants = sorted(
        RoleGrant.objects.filter(user=actor).select_related("organization"),
        key=lambda g: (
            not grant_counts_for(g.role, SUPERVISION_OFFICER),
            not unit.path.startswith(g.organization.path),
            -len(g.organization.path),
        ),
    )
    if not grants:
        return name
    grant = grants[0]
    return f"{name} · {grant.get_role_display()} · {grant.organization.short_name or grant.organization.name}"


def audit_rows(unit: Organization, entries) -> list[dict]:
    """Audit entries as the unit head reads them: the action in words, people by name."""
    from dangjian.accounts.models import User

    from .models import Disposal

    entries = list(entries)
    usernames = set()
    for entry in entries:
        if entry.action in _NAMED_IN_DETAIL and entry.detail:
            head, _sep, rest = entry.detail.partition(" (proposed by ")
            usernames.update({head, rest.rstrip(")")} - {""})
    names = {u.username: str(u) for u in User.objects.filter(username__in=usernames)}
    actors: dict[int | None, str] = {}
    rows = []
    for entry in entries:
        if entry.actor_id not in actors:
            actors[entry.actor_id] = _actor_label(entry.actor, unit)
        detail = entry.detail
        if entry.action in _NAMED_IN_DETAIL and detail:
            head, sep, rest = detail.partition(" (proposed by ")
            detail = names.get(head, head)
            if sep:
                detail += _(" (asked by %(name)s)") % {"name": names.get(rest.rstrip(")"), rest.rstrip(")"))}
        elif entry.action == "download" and detail.startswith("evidence "):
            detail = _("evidence item %(number)s") % {"number": detail.removeprefix("evidence ")}
        elif entry.action == "dispose" and detail in Disposal.values:
            detail = Disposal(detail).label
        elif entry.action == "purge" and detail.startswith("report deleted after "):
            detail = _("kept for %(years)s years") % {"years": detail.split()[3]}
        rows.append(
            {
                "at": entry.at,
                "actor": actors[entry.actor_id],
                "action": AUDIT_ACTIONS.get(entry.action, entry.action),
                "detail": detail,
                "report_ref": entry.report_ref,
            }
        )
    return rows


def _walk_chain(entries, previous: str) -> tuple[int | None, AuditEntry | None, int]:
    """Check entries in id order from the hash `previous`: (first bad entry id or None, last good entry, count)."""
    last = None
    count = 0
    for entry in entries:
        if entry.previous_hash != previous or _entry_hash(entry, previous) != entry.entry_hash:
            return entry.pk, last, count
        previous = entry.entry_hash
        last = entry
        count += 1
    return None, last, count


def verify_audit_chain() -> bool:
    """The whole chain, from its first entry (cost grows with the chain: the clock's work, not a page's)."""
    broken, _last, _count = _walk_chain(AuditEntry.objects.order_by("id").iterator(), "")
    return broken is None


@dataclass(frozen=True)
class ChainStatus:
    intact: bool
    broken_entry_id: int | None
    verified_at: datetime.datetime | None  # the clock's last full verification


def audit_chain_status() -> ChainStatus:
    """What the audit page shows, read-only: the clock's checkpoint plus the entries written since."""
    checkpoint = AuditCheckpoint.objects.filter(pk=1).first() or AuditCheckpoint(pk=1)
    if checkpoint.broken_entry_id is not None:
        return ChainStatus(False, checkpoint.broken_entry_id, checkpoint.verified_at)
    if checkpoint.entry_id:
        anchor = AuditEntry.objects.filter(pk=checkpoint.entry_id).values_list("entry_hash", flat=True).first()
        if anchor != checkpoint.entry_hash:
            return ChainStatus(False, checkpoint.entry_id, checkpoint.verified_at)
    tail = AuditEntry.objects.filter(id__gt=checkpoint.entry_id).order_by("id").iterator()
    broken, _last, _count = _walk_chain(tail, checkpoint.entry_hash)
    return ChainStatus(broken is None, broken, checkpoint.verified_at)


def check_audit_chain() -> dict:
    """The clock's run: verify the whole chain, move the checkpoint, record a break (which stays recorded)."""
    broken, last, count = _walk_chain(AuditEntry.objects.order_by("id").iterator(), "")
    now = timezone.now()
    with transaction.atomic():
        checkpoint, _created = AuditCheckpoint.objects.select_for_update().get_or_create(pk=1)
        if broken is not None and checkpoint.broken_entry_id is None:
            logger.error("The supervision audit chain is broken at entry %s.", broken)
            checkpoint.broken_entry_id = broken
            checkpoint.broken_found_at = now
        if broken is None and last is not None:
            checkpoint.entry_id, checkpoint.entry_hash = last.pk, last.entry_hash
        checkpoint.verified_at = now
        checkpoint.save()
    return {"verified": count, "broken_at": checkpoint.broken_entry_id}
