"""Writes to organizations and their leadership. Views, admin, commands and the API all call these.

Each action takes the acting user, ids and typed input (a frozen dataclass), loads the rows itself
within the organization, validates through the model (core.history.validate) and the checks below,
and writes with its history record (core.history.save_tracked) in one transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_CONTENT, require
from dangjian.core.history import (
    InvalidInput,
    NotFound,
    delete_tracked,
    new_or_existing,
    refusal,
    save_tracked,
    validate,
)
from dangjian.core.uploads import delete_files_on_commit, discard_on_failure, process_photo

from .models import Leader, Organization, Term


def _organization(actor, organization_id: int) -> Organization:
    # A closed (or merged) organization keeps its history but is edited no more.
    organization = Organization.objects.open().filter(pk=organization_id).first()
    if organization is None:
        raise NotFound
    require(actor, MANAGE_CONTENT, organization)
    return organization


def _apply(instance, data, *, skip: tuple[str, ...] = ()) -> None:
    """Copy typed input onto the model instance (text stripped, as forms do)."""
    for field in fields(data):
        if field.name in skip:
            continue
        value = getattr(data, field.name)
        setattr(instance, field.name, value.strip() if isinstance(value, str) else value)


# --- Profile ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileInput:
    name: str
    short_name: str = ""
    intro: str = ""
    address: str = ""
    phone: str = ""


def update_profile(
    actor, organization_id: int, data: ProfileInput, *, expected_version: int | None = None
) -> Organization:
    organization = _organization(actor, organization_id)
    _apply(organization, data)
    validate(organization)
    save_tracked(actor, organization, organization, expected_version=expected_version)
    return organization


# --- Leadership terms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TermInput:
    name: str
    elected_on: datetime.date
    ends_on: datetime.date


def save_term(
    actor,
    organization_id: int,
    data: TermInput,
    *,
    term_id: int | None = None,
    expected_version: int | None = None,
) -> Term:
    """Create a term of the organization, or change its term `term_id`."""
    organization = _organization(actor, organization_id)
    term = new_or_existing(Term, term_id, organization=organization)
    _apply(term, data)
    if data.elected_on and data.ends_on and data.ends_on <= data.elected_on:
        message = _("The term must end after the election date.")
        raise InvalidInput({"ends_on": [message]}, message)
    validate(term)
    save_tracked(actor, term, organization, expected_version=expected_version)
    return term


# --- Leaders ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderInput:
    term_id: int
    name: str
    post: str
    duties: str = ""
    cv: str = ""
    contact: str = ""
    sort_order: int = 0


def save_leader(
    actor,
    organization_id: int,
    data: LeaderInput,
    *,
    leader_id: int | None = None,
    photo=None,
    expected_version: int | None = None,
) -> Leader:
    """Create a leader of one of the organization's terms, or change its leader `leader_id`. `photo` is the
    uploaded file as it came (checked and rebuilt here by core.uploads.process_photo); None keeps the current
    photo."""
    organization = _organization(actor, organization_id)
    term = Term.objects.filter(pk=data.term_id, organization=organization).first()
    if term is None:
        raise NotFound(_("Choose a term of this organization."))
    leader = new_or_existing(Leader, leader_id, organization=organization)
    leader.term = term
    _apply(leader, data, skip=("term_id",))
    validate(leader, exclude=["photo"])
    if photo is not None:
        try:
            photo = process_photo(photo)
        except ValidationError as error:
            raise refusal(leader, {"photo": error.messages}) from None
    if photo is None:
        save_tracked(actor, leader, organization, expected_version=expected_version)
        return leader
    old_photo = leader.photo.name if leader.pk else ""
    leader.photo.save(photo.name, photo, save=False)
    with discard_on_failure(leader.photo):
        save_tracked(actor, leader, organization, expected_version=expected_version)
    delete_files_on_commit(leader.photo.storage, [old_photo])
    return leader


def delete_leader(actor, organization_id: int, leader_id: int) -> None:
    organization = _organization(actor, organization_id)
    with transaction.atomic():
        leader = Leader.objects.select_for_update().filter(pk=leader_id, organization=organization).first()
        if leader is None:
            raise NotFound
        photo, storage = leader.photo.name, leader.photo.storage
        delete_tracked(actor, leader, organization)
    delete_files_on_commit(storage, [photo])
