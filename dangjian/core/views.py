from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme

from .context_processors import LARGE_TEXT_COOKIE


def healthz(request):
    """Liveness probe: a plain response that touches nothing else (also the benchmark baseline)."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """/favicon.ico, which browsers ask for on their own: a redirect to our static icon (no database)."""
    response = HttpResponseRedirect(static("core/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


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
