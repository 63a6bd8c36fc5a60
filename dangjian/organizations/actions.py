"""Writes to organizations and their leadership. Views, admin and commands all call these."""

from __future__ import annotations

from dangjian.accounts.permissions import MANAGE_CONTENT, require
from dangjian.core.history import delete_tracked, save_tracked
from dangjian.core.uploads import delete_files_on_commit, discard_on_failure

from .models import Leader, Organization, Term


def update_profile(actor, organization: Organization, *, expected_version: int | None = None) -> None:
    require(actor, MANAGE_CONTENT, organization)
    save_tracked(actor, organization, organization, expected_version=expected_version)


def save_term(actor, term: Term, *, expected_version: int | None = None) -> Term:
    require(actor, MANAGE_CONTENT, term.organization)
    save_tracked(actor, term, term.organization, expected_version=expected_version)
    return term


def save_leader(actor, leader: Leader, *, photo=None, expected_version: int | None = None) -> Leader:
    """Create or update a leader. `photo` is an already processed file (see core.uploads)."""
    require(actor, MANAGE_CONTENT, leader.term.organization)
    if photo is None:
        save_tracked(actor, leader, leader.term.organization, expected_version=expected_version)
        return leader
    old_photo = leader.photo.name if leader.pk else ""
    leader.photo.save(photo.name, photo, save=False)
    with discard_on_failure(leader.photo):
        save_tracked(actor, leader, leader.term.organization, expected_version=expected_version)
    delete_files_on_commit(leader.photo.storage, [old_photo])
    return leader


def delete_leader(actor, leader: Leader) -> None:
    require(actor, MANAGE_CONTENT, leader.organization)
    photo, storage = leader.photo.name, leader.photo.storage
    delete_tracked(actor, leader, leader.organization)
    delete_files_on_commit(storage, [photo])
