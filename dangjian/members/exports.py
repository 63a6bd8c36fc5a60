"""The roster export to Excel, audited: every export writes a `RosterExport` (who, when, which organization,
why, how many rows) in the same transaction as the workbook is made.

ID-card numbers are masked, and mobiles masked outside the member's own branch committee (`queries.shown_mobile`);
the full ID-card numbers only for those holding MANAGE_MEMBERS directly on the organization, and such an export
is recorded as `with_id_numbers`. A cell that a spreadsheet could take for a formula is written as text
(core/exports.py's rule for CSV).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils import get_column_letter

from dangjian.accounts.permissions import MANAGE_MEMBERS, held_paths, require
from dangjian.core.exports import spreadsheet_cell
from dangjian.core.history import InvalidInput, NotFound
from dangjian.organizations.models import Organization

from .models import Member, RosterExport
from .queries import members_in, shown_mobile
from .spreadsheet import COLUMNS

REASON_MAX = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def may_export_id_numbers(user, organization: Organization) -> bool:
    """The option of full ID-card numbers: only for those holding MANAGE_MEMBERS directly on this organization. Even
    then a number is in full only for the members of the branches the user holds it on directly (its committee),
    as mobile numbers are; those of the branches below stay masked."""
    return organization.path in held_paths(user, MANAGE_MEMBERS)


def _own_branch(user, member: Member) -> bool:
    return member.organization.path in held_paths(user, MANAGE_MEMBERS)


@dataclass(frozen=True)
class Export:
    content: bytes
    file_name: str
    record: RosterExport


def _date(day) -> str:
    return day.isoformat() if day else ""


def _yes(value: bool) -> str:
    return _("yes") if value else ""


def export_roster(actor, organization_id: int, reason: str, *, with_id_numbers: bool = False) -> Export:
    """The members on the roll of the organization and below as an .xlsx workbook, with its audit row."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise NotFound
    require(actor, MANAGE_MEMBERS, organization)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [_("Say why you export the roster.")]}, _("Say why you export the roster."))
    if len(reason) > REASON_MAX:
        message = _("The reason has at most %(n)s characters.") % {"n": REASON_MAX}
        raise InvalidInput({"reason": [message]}, message)
    if with_id_numbers and not may_export_id_numbers(actor, organization):
        raise PermissionDenied
    members = list(
        members_in(actor, organization).filter(status=Member.Status.ACTIVE).order_by("organization__path", "name", "id")
    )
    # The columns the roster import also reads carry the import template's header, so that an exported file can
    # be imported again as it is; the others (branch, probation end) are ignored by the import.
    shared = {column.key: column.header for column in COLUMNS}
    header = [
        _("Branch"),
        shared["name"],
        shared["sex"],
        shared["ethnicity"],
        shared["birth_date"],
        shared["education"],
        shared["id_number"],
        shared["mobile"],
        shared["joined_on"],
        shared["full_member_on"],
        shared["category"],
        _("Probation ends on"),
        shared["party_group"],
        shared["job"],
        shared["committee_post"],
        shared["is_floating"],
        shared["in_difficulty"],
        shared["is_veteran"],
    ]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Roster")[:31]
    sheet.append(header)
    for member in members:
        row = [
            member.organization.name,
            member.name,
            member.get_sex_display(),
            member.ethnicity,
            _date(member.birth_date),
            member.get_education_display(),
            member.id_number() if with_id_numbers and _own_branch(actor, member) else member.id_number_masked,
            shown_mobile(actor, member),
            _date(member.joined_on),
            _date(member.full_member_on),
            member.get_category_display(),
            _date(member.probation_ends_on),
            member.party_group.name if member.party_group else "",
            member.job,
            member.get_committee_post_display() if member.committee_post else "",
            _yes(member.is_floating),
            _yes(member.in_difficulty),
            _yes(member.is_veteran),
        ]
        sheet.append([spreadsheet_cell(value) for value in row])
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = TYPE_STRING  # text, never a number or formula (long numbers keep every digit)
    for index, width in enumerate([28, 10, 6, 8, 12, 14, 22, 14, 12, 12, 10, 12, 14, 16, 14, 8, 8, 8], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with transaction.atomic():
        record = RosterExport.objects.create(
            organization=organization,
            exported_by=actor,
            reason=reason,
            rows=len(members),
            with_id_numbers=with_id_numbers,
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = organization.short_name or organization.name
    return Export(buffer.getvalue(), f"{name}-{_('roster')}-{stamp}.xlsx", record)


def export_log(user, organization: Organization):
    """The exports of this organization's roster and of those below it, for the holders of MANAGE_MEMBERS there."""
    require(user, MANAGE_MEMBERS, organization)
    bounds = organization.subtree_range()
    return RosterExport.objects.filter(
        organization__path__gte=bounds["gte"], organization__path__lt=bounds["lt"]
    ).select_related("organization", "exported_by")
