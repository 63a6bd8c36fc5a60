"""Writes to policies, their attachments and interpretations."""

from __future__ import annotations

import os
import uuid

from dangjian.accounts.permissions import MANAGE_CONTENT, require
from dangjian.core.history import delete_tracked, save_tracked
from dangjian.core.uploads import delete_files_on_commit, discard_on_failure

from .models import Policy, PolicyAttachment, PolicyInterpretation


def save_policy(actor, policy: Policy, *, expected_version: int | None = None) -> Policy:
    require(actor, MANAGE_CONTENT, policy.issuer)
    save_tracked(actor, policy, policy.issuer, expected_version=expected_version)
    return policy


def delete_policy(actor, policy: Policy) -> None:
    require(actor, MANAGE_CONTENT, policy.issuer)
    files = [a.file.name for a in policy.attachments.all()]
    delete_tracked(actor, policy, policy.issuer)
    delete_files_on_commit(PolicyAttachment._meta.get_field("file").storage, files)


def add_attachment(actor, policy: Policy, upload, content_type: str) -> PolicyAttachment:
    """Store an attachment already checked by `core.uploads.check_attachment`."""
    require(actor, MANAGE_CONTENT, policy.issuer)
    original = os.path.basename(upload.name)[:200]
    ext = os.path.splitext(original)[1].lower()
    attachment = PolicyAttachment(
        policy=policy, name=original, content_type=content_type, size=upload.size, uploaded_by=actor
    )
    attachment.file.save(f"{uuid.uuid4().hex}{ext}", upload, save=False)
    with discard_on_failure(attachment.file):
        save_tracked(actor, attachment, policy.issuer)
    return attachment


def remove_attachment(actor, attachment: PolicyAttachment) -> None:
    require(actor, MANAGE_CONTENT, attachment.policy.issuer)
    name, storage = attachment.file.name, attachment.file.storage
    delete_tracked(actor, attachment, attachment.policy.issuer)
    delete_files_on_commit(storage, [name])


def save_interpretation(
    actor, interpretation: PolicyInterpretation, *, expected_version: int | None = None
) -> PolicyInterpretation:
    require(actor, MANAGE_CONTENT, interpretation.policy.issuer)
    save_tracked(actor, interpretation, interpretation.policy.issuer, expected_version=expected_version)
    return interpretation
