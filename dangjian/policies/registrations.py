"""What the policies module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import MANAGE_CONTENT, has_capability
from dangjian.core.registry import (
    Counted,
    OrganizationData,
    OrganizationLink,
    OrganizationPanel,
    PortalBlock,
    PortalSection,
    PortalUpdate,
    TrackedModel,
    UsageMetric,
    register,
)

from .models import CurrentFirst, Policy

PORTAL_POLICY_COUNT = 8
CONSOLE_POLICY_COUNT = 20


def policies_block(organization) -> dict:
    # The newest version of each policy, those in force first: one not yet in force never leads the block.
    policies = Policy.objects.published().applicable_to(organization).current().select_related("issuer", "category")
    return {"policies": CurrentFirst(policies)[:PORTAL_POLICY_COUNT]}


def may_edit(user, organization) -> bool:
    return has_capability(user, MANAGE_CONTENT, organization)


def org_policies_panel(user, organization) -> dict | None:
    if not may_edit(user, organization):
        return None
    return {"org": organization, "policies": organization.policies.select_related("category")[:CONSOLE_POLICY_COUNT]}


def policies_issued(organization, start, end) -> int:
    """Policies published by organizations of the subtree with an issue date in the period."""
    return Policy.objects.filter(
        issuer__path__startswith=organization.path, is_published=True, issued_on__gte=start, issued_on__lt=end
    ).count()


ISSUED = Counted(
    rows=lambda: Policy.objects.filter(is_published=True).select_related("issuer"),
    organization="issuer",
    date="issued_on",
    capability=MANAGE_CONTENT,
    label=lambda policy: policy.title,
    link=lambda policy: reverse("console:policy_edit", args=[policy.issuer_id, policy.pk]),
)


def policies_changed(organization_ids) -> dict:
    """When the organization last changed a published policy of its own (the portal home's policies block)."""
    rows = Policy.objects.filter(is_published=True)
    if organization_ids is not None:
        rows = rows.filter(issuer_id__in=organization_ids)
    return dict(rows.values("issuer_id").annotate(last=Max("updated_at")).values_list("issuer_id", "last").order_by())


def issued_count(organization) -> int:
    return Policy.objects.filter(issuer=organization).count()


def merge_policies(source, target) -> None:
    """On a merge (撤并, organizations.tree) the merged organization's policies are the survivor's: still shown on
    its portal and found by its search (the full-text index follows through `issuer_token`)."""
    Policy.objects.filter(issuer=source, is_published=True).update(issuer=target, issuer_token=f"i{target.pk}")
    Policy.objects.filter(issuer=source).update(issuer=target)


def register_entries() -> None:
    register(
        PortalSection("policies", _("Policies"), "policies:list", order=30),
        PortalBlock("policies", "policies/_portal_policies.html", policies_block, order=30),
        OrganizationLink(
            "policies", _("Policies"), "console:policy_list", may_edit, order=20, count=lambda o: o.policies.count()
        ),
        OrganizationPanel("policies", "policies/console/_org_policies.html", org_policies_panel, order=30),
        TrackedModel("policy", "policies", MANAGE_CONTENT),
        TrackedModel("policyinterpretation", "policies", MANAGE_CONTENT),
        TrackedModel("policyattachment", "policies", MANAGE_CONTENT),
        UsageMetric(
            "policies.issued",
            _("Policies issued"),
            policies_issued,
            order=20,
            counted=ISSUED,
            group="content",
            definition=_(
                "Policies published on the portals by the subtree's organizations whose issue date falls in the "
                "period (each version of a policy counts)."
            ),
        ),
        OrganizationData("policies.issued", _("Policies issued by it"), issued_count, merge_policies, order=20),
        PortalUpdate(
            "policies.published",
            _("Policies published"),
            policies_changed,
            pages=("home",),
            watch=(("policies.Policy", "issuer"),),
            order=30,
        ),
    )
