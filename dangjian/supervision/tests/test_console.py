"""The officers' console through HTTP: two-factor sign-in, reading, steps, keys, the audit page."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.supervision.models import AuditEntry, Report, State, UnitKeyGrant
from dangjian.tests_support.factories import PASSWORD

from .conftest import file_report
from .test_two_factor import shown_secret

pytestmark = pytest.mark.django_db


def sign_in_with_code(client, user):
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="phone", confirmed=True
    )
    response = client.post("/console/2fa/?next=/console/supervision/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    return device


def test_officer_without_the_second_factor_is_sent_to_verify(client, county, officers):
    report, _receipt = file_report(county)
    client.post("/accounts/login/", {"username": "a_officer", "password": PASSWORD})
    response = client.get(f"/console/supervision/{report.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/console/2fa/")


def test_first_sign_in_enrols_the_authenticator_with_a_qr_code(client, county, officers):
    client.post("/accounts/login/", {"username": "a_officer", "password": PASSWORD})
    page = client.get("/console/2fa/")
    assert page.status_code == 200 and '<svg role="img"' in page.content.decode()
    secret = shown_secret(page)
    assert not TOTPDevice.objects.filter(user=officers.a_officer).exists()  # nothing stored until a code is typed
    wrong = client.post("/console/2fa/", {"token": "000000" if totp(secret) != 0 else "111111"})
    assert wrong.status_code == 400
    device = TOTPDevice.objects.get(user=officers.a_officer)
    assert not device.confirmed and device.bin_key == secret
    import datetime

    import time_machine

    # django-otp slows down guessing: after a wrong code the next try must wait a moment.
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=5)):
        client.post("/console/2fa/", {"token": f"{totp(device.bin_key):06d}"})
    device.refresh_from_db()
    assert device.confirmed


def test_officer_reads_a_report_and_the_view_is_audited(client, county, officers):
    report, _receipt = file_report(county)
    sign_in_with_code(client, officers.a_officer)
    inbox = client.get("/console/supervision/").content.decode()
    assert "王大海" in inbox
    page = client.get(f"/console/supervision/{report.pk}/").content.decode()
    assert "两千元" in page
    assert AuditEntry.objects.filter(actor=officers.a_officer, action="view", report_ref=report.pk).exists()


def test_without_the_unlock_cookie_the_officer_must_sign_in_again(client, county, officers):
    report, _receipt = file_report(county)
    sign_in_with_code(client, officers.a_officer)
    del client.cookies["sv_unlock"]
    response = client.get(f"/console/supervision/{report.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_steps_and_messages_through_the_console(client, county, officers):
    report, receipt = file_report(county)
    sign_in_with_code(client, officers.a_officer)
    url = f"/console/supervision/{report.pk}/"
    assert client.post(url + "accept/", {"accept-version": 1, "accept-text": ""}).status_code == 302
    stale = client.post(url + "dispose/", {"dispose-version": 1, "dispose-disposal": "talk"})
    assert stale.status_code == 400 and "重新阅读" in stale.content.decode()
    assert client.post(url + "dispose/", {"dispose-version": 2, "dispose-disposal": "talk"}).status_code == 302
    assert client.post(url + "message/", {"body": "请于下周来谈话"}).status_code == 302
    report.refresh_from_db()
    assert report.state == State.IN_DISPOSAL and report.disposal == "talk"
    follow = client.post("/supervision/follow/", {"receipt": receipt}).content.decode()
    assert "请于下周来谈话" in follow and "处置中" in follow


def test_reported_organizations_secretary_cannot_find_the_report(client, county, officers):
    report, _receipt = file_report(county)
    client.force_login(county.village_a1_secretary)
    assert client.get("/console/supervision/").status_code == 403
    assert client.get(f"/console/supervision/{report.pk}/").status_code == 403
    assert "王大海" not in client.get("/console/").content.decode()


def test_unit_keys_page_creates_keys_grants_and_shows_the_recovery_key_once(client, county, officers):
    from dangjian.accounts.models import Role
    from dangjian.supervision import keys
    from dangjian.tests_support import factories as f

    officer = f.staff("a2_officer", Role.DISCIPLINE, county.village_a2)
    colleague = f.staff("a2_officer_b", Role.DISCIPLINE, county.village_a2)
    keys.ensure_user_keypair(colleague, PASSWORD)
    sign_in_with_code(client, officer)
    page = client.post(f"/console/supervision/keys/{county.village_a2.pk}/", {"do": "create"}).content.decode()
    assert "恢复密钥" in page and 'data-testid="recovery-key"' in page
    again = client.get(f"/console/supervision/keys/{county.village_a2.pk}/").content.decode()
    assert 'data-testid="recovery-key"' not in again
    client.post(f"/console/supervision/keys/{county.village_a2.pk}/", {"do": "grant", "officer": colleague.pk})
    assert UnitKeyGrant.objects.filter(user=colleague, unit_key__organization=county.village_a2).exists()
    assert client.get(f"/console/supervision/keys/{county.town_a.pk}/").status_code == 403


def test_unit_head_reads_the_audit_trail_and_others_cannot(client, county, officers):
    from dangjian.accounts.models import Role
    from dangjian.tests_support import factories as f

    report, _receipt = file_report(county)
    sign_in_with_code(client, officers.a_officer)
    client.get(f"/console/supervision/{report.pk}/")
    head = f.staff("a_head", Role.SECRETARY, county.town_a)
    client.force_login(head)
    page = client.get(f"/console/supervision/audit/{county.town_a.pk}/").content.decode()
    assert "view" in page and "日志链完整" in page and "王大海" not in page
    client.force_login(county.village_a1_secretary)
    assert client.get(f"/console/supervision/audit/{county.town_a.pk}/").status_code == 403


def test_evidence_download_is_decrypted_for_the_officer_and_audited(client, county, officers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.supervision import actions

    pdf = SimpleUploadedFile("账本.pdf", b"%PDF-1.4\nledger\n%%EOF", content_type="application/pdf")
    report, _receipt = file_report(county, evidence=[actions.prepare_evidence(pdf)])
    sign_in_with_code(client, officers.a_officer)
    evidence = Report.objects.get(pk=report.pk).evidence.get()
    response = client.get(f"/console/supervision/{report.pk}/evidence/{evidence.pk}/")
    assert response.status_code == 200 and b"ledger" in response.content
    assert AuditEntry.objects.filter(action="download", report_ref=report.pk).exists()


def test_unit_head_finds_the_audit_trail_from_the_organization_page(client, county, officers):
    from dangjian.accounts.models import Role
    from dangjian.tests_support import factories as f

    head = f.staff("a_head", Role.SECRETARY, county.town_a)
    client.force_login(head)
    page = client.get(f"/console/o/{county.town_a.pk}/").content.decode()
    assert f"/console/supervision/audit/{county.town_a.pk}/" in page
