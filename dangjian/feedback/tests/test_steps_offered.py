"""The case page offers exactly the steps the actions allow the user (both ask workflow.available_steps)."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from dangjian.core.history import ActionError
from dangjian.feedback import actions, workflow
from dangjian.feedback.models import FeedbackSettings

from .conftest import new_case

pytestmark = pytest.mark.django_db

# Each workflow step the case page can offer, taken through its action.
TRY = {
    "accept": lambda u, c: actions.accept_case(u, c.pk),
    "accept_handle": lambda u, c: actions.accept_and_handle_case(u, c.pk),
    "reject": lambda u, c: actions.reject_case(u, c.pk, "不属于受理范围"),
    "dispatch": lambda u, c: actions.dispatch_case(u, c.pk, c.place.pk),
    "start": lambda u, c: actions.start_case(u, c.pk),
    "return": lambda u, c: actions.return_case(u, c.pk, "不归我们管"),
    "answer": lambda u, c: actions.answer_case(u, c.pk, "已修好"),
    "approve": lambda u, c: actions.approve_reply(u, c.pk),
    "send_back": lambda u, c: actions.send_back_reply(u, c.pk, "请补充时间"),
    "extend": lambda u, c: actions.request_extension(u, c.pk, 2, "需要等供电所排期"),
}


class Rollback(Exception):
    pass


def _action_allows(user, case, step) -> bool:
    try:
        with transaction.atomic():
            TRY[step](user, case)
            raise Rollback
    except Rollback:
        return True
    except (PermissionDenied, ActionError):
        return False


def _offered(client, user, case) -> set[str]:
    client.force_login(user)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    base = reverse("console:feedback_step", args=[case.pk, "x"]).removesuffix("x/")
    return set(re.findall(re.escape(base) + r"([a-z_]+)/", page)) & set(TRY)


def _cases(county, a1_admin):
    """Cases in every state the page can act on, dispatched by the town to 王庄村 (whose answers need approval)."""
    FeedbackSettings.objects.create(organization=county.village_a1, answers_need_approval=True)
    received = new_case(county.village_a1, title="收到")
    accepted = new_case(county.village_a1, title="受理")
    actions.accept_case(county.town_a_admin, accepted.pk)
    dispatched = new_case(county.village_a1, title="交办")
    actions.accept_case(county.town_a_admin, dispatched.pk)
    actions.dispatch_case(county.town_a_admin, dispatched.pk, county.village_a1.pk)
    waiting = new_case(county.village_a1, title="待批")
    actions.accept_case(county.town_a_admin, waiting.pk)
    actions.dispatch_case(county.town_a_admin, waiting.pk, county.village_a1.pk)
    actions.start_case(a1_admin, waiting.pk)
    actions.request_extension(a1_admin, waiting.pk, 2, "等材料")  # one request already waits
    actions.answer_case(a1_admin, waiting.pk, "已处理")
    return [received, accepted, dispatched, waiting]


def test_the_case_page_offers_exactly_the_steps_the_actions_allow(client, county, a1_admin):
    people = [county.town_a_admin, county.village_a1_secretary, a1_admin, county.county_admin]
    for case in _cases(county, a1_admin):
        for user in people:
            case.refresh_from_db()
            allowed = {step for step in TRY if _action_allows(user, case, step)}
            assert set(workflow.available_steps(user, case)) & set(TRY) == allowed
            if "accept_handle" in allowed:  # the one step is offered in place of accepting alone
                allowed.discard("accept")
            assert _offered(client, user, case) == allowed, (case.title, user.username)


def test_no_extension_is_offered_while_a_request_waits(client, county):
    case = new_case(county.village_a1)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    assert "extend" in _offered(client, county.village_a1_secretary, case)
    actions.request_extension(county.village_a1_secretary, case.pk, 2, "需要等供电所排期")
    assert "extend" not in _offered(client, county.village_a1_secretary, case)
    with pytest.raises(ActionError):
        actions.request_extension(county.village_a1_secretary, case.pk, 3, "再等等")
