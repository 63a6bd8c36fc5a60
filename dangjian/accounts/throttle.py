"""Pause sign-in for an account after repeated wrong passwords (keyed by account, not by IP)."""

from django.conf import settings

from dangjian.core.throttle import Throttle

_login = Throttle("login-failures", lambda: settings.LOGIN_FAILURE_LIMIT, lambda: settings.LOGIN_LOCKOUT_SECONDS)

is_locked = _login.is_locked
record_failure = _login.record_failure
clear = _login.clear
