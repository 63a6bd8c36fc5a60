"""Old links to a closed organization's portal (a WeChat message, a printed QR code) still lead somewhere."""

from __future__ import annotations

import re

from django.http import HttpResponsePermanentRedirect

from .models import Organization
from .portal import OrganizationClosed

PORTAL_PATH = re.compile(r"^/o/(\d+)/")
FROM_PARAMETER = "from"  # the closed organization an old link named


def landing(organization: Organization) -> tuple[Organization | None, bool]:
    """Where a closed organization's links lead, and whether by a merge: the organization it was merged into
    (followed to an open one), else its nearest open ancestor (None: the site's home)."""
    from .tree import surviving

    survivor = surviving(organization)
    if survivor is not None:
        return survivor, True
    parent = organization.parent
    while parent is not None and parent.is_closed:
        parent = parent.parent
    return parent, False


def closed_organization_redirect(
    request, organization: Organization | None = None
) -> HttpResponsePermanentRedirect | None:
    """For a page under `/o/<id>/` of a closed organization: 301 to the same page of the organization it was merged
    into (撤并), or to its nearest open ancestor's portal when it was closed without a merge; None otherwise. The
    address gets `from=<id>`, so the page landed on says why (templatetags.organizations_tags.closed_notice)."""
    match = PORTAL_PATH.match(request.path_info)
    if match is None:
        return None
    if organization is None or organization.pk != int(match[1]):
        organization = Organization.objects.filter(pk=int(match[1]), closed_at__isnull=False).first()
    if organization is None or not organization.is_closed:
        return None
    target, merged = landing(organization)
    query = request.GET.copy()
    query.setlist(FROM_PARAMETER, [str(organization.pk)])
    if target is None:
        return HttpResponsePermanentRedirect("/")
    if not merged:
        return HttpResponsePermanentRedirect(f"{target.get_absolute_url()}?{FROM_PARAMETER}={organization.pk}")
    path = request.path.replace(f"/o/{organization.pk}/", f"/o/{target.pk}/", 1)
    return HttpResponsePermanentRedirect(f"{path}?{query.urlencode()}")


class ClosedOrganizationRedirectMiddleware:
    """Every portal page draws its frame with `portal_context`, which refuses a closed organization
    (OrganizationClosed); this answers it with the redirect, so an open organization's pages cost no query more.
    A page that no longer finds what it showed (a policy that moved with the merge) is a 404, and the 404 handler
    (organizations.errors) redirects the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OrganizationClosed):
            return closed_organization_redirect(request, exception.organization)
        return None
