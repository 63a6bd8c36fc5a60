"""The error pages: 404, 403, 400, 500 and a refused form (CSRF), in Chinese, in the site's frame.

Each page says what happened in one sentence and offers a way back: the site's home and, when the
address is under /o/<id>/ and that organization exists, its portal; a page that is gone (an old WeChat
link to a removed policy) leads to the list of its section too (that organization's policies). The 403
page says who may see the page and offers sign-in (signed out) or the console (signed in).

400 and 500 keep the outage behaviour of `core.outage` (503 during a database outage) and are otherwise
rendered with a plain context, without the context processors (that read the session and the user);
500 does not touch the database at all.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

from dangjian.core import outage
from dangjian.core.context_processors import LARGE_TEXT_COOKIE
from dangjian.core.registry import PortalSection, entries

from .models import Organization

ORGANIZATION_PATH = re.compile(r"^/o/(\d+)/")


@dataclass(frozen=True)
class WayBack:
    label: str | Promise
    url: str


def ways_back(request: HttpRequest, *, database: bool = True, section: bool = False) -> list[WayBack]:
    """Where to go from an error page, the nearest first; the site's home always last.

    With `database`, an address under /o/<id>/ of an existing organization adds its portal, and with
    `section` the list of the portal section the address was in (a removed policy: the policy list).
    """
    home = WayBack(_("Site home"), reverse("orgs:home"))
    match = ORGANIZATION_PATH.match(request.path_info)
    if not (database and match):
        return [home]
    try:
        organization = Organization.objects.filter(pk=int(match[1])).only("name").first()
    except outage.DATABASE_ERRORS:
        return [home]
    if organization is None:
        return [home]
    portal = reverse("orgs:portal", args=[organization.pk])
    found = [WayBack(organization.name, portal)]
    if section:
        lists = [(str(s.label), reverse(s.url_name, args=[organization.pk])) for s in entries(PortalSection)]
        inside = [(label, url) for label, url in lists if url != portal and request.path_info.startswith(url)]
        inside = [(label, url) for label, url in inside if url != request.path_info]
        if inside:
            label, url = max(inside, key=lambda item: len(item[1]))
            found.insert(0, WayBack(f"{organization.name} · {label}", url))
    return [*found, home]


def _plain_context(request: HttpRequest, **context) -> dict:
    """The context of base.html without context processors: no session, no user, no messages."""
    return {
        "request": request,
        "user": AnonymousUser(),
        "messages": (),
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "platform_name": settings.SITE_NAME,
        **context,
    }


def page_not_found(request, exception, template_name: str = "404.html"):
    """handler404: the page is not there (or no longer); the nearest list and portal are offered. Under the portal of
    a merged or closed organization, the page moved: 301 to where it now is."""
    from .middleware import closed_organization_redirect

    try:
        moved = closed_organization_redirect(request)
    except outage.DATABASE_ERRORS:
        moved = None
    if moved is not None:
        return moved
    return render(request, "404.html", {"ways_back": ways_back(request, section=True)}, status=404)


def _sign_in_url(request) -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"


def permission_denied(request, exception, template_name: str = "403.html"):
    """handler403: who may see the page, and sign-in (signed out) or the console (signed in)."""
    context = {"ways_back": ways_back(request), "sign_in_url": _sign_in_url(request)}
    return render(request, "403.html", context, status=403)


def csrf_failure(request, reason: str = "", template_name: str = "403_csrf.html"):
    """CSRF_FAILURE_VIEW: a form sent from a page that has expired (or without its cookie)."""
    referer = request.headers.get("referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    context = {"ways_back": ways_back(request), "back_url": referer if referer and safe else ""}
    return render(request, "403_csrf.html", context, status=403)


def bad_request(request, exception, template_name: str = "400.html"):
    """handler400: a session lost to a database outage is a 503 (core.outage); otherwise the 400 page."""
    error = outage.database_error_behind(exception)
    if error is not None:
        return outage.unavailable_response(request, error)
    context = _plain_context(request, ways_back=ways_back(request))
    return HttpResponse(render_to_string("400.html", context), status=400)


def server_error(request, template_name: str = "500.html"):
    """handler500: a database outage is a 503 (core.outage); otherwise the 500 page, without the database."""
    error = outage.database_error_behind(sys.exception())
    if error is not None:
        return outage.unavailable_response(request, error)
    context = _plain_context(request, ways_back=ways_back(request, database=False))
    return HttpResponse(render_to_string("500.html", context), status=500)
