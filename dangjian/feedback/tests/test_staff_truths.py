"""Issue 11, first-week findings on the staff side of 群众反馈: labels that tell the truth for the case, merging
offered only into cases still open, and form messages that say what to do."""

import re

import pytest
from django.urls import reverse

from dangjian.feedback import actions

from .conftest import new_case

pytestmark = pytest.mark.django_db


def _in_progress(county, **kwargs):
    case = new_case(county.village_a1, **kwargs)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    return case


def _answer_label(page: str) -> str:
    return re.search(r'<label for="id_reply">([^<：]+)', page).group(1)


@pytest.mark.parametrize("public", [True, False], ids=["public", "private"])
def test_the_answer_box_says_whether_the_reply_is_published(client, county, public):
    case = _in_progress(county, is_public=public)
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    expected = "答复群众（将公开）" if public else "答复群众（群众本人可查看，不公开）"
    assert _answer_label(page) == expected
    # The same after a refused post (the bound form).
    response = client.post(reverse("console:feedback_step", args=[case.pk, "answer"]), {"version": 3, "reply": ""})
    assert response.status_code == 400 and _answer_label(response.content.decode()) == expected


def test_submission_and_acceptance_times_are_named_for_what_they_are(client, county):
    case = new_case(county.village_a1)
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert "<dt>提交时间</dt>" in page and "受理时间" not in page
    actions.accept_case(county.village_a1_secretary, case.pk)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert "<dt>提交时间</dt>" in page and "<dt>受理时间</dt>" in page and 'data-testid="accepted-at"' in page
