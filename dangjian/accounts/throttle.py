"""Pause sign-in for an account after repeated wrong passwords (keyed by account, not by IP)."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(login: str) -> str:
    digest = hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def is_locked(login: str) -> bool:
    return cache.get(_key(login), 0) >= settings.LOGIN_FAILURE_LIMIT


def record_failure(login: str) -> None:
    key = _key(login)
    cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def clear(login: str) -> None:
    cache.delete(_key(login))
