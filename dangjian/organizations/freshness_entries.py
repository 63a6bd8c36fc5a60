"""What the organizations module tells the usage summaries about freshness (core/registry.py `PortalUpdate`): an
edit of the leadership (terms and leaders, recorded in the history) changes the leadership page and the portal
home's leaders block; an edit of the profile changes the home."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import ChangeRecord
from dangjian.core.registry import PortalUpdate, register

from .models import Leader, Organization, Term

PROFILE_FIELDS = ("name", "short_name", "intro", "address", "phone")


def _last_records(models, organization_ids, **conditions) -> dict[int, datetime.datetime]:
    rows = ChangeRecord.objects.filter(
        content_type__in=[ContentType.objects.get_for_model(model) for model in models], **conditions
    )
    if organization_ids is not None:
        rows = rows.filter(organization_id__in=organization_ids)
    return dict(
        rows.values("organization_id").annotate(last=Max("at")).values_list("organization_id", "last").order_by()
    )


def leadership_changed(organization_ids) -> dict[int, datetime.datetime]:
    return _last_records([Term, Leader], organization_ids)


def profile_changed(organization_ids) -> dict[int, datetime.datetime]:
    """Edits of what the portal shows of the organization (its names, introduction, address, public phone), not
    its creation nor a move in the tree."""
    return _last_records(
        [Organization],
        organization_ids,
        action=ChangeRecord.Action.UPDATE,
        changes__has_any_keys=list(PROFILE_FIELDS),
    )


def register_entries() -> None:
    register(
        PortalUpdate(
            "organizations.leadership",
            _("Leadership edited"),
            leadership_changed,
            pages=("home", "leaders"),
            watch=(("organizations.Term", "organization"), ("organizations.Leader", "organization")),
            order=10,
        ),
        PortalUpdate(
            "organizations.profile",
            _("Profile edited"),
            profile_changed,
            pages=("home",),
            watch=(("organizations.Organization", "id"),),
            order=11,
        ),
    )
