from django.http import HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from .context_processors import LARGE_TEXT_COOKIE


def healthz(request):
    """Liveness probe: a plain response that touches nothing else (also the benchmark baseline)."""
    return HttpResponse("ok", content_type="text/plain")


def text_size(request):
    """Switch large-text mode on or off; the choice is kept in a cookie for a year.

    A plain link works without JavaScript; site.js switches the page at once and calls the same URL.
    """
    large = request.GET.get("large") == "1"
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        LARGE_TEXT_COOKIE, "1" if large else "0", max_age=365 * 24 * 3600, samesite="Lax", httponly=False
    )
    return response
