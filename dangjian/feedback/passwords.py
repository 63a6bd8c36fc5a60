"""Tracking numbers and query passwords of citizens' cases."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone

from .models import Case


class _QueryPasswordHasher(PBKDF2PasswordHasher):
    # The query password is 8 random digits; with lookups throttled per case, a lighter hash than
    # a staff password's keeps submissions fast.
    iterations = 20_000


_hasher = _QueryPasswordHasher()


def query_password_for(client_token: uuid.UUID) -> str:
    """The case's query password, derived from the form's one-time token.

    Resubmitting the same form (a double click, a refresh) shows the same number and password,
    while nobody without the token can derive it.
    """
    digest = hmac.new(settings.SECRET_KEY.encode(), f"feedback-query:{client_token}".encode(), hashlib.sha256)
    return f"{int.from_bytes(digest.digest()[:8], 'big') % 10**8:08d}"


def new_number(now: datetime.datetime) -> str:
    return timezone.localtime(now).strftime("%y%m%d") + f"{secrets.randbelow(10**6):06d}"


def hash_query_password(password: str) -> str:
    return _hasher.encode(password, _hasher.salt())


def check_query_password(case: Case, password: str) -> bool:
    try:
        return _hasher.verify(password, case.password_hash)
    except (ValueError, AssertionError):  # a hash in another format: never a match
        return False
