"""Old links to a closed organization's portal (a WeChat message, a printed QR code) still lead somewhere."""

from __future__ import annotations

import re

from django.http import HttpResponsePermanentRedirect

from .models import Organization

PORTAL_PATH = re.compile(r"^/o/(\d+)/")


class ClosedOrganizationRedirectMiddleware:
    """Any public page under `/o/<id>/` of a closed organization answers 301: to the same page of the organization it
    was merged into (撤并), or to its parent's portal when it was closed without a merge. One primary-key lookup,
    only for addresses under `/o/`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = PORTAL_PATH.match(request.path_info)
        if match is not None:
            target = self._redirect(request, match)
            if target is not None:
                return HttpResponsePermanentRedirect(target)
        return self.get_response(request)

    @staticmethod
    def _redirect(request, match) -> str | None:
        from .tree import surviving

        try:
            pk = int(match[1])
        except ValueError:
            return None
        organization = Organization.objects.filter(pk=pk, closed_at__isnull=False).first()
        if organization is None:
            return None
        survivor = surviving(organization)
        if survivor is None:
            parent = organization.parent
            while parent is not None and parent.is_closed:
                parent = parent.parent
            return parent.get_absolute_url() if parent is not None else "/"
        query = request.GET.urlencode()
        path = request.path.replace(f"/o/{pk}/", f"/o/{survivor.pk}/", 1)
        return f"{path}?{query}" if query else path
