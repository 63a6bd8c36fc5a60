"""Counting failed attempts per key (an account, a case number), not per IP address.

After `limit` failures within `seconds`, `is_locked` says so until the window passes; a success
clears the count.
"""

import hashlib

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
