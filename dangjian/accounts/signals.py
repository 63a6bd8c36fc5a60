"""Signals of the accounts app."""

from django.dispatch import Signal

# Sent right after a successful sign-in with the password at hand (request, user, password), so that
# modules holding keys encrypted under the password can unlock them. Receivers must not keep the password.
password_verified = Signal()
# Sent after a user changed their own password (request, user, old_password, new_password).
password_changed = Signal()
