"""An organization's columns (栏目): the standard four and those it adds.

The standard columns exist for every organization (created with it: signals.py, and by migration for those
that existed before); 村务公开 only for villages and communities. Their update rules come from
`settings.PUBLISHING_COLUMN_RULE_DAYS` (the government-website inspection rules: 工作动态 at least every two weeks,
通知公告 every six months...), their review steps from `settings.PUBLISHING_REVIEW_STEPS`.
"""

from __future__ import annotations

from django.conf import settings

from .column_names import NEWS, NOTICES, PARTY, STANDARD, STANDARD_KINDS, VILLAGE, standard_keys_for, standard_name
from .models import Column

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
