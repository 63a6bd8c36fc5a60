"""Looking up one's cases by mobile number and a one-time code sent by SMS (only where SMS is configured).

1. `send_code(mobile, client)`: a 6-digit code is stored hashed (`LookupCode`, 10 minutes, a few tries) and,
   when the number is the contact phone of any case, queued as an SMS. The answer is the same whether or not
   the number has cases, so the page never tells who raised a problem. Requests are limited per number and
   per client (`core.throttle`, in the shared limits cache, under keyed hashes).
2. `check_code(mobile, code, client)`: the latest live code for the number; a right code is used up at once
   (a replay fails) and gives the numbers of that mobile's cases. Wrong codes count against the code and
   against the guessing client.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.core.history import ActionError
from dangjian.core.throttle import Throttle
from dangjian.notifications import sms
from dangjian.notifications.api import queue_sms
from dangjian.notifications.sms import normalized_mobile

from .models import Case, LookupCode

CODE_MINUTES = 10
CODE_TRIES = 5  # wrong tries before a code dies
CASES_SHOWN = 20  # the most recent cases of one mobile
RESEND_SECONDS = 60
codes_per_mobile = Throttle("feedback-code-mobile", 5, 3600)
codes_per_client = Throttle("feedback-code-client", 10, 3600)
wrong_codes_per_client = Throttle("feedback-code-guess", 10, 15 * 60)


def mobile_digest(mobile: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"feedback-mobile:{mobile}".encode(), hashlib.sha256).hexdigest()


def _code_hash(salt: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"feedback-code:{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def code_text(code: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Your code is %(code)s, valid for %(minutes)s minutes, to look up the problems you raised. "
            "Do not tell it to anyone."
        ) % {"code": code, "minutes": CODE_MINUTES}


def _mobile_or_error(value: str) -> str:
    mobile = normalized_mobile(value)
    if not mobile:
        raise ActionError(_("Enter an 11-digit mobile number, such as 13812345678."))
    return mobile


@dataclass(frozen=True)
class CodeSent:
    """What the "enter the code" step says: whether the code was sent just now or a moment ago (the citizen
    came back from the SMS app, or reloaded), until when it is valid and from when a new one may be asked."""

    mobile: str
    already: bool
    valid_until: datetime.datetime
    resend_at: datetime.datetime


def send_code(mobile: str, client: str) -> CodeSent:
    """Issue a code for the number (sent by SMS when the number has cases). Raises ActionError for a
    malformed number or when too many codes were asked for; otherwise says nothing about the number.
    Within a minute of the last code, while that code is still alive, nothing new is sent: the citizen goes on
    to enter the code already on the way (the answer reads the same whether or not the number has cases)."""
    if not sms.is_configured():
        raise ActionError(_("Looking up by mobile number is not available here."))
    mobile = _mobile_or_error(mobile)
    digest = mobile_digest(mobile)
    if codes_per_client.is_locked(client) or codes_per_mobile.is_locked(digest):
        raise ActionError(_("Too many codes were asked for. Please try again in an hour."))
    now = timezone.now()
    pause = datetime.timedelta(seconds=RESEND_SECONDS)
    recent = LookupCode.objects.filter(mobile_digest=digest, used_at__isnull=True, created_at__gt=now - pause).first()
    if recent is not None and recent.expires_at > now and recent.attempts < CODE_TRIES:
        return CodeSent(mobile, True, recent.expires_at, recent.created_at + pause)
    if recent is not None:  # guessed to death within the minute: a new code only after the pause
        raise ActionError(_("A code was just sent. Please wait a minute before asking for another one."))
    codes_per_client.record_failure(client)
    codes_per_mobile.record_failure(digest)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    with transaction.atomic():
        # A new code replaces any earlier one still alive.
        LookupCode.objects.filter(mobile_digest=digest, used_at__isnull=True).update(used_at=now)
        row = LookupCode.objects.create(
            mobile_digest=digest,
            salt=salt,
            code_hash=_code_hash(salt, code),
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=CODE_MINUTES),
        )
        if Case.objects.filter(contact_phone=mobile).exists():
            queue_sms(mobile, code_text(code), key=f"feedback.code:{row.pk}")
    return CodeSent(mobile, False, row.expires_at, now + pause)


def check_code(mobile: str, code: str, client: str) -> list[str]:
    """The numbers of the mobile's cases (newest first) for a right, live code; the code is then used up."""
    if not sms.is_configured():
        raise ActionError(_("Looking up by mobile number is not available here."))
    if wrong_codes_per_client.is_locked(client):
        raise ActionError(_("Too many wrong codes from this device. Please try again in 15 minutes."))
    mobile = _mobile_or_error(mobile)
    code = re.sub(r"\s", "", unicodedata.normalize("NFKC", (code or "")[:20]))
    wrong = ActionError(_("The code is wrong or has expired. Please check it, or ask for a new code."))
    now = timezone.now()
    row = LookupCode.objects.filter(mobile_digest=mobile_digest(mobile), used_at__isnull=True).first()
    if row is None or row.expires_at <= now or row.attempts >= CODE_TRIES:
        wrong_codes_per_client.record_failure(client)
        raise wrong
    if not (code.isdigit() and len(code) == 6 and hmac.compare_digest(row.code_hash, _code_hash(row.salt, code))):
        LookupCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        wrong_codes_per_client.record_failure(client)
        raise wrong
    # Used once: of two requests with the same code, only the one that marks it first gets through.
    if not LookupCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise wrong
    wrong_codes_per_client.clear(client)
    numbers = list(
        Case.objects.filter(contact_phone=mobile)
        .order_by("-received_at", "-id")
        .values_list("number", flat=True)[:CASES_SHOWN]
    )
    return numbers


def forget_codes(now: datetime.datetime | None = None) -> int:
    """Codes are kept a day after they expire (for the resend pause), then removed."""
    now = now or timezone.now()
    removed, _details = LookupCode.objects.filter(expires_at__lt=now - datetime.timedelta(days=1)).delete()
    return removed
