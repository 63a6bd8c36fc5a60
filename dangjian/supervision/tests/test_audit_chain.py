"""Issue 9.20: the audit page verifies only what the clock has not verified yet; the clock verifies all of it."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.models import Role
from dangjian.supervision import audit as audit_trail
from dangjian.supervision import tasks
from dangjian.supervision.models import AuditEntry
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def _entries(unit, actor, count: int) -> list[AuditEntry]:
    return [audit_trail.audit(unit, actor, "view", report_id=1000 + n) for n in range(count)]


def _tamper(entry: AuditEntry, detail: str) -> None:
    """What someone with database access would do: switch the refusing trigger off and change a row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE supervision_auditentry DISABLE TRIGGER supervision_audit_no_change")
            cursor.execute("UPDATE supervision_auditentry SET detail = %s WHERE id = %s", [detail, entry.pk])
            cursor.execute("ALTER TABLE supervision_auditentry ENABLE TRIGGER supervision_audit_no_change")
        else:
            cursor.execute("DROP TRIGGER supervision_audit_no_update")
            cursor.execute("UPDATE supervision_auditentry SET detail = %s WHERE id = %s", [detail, entry.pk])
            cursor.execute(
                "CREATE TRIGGER supervision_audit_no_update BEFORE UPDATE ON supervision_auditentry "
                "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;"
            )


@pytest.fixture
def head(county):
    return f.staff("a_head", Role.SECRETARY, county.town_a)


def _audit_page(client, county) -> str:
    return client.get(f"/console/supervision/audit/{county.town_a.pk}/").content.decode()


def test_9_20_the_audit_page_reads_only_entries_after_the_clocks_checkpoint(client, county, head):
    _entries(county.town_a, head, 30)
    tasks.verify_audit_chain.call()
    _entries(county.town_a, head, 2)
    client.force_login(head)
    with CaptureQueriesContext(connection) as queries:
        page = _audit_page(client, county)
    assert "日志链完整" in page
    reads = [q["sql"] for q in queries.captured_queries if "supervision_auditentry" in q["sql"]]
    # Every read of the chain is either the page's list (limited) or the entries after the checkpoint.
    unbounded = [sql for sql in reads if " LIMIT " not in sql and '"id" >' not in sql]
    assert not unbounded, unbounded


def test_9_20_the_clock_verifies_the_whole_chain_periodically(county):
    assert "dangjian.supervision.tasks.verify_audit_chain" in settings.PERIODIC_TASKS
    _entries(county.town_a, None, 3)
    assert tasks.verify_audit_chain.call() == {"verified": 3, "broken_at": None}


def test_9_20_a_change_below_the_checkpoint_is_found_by_the_clock_and_shown_from_then_on(client, county, head):
    old = _entries(county.town_a, head, 10)
    assert tasks.verify_audit_chain.call()["broken_at"] is None
    _tamper(old[3], "changed later")
    assert tasks.verify_audit_chain.call()["broken_at"] == old[3].pk
    client.force_login(head)
    page = _audit_page(client, county)
    assert "日志链完整" not in page and "日志链已断" in page and f"#{old[3].pk}" in page
    # Later entries do not make the break go away.
    _entries(county.town_a, head, 2)
    assert tasks.verify_audit_chain.call()["broken_at"] == old[3].pk
    assert "日志链已断" in _audit_page(client, county)


def test_9_20_a_change_after_the_checkpoint_is_shown_at_once(client, county, head):
    _entries(county.town_a, head, 5)
    tasks.verify_audit_chain.call()
    new = _entries(county.town_a, head, 3)
    _tamper(new[1], "changed now")
    client.force_login(head)
    page = _audit_page(client, county)
    assert "日志链已断" in page and f"#{new[1].pk}" in page
