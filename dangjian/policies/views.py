"""Public policy library of a portal: list with filters, Chinese full-text search, detail."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from dangjian.core.cache import public_page
from dangjian.organizations.models import Organization
from dangjian.organizations.portal import portal_context

from . import search
from .forms import PolicyFilterForm
from .models import CurrentFirst, Policy, PolicyAttachment, older_version_counts

PAGE_SIZE = 20


@public_page
def policy_list(request, org_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    form = PolicyFilterForm(request.GET, depth=organization.depth)
    filters = form.cleaned()
    # One entry per policy: its newest version (older ones are listed on its page), in force first.
    queryset = Policy.objects.published().applicable_to(organization).current().select_related("issuer", "category")
    if "category" in filters:
        queryset = queryset.filter(category=filters["category"])
    if "level" in filters:
        queryset = queryset.filter(issuer__depth=int(filters["level"]))
    today = timezone.localdate()
    if "status" in filters:
        queryset = queryset.with_status(filters["status"], today)

    parsed = search.parse_query(filters.get("q", ""))
    searching = bool(filters.get("q", "").strip())
    matches: search.IndexRankedMatches | CurrentFirst | QuerySet[Policy]
    if searching and not filters.keys() - {"q"} and search.IndexRankedMatches.usable(parsed):
        matches = search.IndexRankedMatches(queryset, parsed, organization.ancestor_ids, today=today)
    elif searching:
        matches = search.search(queryset, parsed, organization.ancestor_ids, today=today)
    else:
        matches = CurrentFirst(queryset, today)
    page = Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page"))
    older = older_version_counts(page.object_list, organization)
    results = [
        {
            "policy": policy,
            "title": search.highlight(policy.title, parsed) if searching else policy.title,
            "snippet": search.snippet(policy.body, parsed) if searching else None,
            "status": policy.status(today),
            "older": older[policy.pk],
        }
        for policy in page.object_list
    ]
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context = portal_context(organization, "policies")
    context.update(form=form, page=page, results=results, searching=searching, query_string=query_string.urlencode())
    return render(request, "policies/policy_list.html", context)


@public_page
def policy_detail(request, org_id: int, policy_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    policy = get_object_or_404(
        Policy.objects.published().applicable_to(organization).select_related("issuer", "category"), pk=policy_id
    )
    versions = policy.versions(organization)
    newer = versions[: versions.index(policy)]
    context = portal_context(organization, "policies")
    context.update(
        policy=policy,
        attachments=policy.attachments.all(),
        interpretations=policy.interpretations.all(),
        versions=versions if len(versions) > 1 else [],
        replaced_by=newer[-1] if newer else None,
        newest=newer[0] if newer else None,
    )
    return render(request, "policies/policy_detail.html", context)


def attachment_download(request, org_id: int, policy_id: int, attachment_id: int):
    """Attachments of published policies, under their original names."""
    organization = get_object_or_404(Organization, pk=org_id)
    attachment = get_object_or_404(
        PolicyAttachment.objects.filter(policy__in=Policy.objects.published().applicable_to(organization)),
        pk=attachment_id,
        policy_id=policy_id,
    )
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
