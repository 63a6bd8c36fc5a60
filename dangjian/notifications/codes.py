"""One-time codes by SMS (a citizen listing their cases by mobile number, a party member signing in): one mechanism,
each use with its own table of codes, throttles and words.

Neither the number nor the code is stored: the row (a model with `mobile_digest`, `code_hash`, `salt`, `created_at`,
`expires_at`, `attempts`, `used_at`) keeps keyed hashes (HMAC with the secret key, under the use's name). A code is
6 digits, lives `CODE_MINUTES`, dies after `CODE_TRIES` wrong tries and works once; a new code replaces any live one.
Codes are limited per number (5 an hour) and per client (10 an hour), wrong codes per client (10 per 15 minutes), in
the shared limits cache. `send` says the same whether or not a message goes out: the caller decides, in the same
transaction as the row, whether the number is one it sends to.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.history import ActionError
from dangjian.core.throttle import Throttle

from .sms import normalized_mobile

CODE_MINUTES = 10
CODE_TRIES = 5  # wrong tries before a code dies
RESEND_SECONDS = 60
T = TypeVar("T")


@dataclass(frozen=True)
class CodeSent:
    """What the "enter the code" step says: whether the code was sent just now or a moment ago (the person came
    back from the SMS app, or reloaded), until when it is valid and from when a new one may be asked."""

    mobile: str
    already: bool
    valid_until: datetime.datetime
    resend_at: datetime.datetime


def mobile_or_error(value: str) -> str:
    mobile = normalized_mobile(value)
    if not mobile:
        raise ActionError(_("Enter an 11-digit mobile number, such as 13812345678."))
    return mobile


class SmsCodes:
    """The codes of one use: `name` keys the hashes and the throttles (e.g. "feedback"), `model` holds the rows."""

    def __init__(self, name: str, model):
        self.name = name
        self.model = model
        self.per_mobile = Throttle(f"{name}-code-mobile", 5, 3600)
        self.per_client = Throttle(f"{name}-code-client", 10, 3600)
        self.wrong_per_client = Throttle(f"{name}-code-guess", 10, 15 * 60)

    def digest(self, mobile: str) -> str:
        return hmac.new(
            settings.SECRET_KEY.encode(), f"{self.name}-mobile:{mobile}".encode(), hashlib.sha256
        ).hexdigest()

    def _hash(self, salt: str, code: str) -> str:
        key = settings.SECRET_KEY.encode()
        return hmac.new(key, f"{self.name}-code:{salt}:{code}".encode(), hashlib.sha256).hexdigest()

    def send(self, value: str, client: str, deliver: Callable[[str, str, int], None]) -> CodeSent:
        """Issue a code for the number typed; `deliver(mobile, code, row id)` runs in the row's transaction and
        queues the message when the number is one the use sends to. Raises ActionError for a malformed number or
        too many codes; within a minute of the last live code nothing new is issued (the person goes on to enter
        the code already on the way)."""
        mobile = mobile_or_error(value)
        digest = self.digest(mobile)
        if self.per_client.is_locked(client) or self.per_mobile.is_locked(digest):
            raise ActionError(_("Too many codes were asked for. Please try again in an hour."))
        now = timezone.now()
        pause = datetime.timedelta(seconds=RESEND_SECONDS)
        rows = self.model.objects
        recent = rows.filter(mobile_digest=digest, used_at__isnull=True, created_at__gt=now - pause).first()
        if recent is not None and recent.expires_at > now and recent.attempts < CODE_TRIES:
            return CodeSent(mobile, True, recent.expires_at, recent.created_at + pause)
        if recent is not None:  # guessed to death within the minute: a new code only after the pause
            raise ActionError(_("A code was just sent. Please wait a minute before asking for another one."))
        self.per_client.record_failure(client)
        self.per_mobile.record_failure(digest)
        code = f"{secrets.randbelow(10**6):06d}"
        salt = secrets.token_hex(16)
        with transaction.atomic():
            self.forget(now)
            rows.filter(mobile_digest=digest, used_at__isnull=True).update(used_at=now)  # a new code replaces
            row = rows.create(
                mobile_digest=digest,
                salt=salt,
                code_hash=self._hash(salt, code),
                created_at=now,
                expires_at=now + datetime.timedelta(minutes=CODE_MINUTES),
            )
            deliver(mobile, code, row.pk)
        return CodeSent(mobile, False, row.expires_at, now + pause)

    def check(self, value: str, code: str, client: str, find: Callable[[str], T | None]) -> T:
        """Use up a right, live code and return `find(mobile)`: what the code opens (the number's cases, the
        member's account). A wrong, expired or used code, or a number `find` has nothing for (None), raises
        ActionError and counts against the client."""
        if self.wrong_per_client.is_locked(client):
            raise ActionError(_("Too many wrong codes from this device. Please try again in 15 minutes."))
        mobile = mobile_or_error(value)
        code = re.sub(r"\s", "", unicodedata.normalize("NFKC", (code or "")[:20]))
        now = timezone.now()
        rows = self.model.objects
        row = rows.filter(mobile_digest=self.digest(mobile), used_at__isnull=True).first()
        if row is None or row.expires_at <= now or row.attempts >= CODE_TRIES:
            raise self._wrong(client)
        if not (code.isdigit() and len(code) == 6 and hmac.compare_digest(row.code_hash, self._hash(row.salt, code))):
            rows.filter(pk=row.pk).update(attempts=F("attempts") + 1)
            raise self._wrong(client)
        # Used once: of two requests with the same code, only the one that marks it first gets through.
        if not rows.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
            raise ActionError(_("The code is wrong or has expired. Please check it, or ask for a new code."))
        found = find(mobile)
        if found is None:  # a code to a number with nothing behind it was never sent
            raise self._wrong(client)
        self.wrong_per_client.clear(client)
        return found

    def _wrong(self, client: str) -> ActionError:
        """Count a wrong code against the client; the refusal to raise."""
        self.wrong_per_client.record_failure(client)
        return ActionError(_("The code is wrong or has expired. Please check it, or ask for a new code."))

    def forget(self, now: datetime.datetime | None = None) -> int:
        """Codes are kept a day after they expire (for the resend pause), then removed."""
        now = now or timezone.now()
        removed, _details = self.model.objects.filter(expires_at__lt=now - datetime.timedelta(days=1)).delete()
        return removed
