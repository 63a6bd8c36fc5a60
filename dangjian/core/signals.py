"""Signals the platform sends for any module, so that a lower layer never imports the one listening.

`rows_written(model, organization_ids)`: an action changed rows of `model` without a save (`QuerySet.update`,
`bulk_create`), which Django's model signals do not see. The usage summaries (analytics.watch) listen and mark
their kept figures of these organizations for a refresh, in the same transaction, as a save would have.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model
from django.dispatch import Signal

rows_written_without_save = Signal()


def rows_written(model: type[Model], organization_ids: Iterable[int | None]) -> None:
    """Tell whoever keeps figures over `model` that rows of these organizations changed without a save."""
    ids = {organization_id for organization_id in organization_ids if organization_id is not None}
    if ids:
        rows_written_without_save.send(sender=model, organization_ids=ids)
