"""The supervision console as its users read it (issue 9 walk-through): the audit page in words, who
reads a unit's trail, confirmed revocation and grants, the revoked officer told, neutral evidence names,
and the two-factor page's errors."""

import ast
import datetime
import pathlib
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.accounts.models import Role, RoleGrant
from dangjian.core.tests.test_files import hostile_jpeg
from dangjian.notifications.models import Notification
from dangjian.supervision import actions, crypto, workflow
from dangjian.supervision import audit as audit_trail
from dangjian.supervision import officers as roles
from dangjian.supervision.models import OfficerChange, UnitKey
from dangjian.tests_support import factories as f

from .conftest import file_report
from .test_console import sign_in_with_code
from .test_two_factor import code_for, sign_in, wrong_code_for

pytestmark = pytest.mark.django_db


def _audit_url(unit) -> str:
    return f"/console/supervision/audit/{unit.pk}/"


# --- 9.12 The audit page in words ----------------------------------------------------------------------


def _audited_codes() -> set[str]:
    """Every action code the supervision code passes to audit() / audit_many()."""
    codes: set[str] = set()
    source = pathlib.Path(actions.__file__).parent
    for path in source.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in {"audit", "audit_many"}:
                continue
            action = node.args[2] if len(node.args) > 2 else next(k.value for k in node.keywords if k.arg == "action")
            if isinstance(action, ast.Constant):
                codes.add(action.value)
            elif isinstance(action, ast.JoinedStr):
                template = "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in action.values)
                codes.update(template.format(kind) for kind in OfficerChange.Kind.values)
            elif isinstance(action, ast.Name) and action.id == "action":  # transition(): the workflow's steps
                codes.update(a for a in workflow.TRANSITIONS if a != "object")
            else:
                raise AssertionError(f"{path.name}:{node.lineno}: an audit action the test cannot read")
    return codes


def test_9_12_every_audited_action_code_has_a_chinese_label():
    codes = _audited_codes()
    assert {"view", "list", "download", "officer_revoked", "keys_rotated", "accept"} <= codes
    missing = codes - set(audit_trail.AUDIT_ACTIONS)
    assert not missing, missing
    from django.utils import translation

    with translation.override("zh-hans"):
        for code in codes:
            label = str(audit_trail.AUDIT_ACTIONS[code])
            assert re.search(r"[\u4e00-\u9fff]", label) and code not in label, (code, label)


def test_9_12_the_audit_page_shows_actions_and_people_in_words(client, county, officers):
    report, _receipt = file_report(county)
    admin = f.UserFactory(username="root", full_name="系统管理员", is_superuser=True, is_staff=True)
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    audit_trail.audit_many([(opened.unit, report.pk)], officers.a_officer, "list")
    roles.revoke_officer(officers.county_officer, officers.a_officer2, county.town_a)
    newcomer = f.UserFactory(username="newcomer", full_name="钱新")
    roles.grant_officer(officers.county_officer, newcomer, county.town_a)
    roles.grant_officer(admin, f.UserFactory(username="candidate", full_name="孙候选"), county.town_a)
    client.force_login(county.town_a_admin)
    page = client.get(_audit_url(county.town_a)).content.decode()
    for raw in ["officer_revoked", "officer_granted", "keys_rotated", "officer_grant_proposed", ">view", ">list"]:
        assert raw not in page, raw
    for label in ["查看举报", "列表中显示", "撤销纪检干部", "更换密钥", "任命纪检干部", "请求任命纪检干部"]:
        assert label in page, label
    assert "吴纪检" in page and "钱新" in page and "孙候选" in page
    assert "a_officer2" not in page and "newcomer" not in page
    assert "操作人" in page
    # The administrator is labelled as such, the officers as officers of their unit.
    assert re.search(r"系统管理员[^<]*</td>", page) and "纪检干部 · 系统管理员" not in page
    assert "郑纪委" in page and "纪检干部" in page


# --- 9.12 Who reads a unit's audit trail --------------------------------------------------------------


def test_9_12_heads_and_officers_of_the_unit_and_the_units_above_read_the_trail(client, county, officers):
    county_secretary = f.staff("county_secretary", Role.SECRETARY, county.county)
    for reader in [county.county_admin, county_secretary, county.town_a_admin]:
        client.force_login(reader)
        assert client.get(_audit_url(county.town_a)).status_code == 200, reader
    # Discipline officers read it after their one-time code, as every supervision page (issue 11 review).
    for officer in [officers.county_officer, officers.a_officer]:
        officer_client = client.__class__()
        sign_in_with_code(officer_client, officer)
        assert officer_client.get(_audit_url(county.town_a)).status_code == 200, officer


def test_9_12_others_cannot_read_a_units_audit_trail(client, county, officers):
    for outsider in [officers.b_officer, county.town_a_media, county.village_a1_secretary, county.nobody]:
        client.force_login(outsider)
        assert client.get(_audit_url(county.town_a)).status_code in {403, 404}, outsider
    client.force_login(officers.a_officer)
    assert client.get(_audit_url(county.county)).status_code in {403, 404}


def test_9_12_the_audit_trail_is_linked_where_its_readers_work(client, county, officers):
    sign_in_with_code(client, officers.a_officer)
    assert _audit_url(county.town_a) in client.get("/console/supervision/").content.decode()
    county_client = client.__class__()
    sign_in_with_code(county_client, officers.county_officer)
    page = county_client.get(f"/console/supervision/officers/{county.town_a.pk}/").content.decode()
    assert _audit_url(county.town_a) in page
    client.force_login(county.county_admin)
    assert _audit_url(county.town_a) in client.get(f"/console/o/{county.town_a.pk}/").content.decode()


# --- 9.10 Revoking and granting are confirmed; the revoked officer is told ----------------------------


def test_9_10_revoking_asks_for_confirmation_first(client, county, officers):
    sign_in_with_code(client, officers.county_officer)
    url = f"/console/supervision/officers/{county.town_a.pk}/"
    key_before = UnitKey.objects.get(organization=county.town_a, retired_at__isnull=True).pk
    page = client.post(url, {"do": "revoke", "user": officers.a_officer2.pk})
    text = page.content.decode()
    assert page.status_code == 200
    assert "确认撤销" in text and "吴纪检" in text and "恢复密钥" in text and "打印" in text
    assert 'data-testid="recovery-key"' not in text
    assert RoleGrant.objects.filter(user=officers.a_officer2, role=Role.DISCIPLINE).exists()
    assert UnitKey.objects.get(organization=county.town_a, retired_at__isnull=True).pk == key_before
    page = client.post(url, {"do": "revoke", "user": officers.a_officer2.pk, "confirm": "yes"})
    assert 'data-testid="recovery-key"' in page.content.decode()
    assert not RoleGrant.objects.filter(user=officers.a_officer2, role=Role.DISCIPLINE).exists()
    assert UnitKey.objects.get(organization=county.town_a, retired_at__isnull=True).pk != key_before


def test_9_9_granting_warns_when_the_person_holds_roles_in_another_organization(client, county, officers):
    sign_in_with_code(client, officers.county_officer)
    url = f"/console/supervision/officers/{county.town_b.pk}/"
    page = client.post(url, {"do": "grant", "login": "town_a_media"})
    text = page.content.decode()
    assert page.status_code == 200 and "东城镇" in text and "新媒体" in text
    assert not RoleGrant.objects.filter(user=county.town_a_media, role=Role.DISCIPLINE).exists()
    page = client.post(url, {"do": "grant", "login": "town_a_media", "confirm": "yes"})
    assert page.status_code == 302
    assert RoleGrant.objects.filter(user=county.town_a_media, organization=county.town_b, role=Role.DISCIPLINE).exists()


def test_9_10_the_revoked_officer_is_told_without_report_content(county, officers):
    file_report(county)
    roles.revoke_officer(officers.county_officer, officers.a_officer2, county.town_a)
    told = [n.text for n in Notification.objects.filter(user=officers.a_officer2, kind__startswith="supervision")]
    assert any("东城镇" in m and "不再" in m for m in told), told
    assert not any("王大海" in m for m in told)


def test_9_10_the_revoked_officer_signs_in_and_reads_why(client, county, officers):
    """His last role is gone: the console says so in Chinese and leads to the notice, not a bare 403."""
    from dangjian.tests_support.factories import PASSWORD

    roles.revoke_officer(officers.county_officer, officers.a_officer2, county.town_a)
    response = client.post("/accounts/login/", {"username": officers.a_officer2.username, "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/console/")
    assert home.status_code == 200
    assert "您的账号目前没有任何角色" in home.content.decode()
    assert 'href="/console/notifications/"' in home.content.decode()
    notices = client.get("/console/notifications/")
    assert notices.status_code == 200
    assert "不再是" in notices.content.decode() and "东城镇" in notices.content.decode()
    assert client.get("/console/supervision/").status_code == 403  # nothing else opens
    assert client.get("/console/feedback/").status_code in (403, 404)


# --- 9.3 Evidence file names -------------------------------------------------------------------------


def _stored_meta(officers, report) -> list[dict]:
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk, record=False)
    return [crypto.decrypt_json(item.meta, opened.key) for item in report.evidence.all()]


def test_9_3_evidence_from_the_report_form_gets_a_neutral_name(client, county, officers):
    from dangjian.supervision.models import Report

    data = {
        "real_name": "0",
        "discipline": "integrity",
        "subcategory": "吃拿卡要",
        "person": "王大海",
        "organization": county.village_a1.pk,
        "what": "办事要好处费。",
        "false_accusation": "on",
        "evidence": [
            SimpleUploadedFile("IMG_20260601_1430.jpg", hostile_jpeg()),
            SimpleUploadedFile("张三的账本.pdf", b"%PDF-1.4\nledger\n%%EOF"),
        ],
    }
    form = client.get(f"/o/{county.village_a1.pk}/supervision/new/").content.decode()
    assert "材料1" in form  # the form says how files are named
    response = client.post(f"/o/{county.village_a1.pk}/supervision/new/", data)
    assert response.status_code == 200
    report = Report.objects.get()
    metas = _stored_meta(officers, report)
    assert "IMG_2026" not in repr(metas) and "张三" not in repr(metas)
    sign_in_with_code(client, officers.a_officer)
    page = client.get(f"/console/supervision/{report.pk}/").content.decode()
    assert "IMG_2026" not in page and "张三" not in page
    assert "材料1.jpg" in page and "材料2.pdf" in page
    for item in report.evidence.all():
        download = client.get(f"/console/supervision/{report.pk}/evidence/{item.pk}/")
        assert "IMG" not in download["Content-Disposition"] and "%E5%BC%A0" not in download["Content-Disposition"]


def test_9_3_evidence_from_the_follow_up_page_gets_a_neutral_name(client, county, officers):
    report, receipt = file_report(
        county, evidence=[actions.prepare_evidence(SimpleUploadedFile("a.pdf", b"%PDF-1.4\nx\n%%EOF"))]
    )
    page = client.post(
        "/supervision/follow/",
        {
            "receipt": receipt,
            "step": "evidence",
            "e-evidence": [SimpleUploadedFile("IMG_20260601_1430.jpg", hostile_jpeg())],
        },
    ).content.decode()
    assert "IMG_2026" not in page and "材料2.jpg" in page
    assert "IMG_2026" not in repr(_stored_meta(officers, report))
    sign_in_with_code(client, officers.a_officer)
    officer_page = client.get(f"/console/supervision/{report.pk}/").content.decode()
    assert "IMG_2026" not in officer_page and "材料2.jpg" in officer_page


# --- 9.15 The two-factor page ------------------------------------------------------------------------


def test_9_15_a_wrong_enrolment_code_is_shown_above_the_qr_code_and_the_field_is_focused(client, county, officers):
    sign_in(client, officers.a_officer)
    client.get("/console/2fa/")
    page = client.post("/console/2fa/", {"token": "12345x"}).content.decode()
    assert page.index('class="errorlist') < page.index('data-testid="totp-qr"')
    assert page.index('name="token"') < page.index('data-testid="totp-qr"')
    assert re.search(r'<input[^>]*name="token"[^>]*autofocus|<input[^>]*autofocus[^>]*name="token"', page)


def test_9_15_a_right_code_one_second_after_one_wrong_code_does_not_say_too_many(client, county, officers):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sign_in(client, officers.a_officer)
    device = TOTPDevice.objects.create(user=officers.a_officer, name="phone", confirmed=True)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC), tick=False):
        client.post("/console/2fa/", {"token": wrong_code_for(device)})
        page = client.post("/console/2fa/", {"token": code_for(device)}).content.decode()
    assert "过多" not in page and re.search(r"请\s*1\s*秒后再试", page)


def test_9_15_a_verified_officer_opening_the_two_factor_page_is_sent_on(client, county, officers):
    sign_in_with_code(client, officers.a_officer)
    response = client.get("/console/2fa/")
    assert response.status_code == 302 and response["Location"] == "/console/supervision/"
    target = f"/console/supervision/keys/{county.town_a.pk}/"
    response = client.get(f"/console/2fa/?next={target}")
    assert response.status_code == 302 and response["Location"] == target
