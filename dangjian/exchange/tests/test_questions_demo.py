"""The demo village's questions to the organization (问政): one answered by the village, one by the township, one
turned into a feedback case in the closed loop, one waiting; all on the village's portal and found by search."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.exchange.models import PublicQuestion
from dangjian.feedback.models import State

pytestmark = pytest.mark.django_db


def test_the_demo_questions(client):
    from dangjian.conftest import ensure_reference_data

    ensure_reference_data()
    out = io.StringIO()
    call_command("load_demo", townships=2, policies=4, cases=4, today=None, stdout=out)
    asked = PublicQuestion.objects.order_by("pk")
    states = [q.state for q in asked]
    Q = PublicQuestion.State
    assert states == [Q.ANSWERED, Q.ANSWERED, Q.CASE, Q.OPEN]
    village = asked[0].organization
    assert {q.organization for q in asked} == {village} and village.depth == 2
    assert asked[1].answered_as == village.parent
    case = asked[2].case
    assert case.state == State.RECEIVED and case.origin_label.endswith(f"#{asked[2].pk}")
    assert case.number in out.getvalue()
    listing = client.get(reverse("exchange:questions", args=[village.pk]), {"q": "低保"})
    assert [q.pk for q in listing.context["page"].object_list] == [asked[0].pk]
    home = client.get(reverse("orgs:portal", args=[village.pk])).content.decode()
    assert "官方答复" in home and asked[0].title_public in home
