"""E-mail notifications: sent after commit by the real background worker, retried, never dropped."""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.conftest import ensure_reference_data
from dangjian.feedback import actions
from dangjian.notifications import mail
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f
from dangjian.tests_support.mailserver import MailServer, free_port


def new_case(place, title="村口路灯坏了"):
    case, _password, _created = actions.submit_case(
        place_id=place.pk, category="help", title=title, description="路灯坏了三个月。", client_token=uuid.uuid4()
    )
    return case


ROOT = Path(django_settings.BASE_DIR)


@pytest.fixture
def a1_admin(county):
    return f.staff("a1_admin", Role.ORG_ADMIN, county.village_a1, email="a1admin@example.org")


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
    # The text is rendered from the kind in the site's language, and names the case.
    assert f"新工单 {case.number}" in server.messages[0]["subject"]
    assert "村口路灯坏了" in server.messages[0]["body"] and "登录" in server.messages[0]["body"]
    notice.refresh_from_db()
    assert notice.mail_state == Notification.Mail.SENT


@pytest.mark.django_db
def test_failing_mail_server_loses_nothing_and_is_retried(county, settings, a1_admin, client):
    settings.MAILERS = _unreachable_mail_server()
    new_case(county.village_a1)
    notice = Notification.objects.get(user=a1_admin)
    counts = mail.deliver_pending_mail()
    assert counts == {"sent": 0, "failed": 1}
    notice.refresh_from_db()
    assert notice.mail_state == Notification.Mail.PENDING and notice.mail_attempts == 1
    assert "Connection" in notice.mail_error or "refused" in notice.mail_error.lower()
    assert mail.deliver_pending_mail()["failed"] == 0  # not before the back-off has passed
    with MailServer() as server:
        settings.MAILERS = server.mailers()
        later = timezone.now() + datetime.timedelta(minutes=5)
        assert mail.deliver_pending_mail(now=later)["sent"] == 1
    notice.refresh_from_db()
    assert notice.mail_state == Notification.Mail.SENT and len(server.messages) == 1


@pytest.mark.django_db
def test_mail_given_up_is_visible_and_can_be_sent_again(county, settings, a1_admin, client):
    settings.MAILERS = _unreachable_mail_server()
    new_case(county.village_a1)
    now = timezone.now()
    for attempt in range(mail.MAIL_MAX_ATTEMPTS):
        mail.deliver_pending_mail(now=now + datetime.timedelta(hours=attempt + 1))
    notice = Notification.objects.get(user=a1_admin)
    assert notice.mail_state == Notification.Mail.FAILED
    client.force_login(a1_admin)
    page = client.get("/console/notifications/").content.decode()
    assert "发送失败" in page and "重新发送" in page
    client.post("/console/notifications/", {"retry": notice.pk})
    notice.refresh_from_db()
    assert notice.mail_state == Notification.Mail.PENDING and notice.mail_attempts == 0


@pytest.mark.django_db
def test_someone_elses_failed_mail_cannot_be_sent_again(county, settings, a1_admin, client):
    settings.MAILERS = _unreachable_mail_server()
    new_case(county.village_a1)
    now = timezone.now()
    for attempt in range(mail.MAIL_MAX_ATTEMPTS):
        mail.deliver_pending_mail(now=now + datetime.timedelta(hours=attempt + 1))
    notice = Notification.objects.get(user=a1_admin)
    client.force_login(county.village_a1_secretary)
    client.post("/console/notifications/", {"retry": notice.pk})
    client.post("/console/notifications/", {"retry": "x"})  # a bad value is refused, not a server error
    notice.refresh_from_db()
    assert notice.mail_state == Notification.Mail.FAILED
