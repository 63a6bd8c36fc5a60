"""Importing a branch's roster from Excel (.xlsx): checking a file's rows, keeping them until confirmed, the write.

The spreadsheet itself (columns, choice words, the template, reading a workbook, converting cells) is
`members/spreadsheet.py`; the messages about it go through gettext. The flow:

1. `spreadsheet.template_workbook(branch)` is the downloadable template (headers, drop-downs, date and text formats,
   an instructions sheet with an example row).
2. `check_upload(user, branch, upload)` refuses what is not a real .xlsx workbook before parsing it (size, zip
   directory, uncompressed sizes: a zip bomb is refused from the directory), reads the first sheet with a 姓名 and
   身份证号 header (columns by name, in any order; a title row above is fine), converts and checks every row
   (`validation.problems`, the model's own field checks, duplicates within the file and in the installation, the
   branch's party groups, choice words) and keeps the result encrypted in a `RosterImport` (never in the session
   or a file in clear). Uploads older than `EXPIRES_AFTER` are deleted on the next upload.
3. `import_roster(user, organization_id, import_id, keep_good_rows)` writes the checked rows in one transaction,
   once (a second confirmation writes nothing), re-checking duplicates inside it, with a ChangeRecord per member.
"""

from __future__ import annotations

import datetime
import json

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import MANAGE_MEMBERS, require
from dangjian.core import fieldcrypt, history
from dangjian.core.cache import bump_content_generation
from dangjian.core.history import ActionError, InvalidInput, NotFound
from dangjian.core.models import ChangeRecord
from dangjian.core.signals import rows_written
from dangjian.organizations.models import Organization

from . import idnumbers, validation
from .models import Member, RosterImport, add_years
from .spreadsheet import RosterError, Sheet, convert_row, open_workbook, party_groups, plain_text, read_sheet

EXPIRES_AFTER = datetime.timedelta(days=1)
SHOWN_ROWS = 500  # rows listed on the preview (the counts are always complete)


# --- Checking -----------------------------------------------------------------------------------------


def _member_from(
    row: dict, branch: Organization, groups: dict[int, Organization] | None = None, *, with_id: bool = True
) -> Member:
    group_id = row.get("party_group")
    member = Member(
        organization=branch,
        party_group=(groups or {}).get(group_id) if group_id else None,
        **{key: row[key] for key in Member.RECORD_FIELDS},
    )
    if with_id:  # the check leaves the encryption to the write
        member.set_id_number(row["id_number"])
    if member.category == Member.Category.PROBATIONARY and member.joined_on:
        member.probation_ends_on = add_years(member.joined_on, 1)
    return member


MODEL_CHECK_EXCLUDE = [
    "organization",
    "party_group",
    "user",
    "id_number_encrypted",
    "id_number_hash",
    "id_number_masked",
    "name",
    "birth_date",
    "joined_on",
    "mobile",
]


def mask_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else ""


def registered_in(hashes: list[str]) -> dict[str, str]:
    """Which of these ID-number hashes are already registered, and the name of the branch each is in (the same
    question as `validation.duplicate_of`, asked for a whole file in a few queries)."""
    found: dict[str, str] = {}
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        for digest, name in Member.objects.filter(id_number_hash__in=chunk).values_list(
            "id_number_hash", "organization__name"
        ):
            found[digest] = name
    return found


def check_rows(sheet: Sheet, branch: Organization, *, today: datetime.date | None = None) -> dict:
    """Every row converted and checked: {"good": [rows to write], "bad": [{row, name, reasons}]}."""
    today = today or timezone.localdate()
    groups: dict[str, int] = {}
    for group in party_groups(branch):
        groups[plain_text(group.name)] = group.pk
        if group.short_name:
            groups[plain_text(group.short_name)] = group.pk
    checked: list[tuple[int, dict, list[str]]] = []
    seen: dict[str, list[int]] = {}
    for number, values in sheet.rows:
        row, reasons, failed = convert_row(values, sheet.columns, groups)
        number_ok = bool(row["id_number"]) and idnumbers.problem(row["id_number"]) is None
        if row["birth_date"] is None and number_ok and "birth_date" not in failed:
            row["birth_date"] = idnumbers.birth_date(row["id_number"])
        # An empty birth date was to be read from the ID-card number: when that number is missing or wrong, its
        # own reason says it all.
        unreadable = failed | ({"birth_date"} if row["birth_date"] is None and not number_ok else set())
        for field, messages in validation.problems(row, today=today).items():
            if field not in unreadable:
                reasons.extend(messages)
        if number_ok and not reasons:
            try:
                history.validate(_member_from(row, branch, with_id=False), exclude=MODEL_CHECK_EXCLUDE)
            except InvalidInput as refused:
                reasons.append(str(refused))
        if number_ok:
            seen.setdefault(row["id_number"], []).append(number)
        checked.append((number, row, reasons))
    hashes = {number: Member.id_hash_of(number) for number in seen}
    registered = registered_in(list(hashes.values()))
    good: list[dict] = []
    bad: list[dict] = []
    for number, row, reasons in checked:
        rows_with_number = seen.get(row["id_number"], [])
        others = [str(n) for n in rows_with_number if n != number]
        if others:
            reasons.append(
                _("The same ID-card number is also on row %(rows)s of this file.") % {"rows": "、".join(others)}
            )
        where = registered.get(hashes.get(row["id_number"], ""))
        if where:
            reasons.append(_("This ID-card number is already registered in %(branch)s.") % {"branch": where})
        if reasons:
            bad.append({"row": number, "name": row["name"][:40], "reasons": reasons})
        else:
            good.append(
                {
                    **{k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in row.items()},
                    "row": number,
                }
            )
    return {"good": good, "bad": bad, "ignored": sheet.ignored}


def check_upload(user, organization_id: int, upload) -> RosterImport:
    """Check an uploaded roster and keep the result (encrypted) for the preview; nothing reaches the registry.
    Refusals of the file as a whole raise RosterError; refusals of rows are in the result."""
    branch = import_branch(user, organization_id)
    RosterImport.objects.filter(created_at__lt=timezone.now() - EXPIRES_AFTER).delete()
    book = open_workbook(upload)
    try:
        sheet = read_sheet(book)
    finally:
        book.close()
    result = check_rows(sheet, branch)
    if not result["good"] and not result["bad"]:
        raise RosterError(_("The roster has a header row but no members below it."))
    return RosterImport.objects.create(
        organization=branch,
        created_by=user,
        file_name=(getattr(upload, "name", "") or "")[:200],
        payload=fieldcrypt.encrypt(json.dumps(result, ensure_ascii=False)),
        good_rows=len(result["good"]),
        bad_rows=len(result["bad"]),
    )


def import_branch(user, organization_id: int) -> Organization:
    """The branch a roster is imported into: open, not a party group, and the user holds MANAGE_MEMBERS there."""
    branch = Organization.objects.filter(pk=organization_id, closed_at__isnull=True).first()
    if branch is None or branch.kind == Organization.Kind.GROUP:
        raise NotFound
    require(user, MANAGE_MEMBERS, branch)
    return branch


def get_import_for_user(user, organization_id: int, import_id: int) -> RosterImport:
    """One's own upload into this branch (another person's, or one of another branch, is NotFound)."""
    found = RosterImport.objects.filter(pk=import_id, organization_id=organization_id, created_by=user).first()
    if found is None or (found.confirmed_at is None and is_expired(found)):
        raise NotFound
    return found


def is_expired(roster: RosterImport) -> bool:
    return roster.created_at < timezone.now() - EXPIRES_AFTER


def checked_rows(roster: RosterImport) -> dict:
    if not roster.payload:
        return {"good": [], "bad": [], "ignored": []}
    return json.loads(fieldcrypt.decrypt(roster.payload))


def preview_rows(roster: RosterImport, limit: int = SHOWN_ROWS) -> dict:
    """What the preview shows: the bad rows with their reasons, the good ones masked (name, ID number, mobile)."""
    result = checked_rows(roster)
    good = [
        {
            "row": row["row"],
            "name": row["name"],
            "id_number": idnumbers.masked(row["id_number"]),
            "mobile": mask_mobile(row["mobile"]),
        }
        for row in result["good"][:limit]
    ]
    return {"good": good, "bad": result["bad"][:limit], "ignored": result.get("ignored", [])}


# --- The write ----------------------------------------------------------------------------------------------


def import_roster(user, organization_id: int, import_id: int, keep_good_rows: bool) -> RosterImport:
    """Write the checked rows of an upload into the branch's registry, once, in one transaction.

    `keep_good_rows` must be given when the file had bad rows (only the good ones are written); a clean file is
    written whole. A second confirmation (double submit, the back button) writes nothing and returns the upload.
    A person registered meanwhile (by someone else) refuses the whole write, naming the rows."""
    branch = import_branch(user, organization_id)
    roster = get_import_for_user(user, branch.pk, import_id)
    if roster.confirmed_at is not None:
        return roster
    if roster.bad_rows and not keep_good_rows:
        raise ActionError(
            ngettext(
                "%(count)s row of the file has problems: correct the file and upload it again, or import only "
                "the rows without problems.",
                "%(count)s rows of the file have problems: correct the file and upload it again, or import only "
                "the rows without problems.",
                roster.bad_rows,
            )
            % {"count": roster.bad_rows}
        )
    if not roster.good_rows:
        raise ActionError(_("No row of the file can be imported. Correct the file and upload it again."))
    rows = checked_rows(roster)["good"]
    now = timezone.now()
    try:
        with transaction.atomic():
            # Claim the upload first: of two confirmations, the second finds it claimed and writes nothing.
            if not RosterImport.objects.filter(pk=roster.pk, confirmed_at__isnull=True).update(confirmed_at=now):
                return RosterImport.objects.get(pk=roster.pk)
            groups = {group.pk: group for group in party_groups(branch)}
            _recheck(rows, branch, groups)
            members = [_member_from(_dates(row), branch, groups) for row in rows]
            Member.objects.bulk_create(members, batch_size=500)
            rows_written(Member, [branch.pk])  # the usage summaries' figures of the branch (no save was seen)
            _record_history(user, members, branch)
            RosterImport.objects.filter(pk=roster.pk).update(written=len(members), payload=b"")
    except IntegrityError:
        raise ActionError(
            _("Someone registered one of these people at the same moment. Upload the file again to see which.")
        ) from None
    roster.refresh_from_db()
    return roster


def _dates(row: dict) -> dict:
    converted = dict(row)
    for key in ("birth_date", "joined_on", "full_member_on"):
        if converted.get(key):
            converted[key] = datetime.date.fromisoformat(converted[key])
    return converted


def _recheck(rows: list[dict], branch: Organization, groups: dict[int, Organization]) -> None:
    """Inside the transaction: nobody registered these people since the check, the party groups still exist."""
    hashes = [Member.id_hash_of(row["id_number"]) for row in rows]
    registered = registered_in(hashes)
    problems: list[str] = []
    for digest, row in zip(hashes, rows, strict=True):
        where = registered.get(digest)
        if where:
            problems.append(
                _("Row %(row)s: this ID-card number is already registered in %(branch)s.")
                % {"row": row["row"], "branch": where}
            )
        if row.get("party_group") and row["party_group"] not in groups:
            problems.append(_("Row %(row)s: the party group no longer exists.") % {"row": row["row"]})
    if problems:
        raise ActionError(
            _("Since the file was checked, things changed; nothing was imported. Upload the file again. %(list)s")
            % {"list": " ".join(problems[:20])}
        )


def _record_history(user, members: list[Member], branch: Organization) -> None:
    """A ChangeRecord per member (created), as `core.history.save_tracked` records it, written in bulk."""
    content_type = ContentType.objects.get_for_model(Member)
    fields = history.tracked_fields(Member())
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                content_type=content_type,
                object_id=member.pk,
                object_repr=str(member)[:300],
                organization=branch,
                actor=user,
                action=ChangeRecord.Action.CREATE,
                changes=history.snapshot(member, fields),
            )
            for member in members
        ],
        batch_size=500,
    )
    bump_content_generation()
