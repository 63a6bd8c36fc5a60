"""Unlock a discipline officer's key at sign-in; re-encrypt it when the password changes."""

from django.dispatch import receiver

from dangjian.accounts.permissions import SUPERVISION_OFFICER, holds_any
from dangjian.accounts.signals import password_changed, password_verified

from . import keys


def _is_officer(user) -> bool:
    return holds_any(user, SUPERVISION_OFFICER)


@receiver(password_verified)
def unlock_officer_key(sender, request, user, password, **kwargs):
    if _is_officer(user):
        keys.remember_in_session(request, keys.ensure_user_keypair(user, password))


@receiver(password_changed)
def rewrap_officer_key(sender, request, user, old_password, new_password, **kwargs):
    private = keys.private_key_from_session(request)
    if private is None and _is_officer(user):
        private = keys.ensure_user_keypair(user, old_password)
    if private is not None:
        keys.rewrap_user_key(user, private, new_password)
        keys.remember_in_session(request, private)
