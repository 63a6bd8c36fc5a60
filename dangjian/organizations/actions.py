"""Writes to organizations and their leadership. Views, admin and commands all call these."""

from __future__ import annotations

from django.db import transaction

from dangjian.accounts.permissions import MANAGE_CONTENT, require
from dangjian.core.history import delete_tracked, save_tracked

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
    old_photo = None
    if photo is not None:
        old_photo = leader.photo.name if leader.pk and leader.photo else None
        leader.photo.save(photo.name, photo, save=False)
    try:
        save_tracked(actor, leader, leader.term.organization, expected_version=expected_version)
    except Exception:
        if photo is not None:
            leader.photo.delete(save=False)  # nothing half-saved: the new file goes with the failed write
        raise
    if old_photo:
        storage = leader.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    return leader


def delete_leader(actor, leader: Leader) -> None:
    require(actor, MANAGE_CONTENT, leader.organization)
    photo = leader.photo.name if leader.photo else None
    storage = leader.photo.storage
    delete_tracked(actor, leader, leader.organization)
    if photo:
        transaction.on_commit(lambda: storage.delete(photo))
