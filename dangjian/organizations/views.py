"""Public portal pages of an organization: profile, leadership, children."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from dangjian.core.cache import public_page

from .models import Leader, Organization
from .portal import portal_blocks, portal_context
from .queries import find_organizations


@public_page
def home(request):
    root = Organization.objects.filter(parent__isnull=True).order_by("sort_order", "pk").first()
    if root is None:
        raise Http404
    return _render_portal(request, root)


@public_page
def portal(request, org_id: int):
    return _render_portal(request, get_object_or_404(Organization, pk=org_id))


def _render_portal(request, organization: Organization):
    context = portal_context(organization, "home")
    context["blocks"] = portal_blocks(request, organization)
    return render(request, "organizations/portal.html", context)


FIND_MAX_CHARS = 30


@public_page
def find(request):
    """Find one's village, community or township by typing part of its name (issue 11 item 12)."""
    query = " ".join(request.GET.get("q", "").split())[:FIND_MAX_CHARS]
    root = Organization.objects.filter(parent__isnull=True).order_by("sort_order", "pk").first()
    if root is None:
        raise Http404
    context = portal_context(root, "home")
    context.update({"query": query, "results": find_organizations(query) if query else None})
    return render(request, "organizations/find.html", context)


@public_page
def leadership(request, org_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    terms = list(organization.terms.select_related("merged_from").prefetch_related("leaders"))
    own = [term for term in terms if term.merged_from_id is None]
    context = portal_context(organization, "leaders")
    # A merged organization's terms come after the organization's own, as history (organizations.tree).
    merged = [term for term in terms if term.merged_from_id is not None]
    context.update(current=own[0] if own else None, past_terms=own[1:], merged_terms=merged)
    return render(request, "organizations/leadership.html", context)


@public_page
def leader_detail(request, org_id: int, leader_id: int):
    leader = get_object_or_404(
        Leader.objects.select_related("term", "organization"), pk=leader_id, organization_id=org_id
    )
    context = portal_context(leader.organization, "leaders")
    context["leader"] = leader
    return render(request, "organizations/leader_detail.html", context)


@require_safe
def leader_photo(request, org_id: int, leader_id: int):
    """A leader's photo, found by its record: no part of the URL names a file."""
    leader = get_object_or_404(Leader.objects.only("photo", "organization_id"), pk=leader_id, organization_id=org_id)
    if not leader.photo:
        raise Http404
    response = FileResponse(leader.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
