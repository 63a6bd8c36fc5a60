"""Limits on staff sign-in: per account (django-axes) and per client address (django-ratelimit).

- **Per account.** django-axes counts failed sign-ins under a key for the account, whatever was
  typed: the username and the mobile number of one person map to the same key (`account_key`).
  After `LOGIN_FAILURE_LIMIT` failures the account pauses for `LOGIN_LOCKOUT_SECONDS`; each further
  pause within a day doubles (capped at `LOGIN_LOCKOUT_MAX_SECONDS`), and every pause ends by
  itself, so an outsider can slow a real user down but never lock them out for good. Tries during a
  pause are not counted and do not extend it. A successful sign-in clears the count.
- **Per client address.** More than `LOGIN_ADDRESS_FAILURE_LIMIT` failed sign-ins in an hour from one
  address (over any accounts: password spraying) pause sign-in from that address until the hour ends.

Everything is kept in the cache under hashed keys: no address or identifier is written to the
database or to a log. The reporters' pages under /supervision/ never sign in, so nothing of theirs
passes through here.
"""

from __future__ import annotations

import datetime
import hashlib
import math

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils import timezone
from django_ratelimit.core import get_usage

from dangjian.core.throttle import limits_cache

HISTORY_SECONDS = 24 * 3600  # pauses within a day make the next one longer
ADDRESS_GROUP = "accounts.sign-in"


def _login_from(request, credentials) -> str:
    if credentials and credentials.get("username"):
        return str(credentials["username"])
    if request is not None and request.method == "POST":
        return request.POST.get("username", "")
    return ""


def account_key(request, credentials=None) -> str:
    """AXES_USERNAME_CALLABLE: one key per account, whether the username or the mobile number was typed.

    Identifiers of no account get a key of their own, so guessing them is slowed down the same way.
    """
    login = _login_from(request, credentials).strip()
    memo = getattr(request, "_sign_in_accounts", None) if request is not None else None
    if memo is not None and login in memo:
        key = memo[login]
    else:
        user = get_user_model()._default_manager.find_by_login(login) if login else None
        key = f"account:{user.pk}" if user is not None else f"login:{login.lower()}"
        if request is not None:
            if memo is None:
                memo = request._sign_in_accounts = {}
            memo[login] = key
    if request is not None:
        request.sign_in_account = key
    return key


def _hashed(prefix: str, key: str) -> str:
    return f"sign-in-{prefix}:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _pause_seconds(key: str | None) -> int:
    lockouts = limits_cache().get(_hashed("lockouts", key), 0) if key else 0
    return min(settings.LOGIN_LOCKOUT_SECONDS * 2 ** min(lockouts, 16), settings.LOGIN_LOCKOUT_MAX_SECONDS)


def cool_off(request) -> datetime.timedelta:
    """AXES_COOLOFF_TIME: the pause for the account being signed in to, longer after each lockout."""
    return datetime.timedelta(seconds=_pause_seconds(getattr(request, "sign_in_account", None)))


def no_address(request) -> None:
    """AXES_CLIENT_IP_CALLABLE: django-axes never sees the client address (the address limit is ours)."""
    return None


def failure_limit(request, credentials) -> int:
    """AXES_FAILURE_LIMIT, read at run time so that it follows the settings."""
    return settings.LOGIN_FAILURE_LIMIT


def lockout_response(request, original_response, credentials):
    """AXES_LOCKOUT_CALLABLE: keep the sign-in page, whose form already says how long to wait."""
    return original_response


def _mark_locked(key: str) -> None:
    seconds = _pause_seconds(key)
    until = timezone.now() + datetime.timedelta(seconds=seconds)
    if limits_cache().add(_hashed("until", key), until.timestamp(), seconds):
        lockouts = _hashed("lockouts", key)
        limits_cache().add(lockouts, 0, HISTORY_SECONDS)
        limits_cache().incr(lockouts)
        limits_cache().touch(lockouts, HISTORY_SECONDS)


def _seconds_left(key: str) -> int:
    until = limits_cache().get(_hashed("until", key))
    if until is None:
        return _pause_seconds(key)
    return max(1, math.ceil(until - timezone.now().timestamp()))


def _address_usage(request, increment: bool):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    return get_usage(request, group=ADDRESS_GROUP, key="ip", rate=f"{limit}/h", method="POST", increment=increment)


def address_wait(request) -> int:
    """Seconds until this client address may try again; 0 when it may now."""
    usage = _address_usage(request, increment=False)
    if usage is None or usage["count"] < usage["limit"]:
        return 0
    return max(1, int(usage["time_left"]))


def wait_seconds(request) -> int:
    """After a refused sign-in: how long this client must wait (0 if the password was simply wrong)."""
    if request is None:
        return 0
    if getattr(request, "sign_in_wait", 0):
        return request.sign_in_wait
    if getattr(request, "axes_locked_out", False) and getattr(request, "sign_in_account", None):
        return _seconds_left(request.sign_in_account)
    return 0


class SignInLimitBackend(AxesStandaloneBackend):
    """First in AUTHENTICATION_BACKENDS: refuses, before any password is checked, a paused address or account."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None  # no client to limit (code calling authenticate itself, e.g. the test client's login)
        if request.method == "POST":
            wait = address_wait(request)
            if wait:
                request.sign_in_wait = wait
                request.sign_in_address_paused = True
                request.axes_locked_out = True  # django-axes then counts nothing against the account
                raise PermissionDenied("Too many failed sign-ins from this address.")
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            request.sign_in_wait = _seconds_left(account_key(request, {"username": username}))
            raise


@receiver(user_login_failed, dispatch_uid="dangjian.accounts.sign_in_failed")
def _count_address_failure(sender, credentials, request=None, **kwargs):
    if request is not None and request.method == "POST":
        _address_usage(request, increment=True)


@receiver(user_locked_out, dispatch_uid="dangjian.accounts.account_paused")
def _account_paused(sender, request, username=None, **kwargs):
    if request is not None and username and not getattr(request, "sign_in_address_paused", False):
        _mark_locked(username)  # a no-op while the account is already paused


@receiver(user_logged_in, dispatch_uid="dangjian.accounts.sign_in_succeeded")
def _forget_lockouts(sender, request, user, **kwargs):
    limits_cache().delete(_hashed("lockouts", f"account:{user.pk}"))
