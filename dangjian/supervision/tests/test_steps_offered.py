"""The report page offers exactly the steps the actions allow the officer (both ask workflow.available_steps),
and the unit's keys are shared and recovered by actions that write the audit entry themselves."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from dangjian.core.history import ActionError
from dangjian.supervision import officers as roles
from dangjian.supervision import reader, steps, workflow
from dangjian.supervision.models import AuditEntry, State, UnitKeyGrant

from .conftest import file_report
from .test_console import sign_in_with_code

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def _action_allows(user, private, report, step) -> bool:
    opened = reader.open_as_officer(user, private, report.pk, record=False)
    lower = workflow.forward_targets(opened).first()
    try:
        with transaction.atomic():
            steps.STEPS[step](user, opened, steps.StepInput("经研究决定", "verify", lower, None))
            raise Rollback
    except Rollback:
        return True
    except (PermissionDenied, ActionError):
        return False


def _offered(client, report) -> set[str]:
    page = client.get(f"/console/supervision/{report.pk}/").content.decode()
    return set(re.findall(rf"/console/supervision/{report.pk}/([a-z_]+)/", page)) - {"message", "evidence"}


def _walk(client, user, private, report):
    """Take the report from received to archived, checking the page against the actions in every state."""
    seen = []
    for step in ["accept", "dispose", "conclude", "feed_back", "archive", None]:
        report.refresh_from_db()
        allowed = {name for name in steps.STEPS if _action_allows(user, private, report, name)}
        assert _offered(client, report) == allowed, report.state
        seen.append((report.state, allowed))
        if step:
            opened = reader.open_as_officer(user, private, report.pk, record=False)
            steps.STEPS[step](user, opened, steps.StepInput("经研究决定", "verify", None, None))
    return seen


def test_a_report_no_unit_below_can_read_is_not_offered_for_forwarding(client, county, officers):
    report, _receipt = file_report(county)  # about 王庄村, received by 东城镇; no village has keys
    sign_in_with_code(client, officers.a_officer)
    seen = _walk(client, officers.a_officer, officers.private(officers.a_officer), report)
    assert seen[0] == (State.RECEIVED, {"accept", "not_accept"})
    assert seen[-1] == (State.ARCHIVED, set())


def test_a_report_a_unit_below_can_read_is_offered_for_forwarding(client, county, officers):
    report, _receipt = file_report(county, reported_org=county.town_b, person="李某")  # received by the county
    sign_in_with_code(client, officers.county_officer)
    seen = _walk(client, officers.county_officer, officers.private(officers.county_officer), report)
    assert seen[0] == (State.RECEIVED, {"accept", "not_accept", "forward"})
    opened = reader.open_as_officer(officers.county_officer, officers.private(officers.county_officer), report.pk)
    assert list(workflow.forward_targets(opened)) == [county.town_a]  # not 西山乡, the organization reported


def test_forwarding_where_no_unit_below_can_read_is_refused(county, officers):
    report, _receipt = file_report(county)
    opened = reader.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    with pytest.raises(ActionError):
        steps.forward_report(officers.a_officer, opened, lower_unit=county.village_a2)
    report.refresh_from_db()
    assert report.state == State.RECEIVED


def test_an_officer_of_another_unit_takes_no_step(county, officers):
    report, _receipt = file_report(county)
    opened = reader.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    assert workflow.available_steps(officers.b_officer, opened) == []
    with pytest.raises(PermissionDenied):
        steps.accept_report(officers.b_officer, opened)
    report.refresh_from_db()
    assert report.state == State.RECEIVED and not report.events.filter(kind="accept").exists()


# --- A unit's keys: shared and recovered by actions that audit in their own transaction ------------------


def test_sharing_the_unit_keys_is_audited_by_the_action(county, officers):
    from dangjian.accounts.models import Role
    from dangjian.supervision import keys
    from dangjian.tests_support import factories as f
    from dangjian.tests_support.factories import PASSWORD

    newcomer = f.staff("a_officer3", Role.DISCIPLINE, county.town_a)
    keys.ensure_user_keypair(newcomer, PASSWORD)
    before = AuditEntry.objects.count()
    roles.grant_key_access(officers.a_officer, officers.private(officers.a_officer), county.town_a, newcomer)
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.actor, entry.unit, entry.detail) == (
        "grant",
        officers.a_officer,
        county.town_a,
        "a_officer3",
    )
    assert UnitKeyGrant.objects.filter(user=newcomer, unit_key__organization=county.town_a).exists()


def test_keys_are_shared_only_between_officers_of_the_unit(county, officers):
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):  # 西山乡's officer is no officer of 东城镇
        roles.grant_key_access(
            officers.a_officer, officers.private(officers.a_officer), county.town_a, officers.b_officer
        )
    with pytest.raises(PermissionDenied):
        roles.grant_key_access(
            officers.b_officer, officers.private(officers.b_officer), county.town_a, officers.a_officer2
        )
    assert AuditEntry.objects.count() == before
    assert not UnitKeyGrant.objects.filter(user=officers.b_officer, unit_key__organization=county.town_a).exists()


def test_recovering_access_is_audited_and_a_wrong_key_records_nothing(county, officers):
    before = AuditEntry.objects.count()
    with pytest.raises(ActionError):
        roles.recover_key_access(officers.a_officer, county.town_a, "WRONG-KEY")
    assert AuditEntry.objects.count() == before
    roles.recover_key_access(officers.a_officer, county.town_a, officers.recovery_a)
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.action, entry.actor, entry.unit) == ("recover", officers.a_officer, county.town_a)
    with pytest.raises(PermissionDenied):
        roles.recover_key_access(officers.b_officer, county.town_a, officers.recovery_a)
