"""Issue 11 item 4: a citizen who left a mobile number and asked for it is told by SMS, once, that the answer
is ready: the case number and the tracking link, never the reply nor the query password. A whistleblower never
gets an SMS."""

import datetime
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dangjian.core.history import ActionError
from dangjian.feedback import actions
from dangjian.feedback.models import Case, FeedbackSettings, Rating, State
from dangjian.notifications import sms
from dangjian.notifications.models import SmsMessage
from dangjian.tests_support.smsserver import SmsGateway

from .conftest import new_case

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"
REPLY = "已更换路灯灯泡，张三丰反映的问题已解决。"


def _sms_files(settings) -> list[str]:
    directory = Path(settings.SMS_OPTIONS["directory"])
    return [p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.txt"))] if directory.exists() else []


def _form(county, **overrides):
    data = {
        "client_token": str(uuid.uuid4()),
        "category": "help",
        "place": county.village_a1.pk,
        "title": "村口路灯坏了",
        "description": "路灯坏了三个月，晚上老人出门看不见。",
        "contact_phone": MOBILE,
    }
    data.update(overrides)
    return data


def _to_in_progress(county, case) -> None:
    actions.accept_case(county.town_a_admin, case.pk)
    actions.dispatch_case(county.town_a_admin, case.pk, county.village_a1.pk)
    actions.start_case(county.village_a1_secretary, case.pk)


def _answer(county, case, reply=REPLY) -> None:
    _to_in_progress(county, case)
    actions.answer_case(county.village_a1_secretary, case.pk, reply)


# --- The form ---------------------------------------------------------------------------------------


def test_sms_choice_is_offered_unticked_and_says_it_needs_a_mobile(client, county):
    page = client.get(reverse("feedback:submit", args=[county.village_a1.pk])).content.decode()
    assert "答复后短信通知我" in page and "需要在上面填写手机号码" in page
    assert 'name="sms_consent"' in page and "checked" not in page.split('name="sms_consent"')[1].split(">")[0]


def test_no_sms_choice_where_sms_is_not_configured(client, county, settings):
    settings.SMS_BACKEND = ""
    page = client.get(reverse("feedback:submit", args=[county.village_a1.pk])).content.decode()
    assert "答复后短信通知我" not in page
    # A forged field is ignored: nothing promises a message that cannot be sent.
    client.post(reverse("feedback:submit", args=[county.village_a1.pk]), _form(county, sms_consent="on"))
    assert Case.objects.get().sms_consent is False


def test_citizen_who_ticks_it_with_a_mobile_is_recorded(client, county):
    response = client.post(reverse("feedback:submit", args=[county.village_a1.pk]), _form(county, sms_consent="on"))
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.sms_consent and case.contact_phone == MOBILE


def test_a_mobile_typed_with_full_width_digits_is_kept_as_plain_digits_and_told(client, county):
    """A Chinese input method types １３８１２３４５６７８; the form reads it as the same mobile."""
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in MOBILE)
    response = client.post(
        reverse("feedback:submit", args=[county.village_a1.pk]),
        _form(county, sms_consent="on", contact_phone=full_width),
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.sms_consent and case.contact_phone == MOBILE


def test_unticked_means_no_sms(client, county):
    client.post(reverse("feedback:submit", args=[county.village_a1.pk]), _form(county))
    assert Case.objects.get().sms_consent is False


@pytest.mark.parametrize("phone", ["", "0371-12345678"], ids=["no-phone", "landline"])
def test_ticked_without_a_mobile_gets_a_clear_message_and_nothing_is_saved(client, county, phone):
    response = client.post(
        reverse("feedback:submit", args=[county.village_a1.pk]), _form(county, contact_phone=phone, sms_consent="on")
    )
    assert response.status_code == 400
    assert "要收到短信通知，请在上面填写11位手机号码" in response.content.decode()
    assert not Case.objects.exists()


def test_the_action_refuses_consent_without_a_mobile_whoever_calls(county):
    with pytest.raises(ActionError, match="11位手机号码"):
        new_case(county.village_a1, contact_phone="0371-12345678", sms_consent=True)
    assert not Case.objects.exists()


# --- The message ------------------------------------------------------------------------------------


def test_answer_sends_one_sms_with_the_number_and_link_after_commit(
    county, settings, django_capture_on_commit_callbacks
):
    case = new_case(county.village_a1, contact_phone=MOBILE, sms_consent=True)
    _to_in_progress(county, case)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.answer_case(county.village_a1_secretary, case.pk, REPLY)
    assert callbacks  # the worker's task is enqueued only after the commit
    assert _sms_files(settings) == []
    sms.deliver_pending_sms()
    (text,) = _sms_files(settings)
    link = f"https://dj.example.gov.cn/feedback/track/{case.number}/?org={county.village_a1.pk}"
    assert text.startswith(f"To: {MOBILE}\n")
    assert case.number in text and link in text
    assert "路灯灯泡" not in text and "张三丰" not in text  # never the answer
    assert case.query_password not in text  # never the query password


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_it_from_the_queue_after_commit(county, settings):
    case = new_case(county.village_a1, contact_phone=MOBILE, sms_consent=True)
    _to_in_progress(county, case)
    actions.answer_case(county.village_a1_secretary, case.pk, REPLY)  # commits, and enqueues the task
    assert _sms_files(settings) == []
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(_sms_files(settings)) == 1
    assert SmsMessage.objects.get().state == SmsMessage.State.SENT


def test_without_consent_no_sms(county, settings):
    case = new_case(county.village_a1, contact_phone=MOBILE)
    _answer(county, case)
    sms.deliver_pending_sms()
    assert _sms_files(settings) == [] and not SmsMessage.objects.exists()


def test_exactly_once_even_when_answered_again_and_the_task_runs_again(county, settings):
    case = new_case(county.village_a1, contact_phone=MOBILE, sms_consent=True)
    _answer(county, case)
    sms.deliver_pending_sms()
    actions.rate_case(case.pk, Rating.UNSATISFIED, "没修好")  # redone (重办) and answered again
    actions.answer_case(county.village_a1_secretary, case.pk, "第二次答复：已经换了新灯。")
    for minutes in (0, 90, 600):
        sms.deliver_pending_sms(now=timezone.now() + datetime.timedelta(minutes=minutes))
    assert len(_sms_files(settings)) == 1
    assert SmsMessage.objects.count() == 1


def test_reply_waiting_for_approval_sends_nothing_until_published(county, settings, a1_admin):
    FeedbackSettings.objects.create(organization=county.village_a1, answers_need_approval=True)
    case = new_case(county.village_a1, contact_phone=MOBILE, sms_consent=True)
    actions.accept_case(a1_admin, case.pk)
    actions.dispatch_case(a1_admin, case.pk, county.village_a1.pk)
    actions.answer_case(a1_admin, case.pk, REPLY)
    assert Case.objects.get(pk=case.pk).state == State.PENDING_APPROVAL
    sms.deliver_pending_sms()
    assert _sms_files(settings) == []
    actions.approve_reply(county.village_a1_secretary, case.pk)
    sms.deliver_pending_sms()
    assert len(_sms_files(settings)) == 1


def test_citizen_of_a_merged_case_is_told_with_their_own_number(county, settings):
    main = new_case(county.village_a1, contact_phone="13900001111")
    other = new_case(county.village_a1, title="路灯不亮", contact_phone=MOBILE, sms_consent=True)
    actions.merge_case(county.village_a1_secretary, other.pk, main.pk)
    _answer(county, main)
    sms.deliver_pending_sms()
    (text,) = _sms_files(settings)
    assert text.startswith(f"To: {MOBILE}\n") and other.number in text and main.number not in text


def test_provider_down_neither_breaks_the_staff_answer_nor_loses_the_message(client, county, settings):
    case = new_case(county.village_a1, contact_phone=MOBILE, sms_consent=True)
    _to_in_progress(county, case)
    with SmsGateway() as gateway:
        settings.SMS_BACKEND = "dangjian.notifications.sms.HttpBackend"
        settings.SMS_OPTIONS = gateway.options(timeout=0.3)
        gateway.status = 500
        client.force_login(county.village_a1_secretary)
        version = Case.objects.get(pk=case.pk).version
        response = client.post(
            reverse("console:feedback_step", args=[case.pk, "answer"]), {"reply": REPLY, "version": version}
        )
        assert response.status_code == 302
        assert Case.objects.get(pk=case.pk).state == State.ANSWERED
        assert sms.deliver_pending_sms()["failed"] == 1
        row = SmsMessage.objects.get()
        assert row.state == SmsMessage.State.PENDING and MOBILE not in row.error
        gateway.status = 200
        sms.deliver_pending_sms(now=timezone.now() + datetime.timedelta(minutes=5))
    (received,) = gateway.received
    assert received["json"]["mobile"] == MOBILE and case.number in received["json"]["content"]


def test_contact_phone_and_consent_are_forgotten_with_the_retention_rule(county, settings):
    from dangjian.feedback import clock

    case = new_case(county.village_a1, contact_phone=MOBILE, sms_consent=True)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - datetime.timedelta(days=400))
    clock.forget_personal_data()
    case.refresh_from_db()
    assert case.contact_phone == "" and case.sms_consent is False


def test_a_whistleblowers_report_never_sends_an_sms(county, settings):
    from dangjian.supervision.tests.conftest import Officers, file_report

    officers = Officers(county)
    report, _receipt = file_report(county, real_name=True, reporter_name="张三", reporter_phone=MOBILE)
    from dangjian.supervision import actions as supervision

    opened = supervision.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    supervision.accept_report(officers.a_officer, opened, text="受理")
    sms.deliver_pending_sms()
    assert not SmsMessage.objects.exists() and _sms_files(settings) == []
    # And no supervision code can: none of it reaches the SMS sender.
    package = Path(__file__).resolve().parents[2] / "supervision"
    sources = [p for p in package.rglob("*.py") if "tests" not in p.parts]
    assert sources and not [p.name for p in sources if "sms" in p.read_text(encoding="utf-8").lower()]


# --- Issue 11 (first week): the text is signed, short, and names both ways to look up --------------------


def test_the_answer_sms_is_signed_short_and_names_both_ways_to_look_up(county, settings):
    case = new_case(county.village_a1, contact_phone=MOBILE, sms_consent=True)
    _answer(county, case)
    sms.deliver_pending_sms()
    (text,) = _sms_files(settings)
    body = text.split("\n\n", 1)[1].strip()
    link = f"https://dj.example.gov.cn/feedback/track/{case.number}/?org={county.village_a1.pk}"
    assert body.startswith("【测试县】")  # the top organization's short name by default
    assert "编号+查询密码" in body and "手机号+验证码" in body and case.number in body and link in body
    # One 70-character SMS cannot hold the case's own link (about 60 characters); the words around it are kept
    # to 50, so with this address the message is at most two segments (67 each).
    assert len(body.replace(link, "")) <= 50 and len(body) <= 2 * 67, (len(body), body)


def test_the_signature_setting_is_used_once_and_the_code_sms_fits_one_message(client, county, settings):
    settings.SMS_SIGNATURE = "清源县"
    assert actions.answer_sms_text("261201991955", county.village_a1.pk).startswith("【清源县】您反映的问题")
    settings.SMS_BACKEND = "dangjian.notifications.sms.HttpBackend"
    with SmsGateway() as gateway:
        settings.SMS_OPTIONS = gateway.options(sign_name="清源县")
        new_case(county.village_a1, contact_phone=MOBILE)
        client.post("/feedback/lookup/mobile/", {"step": "send", "mobile": MOBILE})
        sms.deliver_pending_sms()
        (content,) = [message["json"]["content"] for message in gateway.received]
    assert content.startswith("【清源县】验证码") and content.count("【") == 1 and len(content) <= 70
