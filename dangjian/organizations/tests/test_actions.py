"""The organizations actions called directly, as the API will: ids and typed input, the same checks as
the console, and nothing saved when they refuse."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from dangjian.core.history import EditConflict, InvalidInput, NotFound
from dangjian.core.models import ChangeRecord
from dangjian.organizations import actions
from dangjian.organizations.models import Leader, Organization, Term
from dangjian.tests_support.factories import LeaderFactory, TermFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def profile(**changes) -> actions.ProfileInput:
    values = {"name": "东城镇王庄村党支部委员会", "short_name": "王庄村", "intro": "简介"}
    values.update(changes)
    return actions.ProfileInput(**values)


def test_profile_saved_with_its_history(county):
    actions.update_profile(county.town_a_admin, county.village_a1.pk, profile(intro="新的简介"))
    county.village_a1.refresh_from_db()
    assert county.village_a1.intro == "新的简介" and county.village_a1.version == 2
    record = ChangeRecord.objects.get()
    assert (record.actor, record.changes["intro"]) == (county.town_a_admin, ["", "新的简介"])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "名称：此字段不能为空。"),
        ({"name": "   "}, "name", "名称：此字段不能为空。"),
        ({"short_name": "村" * 31}, "short_name", "简称：确保该变量包含不超过 30 字符 (目前字符数 31)。"),
        ({"intro": "字" * 5001}, "intro", "简介：确保该变量包含不超过 5000 字符 (目前字符数 5001)。"),
    ],
)
def test_bad_profile_is_refused_and_nothing_saved(county, changes, field, message):
    with pytest.raises(InvalidInput) as refused:
        actions.update_profile(county.town_a_admin, county.village_a1.pk, profile(**changes))
    assert list(refused.value.errors) == [field]
    assert str(refused.value) == message
    stored = Organization.objects.get(pk=county.village_a1.pk)
    assert (stored.name, stored.intro, stored.version) == ("东城镇王庄村党支部委员会", "", 1)
    assert not ChangeRecord.objects.exists()


def test_profile_of_an_organization_outside_ones_area_is_refused(county):
    with pytest.raises(PermissionDenied):
        actions.update_profile(county.town_a_admin, county.village_b1.pk, profile(name="改名"))
    with pytest.raises(NotFound):
        actions.update_profile(county.town_a_admin, 999_999, profile())
    assert Organization.objects.get(pk=county.village_b1.pk).name == "西山乡石桥村党支部委员会"
    assert not ChangeRecord.objects.exists()


def test_stale_profile_edit_is_refused(county):
    actions.update_profile(county.town_a_admin, county.village_a1.pk, profile(intro="第一次"))
    with pytest.raises(EditConflict):
        actions.update_profile(county.town_a_admin, county.village_a1.pk, profile(intro="第二次"), expected_version=1)
    assert Organization.objects.get(pk=county.village_a1.pk).intro == "第一次"
    assert ChangeRecord.objects.count() == 1


def test_term_ending_before_its_election_is_refused(county):
    data = actions.TermInput(name="第十届", elected_on=D(2026, 5, 1), ends_on=D(2026, 4, 1))
    with pytest.raises(InvalidInput) as refused:
        actions.save_term(county.town_a_admin, county.village_a1.pk, data)
    assert list(refused.value.errors) == ["ends_on"] and str(refused.value) == "任期届满日期必须晚于选举日期。"
    with pytest.raises(InvalidInput):
        actions.save_term(
            county.town_a_admin, county.village_a1.pk, actions.TermInput("", D(2026, 5, 1), D(2031, 5, 1))
        )
    assert not Term.objects.exists() and not ChangeRecord.objects.exists()


def test_term_of_another_organization_is_not_reached_through_ones_own(county):
    other = TermFactory(organization=county.village_b1)
    data = actions.TermInput(name="改过的", elected_on=D(2026, 5, 1), ends_on=D(2031, 5, 1))
    with pytest.raises(NotFound):
        actions.save_term(county.town_a_admin, county.village_a1.pk, data, term_id=other.pk)
    with pytest.raises(PermissionDenied):
        actions.save_term(county.town_a_admin, county.village_b1.pk, data, term_id=other.pk)
    assert Term.objects.get(pk=other.pk).name == "第十二届" and not ChangeRecord.objects.exists()


def test_leader_saved_and_refused(county):
    term = TermFactory(organization=county.village_a1)
    data = actions.LeaderInput(term_id=term.pk, name="赵新民", post="党支部书记")
    leader = actions.save_leader(county.town_a_admin, county.village_a1.pk, data)
    assert (leader.organization, leader.term, leader.name) == (county.village_a1, term, "赵新民")
    for bad in [
        actions.LeaderInput(term_id=term.pk, name="", post="党支部书记"),
        actions.LeaderInput(term_id=term.pk, name="赵新民", post="书" * 61),
        actions.LeaderInput(term_id=term.pk, name="赵新民", post="党支部书记", cv="字" * 3001),
        actions.LeaderInput(term_id=term.pk, name="赵新民", post="党支部书记", sort_order=-1),
    ]:
        with pytest.raises(InvalidInput):
            actions.save_leader(county.town_a_admin, county.village_a1.pk, bad, leader_id=leader.pk)
    stored = Leader.objects.get()
    assert (stored.name, stored.post, stored.cv, stored.version) == ("赵新民", "党支部书记", "", 1)
    assert ChangeRecord.objects.count() == 1


def test_leader_cannot_be_moved_to_another_organizations_term(county):
    leader = LeaderFactory(term=TermFactory(organization=county.village_a1))
    foreign = TermFactory(organization=county.village_a2)
    data = actions.LeaderInput(term_id=foreign.pk, name=leader.name, post=leader.post)
    with pytest.raises(NotFound, match="请选择本组织的一届班子"):
        actions.save_leader(county.town_a_admin, county.village_a1.pk, data, leader_id=leader.pk)
    assert Leader.objects.get().term.organization == county.village_a1


def test_leader_of_another_organization_is_neither_changed_nor_deleted(county):
    leader = LeaderFactory(term=TermFactory(organization=county.village_b1))
    own_term = TermFactory(organization=county.village_a1)
    data = actions.LeaderInput(term_id=own_term.pk, name="冒名", post="书记")
    with pytest.raises(NotFound):
        actions.save_leader(county.town_a_admin, county.village_a1.pk, data, leader_id=leader.pk)
    with pytest.raises(NotFound):
        actions.delete_leader(county.town_a_admin, county.village_a1.pk, leader.pk)
    with pytest.raises(PermissionDenied):
        actions.delete_leader(county.town_a_admin, county.village_b1.pk, leader.pk)
    assert Leader.objects.get(pk=leader.pk).name != "冒名" and not ChangeRecord.objects.exists()


def test_stale_leader_edit_is_refused(county):
    term = TermFactory(organization=county.village_a1)
    leader = actions.save_leader(
        county.town_a_admin, county.village_a1.pk, actions.LeaderInput(term.pk, "赵新民", "党支部书记")
    )
    actions.save_leader(
        county.town_a_admin, county.village_a1.pk, actions.LeaderInput(term.pk, "赵新民", "书记"), leader_id=leader.pk
    )
    with pytest.raises(EditConflict):
        actions.save_leader(
            county.town_a_admin,
            county.village_a1.pk,
            actions.LeaderInput(term.pk, "赵新民", "副书记"),
            leader_id=leader.pk,
            expected_version=1,
        )
    assert Leader.objects.get().post == "书记"
