"""Counting failed attempts per key (an account, a guessing client), in the cache only.

After `limit` failures within `seconds`, `is_locked` says so until the window passes; a success
clears the count. A client is counted by `client_key`, a keyed hash of its address, never the address.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.core.cache import caches


def limits_cache():
    """The cache every web worker shares for these counters (settings.LIMITS_CACHE: Redis or a table)."""
    return caches[settings.LIMITS_CACHE]


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
        return limits_cache().get(self._key(value), 0) >= self.limit

    def record_failure(self, value: str) -> None:
        key = self._key(value)
        limits_cache().add(key, 0, self.seconds)
        try:
            limits_cache().incr(key)
        except ValueError:
            limits_cache().set(key, 1, self.seconds)

    def clear(self, value: str) -> None:
        limits_cache().delete(self._key(value))


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind a reverse proxy the META key named by
    CLIENT_ADDRESS_HEADER (e.g. HTTP_X_REAL_IP; of a forwarded list, the last entry, the one the
    proxy itself added). Anything that is not one address (an empty REMOTE_ADDR on a Unix socket, a
    forged header) counts as one shared unknown address, never as an error. Never stored or logged.
    """
    value = request.META.get(settings.CLIENT_ADDRESS_HEADER or "REMOTE_ADDR", "") or ""
    value = value.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return "0.0.0.0"  # noqa: S104 - not a binding: the key of unknown clients


def client_key(request) -> str:
    """A keyed hash (HMAC with the secret key) of the client's address, to slow down one guessing client.

    The address itself is never kept; the hash lives only in the cache (memory or Redis) as part of a
    throttle's key and is never written to the database or a log.
    """
    address = client_address(request)
    return hmac.new(settings.SECRET_KEY.encode(), f"client-address:{address}".encode(), hashlib.sha256).hexdigest()
