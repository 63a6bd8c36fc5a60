"""The reporter's receipt: the only way back to a report. It is never stored; a keyed hash finds the
report and Argon2id turns the receipt into the key that unwraps the report key."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils.translation import gettext as _
from nacl.exceptions import CryptoError

from dangjian.core.history import ActionError
from dangjian.core.throttle import Throttle

from . import crypto
from .models import Installation, Report

RECEIPT_DIGITS = 16
# Wrong receipts are counted per client, under a keyed hash of its address kept only in the cache
# (core.throttle.client_key): a guesser is slowed down, every other reporter goes on as before.
receipt_guard = Throttle(
    "supervision-receipts",
    lambda: settings.SUPERVISION_RECEIPT_FAILURES_PER_CLIENT,
    3600,
)


class TooManyGuesses(ActionError):
    """This client tried too many wrong receipts; it must wait (nobody else is affected)."""


def installation_salt() -> bytes:
    row = Installation.objects.filter(pk=1).first()
    if row is None:
        row, _created = Installation.objects.get_or_create(pk=1, defaults={"receipt_salt": crypto.random_salt()})
    return bytes(row.receipt_salt)


def new_receipt() -> str:
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def receipt_for_token(client_token) -> str:
    """The receipt of a report form, derived from the form's one-time token with the secret key.

    Posting the same form again (a reload, a double tap) gives the same receipt, so the report filed
    the first time is found and shown again. The token is never stored; without it (and the secret
    key) nobody can derive the receipt."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"supervision-receipt:{client_token}".encode(), hashlib.sha256)
    return f"{int.from_bytes(digest.digest()[:8], 'big') % 10**RECEIPT_DIGITS:0{RECEIPT_DIGITS}d}"


def dedupe_mark(report_key: bytes, kind: str, token: str) -> str:
    """What a reporter's follow-up form leaves to recognise its reload: a hash keyed with the report key."""
    if not token:
        return ""
    return hmac.new(report_key, f"{kind}:{token}".encode(), hashlib.sha256).hexdigest()


def format_receipt(receipt: str) -> str:
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def clean_receipt(text: str) -> str | None:
    digits = "".join(ch for ch in text if not ch.isspace() and ch != "-")
    if len(digits) != RECEIPT_DIGITS or not digits.isdigit():
        return None
    return digits


def open_with_receipt(text: str, client: str = "") -> tuple[Report, bytes]:
    """The report and its key for a receipt. Wrong receipts count against the client (`client_key`)."""
    if client and receipt_guard.is_locked(client):
        raise TooManyGuesses(
            _("Too many wrong receipts were tried from this device. Please try again later (within an hour).")
        )
    receipt = clean_receipt(text)
    if receipt is None:
        raise ActionError(_("A receipt code has 16 digits."))
    report = Report.objects.filter(receipt_hash=crypto.receipt_lookup(receipt, installation_salt())).first()
    if report is None:
        if client:
            receipt_guard.record_failure(client)
        raise ActionError(_("No report has this receipt code. Check the digits and try again."))
    try:
        report_key = crypto.decrypt(report.reporter_wrapped_key, crypto.kdf(receipt, bytes(report.reporter_salt)))
    except CryptoError as error:  # only if the database was tampered with
        raise ActionError(_("This report cannot be opened.")) from error
    return report, report_key
