"""Issue 9, supervision items 9-14: each property an attacker broke, as a test that failed before the fix."""

import contextlib
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dangjian.supervision import actions
from dangjian.supervision import audit as audit_trail
from dangjian.supervision.models import AuditEntry, Report

from .conftest import file_report
from .test_console import sign_in_with_code
from .test_security import _database_dump

pytestmark = pytest.mark.django_db


# --- 9.12 Every page that shows decrypted content is audited -------------------------------------


def test_9_12_the_inbox_writes_an_audit_entry_for_each_report_it_shows(client, county, officers):
    first, _ = file_report(county)
    second, _ = file_report(county, person="李小红")
    sign_in_with_code(client, officers.a_officer)
    inbox = client.get("/console/supervision/").content.decode()
    assert "王大海" in inbox and "李小红" in inbox
    listed = set(
        AuditEntry.objects.filter(actor=officers.a_officer, action="list").values_list("report_ref", flat=True)
    )
    assert listed == {first.pk, second.pk}
    assert audit_trail.verify_audit_chain()


def test_9_12_a_refused_step_that_shows_the_report_again_is_audited(client, county, officers):
    report, _ = file_report(county)
    sign_in_with_code(client, officers.a_officer)
    page = client.post(f"/console/supervision/{report.pk}/not_accept/", {"not_accept-version": 1})
    assert page.status_code == 400 and "王大海" in page.content.decode()
    assert AuditEntry.objects.filter(actor=officers.a_officer, action="view", report_ref=report.pk).exists()


# --- 9.13 Guessing slows the guesser, not everyone -------------------------------------------------

GUESSER = "203.0.113.66"
REPORTER = "198.51.100.9"


def test_9_13_a_receipt_guesser_is_slowed_while_the_real_reporter_still_opens_the_report(client, county, officers):
    limit = 5
    from django.conf import settings

    settings.SUPERVISION_RECEIPT_FAILURES_PER_CLIENT = limit
    _report, receipt = file_report(county)
    for attempt in range(limit):
        page = client.post("/supervision/follow/", {"receipt": f"{attempt:016d}"}, REMOTE_ADDR=GUESSER)
        assert page.status_code == 400 and "回执码" in page.content.decode()
    slowed = client.post("/supervision/follow/", {"receipt": receipt}, REMOTE_ADDR=GUESSER)
    assert slowed.status_code == 429 and "稍后" in slowed.content.decode()
    page = client.post("/supervision/follow/", {"receipt": receipt}, REMOTE_ADDR=REPORTER)
    assert page.status_code == 200 and "已收到" in page.content.decode()


def test_9_13_a_query_password_guesser_does_not_lock_the_citizen_out_of_the_case(client, county):
    from dangjian.feedback.models import Case
    from dangjian.feedback.tests.test_citizen import _submit

    response = _submit(client, county)
    case = Case.objects.get()
    password = response.context["password"]
    url = reverse("feedback:lookup")
    guesser = client.__class__(REMOTE_ADDR=GUESSER)
    for attempt in range(12):
        guesser.post(url, {"number": case.number, "password": f"{attempt:08d}"})
    slowed = guesser.post(url, {"number": case.number, "password": password})
    assert (
        slowed.status_code == 400
        and "查询密码输错的次数太多了。为了保护您的信息，请15分钟后再试。" in slowed.content.decode()
    )
    assert case.title not in slowed.content.decode()
    citizen = client.__class__(REMOTE_ADDR=REPORTER)
    page = citizen.post(url, {"number": case.number, "password": password}, follow=True)
    assert page.status_code == 200 and case.title in page.content.decode()


def test_9_13_the_keyed_hash_of_a_guessers_address_is_in_no_table_and_no_log(client, county, officers, caplog):
    from dangjian.core.throttle import client_key

    caplog.set_level(logging.DEBUG)
    file_report(county)
    for attempt in range(3):
        client.post("/supervision/follow/", {"receipt": f"{attempt:016d}"}, REMOTE_ADDR=GUESSER)

    class Request:
        META = {"REMOTE_ADDR": GUESSER}

    hashed = client_key(Request())
    assert hashed and GUESSER not in hashed
    dump = _database_dump()
    assert hashed.encode() not in dump and GUESSER.encode() not in dump
    for record in caplog.records:
        assert hashed not in record.getMessage() and GUESSER not in record.getMessage()
    assert Report.objects.count() == 1


# --- 9.9 The discipline role is a supervision event ------------------------------------------------


def _notified(user) -> list[str]:
    from dangjian.notifications.models import Notification

    return [n.text for n in Notification.objects.filter(user=user, kind__startswith="supervision")]


def test_9_9_an_organization_administrator_cannot_make_himself_discipline_officer(client, county, officers):
    from dangjian.accounts import actions as account_actions
    from dangjian.accounts.models import Role, RoleGrant
    from dangjian.core.history import ActionError

    client.force_login(county.town_a_admin)
    page = client.post(f"/console/o/{county.town_a.pk}/roles/", {"login": "town_a_admin", "role": "discipline"})
    assert page.status_code in {200, 400}
    assert "上一级" in page.content.decode()  # the page says who grants the discipline role
    assert not RoleGrant.objects.filter(user=county.town_a_admin, role=Role.DISCIPLINE).exists()
    with pytest.raises(ActionError):
        account_actions.grant_role(county.county_admin, county.village_a2.pk, county.town_a_admin.pk, Role.DISCIPLINE)
    grant = RoleGrant.objects.get(user=officers.a_officer2, role=Role.DISCIPLINE)
    with pytest.raises(ActionError):
        account_actions.revoke_role(county.county_admin, county.county.pk, grant.pk)
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    assert client.get(f"/console/supervision/officers/{county.town_a.pk}/").status_code == 403


def test_9_9_an_officer_of_the_unit_above_grants_the_role_audited_and_told_to_both_units(client, county, officers):
    from dangjian.accounts.models import Role, RoleGrant
    from dangjian.tests_support import factories as f

    newcomer = f.UserFactory(username="newcomer", full_name="钱新")
    sign_in_with_code(client, officers.county_officer)
    page = client.post(f"/console/supervision/officers/{county.town_a.pk}/", {"do": "grant", "login": "newcomer"})
    assert page.status_code == 302
    assert RoleGrant.objects.filter(user=newcomer, organization=county.town_a, role=Role.DISCIPLINE).exists()
    entry = AuditEntry.objects.get(action="officer_granted")
    assert entry.unit == county.town_a and entry.actor == officers.county_officer and "newcomer" in entry.detail
    for told in [officers.a_officer, officers.a_officer2, officers.county_officer]:
        assert any("钱新" in message for message in _notified(told)), told
    assert audit_trail.verify_audit_chain()


def test_9_9_officers_of_the_unit_itself_cannot_add_a_colleague(client, county, officers):
    from dangjian.accounts.models import RoleGrant
    from dangjian.tests_support import factories as f

    f.UserFactory(username="friend")
    sign_in_with_code(client, officers.a_officer)
    page = client.post(f"/console/supervision/officers/{county.town_a.pk}/", {"do": "grant", "login": "friend"})
    assert page.status_code == 403
    assert not RoleGrant.objects.filter(user__username="friend").exists()


def test_9_9_the_system_administrator_needs_an_officer_above_to_confirm(client, county, officers):
    from dangjian.accounts.models import Role, RoleGrant
    from dangjian.tests_support import factories as f

    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    f.UserFactory(username="candidate")
    client.force_login(admin)
    url = f"/console/supervision/officers/{county.town_a.pk}/"
    assert client.post(url, {"do": "grant", "login": "candidate"}).status_code == 302
    assert not RoleGrant.objects.filter(user__username="candidate", role=Role.DISCIPLINE).exists()
    assert any("candidate" in m or "工作人员" in m for m in _notified(officers.county_officer))
    from dangjian.supervision.models import OfficerChange

    change = OfficerChange.objects.get(status="pending")
    officer_client = client.__class__()
    sign_in_with_code(officer_client, officers.county_officer)
    assert officer_client.post(url, {"do": "confirm", "change": change.pk}).status_code == 302
    assert RoleGrant.objects.filter(
        user__username="candidate", organization=county.town_a, role=Role.DISCIPLINE
    ).exists()
    assert set(AuditEntry.objects.filter(unit=county.town_a).values_list("action", flat=True)) >= {
        "officer_grant_proposed",
        "officer_granted",
    }


def test_9_9_creating_keys_for_a_keyless_unit_is_audited_and_told_to_the_unit_above(client, county, officers):
    from dangjian.supervision import officers as roles
    from dangjian.tests_support import factories as f

    clerk = f.UserFactory(username="a2_clerk", full_name="冯文")
    roles.grant_officer(officers.a_officer, clerk, county.village_a2)
    sign_in_with_code(client, clerk)
    page = client.post(f"/console/supervision/keys/{county.village_a2.pk}/", {"do": "create"})
    assert 'data-testid="recovery-key"' in page.content.decode()
    assert AuditEntry.objects.filter(unit=county.village_a2, action="keys_created", actor=clerk).exists()
    assert any("冯文" in m and "密钥" in m for m in _notified(officers.a_officer))


# --- 9.10 Revocation revokes -------------------------------------------------------------------------


def _attacker_opens(user, password, report) -> bool:
    """What a revoked officer does with a copy of the database and his password: every grant he has,
    every share of the report, through the crypto functions."""
    from nacl.exceptions import CryptoError

    from dangjian.supervision import crypto
    from dangjian.supervision.models import UnitKeyGrant, UserKeyPair

    pair = UserKeyPair.objects.get(user=user)
    private = crypto.decrypt(pair.wrapped_private, crypto.kdf(password, bytes(pair.salt)))
    candidates = [private]
    for grant in UnitKeyGrant.objects.filter(user=user):
        with contextlib.suppress(CryptoError):
            candidates.append(crypto.unseal(grant.sealed_private, private))
    for share in report.shares.all():
        for key in candidates:
            try:
                report_key = crypto.unseal(share.sealed_key, key)
                crypto.decrypt(report.payload, report_key)
                return True
            except CryptoError:
                continue
    return False


def test_9_10_a_revoked_officer_cannot_open_a_later_report_with_his_password_and_the_database(county, officers):
    from dangjian.supervision import officers as roles
    from dangjian.tests_support.factories import PASSWORD

    before, _ = file_report(county)
    assert _attacker_opens(officers.a_officer2, PASSWORD, before)  # he could read it while he was an officer
    _pending, recovery = roles.revoke_officer(officers.county_officer, officers.a_officer2, county.town_a)
    assert recovery
    after, _ = file_report(county, person="李小红")
    assert not _attacker_opens(officers.a_officer2, PASSWORD, after)
    # The remaining officer reads old and new reports; the unit above still reads both.
    reader = actions.OfficerReader(officers.a_officer, officers.private(officers.a_officer))
    for report in [before, after]:
        assert reader.open(actions.reports_for_reading().get(pk=report.pk), record=False).payload["person"]
    assert set(AuditEntry.objects.filter(unit=county.town_a).values_list("action", flat=True)) >= {
        "officer_revoked",
        "keys_rotated",
    }
    assert any("吴纪检" in m for m in _notified(officers.a_officer))
    assert any("吴纪检" in m for m in _notified(officers.county_officer))


def test_9_10_granting_the_role_again_does_not_restore_access_silently(county, officers):
    from django.http import Http404

    from dangjian.supervision import officers as roles
    from dangjian.supervision.models import UnitKeyGrant
    from dangjian.tests_support.factories import PASSWORD

    roles.revoke_officer(officers.county_officer, officers.a_officer2, county.town_a)
    roles.grant_officer(officers.county_officer, officers.a_officer2, county.town_a)
    assert not UnitKeyGrant.objects.filter(user=officers.a_officer2).exists()
    report, _ = file_report(county)
    assert not _attacker_opens(officers.a_officer2, PASSWORD, report)
    reader = actions.OfficerReader(officers.a_officer2, officers.private(officers.a_officer2))
    with pytest.raises(Http404):
        reader.open(actions.reports_for_reading().get(pk=report.pk), record=False)


def test_9_10_the_new_recovery_key_opens_new_reports_and_the_old_one_only_older_ones(county, officers):
    from dangjian.supervision import keys
    from dangjian.supervision import officers as roles
    from dangjian.supervision.models import UnitKey, UnitKeyGrant

    old = keys.current_unit_key(county.town_a)
    _pending, recovery = roles.revoke_officer(officers.county_officer, officers.a_officer2, county.town_a)
    new = keys.current_unit_key(county.town_a)
    assert new.pk != old.pk and UnitKey.objects.get(pk=old.pk).retired_at is not None
    UnitKeyGrant.objects.filter(user=officers.a_officer).delete()
    keys.recover_access(officers.a_officer, new, officers.recovery_a)
    assert set(UnitKeyGrant.objects.filter(user=officers.a_officer).values_list("unit_key", flat=True)) == {old.pk}
    keys.recover_access(officers.a_officer, new, recovery)
    assert set(UnitKeyGrant.objects.filter(user=officers.a_officer).values_list("unit_key", flat=True)) == {
        old.pk,
        new.pk,
    }


# --- 9.14 Reloading a POST files nothing twice ------------------------------------------------------


def _report_form(county, token):
    return {
        "client_token": token,
        "real_name": "0",
        "discipline": "integrity",
        "subcategory": "吃拿卡要",
        "person": "王大海",
        "post": "村主任",
        "organization": county.village_a1.pk,
        "what": "办事要好处费。",
        "false_accusation": "on",
    }


def _receipt_shown(page) -> str:
    import re

    match = re.search(r'data-testid="receipt"[^>]*>(.*?)</dd>', page.content.decode())
    assert match, page.content.decode()[:2000]
    return re.sub(r"<[^>]+>|\s", "", match.group(1))


def test_9_14_posting_the_same_report_form_twice_files_one_report_with_one_receipt(client, county, officers):
    form = client.get(f"/o/{county.village_a1.pk}/supervision/new/").content.decode()
    import re

    token = re.search(r'name="client_token" value="([0-9a-f-]{36})"', form).group(1)
    url = f"/o/{county.village_a1.pk}/supervision/new/"
    first = client.post(url, _report_form(county, token))
    again = client.post(url, _report_form(county, token))
    assert first.status_code == again.status_code == 200
    assert Report.objects.count() == 1
    assert _receipt_shown(first) == _receipt_shown(again)
    other = client.post(url, _report_form(county, "5b2e4f3c-0000-4000-8000-000000000001"))
    assert Report.objects.count() == 2 and _receipt_shown(other) != _receipt_shown(first)


def test_9_14_reloading_the_follow_up_after_a_reply_sends_it_once(client, county, officers):
    import re

    from dangjian.supervision.models import Message

    _report, receipt = file_report(county)
    status = client.post("/supervision/follow/", {"receipt": receipt}).content.decode()
    token = re.search(r'name="token" value="([0-9a-f-]{36})"', status).group(1)
    reply = {"receipt": receipt, "step": "message", "token": token, "m-body": "当时村会计也在场。"}
    first = client.post("/supervision/follow/", reply)
    again = client.post("/supervision/follow/", reply)
    assert first.status_code == again.status_code == 200
    assert "当时村会计也在场" in again.content.decode()
    assert Message.objects.count() == 1


# --- 9.11 Conflict of interest by everyday name -------------------------------------------------------


@pytest.mark.parametrize("named", ["赵强", "赵 强", "赵强书记", "赵书记"])
def test_9_11_a_report_naming_an_officer_by_his_everyday_name_goes_one_level_up(county, officers, named):
    from django.http import Http404

    officer = officers.a_officer
    officer.full_name = "东城镇纪委 赵强"
    officer.save(update_fields=["full_name"])
    report, _ = file_report(county, person=named)
    assert report.receiving_unit == county.county
    reader = actions.OfficerReader(officer, officers.private(officer))
    with pytest.raises(Http404):
        reader.open(actions.reports_for_reading().get(pk=report.pk), record=False)
    told = _notified(officers.county_officer)
    assert any("纪检干部" in m and "原因" in m for m in told), told
    opened = actions.OfficerReader(officers.county_officer, officers.private(officers.county_officer)).open(
        actions.reports_for_reading().get(pk=report.pk), record=False
    )
    assert opened.payload["routing"] and "东城镇" in opened.payload["routing"][0]


def test_9_11_another_person_of_the_same_surname_is_not_routed_up(county, officers):
    officers.a_officer.full_name = "东城镇纪委 赵强"
    officers.a_officer.save(update_fields=["full_name"])
    report, _ = file_report(county, person="赵刚")
    assert report.receiving_unit == county.town_a


def test_9_11_the_accounts_personal_name_is_matched_even_when_the_real_name_runs_together(county, officers):
    officer = officers.a_officer
    officer.full_name = "东城镇纪委书记赵强"
    officer.personal_name = "赵强"
    officer.save(update_fields=["full_name", "personal_name"])
    report, _ = file_report(county, person="赵强")
    assert report.receiving_unit == county.county


def test_9_11_existing_accounts_get_their_personal_name_from_the_real_name():
    from dangjian.accounts.models import personal_name_from

    assert personal_name_from("清河镇纪委 赵强") == "赵强"
    assert personal_name_from("县纪委·孙正") == "孙正"
    assert personal_name_from("王建国") == "王建国"


def test_9_14_reloading_after_an_objection_or_added_evidence_records_each_once(client, county, officers):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.supervision.models import Evidence, ReportEvent

    report, receipt = file_report(county)
    o = officers.a_officer

    def opened():
        return actions.open_as_officer(o, officers.private(o), report.pk, record=False)

    actions.transition(o, opened(), "accept", text="已受理")
    actions.transition(o, opened(), "dispose", disposal="verify")
    actions.transition(o, opened(), "conclude", text="属实")
    actions.transition(o, opened(), "feed_back", text="已依纪处理")
    status = client.post("/supervision/follow/", {"receipt": receipt}).content.decode()
    token = re.search(r'name="token" value="([0-9a-f-]{36})"', status).group(1)
    objection = {"receipt": receipt, "step": "object", "token": token, "o-reason": "处分太轻"}
    assert client.post("/supervision/follow/", objection).status_code == 200
    assert client.post("/supervision/follow/", objection).status_code == 200
    assert ReportEvent.objects.filter(report=report, kind="object").count() == 1

    def upload():
        return SimpleUploadedFile("账本.pdf", b"%PDF-1.4\nledger\n%%EOF", content_type="application/pdf")

    for _attempt in range(2):
        page = client.post(
            "/supervision/follow/", {"receipt": receipt, "step": "evidence", "token": token, "e-evidence": upload()}
        )
        assert page.status_code == 200
    assert Evidence.objects.filter(report=report).count() == 1


def test_9_9_django_admin_cannot_add_or_delete_a_discipline_role(client, county, officers):
    from dangjian.accounts.models import Role, RoleGrant
    from dangjian.tests_support import factories as f

    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    form = client.get("/admin/accounts/rolegrant/add/").content.decode()
    assert 'value="discipline"' not in form and 'value="secretary"' in form
    client.post(
        "/admin/accounts/rolegrant/add/",
        {"user": admin.pk, "organization": county.town_a.pk, "role": "discipline"},
    )
    assert not RoleGrant.objects.filter(user=admin, role=Role.DISCIPLINE).exists()
    grant = RoleGrant.objects.get(user=officers.a_officer2, role=Role.DISCIPLINE)
    client.post(f"/admin/accounts/rolegrant/{grant.pk}/delete/", {"post": "yes"})
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_9_10_the_system_administrators_revocation_takes_effect_when_an_officer_above_confirms(county, officers):
    from dangjian.accounts.models import Role, RoleGrant
    from dangjian.supervision import officers as roles
    from dangjian.supervision.models import UnitKeyGrant
    from dangjian.tests_support import factories as f

    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    change, recovery = roles.revoke_officer(admin, officers.a_officer2, county.town_a)
    assert change is not None and recovery is None
    assert RoleGrant.objects.filter(user=officers.a_officer2, role=Role.DISCIPLINE).exists()
    with pytest.raises(PermissionDenied):
        roles.decide(officers.a_officer, change, confirm=True)  # not an officer of the unit above
    recovery = roles.decide(officers.county_officer, change, confirm=True)
    assert recovery
    assert not RoleGrant.objects.filter(user=officers.a_officer2, role=Role.DISCIPLINE).exists()
    assert not UnitKeyGrant.objects.filter(user=officers.a_officer2).exists()
    assert AuditEntry.objects.filter(action="officer_revoked", actor=officers.county_officer).exists()


def _admin_change_form_data(client, user) -> dict:
    """The admin change form of `user` as the browser would post it back."""
    import re

    page = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    data.update({"username": user.username, "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"})
    data.pop("is_superuser", None)
    data.pop("is_staff", None)
    return data


def test_9_10_the_admin_cannot_disable_an_officer_account_around_revocation(client, county, officers):
    """Disabling the account would leave his sealed copies of the unit key: revocation must come first."""
    from dangjian.supervision.models import UnitKeyGrant
    from dangjian.tests_support import factories as f

    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    data = _admin_change_form_data(client, officers.a_officer2)  # no is_active: the box unticked
    response = client.post(f"/admin/accounts/user/{officers.a_officer2.pk}/change/", data)
    assert response.status_code == 200
    assert "纪检" in response.content.decode()
    officers.a_officer2.refresh_from_db()
    assert officers.a_officer2.is_active
    assert UnitKeyGrant.objects.filter(user=officers.a_officer2).exists()


def test_9_10_the_admin_disables_other_staff_accounts_as_before(client, county, officers):
    from dangjian.tests_support import factories as f

    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    secretary = county.village_a1_secretary
    data = _admin_change_form_data(client, secretary)
    response = client.post(f"/admin/accounts/user/{secretary.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    secretary.refresh_from_db()
    assert not secretary.is_active
