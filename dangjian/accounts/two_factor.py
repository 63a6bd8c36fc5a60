"""Second factor (TOTP, django-otp): enrolment, checking a code, and what the enrolment page shows.

- Each visit to the enrolment page makes a fresh secret, kept only in the session that saw it (the
  page writes no row); confirming it stores the device and deletes earlier unconfirmed ones: whoever
  saw an enrolment page once holds nothing later, and nobody confirms a secret from another session.
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


def pending_enrolment(request) -> TOTPDevice | None:
    """On a confirming POST: the unconfirmed device for the secret this session was shown (stored now,
    so that django-otp's throttling of wrong codes holds); the user's other unconfirmed ones are deleted."""
    key = request.session.get(SESSION_KEY)
    if not key:
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user, confirmed=False).exclude(key=key).delete()
        device, _created = TOTPDevice.objects.get_or_create(
            user=request.user, key=key, confirmed=False, defaults={"name": "authenticator"}
        )
    return device


def finish_enrolment(request, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    request.session.pop(SESSION_KEY, None)


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
