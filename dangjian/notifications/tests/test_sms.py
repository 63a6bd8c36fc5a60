"""Short messages: queued in the caller's transaction, sent by the worker through the configured backend (a
file per message by default, or a provider's HTTP gateway: here a real local server), retried, never lost,
never sent twice, the number forgotten once sent and never in an error."""

import datetime
import hashlib
import hmac
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from dangjian.notifications import sms
from dangjian.notifications.api import queue_sms
from dangjian.notifications.models import SmsMessage
from dangjian.tests_support.smsserver import SmsGateway

MOBILE = "13812345678"
HTTP = "dangjian.notifications.sms.HttpBackend"


def _files(settings) -> list[Path]:
    directory = Path(settings.SMS_OPTIONS["directory"])
    return sorted(directory.glob("*.txt")) if directory.exists() else []


def _later(minutes: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


@pytest.mark.django_db
def test_file_backend_writes_each_message_as_a_file_after_the_commit(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        queue_sms(MOBILE, "您反映的问题已答复。", key="test.one")
        assert not _files(settings)  # nothing is sent inside the caller's transaction
    assert len(callbacks) == 1  # the worker's task is enqueued after the commit
    assert sms.deliver_pending_sms() == {"sent": 1, "failed": 0}
    (path,) = _files(settings)
    assert path.read_text(encoding="utf-8") == f"To: {MOBILE}\n\n您反映的问题已答复。\n"
    row = SmsMessage.objects.get()
    assert row.state == SmsMessage.State.SENT and row.mobile == ""  # the number is forgotten once sent


@pytest.mark.django_db
def test_a_rolled_back_transaction_queues_nothing(settings):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_sms(MOBILE, "x", key="test.rollback")
        raise RuntimeError
    assert not SmsMessage.objects.exists()
    assert sms.deliver_pending_sms() == {"sent": 0, "failed": 0} and not _files(settings)


@pytest.mark.django_db
def test_the_same_key_is_queued_once_and_a_retried_delivery_sends_once(settings):
    assert queue_sms(MOBILE, "第一次", key="test.once") is not None
    assert queue_sms(MOBILE, "第二次", key="test.once") is None
    sms.deliver_pending_sms()
    sms.deliver_pending_sms(now=_later(120))  # the task run again (the clock, a retry)
    assert [p.read_text(encoding="utf-8") for p in _files(settings)] == [f"To: {MOBILE}\n\n第一次\n"]


@pytest.mark.django_db
def test_nothing_is_queued_without_sms_or_without_a_mobile_number(settings):
    assert queue_sms("0371-12345678", "x", key="test.landline") is None
    assert queue_sms("12345", "x", key="test.short") is None
    settings.SMS_BACKEND = ""
    assert not sms.is_configured()
    assert queue_sms(MOBILE, "x", key="test.off") is None
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db
def test_http_backend_posts_a_signed_message_to_the_provider(settings):
    with SmsGateway() as gateway:
        settings.SMS_BACKEND = HTTP
        settings.SMS_OPTIONS = gateway.options()
        queue_sms(MOBILE, "您反映的问题已答复。", key="test.http")
        assert sms.deliver_pending_sms() == {"sent": 1, "failed": 0}
    (request,) = gateway.received
    assert request["path"] == "/sms/send"
    assert request["json"]["mobile"] == MOBILE
    assert request["json"]["content"] == "【测试县】您反映的问题已答复。"
    assert request["headers"]["Authorization"] == "Bearer test-key"
    expected = hmac.new(b"test-secret", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Signature"] == expected
    row = SmsMessage.objects.get()
    assert row.state == SmsMessage.State.SENT and row.mobile == "" and row.attempts == 1


@pytest.mark.django_db
def test_provider_failing_keeps_the_message_and_the_next_run_sends_it(settings):
    with SmsGateway() as gateway:
        settings.SMS_BACKEND = HTTP
        settings.SMS_OPTIONS = gateway.options()
        gateway.status = 503
        queue_sms(MOBILE, "您反映的问题已答复。", key="test.busy")
        assert sms.deliver_pending_sms() == {"sent": 0, "failed": 1}
        row = SmsMessage.objects.get()
        assert row.state == SmsMessage.State.PENDING and row.attempts == 1
        assert row.error == "the provider answered HTTP 503"
        assert MOBILE not in row.error and row.mobile == MOBILE
        assert sms.deliver_pending_sms()["failed"] == 0  # not before the back-off has passed
        gateway.status = 200
        assert sms.deliver_pending_sms(now=_later(5)) == {"sent": 1, "failed": 0}
    assert len(gateway.refused) == 1 and len(gateway.received) == 1
    row.refresh_from_db()
    assert row.state == SmsMessage.State.SENT and row.error == ""


@pytest.mark.django_db
def test_provider_answering_too_late_is_a_timeout_retried_later(settings):
    with SmsGateway() as gateway:
        settings.SMS_BACKEND = HTTP
        settings.SMS_OPTIONS = gateway.options(timeout=0.3)
        gateway.delay = 1.0
        queue_sms(MOBILE, "您反映的问题已答复。", key="test.slow")
        assert sms.deliver_pending_sms() == {"sent": 0, "failed": 1}
        row = SmsMessage.objects.get()
        assert row.state == SmsMessage.State.PENDING and "did not answer within 0.3 s" in row.error
        gateway.delay = 0
        assert sms.deliver_pending_sms(now=_later(5))["sent"] == 1
    row.refresh_from_db()
    assert row.state == SmsMessage.State.SENT


@pytest.mark.django_db
def test_provider_saying_no_in_its_answer_is_a_failure(settings):
    with SmsGateway() as gateway:
        settings.SMS_BACKEND = HTTP
        settings.SMS_OPTIONS = gateway.options()
        gateway.answer = {"ok": False, "code": "SIGN_NAME_INVALID"}
        queue_sms(MOBILE, "x", key="test.refused")
        assert sms.deliver_pending_sms()["failed"] == 1
    assert SmsMessage.objects.get().error == "the provider refused the message (SIGN_NAME_INVALID)"


@pytest.mark.django_db
def test_unreachable_provider_gives_up_after_the_last_attempt_and_keeps_the_row(settings):
    with SmsGateway() as gateway:
        url = gateway.url
    settings.SMS_BACKEND = HTTP
    settings.SMS_OPTIONS = {"url": url, "timeout": 2}  # the server is gone: connection refused
    queue_sms(MOBILE, "x", key="test.gone")
    for attempt in range(sms.SMS_MAX_ATTEMPTS):
        sms.deliver_pending_sms(now=_later(61 * (attempt + 1)))
    row = SmsMessage.objects.get()
    assert row.state == SmsMessage.State.FAILED and row.attempts == sms.SMS_MAX_ATTEMPTS
    assert row.error.startswith("cannot reach the provider")
    # Given up rows are kept for the retention period, not dropped silently.
    assert sms.forget_old_sms()["sms_removed"] == 0


@pytest.mark.django_db
def test_misconfigured_url_is_a_clear_error_not_a_crash(settings):
    settings.SMS_BACKEND = HTTP
    settings.SMS_OPTIONS = {"url": "file:///etc/passwd"}
    queue_sms(MOBILE, "x", key="test.badurl")
    assert sms.deliver_pending_sms()["failed"] == 1
    assert SmsMessage.objects.get().error == "SMS_OPTIONS['url'] is not an http(s) address"


@pytest.mark.django_db
def test_old_messages_are_forgotten_but_waiting_ones_are_kept(settings):
    old = timezone.now() - datetime.timedelta(days=settings.NOTIFICATION_RETENTION_DAYS + 1)
    SmsMessage.objects.create(key="old.sent", text="x", state=SmsMessage.State.SENT, created_at=old)
    SmsMessage.objects.create(key="old.waiting", mobile=MOBILE, text="x", created_at=old)
    assert sms.forget_old_sms() == {"sms_removed": 1}
    assert list(SmsMessage.objects.values_list("key", flat=True)) == ["old.waiting"]
