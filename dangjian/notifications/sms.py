"""Short messages (SMS) to people without an account, e.g. a citizen whose answer is ready.

Any app queues a message with `notifications.api.queue_sms(mobile, text, key=...)` inside its own transaction: the row
(`SmsMessage`) is written with the caller's data, and after the commit the background worker sends it
(`deliver_pending_sms`, the task `deliver_sms`, also run by the clock to retry). A message with the same
`key` is queued only once, so an action that runs twice, or a task retried, never sends twice. A failed send
is recorded (attempts, the error without the number), retried with back-off and after SMS_MAX_ATTEMPTS shown
as failed; nothing is dropped. The mobile number is cleared from the row once the message is sent, and
never logged.

The sender is pluggable (settings.SMS_BACKEND, a dotted path, with settings.SMS_OPTIONS), like Django's
e-mail backends:
- `FileBackend` (the default, what `make run` uses): each message is a file under OPTIONS["directory"].
- `HttpBackend`: a JSON POST to a provider's gateway (OPTIONS: url, api_key, secret, sign_name, timeout).
Every message starts with the signature 【…】 (`signed`, applied by queue_sms; settings.SMS_SIGNATURE).
An empty SMS_BACKEND means no SMS at all: `is_configured()` is False and pages offer nothing that needs it.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import secrets
import time
import unicodedata
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import SmsMessage

SMS_MAX_ATTEMPTS = 8
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


class SmsError(Exception):
    """The provider did not take the message. The text never contains the number or the message."""


class BaseBackend:
    def __init__(self, **options: Any):
        self.options = options

    def send(self, mobile: str, text: str) -> None:
        """Hand one message to the provider, or raise SmsError."""
        raise NotImplementedError


class FileBackend(BaseBackend):
    """Each message as a file under `directory` (like Django's file-based e-mail backend): for development,
    the demo and tests. The file is the message itself (number and text)."""

    def send(self, mobile: str, text: str) -> None:
        directory = Path(self.options.get("directory") or Path(settings.VAR_DIR) / "sms")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = directory / f"{stamp}-{secrets.token_hex(4)}.txt"
            path.write_text(f"To: {mobile}\n\n{text}\n", encoding="utf-8")
        except OSError as error:
            raise SmsError(f"cannot write the message file: {type(error).__name__}") from None


class HttpBackend(BaseBackend):
    """A JSON POST to the provider's gateway at `url`:

        {"mobile": "13812345678", "content": "【清河县】...", "sign_name": "清河县", "timestamp": 1764500000,
         "nonce": "..."}

    with `Authorization: Bearer <api_key>` and, when a `secret` is set, `X-Signature`: the hex HMAC-SHA256 of
    the exact body with the secret. A 2xx answer takes the message (unless its JSON says {"ok": false});
    anything else (another status, a timeout after `timeout` seconds, no connection) raises SmsError, and the
    worker tries again later.
    """

    def send(self, mobile: str, text: str) -> None:
        url = self.options.get("url", "")
        if not url.startswith(("http://", "https://")):
            raise SmsError("SMS_OPTIONS['url'] is not an http(s) address")
        sign_name = self.options.get("sign_name", "")
        content = f"【{sign_name}】{text}" if sign_name and not text.startswith("【") else text
        body = json.dumps(
            {
                "mobile": mobile,
                "content": content,
                "sign_name": sign_name,
                "timestamp": int(time.time()),
                "nonce": secrets.token_hex(8),
            },
            ensure_ascii=False,
        ).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "dangjian-sms/1"}
        if self.options.get("api_key"):
            headers["Authorization"] = f"Bearer {self.options['api_key']}"
        if self.options.get("secret"):
            headers["X-Signature"] = hmac.new(self.options["secret"].encode(), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked above
        timeout = float(self.options.get("timeout", 10))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                answer = response.read(4096)
        except urllib.error.HTTPError as error:
            raise SmsError(f"the provider answered HTTP {error.code}") from None
        except TimeoutError:
            raise SmsError(f"the provider did not answer within {timeout:g} s") from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                raise SmsError(f"the provider did not answer within {timeout:g} s") from None
            raise SmsError(f"cannot reach the provider: {type(reason).__name__}") from None
        except OSError as error:
            raise SmsError(f"cannot reach the provider: {type(error).__name__}") from None
        try:
            parsed = json.loads(answer) if answer else None
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and parsed.get("ok") is False:
            code = str(parsed.get("code", ""))[:40]
            raise SmsError(f"the provider refused the message{f' ({code})' if code else ''}")


def is_configured() -> bool:
    """Whether this installation sends SMS at all (settings.SMS_BACKEND is set)."""
    return bool(getattr(settings, "SMS_BACKEND", ""))


def get_backend() -> BaseBackend:
    backend = import_string(settings.SMS_BACKEND)
    return backend(**getattr(settings, "SMS_OPTIONS", {}))


def signature() -> str:
    """The signature every message starts with (a provider rule in China): 【settings.SMS_SIGNATURE】, by
    default the short name of the top organization, e.g. 【清源县】; "" when there is none."""
    name = (getattr(settings, "SMS_SIGNATURE", "") or "").strip().strip("【】")
    if not name:
        # By the app registry: notifications sits below the domain apps and imports none of them.
        top = (
            apps.get_model("organizations", "Organization")
            .objects.filter(parent__isnull=True)
            .order_by("path")
            .only("name", "short_name")
            .first()
        )
        name = (top.short_name or top.name) if top is not None else ""
    return f"【{name}】" if name else ""


def signed(text: str) -> str:
    """The text with the signature in front (once)."""
    return text if text.startswith("【") else signature() + text


def is_mobile(value: str) -> bool:
    return bool(MOBILE_RE.fullmatch(value or ""))


def normalized_mobile(value: str) -> str:
    """The 11 digits of a mainland mobile number typed with spaces, dashes or +86; "" for anything else."""
    # Full-width digits typed with a Chinese input method count as digits.
    digits = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", (value or "")[:40]))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if is_mobile(digits) else ""


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def deliver_pending_sms(now: datetime.datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Send waiting messages; a failure is recorded and retried later, never dropped or sent twice.

    Each row is claimed by raising its attempt counter first, so two workers never send the same one.
    """
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0}
    due = SmsMessage.objects.filter(state=SmsMessage.State.PENDING, next_try__lte=now).order_by("next_try", "pk")
    rows = list(due[:batch])
    if not rows:
        return counts
    backend = get_backend()
    for row in rows:
        claimed = SmsMessage.objects.filter(pk=row.pk, state=SmsMessage.State.PENDING, attempts=row.attempts).update(
            attempts=F("attempts") + 1, next_try=now + _backoff(row.attempts + 1)
        )
        if not claimed:
            continue  # another worker has it
        try:
            backend.send(row.mobile, row.text)
        except Exception as error:  # noqa: BLE001 - any failure of the provider is recorded and retried
            attempts = row.attempts + 1
            message = str(error) if isinstance(error, SmsError) else type(error).__name__
            SmsMessage.objects.filter(pk=row.pk).update(
                error=message[:300],
                state=SmsMessage.State.FAILED if attempts >= SMS_MAX_ATTEMPTS else SmsMessage.State.PENDING,
            )
            counts["failed"] += 1
        else:
            # Sent: the number is no longer needed here.
            SmsMessage.objects.filter(pk=row.pk).update(
                state=SmsMessage.State.SENT, sent_at=timezone.now(), error="", mobile=""
            )
            counts["sent"] += 1
    return counts


def forget_old_sms(now: datetime.datetime | None = None) -> dict[str, int]:
    """Rows older than NOTIFICATION_RETENTION_DAYS go (a message still waiting is kept until sent)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    removed, _details = (
        SmsMessage.objects.filter(created_at__lt=cutoff).exclude(state=SmsMessage.State.PENDING).delete()
    )
    return {"sms_removed": removed}
