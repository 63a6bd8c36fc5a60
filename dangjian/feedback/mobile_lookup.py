"""Looking up one's cases by mobile number and a one-time code sent by SMS (only where SMS is configured).

The codes themselves are `notifications.codes.SmsCodes` (shared with members' sign-in), over `LookupCode`.

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

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from dangjian.core.history import ActionError
from dangjian.notifications import sms
from dangjian.notifications.api import queue_sms
from dangjian.notifications.codes import CODE_MINUTES, CodeSent, SmsCodes

from .models import Case, LookupCode

CASES_SHOWN = 20  # the most recent cases of one mobile
codes = SmsCodes("feedback", LookupCode)


def code_text(code: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Your code is %(code)s, valid for %(minutes)s minutes, to look up the problems you raised. "
            "Do not tell it to anyone."
        ) % {"code": code, "minutes": CODE_MINUTES}


def _deliver(mobile: str, code: str, row_id: int) -> None:
    if Case.objects.filter(contact_phone=mobile).exists():
        queue_sms(mobile, code_text(code), key=f"feedback.code:{row_id}")


def send_code(mobile: str, client: str) -> CodeSent:
    """Issue a code for the number (sent by SMS when the number has cases). Raises ActionError for a
    malformed number or when too many codes were asked for; otherwise says nothing about the number."""
    if not sms.is_configured():
        raise ActionError(_("Looking up by mobile number is not available here."))
    return codes.send(mobile, client, _deliver)


def _case_numbers(mobile: str) -> list[str]:
    return list(
        Case.objects.filter(contact_phone=mobile)
        .order_by("-received_at", "-id")
        .values_list("number", flat=True)[:CASES_SHOWN]
    )


def check_code(mobile: str, code: str, client: str) -> list[str]:
    """The numbers of the mobile's cases (newest first) for a right, live code; the code is then used up."""
    if not sms.is_configured():
        raise ActionError(_("Looking up by mobile number is not available here."))
    return codes.check(mobile, code, client, _case_numbers)


def forget_codes(now: datetime.datetime | None = None) -> int:
    """Codes are kept a day after they expire (for the resend pause), then removed."""
    return codes.forget(now)
