"""Marking what the rollups must recompute, in the transaction of each change (see rollups.py).

For every kept metric and freshness source (freshness.py), saves and deletes of its rows' model (and of the models it `watch`es) mark the
organization the instance belongs to; on commit one refresh task is queued per transaction. A change made
without a save (`QuerySet.update`, `bulk_create`) is not seen here: the nightly rebuild corrects it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save

from dangjian.core.signals import rows_written_without_save

from . import freshness
from .models import PendingRollup
from .rollups import kept_metrics

# model class -> [(metric key, lookup to the organization, moves)]
_WATCHED: dict[type[Model], list[tuple[str, str, bool]]] = defaultdict(list)
_OLD = "_analytics_old_organizations"


def _organization_id(instance: Any, lookup: str) -> int | None:
    *through, last = lookup.split("__")
    target = instance
    for name in through:
        target = getattr(target, name, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None) if hasattr(target, f"{last}_id") else getattr(target, last, None)


def _enqueue() -> None:
    from .tasks import refresh_rollups

    refresh_rollups.enqueue()


def mark(marks: set[tuple[int, str]]) -> None:
    """Record (organization id, metric) pairs to refresh, and queue the refresh once the transaction commits."""
    if not marks:
        return
    PendingRollup.objects.bulk_create([PendingRollup(organization_id=org, metric=metric) for org, metric in marks])
    if not any(entry[1] is _enqueue for entry in connection.run_on_commit):
        transaction.on_commit(_enqueue)


def _before_save(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    moving = [(metric, lookup) for metric, lookup, moves in _WATCHED[sender] if moves and "__" not in lookup]
    if not moving:
        return
    fields = sorted({lookup for _metric, lookup in moving})
    old = sender._default_manager.filter(pk=instance.pk).values(*fields).first()
    if old:
        setattr(instance, _OLD, {(old[lookup], metric) for metric, lookup in moving if old[lookup] is not None})


def _changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    marks: set[tuple[int, str]] = set(getattr(instance, _OLD, set()))
    for metric, lookup, _moves in _WATCHED[sender]:
        organization_id = _organization_id(instance, lookup)
        if organization_id is not None:
            marks.add((organization_id, metric))
    if hasattr(instance, _OLD):
        delattr(instance, _OLD)
    mark(marks)


def _enqueue_rebuild() -> None:
    from .tasks import rebuild_rollups

    rebuild_rollups.enqueue()


def _tree_changing(sender, instance, raw=False, **kwargs) -> None:
    """A move, a closing or a merge changes which totals a subtree's figures add to: rebuild after commit."""
    if raw or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).values("parent_id", "closed_at", "merged_into_id").first()
    if not old:
        return
    before = (old["parent_id"], old["closed_at"], old["merged_into_id"])
    if before != (instance.parent_id, instance.closed_at, instance.merged_into_id) and not any(
        entry[1] is _enqueue_rebuild for entry in connection.run_on_commit
    ):
        transaction.on_commit(_enqueue_rebuild)


def connect() -> None:
    from dangjian.organizations.models import Organization

    pre_save.connect(_tree_changing, sender=Organization, dispatch_uid="analytics-tree")
    _WATCHED.clear()
    for metric in kept_metrics():
        counted = metric.counted
        assert counted is not None
        model = counted.rows().model
        _WATCHED[model].append((metric.key, counted.organization, counted.moves))
        for label, lookup in counted.watch:
            _WATCHED[apps.get_model(label)].append((metric.key, lookup, False))
    for mark_key, label, lookup in freshness.watched():
        _WATCHED[apps.get_model(label)].append((mark_key, lookup, False))
    rows_written_without_save.connect(_written, dispatch_uid="analytics-rows-written")
    for model in _WATCHED:
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"analytics-before-{model._meta.label}")
        post_save.connect(_changed, sender=model, dispatch_uid=f"analytics-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"analytics-delete-{model._meta.label}")


def touched(model: type[Model], organization_ids: Any) -> None:
    """For the modules' changes made without a save (`QuerySet.update`, `bulk_create`) in an action: mark every
    kept metric counting or watching `model` for these organizations, as a save would have (same transaction).
    The modules say so through `core.signals.rows_written`, which `_written` receives."""
    organization_ids = {organization_id for organization_id in organization_ids if organization_id is not None}
    keys = {metric for metric, _lookup, _moves in _WATCHED.get(model, ())}
    mark({(organization_id, key) for organization_id in organization_ids for key in keys})


def _written(sender, organization_ids, **kwargs) -> None:
    touched(sender, organization_ids)
