"""Caching of rendered public content, invalidated by a content generation.

The generation is a token in the shared cache (settings.SHARED_CACHE: Redis, or files in memory on one machine)
that every change to public content replaces, after its commit, with a new unique one; a cached page is kept
under the token it was made with, so no process serves it once anything changed. Reading the token costs no
database query (a cached page makes none). The database keeps a counter too (ContentGeneration): when the token is
missing (Redis restarted or emptied) it is made from the counter, with `add`, so a bump's fresh token is never
overwritten by an older one. Any order of bumps and reads is safe: each token is set only after its change is
committed, and each is new.

With a read replica (core/replica.py) the token also carries the primary's WAL position after the change, and a
page missing from the cache is made from the replica only once the replica has replayed up to it; otherwise a
server could cache, under the new token, the page as it was before the change.
"""

import functools
import uuid

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language

from . import replica
from .context_processors import LARGE_TEXT_COOKIE
from .models import ContentGeneration

GENERATION_KEY = "content-generation"


def shared_cache():
    return caches[settings.SHARED_CACHE]


def content_generation() -> str:
    token = shared_cache().get(GENERATION_KEY)
    if token is None:
        counted = ContentGeneration.objects.filter(pk=1).values_list("value", flat=True).first() or 0
        token = f"db{counted}"
        if not shared_cache().add(GENERATION_KEY, token, timeout=None):
            token = shared_cache().get(GENERATION_KEY) or token  # a bump came in between: take its token
    return token


def bump_content_generation() -> None:
    def bump():
        if not ContentGeneration.objects.filter(pk=1).update(value=F("value") + 1):
            ContentGeneration.objects.get_or_create(pk=1, defaults={"value": 2})
        position = replica.primary_position()
        token = uuid.uuid4().hex + (f"@{position}" if position else "")
        shared_cache().set(GENERATION_KEY, token, timeout=None)

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
        generation = content_generation()
        key = "page:{}:{}:{}:{}:{}".format(
            generation,
            timezone.localdate().isoformat(),
            request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
            get_language(),
            request.get_full_path(),
        )
        cached = cache.get(key)
        if cached is not None:
            return cached
        if replica.configured():
            replica.catch_up(generation.partition("@")[2])
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, response, 600)
        return response

    return wrapper
