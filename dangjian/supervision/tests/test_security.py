"""The security properties of issue 4, each a test."""

import datetime
import io
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from dangjian.core.history import ActionError
from dangjian.supervision import actions, crypto, keys
from dangjian.supervision import audit as audit_trail
from dangjian.supervision.models import AuditEntry, Installation, Report, State
from dangjian.tests_support.factories import PASSWORD

from .conftest import file_report

pytestmark = pytest.mark.django_db

SECRETS = ["王大海", "两千元", "刘明", "13812345678", "请补充送钱的具体时间", "十月八日上午", "EVIDENCE-BYTES-7731"]


def _database_dump() -> bytes:
    """Every value of every table, as a thief with a copy of the database would see it."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode())
    return b"\n".join(chunks)


def _files_dump() -> bytes:
    root = Path(settings.MEDIA_ROOT)
    return b"\n".join(p.read_bytes() for p in root.rglob("*") if p.is_file()) if root.exists() else b""


def _evidence(prepared_text=b"EVIDENCE-BYTES-7731"):
    pdf = SimpleUploadedFile("账本.pdf", b"%PDF-1.4\n" + prepared_text + b"\n%%EOF", content_type="application/pdf")
    return [actions.prepare_evidence(pdf)]


def test_1_a_copy_of_database_and_files_holds_no_content_in_the_clear(county, officers):
    report, receipt = file_report(
        county, real_name=True, reporter_name="刘明", reporter_phone="13812345678", evidence=_evidence()
    )
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    actions.officer_message(officers.a_officer, opened, "请补充送钱的具体时间。")
    actions.reporter_message(receipt, "十月八日上午")
    actions.transition(officers.a_officer, opened, "accept", text="已受理，王大海一案")
    dump = _database_dump() + _files_dump()
    assert len(dump) > 1000
    for secret in SECRETS:
        assert secret.encode() not in dump, secret
    assert receipt.encode() not in dump
    # ... and the officer, with the key, still reads all of it.
    content, meta = actions.evidence_content(opened, officers.a_officer, report.evidence.get().pk)
    assert b"EVIDENCE-BYTES-7731" in content and meta["name"] == "材料1.pdf" and meta["stripped"] is False


def test_1_session_rows_hold_no_usable_key(client, county, officers):
    client.post("/accounts/login/", {"username": "a_officer", "password": PASSWORD})
    assert keys.COOKIE_NAME in client.cookies
    private = officers.private(officers.a_officer)
    assert private not in _database_dump()
    import base64

    assert base64.urlsafe_b64encode(private) not in _database_dump()


@pytest.mark.parametrize("who", ["village_a1_secretary", "town_a_admin", "town_a_media", "county_admin"])
def test_2_staff_who_are_not_officers_get_403_or_404(client, county, officers, who):
    report, _receipt = file_report(county)
    client.force_login(getattr(county, who))
    response = client.get(f"/console/supervision/{report.pk}/")
    assert response.status_code in (403, 404)
    assert "王大海" not in response.content.decode()


def test_2_officer_of_another_township_gets_404(county, officers):
    from django.http import Http404

    report, _receipt = file_report(county)
    with pytest.raises(Http404):
        actions.open_as_officer(officers.b_officer, officers.private(officers.b_officer), report.pk)


def test_3_password_change_keeps_access(client, county, officers):
    report, _receipt = file_report(county)
    client.post("/accounts/login/", {"username": "a_officer", "password": PASSWORD})
    new_password = "a much longer new passphrase 2026"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    private = keys.ensure_user_keypair(officers.a_officer, new_password)
    assert private == officers.private(officers.a_officer)
    actions.open_as_officer(officers.a_officer, private, report.pk)


def test_3_a_new_officer_granted_by_a_colleague_reads_existing_reports(county, officers):
    from dangjian.accounts.models import Role
    from dangjian.tests_support import factories as f

    report, _receipt = file_report(county)
    newcomer = f.staff("a_new", Role.DISCIPLINE, county.town_a)
    private = keys.ensure_user_keypair(newcomer, PASSWORD)
    with pytest.raises(Exception):  # noqa: B017 - Http404 before access is granted
        actions.open_as_officer(newcomer, private, report.pk)
    keys.grant_access(
        officers.a_officer, officers.private(officers.a_officer), keys.current_unit_key(county.town_a), newcomer
    )
    assert actions.open_as_officer(newcomer, private, report.pk).payload["person"] == "王大海"


def test_3_every_officer_losing_the_password_is_recovered_with_the_recovery_key(county, officers):
    from django.http import Http404

    report, _receipt = file_report(county)
    # An administrator resets both officers' passwords: their old keys cannot be opened any more.
    for officer in [officers.a_officer, officers.a_officer2]:
        officer.set_password("reset by admin 2026 xx")
        officer.save()
    fresh = keys.ensure_user_keypair(officers.a_officer, "reset by admin 2026 xx")
    assert fresh != officers.private(officers.a_officer)
    with pytest.raises(Http404):
        actions.open_as_officer(officers.a_officer, fresh, report.pk)
    with pytest.raises(ActionError):
        keys.recover_access(officers.a_officer, keys.current_unit_key(county.town_a), "WRONG-KEY")
    keys.recover_access(officers.a_officer, keys.current_unit_key(county.town_a), officers.recovery_a.lower())
    assert actions.open_as_officer(officers.a_officer, fresh, report.pk).payload["what"].startswith("王大海")


def test_4_no_ip_user_agent_or_time_of_an_anonymous_reporter_is_kept(client, county, officers, caplog):
    caplog.set_level(logging.DEBUG)
    data = {
        "real_name": "0",
        "discipline": "integrity",
        "subcategory": "吃拿卡要",
        "person": "王大海",
        "post": "村主任",
        "organization": county.village_a1.pk,
        "what": "办事要好处费。",
        "false_accusation": "on",
    }
    response = client.post(
        f"/o/{county.village_a1.pk}/supervision/new/",
        data,
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="SecretBrowser/9.9",
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )
    assert response.status_code == 200 and Report.objects.count() == 1
    assert not response.cookies  # no session, no CSRF cookie
    # A wrong receipt from the same address: counted in the cache under a keyed hash of the address only.
    client.post("/supervision/follow/", {"receipt": "0" * 16}, REMOTE_ADDR="203.0.113.77")
    from dangjian.core.throttle import client_key

    class Request:
        META = {"REMOTE_ADDR": "203.0.113.77"}

    keyed = client_key(Request()).encode()
    dump = _database_dump()
    for trace in [b"203.0.113.77", b"198.51.100.23", b"SecretBrowser", keyed]:
        assert trace not in dump
    for record in caplog.records:
        text = record.getMessage()
        assert "203.0.113.77" not in text and "SecretBrowser" not in text and keyed.decode() not in text
    # Only days are stored for a report and what the reporter sends, never a time of day.
    from dangjian.supervision import models as m

    for model in [m.Report, m.ReportEvent, m.Message, m.Evidence]:
        assert not [f.name for f in model._meta.concrete_fields if f.get_internal_type() == "DateTimeField"], model


def test_4_the_access_log_never_holds_addresses_or_supervision_requests():
    from gunicorn.config import Config

    from dangjian.gunicorn_logging import PrivateAccessLogger

    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(a)s"')
    logger = PrivateAccessLogger(config)
    logger.access_log.handlers = [Collect()]

    class Resp:
        status = "200 OK"
        sent = 10
        headers = []

    class Req:
        headers = [("USER-AGENT", "SecretBrowser")]

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/o/3/supervision/new/",
        "QUERY_STRING": "",
        "REMOTE_ADDR": "203.0.113.77",
        "HTTP_USER_AGENT": "SecretBrowser",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "RAW_URI": "/o/3/supervision/new/",
    }
    logger.access(Resp(), Req(), environ, datetime.timedelta(seconds=0.01))
    environ = {**environ, "PATH_INFO": "/o/3/", "RAW_URI": "/o/3/", "REQUEST_METHOD": "GET"}
    logger.access(Resp(), Req(), environ, datetime.timedelta(seconds=0.01))
    assert len(lines) == 1 and "/o/3/" in lines[0]
    assert "203.0.113.77" not in lines[0] and "SecretBrowser" not in lines[0]


def test_5_receipts_are_stored_only_as_argon2id_hashes(county, officers):
    report, receipt = file_report(county)
    salt = bytes(Installation.objects.get().receipt_salt)
    assert report.receipt_hash == crypto.receipt_lookup(receipt, salt)
    assert receipt not in report.receipt_hash
    assert settings.SUPERVISION_ARGON2 == (1, 8192)  # tests; production defaults below
    from dangjian import settings as production

    assert production.SUPERVISION_ARGON2[0] >= 3 and production.SUPERVISION_ARGON2[1] >= 64 * 1024 * 1024


def test_5_ten_wrong_receipts_do_not_lock_out_the_real_reporter(client, county, officers):
    report, receipt = file_report(county)
    for attempt in range(10):
        page = client.post("/supervision/follow/", {"receipt": f"{attempt:016d}"})
        assert page.status_code == 400 and "回执码" in page.content.decode()
    page = client.post("/supervision/follow/", {"receipt": actions.format_receipt(receipt)})
    assert page.status_code == 200 and "已收到" in page.content.decode()


def test_5_guessing_is_limited_for_the_guessing_client(client, county, officers, settings):
    settings.SUPERVISION_RECEIPT_FAILURES_PER_CLIENT = 20
    _report, receipt = file_report(county)
    for attempt in range(20):
        client.post("/supervision/follow/", {"receipt": f"{attempt:016d}"})
    page = client.post("/supervision/follow/", {"receipt": receipt})
    assert page.status_code == 429 and "稍后" in page.content.decode()


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "abcd",
        "1234",
        "12345678901234567",
        "1234-5678-9012-345X",
        "' OR 1=1 --",
        "１２３４５６７８９０１２３４５６",
        "<script>alert(1)</script>",
    ],
)
def test_5_forged_receipt_formats_get_a_clear_message(client, county, officers, forged):
    page = client.post("/supervision/follow/", {"receipt": forged})
    assert page.status_code == 400
    body = page.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "回执码" in body or "必填" in body


def test_6_closed_reports_are_purged_after_retention_with_their_files(county, officers):
    report, _receipt = file_report(county, evidence=_evidence())
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    actions.transition(officers.a_officer, opened, "not_accept", text="不属于受理范围")
    report.refresh_from_db()
    blob = Path(settings.MEDIA_ROOT) / report.evidence.get().blob.name
    assert blob.exists()
    closed = report.closed_on
    five_years = closed + datetime.timedelta(days=365 * 5)
    assert actions.purge_expired(five_years - datetime.timedelta(days=40)) == {"warned": 0, "purged": 0}
    assert actions.purge_expired(five_years - datetime.timedelta(days=10)) == {"warned": 1, "purged": 0}
    assert any("30" in n.text for n in officers.a_officer.notifications.all())
    assert actions.purge_expired(five_years + datetime.timedelta(days=1)) == {"warned": 0, "purged": 1}
    assert not Report.objects.exists() and not blob.exists()


def test_audit_trail_records_views_downloads_messages_and_steps_and_cannot_be_edited(county, officers):
    report, _receipt = file_report(county, evidence=_evidence())
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    actions.evidence_content(opened, officers.a_officer, report.evidence.get().pk)
    actions.officer_message(officers.a_officer, opened, "请补充")
    actions.transition(officers.a_officer, opened, "accept")
    actions_seen = list(AuditEntry.objects.filter(report_ref=report.pk).order_by("id").values_list("action", flat=True))
    assert actions_seen == ["view", "download", "message", "accept"]
    assert audit_trail.verify_audit_chain()
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(report_ref=report.pk).update(action="nothing")
    assert audit_trail.verify_audit_chain()


def test_images_lose_their_metadata_and_other_files_are_kept(county, officers):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (1600, 1200), (200, 10, 10)).save(buffer, "JPEG", exif=exif.tobytes())
    photo = actions.prepare_evidence(SimpleUploadedFile("现场.jpg", buffer.getvalue(), content_type="image/jpeg"))
    assert photo.metadata_removed and b"PhoneMaker" not in photo.content
    kept = _evidence()[0]
    assert not kept.metadata_removed and b"EVIDENCE-BYTES-7731" in kept.content


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"), "空"),
        (SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" * 100, content_type="application/pdf"), "pdf"),
    ],
)
def test_bad_evidence_is_refused(upload, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        actions.prepare_evidence(upload)
    assert message in " ".join(error.value.messages).lower() or error.value.messages


def test_reporter_forms_refuse_50000_characters_and_keep_html_as_text(client, county, officers):
    url = f"/o/{county.village_a1.pk}/supervision/new/"
    base = {
        "real_name": "0",
        "discipline": "integrity",
        "subcategory": "吃拿卡要",
        "person": "王大海",
        "organization": county.village_a1.pk,
        "false_accusation": "on",
    }
    response = client.post(url, {**base, "what": "字" * 50000})
    assert response.status_code == 400 and "5000" in response.content.decode()
    assert not Report.objects.exists()
    response = client.post(url, {**base, "what": "<script>alert('x')</script>收钱"})
    assert response.status_code == 200
    report = Report.objects.get()
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    assert opened.payload["what"] == "<script>alert('x')</script>收钱"


def test_state_is_only_moved_by_the_table(county, officers):
    report, receipt = file_report(county)
    with pytest.raises(ActionError):
        actions.reporter_objection(receipt, "不服")
    assert Report.objects.get(pk=report.pk).state == State.RECEIVED


def test_4_refused_reporter_requests_leave_no_log_line_with_their_path(client, county, caplog):
    """Django logs every 4xx with its path ("Bad Request: /o/3/supervision/new/"): not for these pages."""
    caplog.set_level(logging.DEBUG)
    refused = client.post(f"/o/{county.village_a1.pk}/supervision/new/", {"what": ""})
    assert refused.status_code == 400
    guessed = client.post("/supervision/follow/", {"receipt": "1" * 16})
    assert guessed.status_code >= 400
    assert [r.getMessage() for r in caplog.records if "/supervision/" in r.getMessage()] == []
    # Other pages' refusals are still logged for the operators.
    client.post(f"/o/{county.village_a1.pk}/feedback/lookup/", {"number": "", "password": ""})
    client.get("/no-such-page/")
    assert any("/no-such-page/" in r.getMessage() for r in caplog.records)
