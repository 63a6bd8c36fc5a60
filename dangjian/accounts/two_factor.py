"""Second factor (TOTP, django-otp): enrolment, checking a code, and what the enrolment page shows.

- Each visit to the enrolment page makes a fresh secret, kept only in the session that saw it (the
  page writes no row); confirming it (`confirm_enrolment`, the one write) stores the device and deletes
  earlier unconfirmed ones: whoever saw an enrolment page once holds nothing later, and nobody confirms
  a secret from another session.
- The secret is shown only while enrolling (an inline SVG QR code and the key in groups of four);
  after confirmation no page, the admin included, shows it again.
- A code checked too soon after a wrong one is refused with the wait (django-otp's throttling),
  not as a wrong code.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import segno
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

SESSION_KEY = "totp_enrolment"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def start_enrolment(request) -> TOTPDevice:
    """A fresh secret, held only in this session until a code confirms it (showing the page writes no row).

    Every visit makes a new one, so a secret seen earlier (a shoulder, a screenshot) is void, and a
    secret shown to one session cannot be confirmed from another.
    """
    key = random_hex(20)
    request.session[SESSION_KEY] = key
    return TOTPDevice(user=request.user, name="authenticator", key=key, confirmed=False)


def shown_enrolment(request) -> TOTPDevice | None:
    """The secret this session was shown, as an unsaved device (to show it again beside a form error)."""
    key = request.session.get(SESSION_KEY)
    if not key:
        return None
    return TOTPDevice(user=request.user, name="authenticator", key=key, confirmed=False)


def confirm_enrolment(request, token: str) -> tuple[Check | None, TOTPDevice | None]:
    """The action of an enrolment POST: check `token` against the secret this session was shown, for the
    signed-in user only, in one transaction: the user's other unconfirmed devices are deleted; this one is
    stored (so that django-otp's throttling of wrong codes holds) and confirmed when the code is right, which
    ends the enrolment (the secret leaves the session). The confirmed device row (with its creation time) is
    the record. Returns (the check, the device), or (None, None) when this session holds no secret."""
    user = request.user
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied
    key = request.session.get(SESSION_KEY)
    if not key:
        return None, None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(key=key).delete()
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, key=key, confirmed=False, defaults={"name": "authenticator"}
        )
        check = check_code(device, token)
        if check.ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    if check.ok:
        request.session.pop(SESSION_KEY, None)
    return check, device


@dataclass
class Check:
    ok: bool
    wait: int = 0  # seconds to wait before the next try, when throttled
    error: str = ""
    status: int = 200


def check_code(device: TOTPDevice, token: str) -> Check:
    """Verify a 6-digit code; throttled tries say how long to wait instead of "wrong" (django-otp doubles
    the wait after each wrong code, so even the first one makes the next try wait: no "too many")."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        until = (info or {}).get("locked_until")
        wait = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
        return Check(
            False,
            wait,
            _("Please try again in %(seconds)s seconds.") % {"seconds": wait},
            429,
        )
    if device.verify_token((token or "").strip()):
        return Check(True)
    return Check(False, 0, _("The code is wrong or has expired. Enter the current code."), 400)


def grouped_secret(device: TOTPDevice) -> str:
    """The key for typing by hand, in groups of four characters."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth URI as inline SVG markup (no image request, nothing for the CSP to block)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=4, light="#fff", dark="#000")
    label = escape(_("QR code for the authenticator app"))
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308 - segno's markup
