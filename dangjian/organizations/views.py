"""Public portal pages of an organization: profile, leadership, children."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from dangjian.core.cache import content_generation, public_page
from dangjian.policies.models import Policy

from .models import Leader, Organization, current_term

PORTAL_POLICY_COUNT = 8


def _portal_context(organization: Organization) -> dict:
    return {
        "org": organization,
        "breadcrumbs": organization.ancestors(),
        # Rendered fragments are cached under this key; any content change or a new day renews it.
        "cache_key": f"{content_generation()}-{timezone.localdate().isoformat()}",
    }


@public_page
def home(request):
    root = Organization.objects.filter(parent__isnull=True).order_by("sort_order", "pk").first()
    if root is None:
        raise Http404
    return portal(request, root.pk)


@public_page
def portal(request, org_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    context = _portal_context(organization)
    context["portal_data"] = lambda: _portal_data(organization)
    return render(request, "organizations/portal.html", context)


def _portal_data(organization: Organization) -> dict:
    term = current_term(organization)
    return {
        "term": term,
        "leaders": list(term.leaders.all()) if term else [],
        "policies": list(
            Policy.objects.published()
            .applicable_to(organization)
            .select_related("issuer", "category")[:PORTAL_POLICY_COUNT]
        ),
        "children": list(organization.children.order_by("sort_order", "pk")),
    }


@public_page
def leadership(request, org_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    terms = list(organization.terms.prefetch_related("leaders"))
    context = _portal_context(organization)
    context.update(current=terms[0] if terms else None, past_terms=terms[1:])
    return render(request, "organizations/leadership.html", context)


@public_page
def leader_detail(request, org_id: int, leader_id: int):
    leader = get_object_or_404(
        Leader.objects.select_related("term", "organization"), pk=leader_id, organization_id=org_id
    )
    context = _portal_context(leader.organization)
    context["leader"] = leader
    return render(request, "organizations/leader_detail.html", context)
