"""The registry's actions: who may add, edit, change the status of and transfer a member, and what is refused."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.history import ActionError, EditConflict, InvalidInput, NotFound
from dangjian.core.models import ChangeRecord
from dangjian.members import actions
from dangjian.members.actions import MemberInput, StatusInput, TransferInput
from dangjian.members.models import Member, MemberTransfer
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1985, 3, 12)


def data(**overrides) -> MemberInput:
    values = {
        "name": "王秀英",
        "sex": "f",
        "birth_date": BIRTH,
        "joined_on": datetime.date(2010, 7, 1),
        "full_member_on": datetime.date(2011, 7, 1),
        "id_number": f.id_number(501, BIRTH, "f"),
        "mobile": "13812345678",
    }
    values.update(overrides)
    return MemberInput(**values)


def fresh(user) -> User:
    """The account as a new request loads it (no cached grants)."""
    return User.objects.get(pk=user.pk)


def test_secretary_adds_a_member_recorded_with_history(county):
    member = actions.add_member(county.village_a1_secretary, county.village_a1.pk, data())
    member.refresh_from_db()
    assert member.organization == county.village_a1
    assert member.status == Member.Status.ACTIVE
    assert member.id_number() == f.id_number(501, BIRTH, "f")
    assert member.id_number_masked == f.id_number(501, BIRTH, "f")[:3] + "*" * 13 + f.id_number(501, BIRTH, "f")[-2:]
    record = ChangeRecord.objects.get(object_id=member.pk, content_type__model="member")
    assert record.actor == county.village_a1_secretary
    # The history keeps the mobile masked and never the ID-card number in clear.
    assert record.changes["mobile"] == "138****5678"
    assert f.id_number(501, BIRTH, "f") not in str(record.changes)


def test_township_admin_adds_a_member_to_a_village_below(county):
    member = actions.add_member(county.town_a_admin, county.village_a1.pk, data())
    assert member.organization == county.village_a1


@pytest.mark.parametrize("who", ["town_b_admin", "town_a_media", "b_discipline", "nobody"])
def test_others_may_not_add_a_member(county, who):
    users = {
        "town_b_admin": f.staff("town_b_admin", "org_admin", county.town_b),
        "town_a_media": county.town_a_media,
        "b_discipline": county.town_b_discipline,
        "nobody": county.nobody,
    }
    with pytest.raises(PermissionDenied):
        actions.add_member(users[who], county.village_a1.pk, data())
    assert not Member.objects.exists()


def test_a_revoked_secretary_may_no_longer_edit(county):
    member = f.member(county.village_a1, "李明")
    RoleGrant.objects.filter(user=county.village_a1_secretary).delete()
    with pytest.raises(PermissionDenied):
        actions.update_member(fresh(county.village_a1_secretary), member.pk, data(name="改名"))
    member.refresh_from_db()
    assert member.name == "李明"


def test_forged_member_id_of_another_township_is_refused(county):
    other = f.member(county.village_b1, "赵六")
    with pytest.raises(PermissionDenied):
        actions.update_member(county.village_a1_secretary, other.pk, data(name="改名"))
    with pytest.raises(PermissionDenied):
        actions.transfer_member(
            county.village_a1_secretary, other.pk, TransferInput(county.village_a1.pk, datetime.date(2024, 1, 1))
        )
    with pytest.raises(NotFound):
        actions.update_member(county.village_a1_secretary, 999999, data())
    other.refresh_from_db()
    assert other.name == "赵六"


def test_a_broken_id_checksum_is_refused_with_a_clear_message(county):
    number = f.id_number(501, BIRTH, "f")
    broken = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(InvalidInput) as refused:
        actions.add_member(county.village_a1_secretary, county.village_a1.pk, data(id_number=broken))
    assert "校验" in str(refused.value)
    assert "id_number_masked" in refused.value.errors
    assert not Member.objects.exists()


def test_future_dates_and_joining_before_18_are_refused(county):
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    with pytest.raises(InvalidInput) as refused:
        actions.add_member(county.village_a1_secretary, county.village_a1.pk, data(joined_on=tomorrow))
    assert "joined_on" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        actions.add_member(county.village_a1_secretary, county.village_a1.pk, data(joined_on=datetime.date(2002, 1, 1)))
    assert "joined_on" in refused.value.errors
    assert not Member.objects.exists()


def test_a_duplicate_id_number_in_another_branch_names_that_branch(county):
    f.member(county.village_b1, "张三", id_number=f.id_number(501, BIRTH, "f"), birth_date=BIRTH)
    with pytest.raises(InvalidInput) as refused:
        actions.add_member(county.village_a1_secretary, county.village_a1.pk, data())
    assert county.village_b1.name in str(refused.value)
    assert Member.objects.count() == 1


def test_a_concurrent_edit_is_refused_and_keeps_the_other_change(county):
    member = f.member(county.village_a1, "李明", birth_date=BIRTH, id_number=f.id_number(7, BIRTH))
    seen = member.version
    actions.update_member(
        county.town_a_admin,
        member.pk,
        data(name="李明明", id_number="", sex="m"),
        expected_version=seen,
    )
    with pytest.raises(EditConflict) as refused:
        actions.update_member(
            county.village_a1_secretary, member.pk, data(name="李小明", id_number="", sex="m"), expected_version=seen
        )
    assert "有人修改了此记录" in str(refused.value)
    member.refresh_from_db()
    assert member.name == "李明明"


def test_an_empty_id_number_on_edit_keeps_the_stored_one(county):
    number = f.id_number(8, BIRTH)
    member = f.member(county.village_a1, "李明", birth_date=BIRTH, id_number=number)
    actions.update_member(county.village_a1_secretary, member.pk, data(name="李明", id_number="", sex="m"))
    member.refresh_from_db()
    assert member.id_number() == number
    assert member.mobile == "13812345678"


def test_party_group_must_be_a_group_of_the_branch(county):
    group = f.OrganizationFactory(name="第一党小组", kind="group", parent=county.village_a1)
    other_group = f.OrganizationFactory(name="第二党小组", kind="group", parent=county.village_a2)
    with pytest.raises(InvalidInput):
        actions.add_member(county.village_a1_secretary, county.village_a1.pk, data(party_group_id=other_group.pk))
    with pytest.raises(InvalidInput):
        actions.add_member(county.village_a1_secretary, county.village_a1.pk, data(party_group_id=county.town_a.pk))
    member = actions.add_member(county.village_a1_secretary, county.village_a1.pk, data(party_group_id=group.pk))
    assert member.party_group == group


def test_a_member_cannot_be_added_to_a_party_group_itself(county):
    group = f.OrganizationFactory(name="第一党小组", kind="group", parent=county.village_a1)
    with pytest.raises(NotFound):
        actions.add_member(county.village_a1_secretary, group.pk, data())


def test_status_change_to_deceased_with_its_date(county):
    member = f.member(county.village_a1, "李明")
    day = timezone.localdate() - datetime.timedelta(days=3)
    actions.change_status(county.village_a1_secretary, member.pk, StatusInput(Member.Status.DECEASED, day))
    member.refresh_from_db()
    assert member.status == Member.Status.DECEASED
    assert member.status_changed_on == day


def test_transfer_out_of_the_platform_needs_a_destination_and_is_recorded(county):
    member = f.member(county.village_a1, "李明")
    day = timezone.localdate() - datetime.timedelta(days=3)
    with pytest.raises(InvalidInput):
        actions.change_status(county.village_a1_secretary, member.pk, StatusInput(Member.Status.TRANSFERRED_OUT, day))
    actions.change_status(
        county.village_a1_secretary, member.pk, StatusInput(Member.Status.TRANSFERRED_OUT, day, destination="外省某村")
    )
    member.refresh_from_db()
    assert member.status == Member.Status.TRANSFERRED_OUT
    transfer = MemberTransfer.objects.get(member=member)
    assert (transfer.destination, transfer.left_on, transfer.to_organization) == ("外省某村", day, None)


def test_a_status_date_in_the_future_is_refused(county):
    member = f.member(county.village_a1, "李明")
    with pytest.raises(InvalidInput):
        actions.change_status(
            county.village_a1_secretary,
            member.pk,
            StatusInput(Member.Status.SUSPENDED, timezone.localdate() + datetime.timedelta(days=5)),
        )
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE


def test_a_deceased_member_cannot_be_suspended(county):
    member = f.member(county.village_a1, "李明", status=Member.Status.DECEASED)
    with pytest.raises(ActionError):
        actions.change_status(
            county.village_a1_secretary, member.pk, StatusInput(Member.Status.SUSPENDED, timezone.localdate())
        )


def test_transfer_to_another_branch_waits_for_the_target_then_moves_the_member(county):
    group = f.OrganizationFactory(name="第一党小组", kind="group", parent=county.village_a1)
    member = f.member(county.village_a1, "李明", party_group=group)
    target_secretary = f.staff("b1_secretary", "secretary", county.village_b1)
    left = timezone.localdate() - datetime.timedelta(days=10)
    transfer = actions.transfer_member(
        county.village_a1_secretary, member.pk, TransferInput(county.village_b1.pk, left, "外出务工")
    )
    member.refresh_from_db()
    assert member.organization == county.village_a1  # still on the source's roll
    assert Notification.objects.filter(user=target_secretary, kind="members.transfer_incoming").exists()
    # Not the source, nor anyone else, confirms the arrival; nor before the member left.
    with pytest.raises(PermissionDenied):
        actions.receive_member(county.village_a1_secretary, transfer.pk, timezone.localdate())
    with pytest.raises(InvalidInput):
        actions.receive_member(target_secretary, transfer.pk, left - datetime.timedelta(days=1))
    actions.receive_member(target_secretary, transfer.pk, timezone.localdate())
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.organization == county.village_b1
    assert member.party_group is None
    assert transfer.arrived_on == timezone.localdate()
    # Confirmed once only; it can no longer be withdrawn.
    with pytest.raises(ActionError):
        actions.receive_member(target_secretary, transfer.pk, timezone.localdate())


def test_a_pending_transfer_can_be_withdrawn_by_the_source_only(county):
    member = f.member(county.village_a1, "李明")
    target_secretary = f.staff("b1_secretary", "secretary", county.village_b1)
    transfer = actions.transfer_member(
        county.village_a1_secretary, member.pk, TransferInput(county.village_b1.pk, timezone.localdate())
    )
    with pytest.raises(PermissionDenied):
        actions.withdraw_transfer(target_secretary, transfer.pk)
    # A second transfer or a status change waits for the first to be withdrawn.
    with pytest.raises(ActionError):
        actions.transfer_member(
            county.village_a1_secretary, member.pk, TransferInput(county.village_a2.pk, timezone.localdate())
        )
    actions.withdraw_transfer(county.village_a1_secretary, transfer.pk)
    assert not MemberTransfer.objects.exists()
    assert ChangeRecord.objects.filter(content_type__model="membertransfer", action="delete").exists()


def test_transfer_target_must_be_an_open_branch(county):
    member = f.member(county.village_a1, "李明")
    group = f.OrganizationFactory(name="第一党小组", kind="group", parent=county.village_b1)
    for target in (group.pk, county.village_a1.pk, None):
        with pytest.raises(InvalidInput):
            actions.transfer_member(county.village_a1_secretary, member.pk, TransferInput(target, timezone.localdate()))
    assert not MemberTransfer.objects.exists()
