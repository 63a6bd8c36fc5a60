"""The supervision capabilities: who is a discipline officer where, who decides on officers, who is a unit's
head; the system administrator holds none of the officers' capabilities by being one."""

import pathlib

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts import two_factor
from dangjian.accounts.actions import add_supervision_officer, remove_supervision_officer
from dangjian.accounts.models import Role
from dangjian.accounts.permissions import (
    DECIDE_SUPERVISION_OFFICERS,
    READ_SUPERVISION_AUDIT,
    SUPERVISION_HEAD,
    SUPERVISION_OFFICER,
    has_capability,
    holders,
    holds_above,
    holds_any,
    holds_exactly,
    organizations_for,
    units_for,
)
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def test_an_officer_holds_the_capability_on_the_unit_and_below_but_exactly_only_on_the_unit(county):
    officer = county.town_b_discipline
    assert list(units_for(officer, SUPERVISION_OFFICER)) == [county.town_b]
    assert has_capability(officer, SUPERVISION_OFFICER, county.village_b1)
    assert not has_capability(officer, SUPERVISION_OFFICER, county.town_a)
    assert holds_exactly(officer, SUPERVISION_OFFICER, county.town_b)
    assert not holds_exactly(officer, SUPERVISION_OFFICER, county.village_b1)
    assert list(holders(county.town_b, SUPERVISION_OFFICER)) == [officer]
    assert not holders(county.village_b1, SUPERVISION_OFFICER).exists()


def test_only_discipline_grants_make_an_officer(county):
    assert not holds_any(county.county_admin, SUPERVISION_OFFICER)
    assert not has_capability(county.county_admin, SUPERVISION_OFFICER, county.town_b)
    assert holds_any(county.town_b_discipline, SUPERVISION_OFFICER)


def test_deciding_on_officers_is_held_from_a_unit_above(county):
    county_officer = f.staff("county_officer", Role.DISCIPLINE, county.county)
    assert holds_above(county_officer, DECIDE_SUPERVISION_OFFICERS, county.town_b)
    assert not holds_above(county_officer, DECIDE_SUPERVISION_OFFICERS, county.county)
    assert not holds_above(county.town_b_discipline, DECIDE_SUPERVISION_OFFICERS, county.town_b)


def test_the_system_administrator_is_no_officer_by_being_one(county):
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    for capability in (SUPERVISION_OFFICER, DECIDE_SUPERVISION_OFFICERS):
        assert not has_capability(admin, capability, county.town_b)
        assert not organizations_for(admin, capability).exists()
        assert not holds_any(admin, capability)
    assert has_capability(admin, READ_SUPERVISION_AUDIT, county.town_b)  # reading the trail: as before


def test_a_units_head_is_its_secretary_or_administrator_on_exactly_that_unit(county):
    assert set(holders(county.village_a1, SUPERVISION_HEAD)) == {county.village_a1_secretary}
    assert set(holders(county.town_a, SUPERVISION_HEAD)) == {county.town_a_admin}


def test_the_officer_grant_is_written_and_removed_by_accounts_and_counts_at_once(county):
    user = f.staff("new_officer", Role.SECRETARY, county.village_a1)
    assert not has_capability(user, SUPERVISION_OFFICER, county.town_a)  # fills the request cache
    add_supervision_officer(county.town_b_discipline, user, county.town_a)
    assert has_capability(user, SUPERVISION_OFFICER, county.village_a2)
    remove_supervision_officer(user, county.town_a)
    assert not has_capability(user, SUPERVISION_OFFICER, county.village_a2)
    assert not holds_any(user, SUPERVISION_OFFICER)


def test_supervision_code_never_names_the_discipline_role():
    root = pathlib.Path(__file__).resolve().parents[2] / "supervision"
    named = [
        path.name
        for path in root.glob("*.py")
        if "Role.DISCIPLINE" in path.read_text() or 'role="discipline"' in path.read_text()
    ]
    assert named == []


# --- TOTP enrolment: one action writes it ---------------------------------------------------------------


def _request(user, session):
    request = RequestFactory().post("/console/2fa/")
    request.user = user
    request.session = session
    return request


def test_confirming_an_enrolment_needs_a_signed_in_user(county):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        two_factor.confirm_enrolment(_request(AnonymousUser(), {}), "123456")
    assert not TOTPDevice.objects.exists()


def test_confirming_an_enrolment_stores_only_the_device_shown_to_this_session(county):
    user = county.town_b_discipline
    stale = TOTPDevice.objects.create(user=user, name="old", confirmed=False)
    session: dict = {}
    shown = two_factor.start_enrolment(_request(user, session))
    assert two_factor.confirm_enrolment(_request(user, {}), "123456") == (None, None)  # another session
    check, device = two_factor.confirm_enrolment(_request(user, session), f"{totp(shown.bin_key):06d}")
    assert check.ok and device.confirmed and device.key == shown.key
    assert list(TOTPDevice.objects.filter(user=user)) == [device]
    assert not TOTPDevice.objects.filter(pk=stale.pk).exists()
    assert two_factor.SESSION_KEY not in session
