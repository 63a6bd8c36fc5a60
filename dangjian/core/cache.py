"""Caching of rendered public content, invalidated by a generation counter kept in the database."""

import functools

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language

from .context_processors import LARGE_TEXT_COOKIE
from .models import ContentGeneration


def content_generation() -> int:
    row = ContentGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    return row or 0


def bump_content_generation() -> None:
    def bump():
        if not ContentGeneration.objects.filter(pk=1).update(value=F("value") + 1):
            ContentGeneration.objects.get_or_create(pk=1, defaults={"value": 2})

    transaction.on_commit(bump)


def public_page(view):
    """Cache whole public pages for anonymous visitors.

    The key holds the path with its query string, the content generation, the date (policy
    validity changes at midnight), the text size and the language, so a cached page is never
    stale. Search result pages (with `q`) are not cached: each query is computed.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated or request.GET.get("q"):
            return view(request, *args, **kwargs)
        key = "page:{}:{}:{}:{}:{}".format(
            content_generation(),
            timezone.localdate().isoformat(),
            request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
            get_language(),
            request.get_full_path(),
        )
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, response, 600)
        return response

    return wrapper
