"""Writes to the member registry: add and edit a member, change their status, transfer them to another branch.

Every action takes the acting user, ids and typed input, checks `MANAGE_MEMBERS` on the member's branch
(`accounts.permissions.require`, or the workflows below), validates with `members.validation` and the model
(`core.history.validate`), and writes with its history record (`core.history.save_tracked`) in one transaction.
A refusal is an `ActionError` with a message in the site's words; nothing is written then.

Mobile numbers are recorded masked in the history (`ChangeRecord`), so the history page shows no one a number
the member page would mask for them; the ID-card number is recorded only in its masked form (the model's
`HISTORY_FIELDS`).

Transfers (转出 / 转入) between the platform's branches are a `core.workflow` of their own (`TRANSFERS`): the
source branch starts one (`transfer_member`: the member then shows as 待转入 on the target), a manager of the
target branch confirms the arrival (`receive_member`: only then the member belongs to the target) or the source
withdraws it (`withdraw_transfer`). A member leaving the platform's branches (转出 to elsewhere), suspended
(停止党籍) or deceased is a status step of `STATUS` (`change_status`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_MEMBERS, has_capability, require
from dangjian.core.history import (
    ActionError,
    InvalidInput,
    NotFound,
    delete_tracked,
    refusal,
    save_tracked,
    validate,
)
from dangjian.core.masking import mask_numbers
from dangjian.core.models import ChangeRecord
from dangjian.core.workflow import Step, Workflow
from dangjian.notifications.api import notify, staff_holding
from dangjian.organizations.models import Organization

from . import idnumbers, notices
from .models import Member, MemberTransfer
from .validation import duplicate_of, problems

# --- Input ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    name: str
    sex: str
    birth_date: datetime.date | None
    joined_on: datetime.date | None
    # The ID-card number as typed; on an edit "" keeps the stored one (the form never shows it in full).
    id_number: str = ""
    ethnicity: str = "汉族"
    education: str = ""
    mobile: str = ""
    full_member_on: datetime.date | None = None
    category: str = Member.Category.FULL
    party_group_id: int | None = None
    job: str = ""
    committee_post: str = ""
    is_floating: bool = False
    in_difficulty: bool = False
    is_veteran: bool = False


# Fields of the input copied onto the member as they are (text stripped).
_COPIED = Member.RECORD_FIELDS


# --- Loading, within the user's scope ----------------------------------------------------------------------


def _branch(actor, organization_id: int) -> Organization:
    """An open organization that may hold members (any kind but a party group), managed by the actor."""
    branch = Organization.objects.open().exclude(kind=Organization.Kind.GROUP).filter(pk=organization_id).first()
    if branch is None:
        raise NotFound
    require(actor, MANAGE_MEMBERS, branch)
    return branch


def _locked_member(actor, member_id: int) -> Member:
    """The member, row locked, if the actor manages its branch (403 otherwise: the page was a 404 already)."""
    member = Member.objects.select_for_update().filter(pk=member_id).first()
    if member is None:
        raise NotFound
    branch = Organization.objects.get(pk=member.organization_id)
    require(actor, MANAGE_MEMBERS, branch)
    member.organization = branch
    return member


def _party_group(branch: Organization, group_id: int | None) -> Organization | None:
    if group_id is None:
        return None
    group = Organization.objects.open().filter(pk=group_id, kind=Organization.Kind.GROUP, parent=branch).first()
    if group is None:
        raise InvalidInput(
            {"party_group": [_("Choose one of this branch's party groups.")]},
            _("Choose one of this branch's party groups."),
        )
    return group


def _invalid(errors: dict[str, list[str]]) -> InvalidInput:
    """A refusal of fields that are not the model's own (each message says what it is about)."""
    return InvalidInput(errors, " ".join(message for messages in errors.values() for message in messages))


def _apply(member: Member, data: MemberInput) -> None:
    for name in _COPIED:
        value = getattr(data, name)
        setattr(member, name, value.strip() if isinstance(value, str) else value)


def _check(member: Member, data: MemberInput, id_number: str, *, set_number: bool) -> None:
    """The shared record checks, the installation-wide duplicate and the model's own validation; the number is
    set on the member (encrypted, hashed, masked) once it passed."""
    values = {name: getattr(data, name) for name in _COPIED}
    values["id_number"] = id_number
    found = problems(values)
    if "id_number" not in found:
        other = duplicate_of(id_number, exclude_pk=member.pk)
        if other is not None:
            found["id_number"] = [
                _("This ID-card number is already registered in %(branch)s.") % {"branch": other.organization.name}
            ]
    if found:
        # The ID-card number is shown under its model label ("身份证号").
        if "id_number" in found:
            found["id_number_masked"] = found.pop("id_number")
        raise refusal(member, found)
    if set_number:
        member.set_id_number(id_number)
    validate(member, exclude=["id_number_hash", "user"])


def _mask_history(entry: ChangeRecord | None) -> None:
    """Keep mobile numbers masked in the member's history (what a township's history page shows)."""
    if entry is None or "mobile" not in entry.changes:
        return
    value = entry.changes["mobile"]
    if isinstance(value, list):
        entry.changes["mobile"] = [mask_numbers(v) if v else v for v in value]
    else:
        entry.changes["mobile"] = mask_numbers(value) if value else value
    entry.save(update_fields=["changes"])


def _save(actor, member: Member, *, expected_version: int | None = None) -> None:
    try:
        with transaction.atomic():
            _mask_history(save_tracked(actor, member, member.organization, expected_version=expected_version))
    except IntegrityError:  # the same ID-card number registered by someone else a moment ago
        message = _("This ID-card number was registered a moment ago by someone else. Search for it first.")
        raise InvalidInput({"id_number_masked": [message]}, message) from None


# --- Adding and editing ----------------------------------------------------------------------------------


def add_member(actor, organization_id: int, data: MemberInput) -> Member:
    """A new member of the branch `organization_id`, on the roll."""
    branch = _branch(actor, organization_id)
    member = Member(organization=branch, status=Member.Status.ACTIVE)
    _apply(member, data)
    member.party_group = _party_group(branch, data.party_group_id)
    number = idnumbers.normalize(data.id_number)
    _check(member, data, number, set_number=True)
    _save(actor, member)
    return member


def update_member(actor, member_id: int, data: MemberInput, *, expected_version: int | None = None) -> Member:
    """Change a member's record (not their status or branch: `change_status`, `transfer_member`)."""
    with transaction.atomic():
        member = _locked_member(actor, member_id)
        _apply(member, data)
        member.party_group = _party_group(member.organization, data.party_group_id)
        typed = idnumbers.normalize(data.id_number)
        number = typed or member.id_number()
        _check(member, data, number, set_number=bool(typed))
        _save(actor, member, expected_version=expected_version)
    return member


# --- Status: leaving the platform's branches, suspension, death -----------------------------------------


def _manages_branch(user, member: Member):
    return member.organization if has_capability(user, MANAGE_MEMBERS, member.organization) else None


def _no_pending_transfer(member: Member) -> str:
    if pending_transfer(member) is not None:
        return _("A transfer of this member to another branch is waiting; withdraw it first.")
    return ""


def _status_refusal(state: str) -> str:
    return _("This member's status is “%(status)s”; this change is not possible.") % {
        "status": Member.Status(state).label
    }


S = Member.Status
STATUS = Workflow(
    [
        Step(S.TRANSFERRED_OUT, [S.ACTIVE], S.TRANSFERRED_OUT, "branch", _no_pending_transfer),
        Step(S.SUSPENDED, [S.ACTIVE], S.SUSPENDED, "branch", _no_pending_transfer),
        Step(S.DECEASED, [S.ACTIVE, S.SUSPENDED], S.DECEASED, "branch", _no_pending_transfer),
        # Membership restored (恢复党籍), or a status entered by mistake corrected.
        Step(S.ACTIVE, [S.SUSPENDED, S.TRANSFERRED_OUT], S.ACTIVE, "branch"),
        # A transfer to another branch of the platform: the member stays on the roll until it is confirmed.
        Step("transfer", [S.ACTIVE], None, "branch", _no_pending_transfer),
    ],
    actors={"branch": _manages_branch},
    refusal=_status_refusal,
    state_of=lambda member: member.status,
)


@dataclass(frozen=True)
class StatusInput:
    status: str
    on: datetime.date | None
    destination: str = ""  # where a member transferred out of the platform went
    reason: str = ""


def _date_problem(day: datetime.date | None, member: Member, what: str) -> str:
    if day is None:
        return _("Enter the date.")
    if day > timezone.localdate():
        return _("%(what)s cannot be in the future.") % {"what": what}
    if day < member.joined_on:
        return _("The date is before the member joined the Party.")
    return ""


def change_status(actor, member_id: int, data: StatusInput, *, expected_version: int | None = None) -> Member:
    """在册 → 转出 (out of the platform's branches, with the destination) / 停止党籍 / 去世, on a date; or back to
    在册 (restored). A move out of the platform is recorded as a transfer too."""
    with transaction.atomic():
        member = _locked_member(actor, member_id)
        if data.status not in STATUS or data.status == "transfer":
            raise InvalidInput({"status": [_("Choose a status.")]}, _("Choose a status."))
        STATUS.require(actor, data.status, member)
        errors: dict[str, list[str]] = {}
        if why := _date_problem(data.on, member, _("The date")):
            errors["on"] = [why]
        destination = data.destination.strip()
        if data.status == S.TRANSFERRED_OUT and not destination:
            errors["destination"] = [_("Say where the member transferred to.")]
        if len(destination) > 100:
            errors["destination"] = [_("At most 100 characters.")]
        if len(data.reason.strip()) > 200:
            errors["reason"] = [_("At most 200 characters.")]
        if errors:
            raise _invalid(errors)
        member.status = STATUS.target(data.status)
        member.status_changed_on = data.on
        if member.status in (S.TRANSFERRED_OUT, S.DECEASED):
            member.party_group = None
        _save(actor, member, expected_version=expected_version)
        if data.status == S.TRANSFERRED_OUT:
            assert data.on is not None  # checked above
            transfer = MemberTransfer(
                member=member,
                from_organization=member.organization,
                destination=destination,
                left_on=data.on,
                reason=data.reason.strip(),
                created_by=actor,
            )
            save_tracked(actor, transfer, member.organization)
    return member


# --- Transfers between the platform's branches -------------------------------------------------------------

PENDING, ARRIVED = "pending", "arrived"


def _transfer_state(transfer: MemberTransfer) -> str:
    return PENDING if transfer.arrived_on is None else ARRIVED


def _manages_source(user, transfer: MemberTransfer):
    source = transfer.from_organization
    return source if has_capability(user, MANAGE_MEMBERS, source) else None


def _manages_target(user, transfer: MemberTransfer):
    target = transfer.to_organization
    return target if target is not None and has_capability(user, MANAGE_MEMBERS, target) else None


def _target_open(transfer: MemberTransfer) -> str:
    if transfer.to_organization is None or transfer.to_organization.is_closed:
        return _("The receiving branch no longer exists; the transfer can only be withdrawn.")
    return ""


TRANSFERS = Workflow(
    [
        Step("receive", [PENDING], ARRIVED, "target", _target_open),
        Step("withdraw", [PENDING], None, "source"),
    ],
    actors={"source": _manages_source, "target": _manages_target},
    refusal=lambda state: _("This transfer was already confirmed."),
    state_of=_transfer_state,
)


def pending_transfer(member: Member) -> MemberTransfer | None:
    """The member's transfer to another branch of the platform that waits for the target's confirmation."""
    return (
        MemberTransfer.objects.filter(member=member, to_organization__isnull=False, arrived_on__isnull=True)
        .select_related("from_organization", "to_organization")
        .first()
    )


@dataclass(frozen=True)
class TransferInput:
    to_organization_id: int | None
    left_on: datetime.date | None
    reason: str = ""


def transfer_member(actor, member_id: int, data: TransferInput) -> MemberTransfer:
    """转出 to another branch of the platform: recorded now; the member belongs to the target once it confirms."""
    with transaction.atomic():
        member = _locked_member(actor, member_id)
        STATUS.require(actor, "transfer", member)
        errors: dict[str, list[str]] = {}
        target = (
            Organization.objects.open().exclude(kind=Organization.Kind.GROUP).filter(pk=data.to_organization_id).first()
            if data.to_organization_id
            else None
        )
        if target is None:
            errors["to_organization"] = [_("Choose the branch the member moves to.")]
        elif target.pk == member.organization_id:
            errors["to_organization"] = [_("The member already belongs to this branch.")]
        if why := _date_problem(data.left_on, member, _("The date of transferring out")):
            errors["left_on"] = [why]
        if len(data.reason.strip()) > 200:
            errors["reason"] = [_("At most 200 characters.")]
        transfer = MemberTransfer(
            member=member,
            from_organization=member.organization,
            to_organization=target,
            left_on=data.left_on,  # type: ignore[misc]
            reason=data.reason.strip(),
            created_by=actor,
        )
        if errors:
            raise _invalid(errors)
        save_tracked(actor, transfer, member.organization)
        assert target is not None
        notify(
            staff_holding(MANAGE_MEMBERS, target),
            notices.TRANSFER_INCOMING,
            member,
            organization=target,
            name=member.name,
            source=member.organization.name,
            branch=target.name,
        )
    return transfer


def _locked_transfer(actor, transfer_id: int, step: str) -> MemberTransfer:
    transfer = (
        MemberTransfer.objects.select_for_update()
        .select_related("member", "from_organization", "to_organization")
        .filter(pk=transfer_id, to_organization__isnull=False)
        .first()
    )
    if transfer is None:
        raise NotFound
    TRANSFERS.require(actor, step, transfer)
    return transfer


def receive_member(actor, transfer_id: int, arrived_on: datetime.date | None) -> Member:
    """转入: a manager of the target branch confirms the arrival; the member now belongs to it (party group
    cleared, as the target's groups are its own)."""
    with transaction.atomic():
        transfer = _locked_transfer(actor, transfer_id, "receive")
        member = Member.objects.select_for_update().get(pk=transfer.member_id)
        errors: dict[str, list[str]] = {}
        if arrived_on is None:
            errors["arrived_on"] = [_("Enter the date.")]
        elif arrived_on > timezone.localdate():
            errors["arrived_on"] = [_("%(what)s cannot be in the future.") % {"what": _("The date of arrival")}]
        elif arrived_on < transfer.left_on:
            errors["arrived_on"] = [_("The member cannot arrive before leaving the other branch.")]
        if errors:
            raise _invalid(errors)
        transfer.arrived_on = arrived_on
        save_tracked(actor, transfer, transfer.to_organization)
        target = transfer.to_organization
        assert target is not None
        member.organization = target
        member.party_group = None
        _save(actor, member)
    return member


def withdraw_transfer(actor, transfer_id: int) -> None:
    """The source branch withdraws a transfer the target has not confirmed yet (recorded as a deletion)."""
    with transaction.atomic():
        transfer = _locked_transfer(actor, transfer_id, "withdraw")
        delete_tracked(actor, transfer, transfer.from_organization)


__all__ = [
    "STATUS",
    "TRANSFERS",
    "ActionError",
    "MemberInput",
    "StatusInput",
    "TransferInput",
    "add_member",
    "change_status",
    "pending_transfer",
    "receive_member",
    "transfer_member",
    "update_member",
    "withdraw_transfer",
]
