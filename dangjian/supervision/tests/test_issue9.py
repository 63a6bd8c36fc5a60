"""Issue 9, supervision items 9-14: each property an attacker broke, as a test that failed before the fix."""

import logging

import pytest
from django.urls import reverse

from dangjian.supervision import actions
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
    assert actions.verify_audit_chain()


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
    assert slowed.status_code == 400 and "15" in slowed.content.decode()
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
