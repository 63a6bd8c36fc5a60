"""Every transition of the feedback workflow, allowed and refused, and who may take it."""

import pytest
from django.core.exceptions import PermissionDenied

from dangjian.core.history import ActionError, EditConflict
from dangjian.feedback import actions, workflow
from dangjian.feedback.models import Case, CaseEvent, FeedbackSettings, Rating, State

from .conftest import new_case

pytestmark = pytest.mark.django_db


def _refresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_full_loop_from_submission_to_satisfied_rating_records_every_step(county):
    case = new_case(county.village_a1)
    assert case.state == State.RECEIVED
    actions.accept_case(county.town_a_admin, case.pk)
    actions.dispatch_case(county.town_a_admin, case.pk, county.village_a1.pk, note="请三天内修好")
    actions.start_case(county.village_a1_secretary, case.pk)
    actions.answer_case(county.village_a1_secretary, case.pk, "已更换灯泡，路灯恢复照明。")
    assert _refresh(case).state == State.ANSWERED
    actions.rate_case(case.pk, Rating.SATISFIED, "很快")
    case = _refresh(case)
    assert case.state == State.CLOSED and case.rating == Rating.SATISFIED
    kinds = list(case.events.values_list("kind", "actor__username"))
    assert kinds == [
        ("submit", None),
        ("accept", "town_a_admin"),
        ("dispatch", "town_a_admin"),
        ("note", "town_a_admin"),
        ("start", "a1_secretary"),
        ("answer", "a1_secretary"),
        ("publish", "a1_secretary"),
        ("rate", None),
        ("close", None),
    ]
    accept = case.events.get(kind="accept")
    assert accept.organization == county.town_a and accept.at is not None


ALL_STATES = list(State)


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
@pytest.mark.parametrize("state", ALL_STATES)
def test_transition_table_allows_only_its_sources(action, state):
    if state in workflow.TRANSITIONS[action].sources:
        workflow.check(action, state)
    else:
        with pytest.raises(ActionError, match="不可|not possible"):
            workflow.check(action, state)


def test_refused_transition_changes_nothing(county):
    case = new_case(county.village_a1)
    with pytest.raises(ActionError):
        actions.answer_case(county.county_admin, case.pk, "答复")
    with pytest.raises(ActionError):
        actions.dispatch_case(county.county_admin, case.pk, county.village_a1.pk)
    with pytest.raises(ActionError):
        actions.rate_case(case.pk, Rating.SATISFIED)
    case = _refresh(case)
    assert case.state == State.RECEIVED and case.version == 1
    assert list(case.events.values_list("kind", flat=True)) == ["submit"]


def test_rejection_needs_a_reason_the_citizen_can_read(county):
    case = new_case(county.village_a1)
    with pytest.raises(ActionError):
        actions.reject_case(county.village_a1_secretary, case.pk, "   ")
    actions.reject_case(county.village_a1_secretary, case.pk, "不属于本村职责范围，请拨打12345")
    case = _refresh(case)
    assert case.state == State.REJECTED
    assert case.events.get(kind="reject").public


def test_lead_returns_the_dispatch_and_the_dispatcher_redispatches(county):
    case = new_case(county.village_a1)
    actions.accept_case(county.town_a_admin, case.pk)
    actions.dispatch_case(county.town_a_admin, case.pk, county.village_a1.pk)
    with pytest.raises(ActionError):
        actions.return_case(county.village_a1_secretary, case.pk, "")
    actions.return_case(county.village_a1_secretary, case.pk, "路灯归镇供电所管")
    assert _refresh(case).state == State.RETURNED
    assert not case.events.get(kind="return").public
    actions.dispatch_case(county.town_a_admin, case.pk, county.town_a.pk)
    case = _refresh(case)
    assert case.state == State.IN_PROGRESS and case.lead_org == county.town_a


def test_dispatching_to_ones_own_organization_starts_handling(county):
    case = new_case(county.village_a1)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    assert _refresh(case).state == State.IN_PROGRESS


def test_village_cannot_dispatch_outside_its_subtree(county):
    case = new_case(county.village_a1)
    actions.accept_case(county.village_a1_secretary, case.pk)
    with pytest.raises(ActionError, match="李湾村|not below"):
        actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a2.pk)
    assert _refresh(case).state == State.ACCEPTED


def test_assisting_organizations_are_recorded_and_notified(county, a2_secretary):
    case = new_case(county.village_a1)
    actions.accept_case(county.town_a_admin, case.pk)
    actions.dispatch_case(county.town_a_admin, case.pk, county.village_a1.pk, [county.village_a2.pk])
    assert list(_refresh(case).assisting_orgs.all()) == [county.village_a2]
    assert a2_secretary.notifications.filter(target_id=case.pk, kind="feedback.assist").exists()


def test_reply_needing_approval_waits_for_the_secretary(county, a1_admin):
    FeedbackSettings.objects.create(organization=county.village_a1, answers_need_approval=True)
    case = new_case(county.village_a1)
    actions.accept_case(a1_admin, case.pk)
    actions.dispatch_case(a1_admin, case.pk, county.village_a1.pk)
    actions.answer_case(a1_admin, case.pk, "初稿答复")
    case = _refresh(case)
    assert case.state == State.PENDING_APPROVAL and case.reply_public == ""
    assert county.village_a1_secretary.notifications.filter(kind="feedback.approval").exists()
    with pytest.raises(PermissionDenied):
        actions.approve_reply(a1_admin, case.pk)
    actions.send_back_reply(county.village_a1_secretary, case.pk, "请写明维修时间")
    assert _refresh(case).state == State.IN_PROGRESS
    actions.answer_case(a1_admin, case.pk, "已于3月2日修复。")
    actions.approve_reply(county.village_a1_secretary, case.pk)
    case = _refresh(case)
    assert case.state == State.ANSWERED and case.reply_public == "已于3月2日修复。"


def test_not_satisfied_reopens_once_then_closes(county):
    case = new_case(county.village_a1)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    actions.answer_case(county.village_a1_secretary, case.pk, "已处理")
    actions.rate_case(case.pk, Rating.UNSATISFIED, "根本没修")
    case = _refresh(case)
    assert case.state == State.IN_PROGRESS and case.redo_count == 1
    assert case.events.filter(kind="redo").exists()
    actions.answer_case(county.village_a1_secretary, case.pk, "已重新维修，附照片")
    actions.rate_case(case.pk, Rating.UNSATISFIED, "还是不满意")
    case = _refresh(case)
    assert case.state == State.CLOSED and case.rating == Rating.UNSATISFIED


def test_citizen_cannot_rate_with_an_invented_value(county):
    case = new_case(county.village_a1)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    actions.answer_case(county.village_a1_secretary, case.pk, "已处理")
    for value in ["unrated", "", "excellent"]:
        with pytest.raises(ActionError):
            actions.rate_case(case.pk, value)
    assert _refresh(case).state == State.ANSWERED


def test_stale_version_is_refused_and_nothing_changes(county):
    case = new_case(county.village_a1)
    actions.accept_case(county.town_a_admin, case.pk, expected_version=1)
    with pytest.raises(EditConflict):
        actions.reject_case(county.village_a1_secretary, case.pk, "重复", expected_version=1)
    assert _refresh(case).state == State.ACCEPTED


@pytest.mark.parametrize("who", ["town_a_media", "town_b_discipline", "nobody"])
def test_staff_without_the_feedback_role_cannot_act(county, who):
    case = new_case(county.village_a1)
    with pytest.raises(PermissionDenied):
        actions.accept_case(getattr(county, who), case.pk)
    assert _refresh(case).state == State.RECEIVED


def test_other_village_cannot_act_on_a_case(county, a2_secretary):
    case = new_case(county.village_a1)
    with pytest.raises(PermissionDenied):
        actions.accept_case(a2_secretary, case.pk)
    with pytest.raises(PermissionDenied):
        actions.add_note(a2_secretary, case.pk, "看看")
    assert not CaseEvent.objects.filter(case=case, kind="note").exists()


def test_dispatch_by_ids_refuses_an_unknown_organization_and_changes_nothing(county):
    """The action takes ids (as a JSON client would send them): an id that names no organization is refused."""
    case = new_case(county.village_a1)
    actions.accept_case(county.town_a_admin, case.pk)
    missing = max(county.county.pk, county.village_b1.pk) + 1000
    for lead, assisting in [(missing, []), (county.village_a1.pk, [missing])]:
        with pytest.raises(ActionError, match="该记录不存在，或不在您的管辖范围内。"):
            actions.dispatch_case(county.town_a_admin, case.pk, lead, assisting)
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.lead_org is None and not case.assisting_orgs.exists()
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.DISPATCH).exists()
