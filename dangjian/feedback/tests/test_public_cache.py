"""Every change to a case shows on the cached public pages at once (issue 9, item 17)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from dangjian.feedback import actions, clock
from dangjian.feedback.models import Case, FeedbackSettings, State

from .conftest import new_case

# Changes must commit for the page cache to be refreshed, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def _label(state: str) -> str:
    with translation.override("zh-hans"):
        return str(State(state).label)


def _public_page(client, case) -> str:
    response = client.get(reverse("feedback:detail", args=[case.place_id, case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _state_shown(client, case) -> str:
    page = _public_page(client, case)
    shown = [state for state in State.values if f"· {_label(state)}" in page]
    assert len(shown) == 1, shown
    return shown[0]


@pytest.fixture
def dispatched(county):
    """A public case at 王庄村, accepted and dispatched by the town to the village."""
    case = new_case(county.village_a1, is_public=True)
    actions.accept_case(county.town_a_admin, case.pk)
    actions.dispatch_case(county.town_a_admin, case.pk, county.village_a1.pk)
    return case


def test_9_17_starting_shows_at_once(client, county, dispatched):
    assert _state_shown(client, dispatched) == State.DISPATCHED
    actions.start_case(county.village_a1_secretary, dispatched.pk)
    assert _state_shown(client, dispatched) == State.IN_PROGRESS


def test_9_17_returning_shows_at_once(client, county, dispatched):
    assert _state_shown(client, dispatched) == State.DISPATCHED
    actions.return_case(county.village_a1_secretary, dispatched.pk, "不属于本村职责")
    assert _state_shown(client, dispatched) == State.RETURNED


def test_9_17_answering_through_approval_shows_at_once(client, county, dispatched, a1_admin):
    FeedbackSettings.objects.create(organization=county.village_a1, answers_need_approval=True)
    actions.start_case(a1_admin, dispatched.pk)
    assert _state_shown(client, dispatched) == State.IN_PROGRESS
    actions.answer_case(a1_admin, dispatched.pk, "初稿答复")
    assert _state_shown(client, dispatched) == State.PENDING_APPROVAL


def test_9_17_sending_back_a_reply_shows_at_once(client, county, dispatched, a1_admin):
    FeedbackSettings.objects.create(organization=county.village_a1, answers_need_approval=True)
    actions.start_case(a1_admin, dispatched.pk)
    actions.answer_case(a1_admin, dispatched.pk, "初稿答复")
    assert _state_shown(client, dispatched) == State.PENDING_APPROVAL
    actions.send_back_reply(county.village_a1_secretary, dispatched.pk, "请写明维修时间")
    assert _state_shown(client, dispatched) == State.IN_PROGRESS


def test_9_17_approving_a_reply_shows_it_at_once(client, county, dispatched, a1_admin):
    FeedbackSettings.objects.create(organization=county.village_a1, answers_need_approval=True)
    actions.start_case(a1_admin, dispatched.pk)
    actions.answer_case(a1_admin, dispatched.pk, "已于3月2日修复。")
    assert "已于3月2日修复" not in _public_page(client, dispatched)
    actions.approve_reply(county.village_a1_secretary, dispatched.pk)
    assert _state_shown(client, dispatched) == State.ANSWERED
    assert "已于3月2日修复" in _public_page(client, dispatched)


def test_9_17_dispatching_shows_at_once(client, county):
    case = new_case(county.village_a1, is_public=True)
    actions.accept_case(county.town_a_admin, case.pk)
    assert _state_shown(client, case) == State.ACCEPTED
    actions.dispatch_case(county.town_a_admin, case.pk, county.village_a1.pk)
    assert _state_shown(client, case) == State.DISPATCHED


def test_9_17_rating_and_redoing_show_at_once(client, county, dispatched):
    actions.start_case(county.village_a1_secretary, dispatched.pk)
    actions.answer_case(county.village_a1_secretary, dispatched.pk, "已修复")
    assert _state_shown(client, dispatched) == State.ANSWERED
    actions.rate_case(dispatched.pk, "unsatisfied", "还是不亮")
    assert _state_shown(client, dispatched) == State.IN_PROGRESS
    actions.answer_case(county.village_a1_secretary, dispatched.pk, "已更换灯具")
    assert _state_shown(client, dispatched) == State.ANSWERED
    actions.rate_case(dispatched.pk, "satisfied")
    assert _state_shown(client, dispatched) == State.CLOSED


def test_9_17_supervision_by_the_clock_shows_at_once(client, county, dispatched):
    assert "督办" not in _public_page(client, dispatched)
    deadline = Case.objects.get(pk=dispatched.pk).answer_deadline
    clock.scan_deadlines(now=deadline + datetime.timedelta(days=1))
    assert "督办" in _public_page(client, dispatched)


def test_9_17_a_new_case_is_counted_on_the_figures_page_at_once(client, county):
    new_case(county.village_a1)
    url = reverse("feedback:figures", args=[county.village_a1.pk])
    assert "<dd>1</dd>" in client.get(url).content.decode()
    new_case(county.village_a1, title="路灯又坏了")
    assert "<dd>2</dd>" in client.get(url).content.decode()
