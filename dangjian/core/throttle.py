"""Counting failed attempts per key (an account, a guessing client), in the cache only.

After `limit` failures within `seconds`, `is_locked` says so until the window passes; a success
clears the count. A client is counted by `client_key`, a keyed hash of its address, never the address.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


class Throttle:
    def __init__(self, prefix: str, limit, seconds):
        self.prefix = prefix
        self._limit = limit
        self._seconds = seconds

    @property
    def limit(self) -> int:
        return self._limit() if callable(self._limit) else self._limit

    @property
    def seconds(self) -> int:
        return self._seconds() if callable(self._seconds) else self._seconds

    def _key(self, value: str) -> str:
        digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
        return f"{self.prefix}:{digest}"

    def is_locked(self, value: str) -> bool:
        return cache.get(self._key(value), 0) >= self.limit

    def record_failure(self, value: str) -> None:
        key = self._key(value)
        cache.add(key, 0, self.seconds)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, self.seconds)

    def clear(self, value: str) -> None:
        cache.delete(self._key(value))


def client_key(request) -> str:
    """A keyed hash (HMAC with the secret key) of the client's address, to slow down one guessing client.

    The address itself is never kept; the hash lives only in the cache (memory or Redis) as part of a
    throttle's key and is never written to the database or a log. Behind a reverse proxy, set
    CLIENT_ADDRESS_HEADER to the META key the proxy fills (e.g. HTTP_X_REAL_IP).
    """
    header = getattr(settings, "CLIENT_ADDRESS_HEADER", "") or "REMOTE_ADDR"
    address = (request.META.get(header) or request.META.get("REMOTE_ADDR") or "").split(",")[0].strip()
    return hmac.new(settings.SECRET_KEY.encode(), f"client-address:{address}".encode(), hashlib.sha256).hexdigest()
