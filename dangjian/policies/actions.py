"""Writes to policies, their attachments and interpretations.

Each action takes the acting user, the issuing organization's id, ids and typed input; it loads the rows
itself within that organization, validates through the model and the checks below, and writes with its
history record (core.history.save_tracked) in one transaction.
"""

from __future__ import annotations

import datetime
import os
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_CONTENT, require
from dangjian.core.history import InvalidInput, NotFound, delete_tracked, new_or_existing, save_tracked, validate
from dangjian.core.uploads import check_attachment, delete_files_on_commit, discard_on_failure
from dangjian.organizations.models import Organization

from .models import Policy, PolicyAttachment, PolicyCategory, PolicyInterpretation


def _issuer(actor, organization_id: int) -> Organization:
    # A closed (or merged) organization issues nothing more; its policies moved to the survivor.
    organization = Organization.objects.open().filter(pk=organization_id).first()
    if organization is None:
        raise NotFound
    require(actor, MANAGE_CONTENT, organization)
    return organization


def _policy(issuer: Organization, policy_id: int) -> Policy:
    policy = Policy.objects.filter(pk=policy_id, issuer=issuer).first()
    if policy is None:
        raise NotFound
    return policy


# --- Policies -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyInput:
    title: str
    category_id: int
    issued_on: datetime.date
    effective_on: datetime.date
    body: str
    doc_number: str = ""
    expires_on: datetime.date | None = None
    is_published: bool = True
    replaces_id: int | None = None  # the policy this one replaces or amends (本政策替代/修订了…)


def save_policy(
    actor,
    organization_id: int,
    data: PolicyInput,
    *,
    policy_id: int | None = None,
    expected_version: int | None = None,
) -> Policy:
    """Create a policy issued by the organization, or change its policy `policy_id`."""
    issuer = _issuer(actor, organization_id)
    policy = Policy(issuer=issuer) if policy_id is None else _policy(issuer, policy_id)
    category = PolicyCategory.objects.filter(pk=data.category_id).first()
    if category is None:
        message = _("Choose a category from the list.")
        raise InvalidInput({"category": [message]}, message)
    policy.category = category
    policy.title = data.title.strip()
    policy.doc_number = data.doc_number.strip()
    policy.issued_on, policy.effective_on, policy.expires_on = data.issued_on, data.effective_on, data.expires_on
    policy.body = data.body.strip()
    policy.is_published = data.is_published
    if data.effective_on and data.expires_on and data.expires_on < data.effective_on:
        message = _("The expiry date cannot be before the effective date.")
        raise InvalidInput({"expires_on": [message]}, message)
    with transaction.atomic():
        before = policy.replaces_id  # as stored
        policy.replaces = _replaced(actor, issuer, policy, data.replaces_id)
        validate(policy)
        save_tracked(actor, policy, issuer, expected_version=expected_version)
        for old_id in {before, policy.replaces_id}:
            if old_id is not None:
                refresh_superseded(old_id)
    return policy


def replaceable_policies(issuer: Organization, policy: Policy | None = None):
    """The policies a policy of `issuer` may name as the one it replaces: those issued within the issuer's
    subtree that no other policy replaces yet (the one it names now included), never itself."""
    queryset = Policy.objects.filter(issuer__path__startswith=issuer.path)
    if policy is not None and policy.pk:
        queryset = queryset.exclude(pk=policy.pk).filter(
            models.Q(replaced_by__isnull=True) | models.Q(replaced_by=policy)
        )
    else:
        queryset = queryset.filter(replaced_by__isnull=True)
    return queryset


def _replaced(actor, issuer: Organization, policy: Policy, replaces_id: int | None) -> Policy | None:
    """The policy named as replaced, checked: within the issuer's subtree, replaced by no other policy,
    not this policy nor one of its newer versions."""
    if replaces_id is None:
        return None
    message = _("Choose the replaced policy from the list: one of this organization or below it, not yet replaced.")
    old = replaceable_policies(issuer, policy).select_related("issuer").filter(pk=replaces_id).first()
    if old is None:
        raise InvalidInput({"replaces": [message]}, message)
    require(actor, MANAGE_CONTENT, old.issuer)
    node, seen = old, 0
    while node is not None and seen < 100:  # naming a newer version of itself would make a loop
        if policy.pk and node.pk == policy.pk:
            loop = _("A policy cannot replace one of its own newer versions.")
            raise InvalidInput({"replaces": [loop]}, loop)
        node = Policy.objects.filter(pk=node.replaces_id).first() if node.replaces_id else None
        seen += 1
    return old


def refresh_superseded(policy_id: int) -> None:
    """Mark the policy superseded while a published policy replaces it (and refresh its index entry)."""
    old = Policy.objects.select_for_update().filter(pk=policy_id).first()
    if old is None:
        return
    superseded = Policy.objects.filter(replaces=old, is_published=True).exists()
    if old.superseded != superseded:
        old.superseded = superseded
        old.save(update_fields=["superseded"])


def delete_policy(actor, organization_id: int, policy_id: int) -> None:
    issuer = _issuer(actor, organization_id)
    with transaction.atomic():
        policy = Policy.objects.select_for_update().filter(pk=policy_id, issuer=issuer).first()
        if policy is None:
            raise NotFound
        files = [a.file.name for a in policy.attachments.all()]
        replaced = policy.replaces_id
        delete_tracked(actor, policy, issuer)
        if replaced is not None:  # the version it replaced is the newest again
            refresh_superseded(replaced)
    delete_files_on_commit(PolicyAttachment._meta.get_field("file").storage, files)


# --- Attachments --------------------------------------------------------------------------------


def add_attachment(actor, organization_id: int, policy_id: int, upload) -> PolicyAttachment:
    """Store an uploaded file as an attachment of one of the organization's policies, once
    `core.uploads.check_attachment` accepts it (size, extension, content matching the extension)."""
    issuer = _issuer(actor, organization_id)
    policy = _policy(issuer, policy_id)
    try:
        content_type = check_attachment(upload)
    except ValidationError as error:
        raise InvalidInput({"file": error.messages}, " ".join(error.messages)) from None
    original = os.path.basename(upload.name)[:200]
    ext = os.path.splitext(original)[1].lower()
    attachment = PolicyAttachment(
        policy=policy, name=original, content_type=content_type, size=upload.size, uploaded_by=actor
    )
    attachment.file.save(f"{uuid.uuid4().hex}{ext}", upload, save=False)
    with discard_on_failure(attachment.file):
        save_tracked(actor, attachment, issuer)
    return attachment


def remove_attachment(actor, organization_id: int, attachment_id: int) -> int:
    """Remove an attachment of one of the organization's policies; returns the policy's id."""
    issuer = _issuer(actor, organization_id)
    with transaction.atomic():
        attachment = (
            PolicyAttachment.objects.select_for_update().filter(pk=attachment_id, policy__issuer=issuer).first()
        )
        if attachment is None:
            raise NotFound
        name, storage = attachment.file.name, attachment.file.storage
        delete_tracked(actor, attachment, issuer)
    delete_files_on_commit(storage, [name])
    return attachment.policy_id


# --- Interpretations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InterpretationInput:
    title: str
    published_on: datetime.date
    body: str
    source: str = ""


def save_interpretation(
    actor,
    organization_id: int,
    policy_id: int,
    data: InterpretationInput,
    *,
    interpretation_id: int | None = None,
    expected_version: int | None = None,
) -> PolicyInterpretation:
    """Add an interpretation to one of the organization's policies, or change `interpretation_id`."""
    issuer = _issuer(actor, organization_id)
    policy = _policy(issuer, policy_id)
    interpretation = new_or_existing(PolicyInterpretation, interpretation_id, policy=policy)
    interpretation.title = data.title.strip()
    interpretation.source = data.source.strip()
    interpretation.published_on = data.published_on
    interpretation.body = data.body.strip()
    validate(interpretation)
    save_tracked(actor, interpretation, issuer, expected_version=expected_version)
    return interpretation
