"""Notifications in the console and by e-mail, sent after commit by the real background worker."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.conftest import ensure_reference_data
from dangjian.feedback import actions, notifications
from dangjian.feedback.models import Notification
from dangjian.tests_support import factories as f
from dangjian.tests_support.mailserver import MailServer, free_port

from .conftest import new_case

ROOT = Path(django_settings.BASE_DIR)


def _worker_env(mail_port: int) -> dict:
    env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(mail_port)}
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["SQLITE_PATH"] = db["NAME"]
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


def _unreachable_mail_server() -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }


@pytest.mark.django_db(transaction=True)
def test_new_case_mail_is_sent_by_the_worker_process_after_commit():
    ensure_reference_data()
    village = f.OrganizationFactory(name="王庄村党支部", short_name="王庄村")
    f.staff("secretary", Role.SECRETARY, village, email="sec@example.org")
    with MailServer() as server:
        case = new_case(village, title="村口路灯坏了")
        notice = Notification.objects.get()
        assert notice.mail_state == Notification.Mail.PENDING and not server.messages
        result = subprocess.run(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
            cwd=ROOT,
            env=_worker_env(server.port),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    assert len(server.messages) == 1
    assert server.messages[0]["to"] == ["sec@example.org"]
    assert case.number in server.messages[0]["subject"] + server.messages[0]["body"]
    notice.refresh_from_db()
    assert notice.mail_state == Notification.Mail.SENT


@pytest.mark.django_db
def test_failing_mail_server_loses_nothing_and_is_retried(county, settings, a1_admin, client):
    settings.MAILERS = _unreachable_mail_server()
    new_case(county.village_a1)
    notice = Notification.objects.get(user=a1_admin)
    counts = notifications.deliver_pending_mail()
    assert counts == {"sent": 0, "failed": 1}
    notice.refresh_from_db()
    assert notice.mail_state == Notification.Mail.PENDING and notice.mail_attempts == 1
    assert "Connection" in notice.mail_error or "refused" in notice.mail_error.lower()
    assert notifications.deliver_pending_mail()["failed"] == 0  # not before the back-off has passed
    with MailServer() as server:
        settings.MAILERS = server.mailers()
        later = timezone.now() + datetime.timedelta(minutes=5)
        assert notifications.deliver_pending_mail(now=later)["sent"] == 1
    notice.refresh_from_db()
    assert notice.mail_state == Notification.Mail.SENT and len(server.messages) == 1


@pytest.mark.django_db
def test_mail_given_up_is_visible_and_can_be_sent_again(county, settings, a1_admin, client):
    settings.MAILERS = _unreachable_mail_server()
    new_case(county.village_a1)
    now = timezone.now()
    for attempt in range(notifications.MAIL_MAX_ATTEMPTS):
        notifications.deliver_pending_mail(now=now + datetime.timedelta(hours=attempt + 1))
    notice = Notification.objects.get(user=a1_admin)
    assert notice.mail_state == Notification.Mail.FAILED
    client.force_login(a1_admin)
    page = client.get("/console/notifications/").content.decode()
    assert "发送失败" in page and "重新发送" in page
    client.post("/console/notifications/", {"retry": notice.pk})
    notice.refresh_from_db()
    assert notice.mail_state == Notification.Mail.PENDING and notice.mail_attempts == 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["new", "dispatched", "returned", "rated"])
def test_staff_concerned_are_notified_in_the_console(county, kind):
    case = new_case(county.village_a1)
    actions.accept_case(county.town_a_admin, case.pk)
    actions.dispatch_case(county.town_a_admin, case.pk, county.village_a1)
    actions.return_case(county.village_a1_secretary, case.pk, "不归我们管")
    actions.dispatch_case(county.town_a_admin, case.pk, county.village_a1)
    actions.start_case(county.village_a1_secretary, case.pk)
    actions.answer_case(county.village_a1_secretary, case.pk, "已办")
    actions.rate_case(case.pk, "satisfied")
    receiver = {
        "new": county.village_a1_secretary,
        "dispatched": county.village_a1_secretary,
        "returned": county.town_a_admin,
        "rated": county.village_a1_secretary,
    }[kind]
    assert receiver.notifications.filter(case=case, kind=kind).exists()


@pytest.mark.django_db
def test_console_shows_how_many_notifications_are_unread(client, county):
    new_case(county.village_a1)
    client.force_login(county.village_a1_secretary)
    page = client.get("/console/notifications/").content.decode()
    assert 'data-testid="badge-notifications">1<span class="visually-hidden"> 未读</span>' in page
    client.post("/console/notifications/")
    assert 'data-testid="badge-notifications"' not in client.get("/console/notifications/").content.decode()
