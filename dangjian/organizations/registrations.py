"""What the organizations module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import MANAGE_CONTENT, has_capability, organizations_for
from dangjian.core.models import ChangeRecord
from dangjian.core.registry import (
    Counted,
    DashboardPanel,
    OrganizationData,
    OrganizationLink,
    OrganizationPanel,
    PortalBlock,
    PortalSection,
    TrackedModel,
    UsageMetric,
    period_bounds,
    register,
)

from . import freshness_entries, tree
from .models import Leader, Term, current_term, terms_ending_soon

ENDING_TERMS = 100


# --- portal ---------------------------------------------------------------------------------------
def profile_block(organization) -> dict:
    return {}


def leaders_block(organization) -> dict:
    term = current_term(organization)
    return {"term": term, "leaders": list(term.leaders.all()) if term else []}


def find_block(organization) -> dict | None:
    """On a portal with organizations below it: find one's own by typing its name."""
    return {} if organization.children.open().exists() else None


def children_block(organization) -> dict | None:
    children = list(organization.children.open().order_by("sort_order", "pk"))
    return {"children": children} if children else None


# --- console --------------------------------------------------------------------------------------
def ending_terms_panel(request) -> dict:
    return {"ending_terms": terms_ending_soon(organizations_for(request.user, MANAGE_CONTENT))[:ENDING_TERMS]}


def may_edit(user, organization) -> bool:
    return has_capability(user, MANAGE_CONTENT, organization)


def org_ending_terms_panel(user, organization) -> dict | None:
    if not may_edit(user, organization):
        return None
    ending = list(terms_ending_soon(organization.subtree()))
    return {"org": organization, "ending_terms": ending} if ending else None


def org_leadership_panel(user, organization) -> dict | None:
    if not may_edit(user, organization):
        return None
    return {"org": organization, "terms": organization.terms.prefetch_related("leaders")}


# --- merging (organizations.tree) -------------------------------------------------------------------
def leadership_terms(organization) -> int:
    return organization.terms.count()


def merge_leadership(source, target) -> None:
    """The merged organization's terms (with their leaders) go to the survivor as history, never as its current
    team: each is marked with where it came from (shown as "原林河村第三届") and ended on the merge date at the
    latest. The survivor's own terms, and so its current leaders, are not changed."""
    today = timezone.localdate()
    for term in Term.objects.filter(organization=source):
        if term.merged_from_id is None:
            term.merged_from = source
            term.ends_on = max(min(term.ends_on, today), term.elected_on + datetime.timedelta(days=1))
        term.organization = target
        term.save(update_fields=["organization", "merged_from", "ends_on"])
    Leader.objects.filter(organization=source).update(organization=target)


# --- usage ----------------------------------------------------------------------------------------
LEADERSHIP_MODELS = ("term", "leader")  # the TrackedModel keys, as in the history page's address


def leadership_records():
    """The change records of leadership terms and leaders (kept by core.history, never edited)."""
    return ChangeRecord.objects.filter(
        content_type__app_label="organizations", content_type__model__in=LEADERSHIP_MODELS
    ).select_related("content_type")


def leadership_changes(organization, start, end) -> int:
    """Edits of leadership terms and leaders recorded in the subtree over the period."""
    since, until = period_bounds(start, end)
    return (
        leadership_records()
        .filter(
            organization__path__startswith=organization.path,
            at__gte=since,
            at__lt=until,
        )
        .count()
    )


def _record_label(record: ChangeRecord) -> str:
    # What the history page shows of it: the action, the record, when (not who).
    return f"{record.get_action_display()} {record.object_repr} · {timezone.localtime(record.at):%Y-%m-%d %H:%M}"


LEADERSHIP = Counted(
    rows=leadership_records,
    organization="organization",
    date="at",
    capability=MANAGE_CONTENT,
    label=_record_label,
    link=lambda record: reverse("console:history", args=[record.content_type.model, record.object_id]),
)


def register_entries() -> None:
    register(
        PortalSection("home", _("Home"), "orgs:portal", order=10),
        PortalSection("leaders", _("Leadership"), "orgs:leadership", order=20),
        PortalBlock("find", "organizations/_portal_find.html", find_block, order=5),
        PortalBlock("profile", "organizations/_portal_profile.html", profile_block, order=10),
        PortalBlock("leaders", "organizations/_portal_leaders.html", leaders_block, order=20),
        PortalBlock("children", "organizations/_portal_children.html", children_block, order=90),
        DashboardPanel("ending_terms", "organizations/console/_ending_terms_panel.html", ending_terms_panel, order=20),
        OrganizationLink("profile", _("Edit profile"), "console:profile_edit", may_edit, order=10),
        OrganizationLink("org_add", _("Add an organization below"), "console:org_add", tree.may_manage_below, 70, True),
        OrganizationLink("org_move", _("Move"), "console:org_move", tree.may_move, order=71, secondary=True),
        OrganizationLink(
            "org_close", _("Merge or close"), "console:org_close", tree.may_change, order=72, secondary=True
        ),
        OrganizationPanel("ending_terms", "organizations/console/_org_ending_terms.html", org_ending_terms_panel, 10),
        OrganizationPanel("leadership", "organizations/console/_org_leadership.html", org_leadership_panel, 20),
        TrackedModel("organization", "organizations", MANAGE_CONTENT),
        TrackedModel("term", "organizations", MANAGE_CONTENT),
        TrackedModel("leader", "organizations", MANAGE_CONTENT),
        OrganizationData(
            "organizations.leaders",
            _(
                "Leadership terms, with their leaders (kept there as past terms of the merged organization, not as its current team)"
            ),
            leadership_terms,
            merge_leadership,
            order=10,
        ),
        UsageMetric(
            "organizations.leadership_changes",
            _("Leadership edits"),
            leadership_changes,
            order=10,
            counted=LEADERSHIP,
            group="content",
            definition=_(
                "Changes recorded during the period to the leadership terms and leaders of the subtree's "
                "organizations (each term or leader added, changed or removed), as the leadership page's history "
                "shows them."
            ),
        ),
    )
    freshness_entries.register_entries()
