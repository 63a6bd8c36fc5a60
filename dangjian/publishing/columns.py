"""An organization's columns (栏目): the standard four and those it adds.

The standard columns exist for every organization (created with it: signals.py, and by migration for those
that existed before); 村务公开 only for villages and communities. Their update rules come from
`settings.PUBLISHING_COLUMN_RULE_DAYS` (the government-website inspection rules: 工作动态 at least every two weeks,
通知公告 every six months...), their review steps from `settings.PUBLISHING_REVIEW_STEPS`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_COLUMNS, require
from dangjian.core.cache import bump_content_generation
from dangjian.core.history import (
    ActionError,
    NotFound,
    delete_tracked,
    new_or_existing,
    refusal,
    save_tracked,
    validate,
)
from dangjian.organizations.models import Organization

from .column_names import NEWS, NOTICES, PARTY, STANDARD, STANDARD_KINDS, VILLAGE, standard_keys_for, standard_name
from .models import Article, Column, Submission

__all__ = ["NEWS", "NOTICES", "PARTY", "STANDARD", "STANDARD_KINDS", "VILLAGE", "standard_keys_for", "standard_name"]


def ensure_standard_columns(organizations, column_model=None) -> int:
    """Create the missing standard columns of these organizations (also used by the data migration, which
    passes its historical model). Returns how many were created."""
    model = column_model or Column
    rules = settings.PUBLISHING_COLUMN_RULE_DAYS
    steps = settings.PUBLISHING_REVIEW_STEPS
    organizations = list(organizations)
    existing = set(
        model.objects.filter(organization__in=[org.pk for org in organizations])
        .exclude(key="")
        .values_list("organization_id", "key")
    )
    rows = []
    for org in organizations:
        for order, key in enumerate(standard_keys_for(org.kind), start=1):
            if (org.pk, key) in existing:
                continue
            rows.append(
                model(
                    organization_id=org.pk,
                    key=key,
                    update_days=rules.get(key),
                    review_steps=steps.get(org.kind, 2),
                    order=order * 10,
                )
            )
    model.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- Freshness: is each column updated as often as its rule says? --------------------------------------------


@dataclass(frozen=True)
class Freshness:
    column: Column
    last_published: datetime.datetime | None
    days_since: int | None  # whole days since the last item (None: nothing published yet)
    overdue_days: int  # days past the rule (0: within it, or no rule)

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


def _last_published(columns) -> QuerySet[Column]:
    own = (
        Article.objects.filter(column=OuterRef("pk"), state=Article.State.PUBLISHED, published_at__isnull=False)
        .order_by("-published_at")
        .values("published_at")[:1]
    )
    adopted = (
        Submission.objects.filter(column=OuterRef("pk"), state=Submission.State.ADOPTED, decided_at__isnull=False)
        .order_by("-decided_at")
        .values("decided_at")[:1]
    )
    return columns.annotate(last_own=Subquery(own), last_adopted=Subquery(adopted))


def freshness(organization, *, today: datetime.date | None = None) -> list[Freshness]:
    """The organization's columns (not archived) with their last published item (its own or adopted into the
    column) and how many days past their update rule they are. One query; for the usage summaries too."""
    today = today or timezone.localdate()
    rows = []
    columns = Column.objects.filter(organization=organization, archived_at__isnull=True)
    for column in _last_published(columns).order_by("order", "pk"):
        dates = [value for value in (column.last_own, column.last_adopted) if value is not None]  # type: ignore[attr-defined]
        last = max(dates) if dates else None
        since = (today - timezone.localdate(last)).days if last else None
        # Nothing published yet: the rule counts from when the column was created.
        measured = since if since is not None else (today - timezone.localdate(column.created_at)).days
        overdue = max(0, measured - column.update_days) if column.update_days else 0
        rows.append(Freshness(column, last, since, overdue))
    return rows


# --- Actions: add, edit, archive and restore a column (MANAGE_COLUMNS on its organization) -------------------


@dataclass(frozen=True)
class ColumnInput:
    name: str = ""  # ignored for a standard column, whose name is fixed
    description: str = ""
    update_days: int | None = None
    review_steps: int = 2
    order: int = 100


def _organization(actor, organization_id: int) -> Organization:
    organization = Organization.objects.open().filter(pk=organization_id).first()
    if organization is None:
        raise NotFound
    require(actor, MANAGE_COLUMNS, organization)
    return organization


def save_column(
    actor, organization_id: int, data: ColumnInput, *, column_id: int | None = None, expected_version=None
) -> Column:
    """Add a column of the organization's own, or change one of its columns (a standard column keeps its name)."""
    organization = _organization(actor, organization_id)
    column = new_or_existing(Column, column_id, organization=organization)
    if column.pk and column.archived_at is not None:
        raise ActionError(_("This column is archived. Restore it before changing it."))
    if not column.key:
        column.name = " ".join(data.name.split())
    column.description = data.description.strip()
    column.update_days = data.update_days
    column.review_steps = data.review_steps
    column.order = data.order
    errors: dict[str, list[str]] = {}
    if not column.key and not column.name:
        errors["name"] = [_("Enter the column's name.")]
    elif not column.key:
        taken = {str(c.title) for c in Column.objects.filter(organization=organization).exclude(pk=column.pk)}
        if column.name in taken:
            errors["name"] = [_("The organization already has a column of this name.")]
    if not 0 <= data.review_steps <= 3:
        errors["review_steps"] = [_("Choose from 0 to 3 review steps.")]
    if data.update_days is not None and not 1 <= data.update_days <= 3650:
        errors["update_days"] = [_("Enter a number of days from 1 to 3650, or leave it empty for no rule.")]
    if errors:
        raise refusal(column, errors)
    validate(column)
    with transaction.atomic():
        save_tracked(actor, column, organization, expected_version=expected_version)
        bump_content_generation()
    return column


def archive_column(actor, organization_id: int, column_id: int) -> Column | None:
    """Take a column of the organization's own off its portal: archived when it has articles (they keep their
    addresses), deleted when it has none. A standard column stays. Returns the archived column, or None."""
    organization = _organization(actor, organization_id)
    column = new_or_existing(Column, column_id, organization=organization)
    if column.key:
        raise ActionError(_("A standard column cannot be archived: the inspection rules require it."))
    with transaction.atomic():
        if not Article.objects.filter(column=column).exists() and not column.adoptions.exists():
            delete_tracked(actor, column, organization)
            bump_content_generation()
            return None
        if column.archived_at is None:
            column.archived_at = timezone.now()
            save_tracked(actor, column, organization)
            bump_content_generation()
    return column


def restore_column(actor, organization_id: int, column_id: int) -> Column:
    organization = _organization(actor, organization_id)
    column = new_or_existing(Column, column_id, organization=organization)
    if column.archived_at is not None:
        with transaction.atomic():
            column.archived_at = None
            save_tracked(actor, column, organization)
            bump_content_generation()
    return column
