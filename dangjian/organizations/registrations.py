"""What the organizations module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import MANAGE_CONTENT, has_capability, organizations_for
from dangjian.core.models import ChangeRecord
from dangjian.core.registry import (
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
def leadership_changes(organization, start, end) -> int:
    """Edits of leadership terms and leaders recorded in the subtree over the period."""
    since, until = period_bounds(start, end)
    return ChangeRecord.objects.filter(
        content_type__in=[ContentType.objects.get_for_model(Term), ContentType.objects.get_for_model(Leader)],
        organization__path__startswith=organization.path,
        at__gte=since,
        at__lt=until,
    ).count()


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
        UsageMetric("organizations.leadership_changes", _("Leadership edits"), leadership_changes, order=10),
    )
    freshness_entries.register_entries()
