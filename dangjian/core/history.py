"""Change history: snapshots of tracked fields and the records of who changed what.

Actions call `save_tracked()`; it writes the row and its ChangeRecord in one transaction and
refuses a stale edit (optimistic locking on a `version` column) so concurrent edits never
silently overwrite each other.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from .cache import bump_content_generation
from .models import ChangeRecord


class ActionError(Exception):
    """A refused action; the message is shown to the user as it is."""


class EditConflict(ActionError):
    pass


class InvalidInput(ActionError):
    """Input the model's validation refused. `errors` maps field names to messages; the message names
    each field by its label, so a caller without a form (the API) shows the same words as the console."""

    def __init__(self, errors: dict[str, list[str]], message: str):
        super().__init__(message)
        self.errors = errors


class NotFound(ActionError):
    """The record named by an id does not exist within the scope the action works on."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("This record does not exist or is not within your area."))


def new_or_existing[M: models.Model](model: type[M], pk: int | None, **scope: Any) -> M:
    """For an action that creates or changes a row: a new row within `scope` (e.g. `organization=org`), or the row
    `pk` if it lies within that scope (NotFound otherwise, so an id from elsewhere changes nothing)."""
    if pk is None:
        return model(**scope)
    row = model._default_manager.filter(pk=pk, **scope).first()
    if row is None:
        raise NotFound
    return row


def validate(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run the model's own validation (`full_clean`, plus the length of text fields, which Django leaves
    to forms); a refusal becomes InvalidInput and nothing is written."""
    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.TextField) and field.max_length and field.name not in (exclude or []):
            try:
                MaxLengthValidator(field.max_length)(getattr(instance, field.attname) or "")
            except ValidationError as error:
                errors.setdefault(field.name, []).extend(error.messages)
    if errors:
        raise refusal(instance, errors)


def refusal(instance: models.Model, errors: dict[str, list[str]]) -> InvalidInput:
    """InvalidInput for these field errors, its message naming each field by its label."""
    parts: list[str] = []
    for name, messages in errors.items():
        label = ""
        if name != NON_FIELD_ERRORS:
            try:
                field = instance._meta.get_field(name)
            except FieldDoesNotExist:  # a constraint may name something that is not a field
                label = name
            else:  # a reverse relation has no label of its own
                label = str(field.verbose_name) if isinstance(field, models.Field) else name
        parts.extend(_("%(field)s: %(message)s") % {"field": label, "message": m} if label else m for m in messages)
    return InvalidInput(errors, " ".join(parts))


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
    # Bookkeeping the reader did not change (the edit counter, automatic timestamps) is not history.
    return [
        f.name
        for f in instance._meta.concrete_fields
        if not f.primary_key
        and f.name != "version"
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


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
        stored = model._default_manager.select_for_update().get(pk=instance.pk)
        changes = diff(snapshot(stored, fields), snapshot(instance, fields))
        if not changes:  # e.g. the same form submitted twice
            return None
        if hasattr(instance, "version") and hasattr(stored, "version"):
            if expected_version is not None and stored.version != expected_version:
                raise EditConflict(
                    _(
                        "Someone else changed this record while you were editing. Your input is kept below; "
                        "reload the page to see their change, then apply yours again."
                    )
                )
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
