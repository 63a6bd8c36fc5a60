"""Sending queued robot deliveries (push.py): the worker's `deliver_due()` (tasks.deliver_pushes, also run by the
clock every PUSH_RETRY_SECONDS) and `deliver_now(delivery_id)` for the console's test message.

Each delivery is claimed by a conditional UPDATE on its attempt counter (the same on SQLite and PostgreSQL), so
two workers never send one twice. The request is the robot kind's adapter (robots.py); the webhook and secret are
decrypted only here. Whatever goes wrong (a refused address, no connection, a timeout, an HTTP error, a redirect,
an answer that is not JSON, the service's own refusal) is recorded on the delivery in words, without the webhook's
key, and tried again after PUSH_RETRY_SECONDS, twice as long, ...; after PUSH_MAX_ATTEMPTS it is FAILED. The robot
counts consecutive failed attempts: at PUSH_FLAG_AFTER it is flagged once and its organization's MANAGE_ROBOTS
holders are told (the signal `robot_flagged` → registrations.tell_robot_managers, kind
"notifications.robot_failing"); a success clears the count and the flag.
"""

from __future__ import annotations

import datetime
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.core import fieldcrypt
from dangjian.core.signals import rows_written

from . import robots
from .adapters import ADAPTERS, PushMessage
from .models import Delivery, Robot

log = logging.getLogger(__name__)

ANSWER_LIMIT = 64 * 1024
MAX_BACKOFF = datetime.timedelta(hours=6)
TEST_TOPIC = "test"  # the console's 发送测试消息: one attempt, shown at once

# Sent once when a robot reaches PUSH_FLAG_AFTER consecutive failures (robot, failures, error); registrations.py
# connects the notice to its managers (a signal, because notify()'s module already reaches this one).
robot_flagged = Signal()


class PushFailed(Exception):
    """A request that did not deliver: the message says why (already free of the webhook's key)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed: it could lead anywhere, the intranet included."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after the attempts-th failed attempt: PUSH_RETRY_SECONDS, doubling, at most 6 hours."""
    seconds = settings.PUSH_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return min(datetime.timedelta(seconds=seconds), MAX_BACKOFF)


def _due(now: datetime.datetime, batch: int):
    return list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_try_at__lte=now)
        .select_related("robot", "robot__organization")
        .order_by("next_try_at", "pk")[:batch]
    )


def _claim(delivery: Delivery, now: datetime.datetime) -> bool:
    """Take the delivery for this worker (its attempt counter moves on): False when another worker has it."""
    return bool(
        Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING, attempts=delivery.attempts).update(
            attempts=F("attempts") + 1, next_try_at=now + backoff(delivery.attempts + 1)
        )
    )


def deliver_due(now: datetime.datetime | None = None, batch: int = 100) -> dict[str, int]:
    """Send the deliveries whose time has come. Returns how many were sent and how many attempts failed."""
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0}
    with translation.override(settings.LANGUAGE_CODE):
        for delivery in _due(now, batch):
            if not _claim(delivery, now):
                continue  # another worker has it
            if _send(delivery, now):
                counts["sent"] += 1
            else:
                counts["failed"] += 1
    return counts


def deliver_now(delivery_id: int) -> Delivery:
    """Send one waiting delivery at once (the console's test message), and return it as it stands after."""
    now = timezone.now()
    delivery = Delivery.objects.select_related("robot", "robot__organization").get(pk=delivery_id)
    if delivery.state == Delivery.State.PENDING and _claim(delivery, now):
        with translation.override(settings.LANGUAGE_CODE):
            _send(delivery, now)
    delivery.refresh_from_db()
    return delivery


def _send(delivery: Delivery, now: datetime.datetime) -> bool:
    """One attempt of a claimed delivery; the outcome is recorded. True when the service took the message."""
    robot = delivery.robot
    attempts = delivery.attempts + 1
    hidden: list[str] = []
    if not robot.active and delivery.topic != TEST_TOPIC:
        # Turned off after the message was queued: not sent, and not the robot's failure.
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.FAILED, last_error=_("The robot is turned off.")
        )
        return False
    try:
        adapter = ADAPTERS.get(robot.kind)
        if adapter is None:
            raise PushFailed(_("No adapter for this kind of robot."))
        webhook = fieldcrypt.decrypt(robot.webhook_encrypted)
        secret = fieldcrypt.decrypt(robot.secret_encrypted) if robot.secret_encrypted else ""
        hidden = robots.secrets_of(webhook, secret)
        robots.check_webhook(robot.kind, webhook)  # the allowed hosts may have changed since it was saved
        message = PushMessage(**{k: v for k, v in delivery.message.items() if k in PushMessage.__dataclass_fields__})
        url, body = adapter.request(robot, message, webhook, secret)
        status, answer = _post(url, body)
        taken, why = adapter.accepted(status, answer)
        if not taken:
            raise PushFailed(_("The service refused the message: %(why)s") % {"why": why})
    except Exception as error:  # noqa: BLE001 - any failure is recorded and retried, never the worker's end
        if isinstance(error, (PushFailed, robots.WebhookRefused)):
            reason = str(error)
        else:
            log.warning("Robot delivery %s failed unexpectedly: %s", delivery.pk, type(error).__name__)
            reason = _("Unexpected error: %(name)s") % {"name": type(error).__name__}
        _failed(delivery, robot, attempts, robots.scrub(reason, hidden)[:300], now)
        return False
    _succeeded(delivery, robot)
    return True


def _post(url: str, body: dict) -> tuple[int, dict]:
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the address passed check_webhook (http(s), allowed host)
        url,
        data=data,
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "dangjian-push/1"},
        method="POST",
    )
    timeout = settings.PUSH_TIMEOUT
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
            raw = response.read(ANSWER_LIMIT)
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            raise PushFailed(
                _("The service answered with a redirect (HTTP %(code)s), not followed.") % {"code": error.code}
            ) from None
        raise PushFailed(_("The service answered HTTP %(code)s.") % {"code": error.code}) from None
    except TimeoutError:
        raise PushFailed(_("No answer within %(seconds)s seconds.") % {"seconds": timeout}) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise PushFailed(_("No answer within %(seconds)s seconds.") % {"seconds": timeout}) from None
        raise PushFailed(_("Cannot reach the service: %(name)s") % {"name": type(error.reason).__name__}) from None
    except OSError as error:
        raise PushFailed(_("Cannot reach the service: %(name)s") % {"name": type(error).__name__}) from None
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise PushFailed(_("The service's answer (HTTP %(code)s) was not understood.") % {"code": status})
    return status, answer


def _succeeded(delivery: Delivery, robot: Robot) -> None:

    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.SENT, sent_at=now, last_error="")
        Robot.objects.filter(pk=robot.pk).update(consecutive_failures=0, last_success_at=now, flagged_at=None)
        # Written without a save: the usage summaries' rollups are told (push.deliveries_sent).
        rows_written(Delivery, [robot.organization_id])


def _failed(delivery: Delivery, robot: Robot, attempts: int, reason: str, now: datetime.datetime) -> None:
    last = attempts >= settings.PUSH_MAX_ATTEMPTS or delivery.topic == TEST_TOPIC
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            last_error=reason, state=Delivery.State.FAILED if last else Delivery.State.PENDING
        )
        Robot.objects.filter(pk=robot.pk).update(consecutive_failures=F("consecutive_failures") + 1)
        failures = Robot.objects.values_list("consecutive_failures", flat=True).get(pk=robot.pk)
        # Flagged once: only the worker that sets flagged_at tells the admins.
        if failures >= settings.PUSH_FLAG_AFTER and Robot.objects.filter(pk=robot.pk, flagged_at__isnull=True).update(
            flagged_at=now
        ):
            robot_flagged.send(Robot, robot=robot, failures=failures, error=reason)
