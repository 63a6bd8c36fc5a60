"""notify(): rows in the caller's transaction, delivery per channel after the commit, text from the kind."""

import datetime
import uuid

import pytest
from django.conf import settings as django_settings
from django.core import checks
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dangjian.accounts.models import Role
from dangjian.accounts.permissions import HANDLE_FEEDBACK
from dangjian.feedback import actions
from dangjian.notifications import kinds, mail, retention
from dangjian.notifications.api import notify, staff_holding
from dangjian.notifications.kinds import CONSOLE, MAIL, Kind
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f
from dangjian.tests_support.mailserver import MailServer

kinds.register(Kind("tests.mailed", "Hello %(name)s", channels=(CONSOLE, MAIL)))
kinds.register(Kind("tests.console_only", "Quiet %(name)s", channels=(CONSOLE,)))


def _case(place):
    case, _password, _created = actions.submit_case(
        place_id=place.pk, category="help", title="村口路灯坏了", description="路灯坏了。", client_token=uuid.uuid4()
    )
    return case


@pytest.mark.django_db(transaction=True)
def test_notify_in_a_rolled_back_transaction_leaves_no_row_and_sends_no_mail(settings):
    person = f.UserFactory(username="reader", email="reader@example.org")
    with MailServer() as server:
        settings.MAILERS = server.mailers()
        with pytest.raises(RuntimeError), transaction.atomic():
            notify([person], "tests.mailed", name="A")
            assert Notification.objects.count() == 1  # written in the caller's transaction
            raise RuntimeError("the action fails after notifying")
        assert Notification.objects.count() == 0
        assert DBTaskResult.objects.count() == 0  # no delivery was scheduled
        assert mail.deliver_pending_mail()["sent"] == 0
        with transaction.atomic():
            notify([person], "tests.mailed", name="B")
            assert DBTaskResult.objects.count() == 0  # not before the commit
        assert DBTaskResult.objects.filter(task_path="dangjian.notifications.tasks.deliver_mail").count() == 1
        assert mail.deliver_pending_mail()["sent"] == 1
    assert [m["subject"] for m in server.messages] == [f"[{django_settings.SITE_NAME}] Hello B"]


@pytest.mark.django_db
def test_recipients_are_notified_once_each(county):
    person = county.village_a1_secretary
    rows = notify([person, person.pk, person, county.town_a_admin.pk, None], "tests.console_only", name="A")
    assert len(rows) == 2
    assert person.notifications.count() == 1 and county.town_a_admin.notifications.count() == 1


@pytest.mark.django_db
def test_a_console_only_kind_never_queues_mail(settings, django_capture_on_commit_callbacks):
    person = f.UserFactory(username="reader", email="reader@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify([person], "tests.console_only", name="A")
    assert callbacks == []
    notice = person.notifications.get()
    assert notice.mail_state == Notification.Mail.NONE
    with MailServer() as server:
        settings.MAILERS = server.mailers()
        assert mail.deliver_pending_mail(now=timezone.now() + datetime.timedelta(hours=1))["sent"] == 0
    assert server.messages == []


@pytest.mark.django_db
def test_staff_holding_walks_up_to_the_nearest_organization_with_holders(county):
    assert staff_holding(HANDLE_FEEDBACK, county.village_a2) == [county.town_a_admin]  # the village has no one
    assert staff_holding(HANDLE_FEEDBACK, county.village_a1) == [county.village_a1_secretary]


@pytest.mark.django_db
def test_an_unknown_kind_is_refused(county):
    with pytest.raises(ValueError, match="tests.nothing"):
        notify([county.nobody], "tests.nothing")
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_console_page_shows_the_text_in_the_readers_language_with_a_link(client, county):
    case = _case(county.village_a1)
    reader = f.staff("a1_deputy", Role.SECRETARY, county.village_b1)
    notify([reader], "feedback.extension_decided", case, number=case.number, decision="approved")
    client.force_login(reader)
    page = client.get("/console/notifications/").content.decode()
    assert f'<a href="/console/feedback/{case.pk}/">工单 {case.number} 的延期申请：已批准</a>' in page
    english = client.get("/console/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Extension for case {case.number}: Approved" in english


@pytest.mark.django_db
def test_a_migrated_row_still_shows_its_text_and_its_case(client, county):
    case = _case(county.village_a1)
    reader = county.town_b_discipline
    Notification.objects.create(
        user=reader,
        kind=kinds.TEXT,
        params={"text": "工单 2026 已逾期（旧通知）"},
        target_type_id=Notification._meta.get_field("target_type").related_model.objects.get_for_model(case).pk,
        target_id=case.pk,
    )
    Notification.objects.create(user=reader, kind="supervision", params={"text": "旧的监督通知"})
    client.force_login(reader)
    page = client.get("/console/notifications/").content.decode()
    assert f'<a href="/console/feedback/{case.pk}/">工单 2026 已逾期（旧通知）</a>' in page
    assert "旧的监督通知" in page


@pytest.mark.django_db
def test_a_row_whose_params_do_not_fit_its_kind_is_shown_without_error(client, county):
    reader = county.nobody
    Notification.objects.create(user=reader, kind="feedback.returned", params={"number": "1"})
    client.force_login(reader)
    response = client.get("/console/notifications/")
    assert response.status_code == 200 and "feedback.returned" in response.content.decode()


@pytest.mark.django_db
def test_old_notifications_are_forgotten_by_their_own_periodic_task(county):
    reader = county.village_a1_secretary
    old = timezone.now() - datetime.timedelta(days=django_settings.NOTIFICATION_RETENTION_DAYS + 1)
    Notification.objects.create(user=reader, kind=kinds.TEXT, params={"text": "old"}, created_at=old)
    Notification.objects.create(
        user=reader, kind=kinds.TEXT, params={"text": "old, mail waiting"}, created_at=old, mail_state="pending"
    )
    Notification.objects.create(user=reader, kind=kinds.TEXT, params={"text": "recent"})
    assert retention.forget_old() == {"notifications_removed": 1}
    assert sorted(n.text for n in reader.notifications.all()) == ["old, mail waiting", "recent"]
    assert "dangjian.notifications.tasks.forget_old_notifications" in django_settings.PERIODIC_TASKS
    assert "dangjian.notifications.tasks.deliver_mail" in django_settings.PERIODIC_TASKS


@pytest.mark.django_db  # the model checks ask the database whether it supports JSON fields
def test_a_kind_using_an_unknown_channel_fails_the_system_check():
    kinds.register(Kind("tests.robot", "Robot", channels=(CONSOLE, "robot")))
    try:
        errors = [e for e in checks.run_checks() if e.id == "notifications.E001"]
    finally:
        kinds._KINDS.pop("tests.robot")
    assert [e.msg for e in errors] == ["Notification kind 'tests.robot' uses the unknown channel 'robot'."]


@pytest.mark.django_db
def test_a_deleted_target_takes_its_notifications_along(county):
    case = _case(county.village_a1)
    other = _case(county.village_a1)
    assert Notification.objects.filter(target_id=case.pk).count() == 1
    case.delete()
    assert not Notification.objects.filter(target_id=case.pk).exists()
    assert Notification.objects.filter(target_id=other.pk).count() == 1
