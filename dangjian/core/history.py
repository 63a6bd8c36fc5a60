"""Change history: snapshots of tracked fields and the records of who changed what.

Actions call `save_tracked()`; it writes the row and its ChangeRecord in one transaction and
refuses a stale edit (optimistic locking on a `version` column) so concurrent edits never
silently overwrite each other.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from .cache import bump_content_generation
from .models import ChangeRecord


class ActionError(Exception):
    """A refused action; the message is shown to the user as it is."""


class EditConflict(ActionError):
    pass


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in fields}


def tracked_fields(instance: models.Model) -> list[str]:
    names = getattr(instance, "HISTORY_FIELDS", None)
    if names is not None:
        return list(names)
    return [f.name for f in instance._meta.concrete_fields if not f.primary_key]


def record(actor, instance: models.Model, action: str, changes: dict, organization) -> ChangeRecord:
    bump_content_generation()
    return ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        object_repr=str(instance)[:300],
        organization=organization,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        changes=changes,
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def save_tracked(actor, instance: models.Model, organization, *, expected_version: int | None = None):
    """Insert or update `instance` with a history record. Returns the ChangeRecord (None if unchanged).

    For an update, the stored row is locked and compared with `expected_version` (the version the
    editor saw); a mismatch raises EditConflict and nothing is written.
    """
    fields = tracked_fields(instance)
    model = type(instance)
    with transaction.atomic():
        if instance.pk is None:
            instance.save()
            return record(actor, instance, ChangeRecord.Action.CREATE, snapshot(instance, fields), organization)
        stored = model.objects.select_for_update().get(pk=instance.pk)
        changes = diff(snapshot(stored, fields), snapshot(instance, fields))
        if not changes:  # e.g. the same form submitted twice
            return None
        has_version = hasattr(instance, "version")
        if has_version and expected_version is not None and stored.version != expected_version:
            raise EditConflict(
                _(
                    "Someone else changed this record while you were editing. Your input is kept below; "
                    "reload the page to see their change, then apply yours again."
                )
            )
        if has_version:
            instance.version = stored.version + 1
        instance.save()
        return record(actor, instance, ChangeRecord.Action.UPDATE, changes, organization)


def delete_tracked(actor, instance: models.Model, organization) -> ChangeRecord:
    with transaction.atomic():
        entry = record(
            actor, instance, ChangeRecord.Action.DELETE, snapshot(instance, tracked_fields(instance)), organization
        )
        instance.delete()
        return entry


def history_for(instance: models.Model):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)), object_id=instance.pk
    ).select_related("actor")
