"""Key management: officers' key pairs, units' key pairs, and the unlocked key of a signed-in officer.

An officer's private key is unlocked at sign-in (the password is at hand then) and kept in the
session encrypted with a random key that only the officer's browser holds (a cookie). A copy of the
database therefore holds no usable key: the session row is useless without the cookie.
"""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from nacl.exceptions import CryptoError

from dangjian.core.history import ActionError

from . import crypto
from .models import UnitKey, UnitKeyGrant, UserKeyPair

SESSION_KEY = "supervision_user_key"
COOKIE_NAME = "sv_unlock"
RECOVERY_GROUPS = 8


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode())


def ensure_user_keypair(user, password: str) -> bytes:
    """The officer's private key, made on first use. If the password was reset by an administrator
    (the old key cannot be opened), a new pair is made; units must then grant access again."""
    pair = UserKeyPair.objects.filter(user=user).first()
    if pair is not None:
        try:
            return crypto.decrypt(pair.wrapped_private, crypto.kdf(password, bytes(pair.salt)))
        except CryptoError:
            pass
    private, public = crypto.new_keypair()
    salt = crypto.random_salt()
    UserKeyPair.objects.update_or_create(
        user=user,
        defaults={
            "public_key": public,
            "salt": salt,
            "wrapped_private": crypto.encrypt(private, crypto.kdf(password, salt)),
        },
    )
    return private


def rewrap_user_key(user, private: bytes, new_password: str) -> None:
    """After a password change: the same private key, encrypted under the new password."""
    salt = crypto.random_salt()
    UserKeyPair.objects.filter(user=user).update(
        salt=salt, wrapped_private=crypto.encrypt(private, crypto.kdf(new_password, salt))
    )


def remember_in_session(request, private: bytes) -> None:
    cookie_key = crypto.random_key()
    request.session[SESSION_KEY] = _b64(crypto.encrypt(private, cookie_key))
    request.supervision_cookie = _b64(cookie_key)


def private_key_from_session(request) -> bytes | None:
    wrapped = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    cookie = request.COOKIES.get(COOKIE_NAME)
    if not wrapped or not cookie:
        return None
    try:
        return crypto.decrypt(_unb64(wrapped), _unb64(cookie))
    except (CryptoError, ValueError):
        return None


class UnlockCookieMiddleware:
    """Sets the cookie holding the session's unlock key right after sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cookie = getattr(request, "supervision_cookie", None)
        if cookie:
            response.set_cookie(
                COOKIE_NAME,
                cookie,
                max_age=settings.SESSION_COOKIE_AGE,
                httponly=True,
                samesite="Strict",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def format_recovery_key(raw: bytes) -> str:
    text = base64.b32encode(raw).decode().rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalize_recovery_key(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def current_unit_key(organization) -> UnitKey | None:
    """The version of the unit's keys that new reports are sealed to (None: the unit has no keys)."""
    return UnitKey.objects.filter(organization=organization, retired_at__isnull=True).first()


def _new_version(organization, created_by) -> tuple[UnitKey, bytes, str]:
    unit_private, unit_public = crypto.new_keypair()
    recovery = format_recovery_key(secrets.token_bytes(20))
    salt = crypto.random_salt()
    unit_key = UnitKey.objects.create(
        organization=organization,
        public_key=unit_public,
        recovery_salt=salt,
        recovery_wrapped_private=crypto.encrypt(unit_private, crypto.kdf(normalize_recovery_key(recovery), salt)),
        created_by=created_by,
    )
    return unit_key, unit_private, recovery


def create_unit_key(user, organization, user_private: bytes) -> str:
    """Make the unit's key pair, give the creating officer access and return the recovery key (shown once)."""
    with transaction.atomic():
        if UnitKey.objects.filter(organization=organization).exists():
            raise ActionError("This unit already has keys.")
        unit_key, unit_private, recovery = _new_version(organization, user)
        _grant(unit_key, user, unit_private, granted_by=user)
    return recovery


def rotate_unit_key(organization, actor, officers) -> str | None:
    """Retire the unit's current key and make a new one, sealed to `officers` (those with a key pair).

    Nobody's private key is needed: the new unit key is sealed to the officers' public keys. Returns
    the new recovery key (shown once), or None if the unit has no keys."""
    with transaction.atomic():
        current = UnitKey.objects.select_for_update().filter(organization=organization, retired_at__isnull=True).first()
        if current is None:
            return None
        current.retired_at = timezone.now()
        current.save(update_fields=["retired_at"])
        unit_key, unit_private, recovery = _new_version(organization, actor)
        for officer in officers:
            if UserKeyPair.objects.filter(user=officer).exists():
                _grant(unit_key, officer, unit_private, granted_by=actor)
    return recovery


def remove_access(user, organization) -> int:
    """Delete the officer's sealed copies of every version of the unit's keys."""
    deleted, _rows = UnitKeyGrant.objects.filter(unit_key__organization=organization, user=user).delete()
    return deleted


def _grant(unit_key: UnitKey, user, unit_private: bytes, granted_by) -> UnitKeyGrant:
    pair = UserKeyPair.objects.filter(user=user).first()
    if pair is None:
        raise ActionError("The officer must sign in once before access can be granted.")
    grant, _created = UnitKeyGrant.objects.update_or_create(
        unit_key=unit_key,
        user=user,
        defaults={
            "sealed_private": crypto.seal(unit_private, bytes(pair.public_key)),
            "user_key_fingerprint": crypto.fingerprint(bytes(pair.public_key)),
            "granted_by": granted_by,
        },
    )
    return grant


def unit_private_key(user, unit_key: UnitKey, user_private: bytes) -> bytes | None:
    grant = UnitKeyGrant.objects.filter(unit_key=unit_key, user=user).first()
    if grant is None:
        return None
    try:
        return crypto.unseal(grant.sealed_private, user_private)
    except CryptoError:
        return None  # granted to a key pair the officer no longer has


def grant_access(granter, granter_private: bytes, unit_key: UnitKey, officer) -> UnitKeyGrant:
    """Give `officer` every version of the unit's keys that the granter can open (so the newcomer
    reads the reports sealed to retired versions too). Returns the grant of `unit_key`'s version."""
    given = None
    with transaction.atomic():
        for version in UnitKey.objects.filter(organization_id=unit_key.organization_id).order_by("id"):
            unit_private = unit_private_key(granter, version, granter_private)
            if unit_private is None:
                continue
            grant = _grant(version, officer, unit_private, granted_by=granter)
            if version.pk == unit_key.pk:
                given = grant
    if given is None:
        raise ActionError("You have no working access to this unit's keys yourself.")
    return given


def recover_access(user, unit_key: UnitKey, recovery: str) -> UnitKeyGrant:
    """With a recovery key of the unit, give `user` access again to every version it opens (each
    version made by a rotation has its own recovery key; older keys still open older versions)."""
    opened = []
    for version in UnitKey.objects.filter(organization_id=unit_key.organization_id).order_by("id"):
        try:
            unit_private = crypto.decrypt(
                version.recovery_wrapped_private,
                crypto.kdf(normalize_recovery_key(recovery), bytes(version.recovery_salt)),
            )
        except CryptoError:
            continue
        opened.append(_grant(version, user, unit_private, granted_by=user))
    if not opened:
        raise ActionError("The recovery key is wrong.")
    return opened[-1]
