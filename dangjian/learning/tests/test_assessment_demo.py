"""The demo county's assessment round: town_media sees a result, town_admin has a task to grade, the township
sees results per competency."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.learning import assessment_queries as queries
from dangjian.learning.models import Assessment, AssessmentRound, CompetencyResult, Exam

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from dangjian.conftest import ensure_reference_data

    ensure_reference_data()
    call_command("load_demo", townships=2, policies=4, cases=4, today=None, stdout=io.StringIO())


def test_the_demo_round_has_passes_a_failed_competency_and_a_task_waiting(demo, client):
    round_ = AssessmentRound.objects.get()
    assert round_.state == AssessmentRound.State.OPEN and round_.organization.depth == 1
    assert Exam.objects.filter(competency__isnull=False, rules__tag__isnull=False).count() == 6
    states = list(round_.assessments.values_list("state", "passed"))
    assert states.count(("graded", True)) == 2 and states.count(("graded", False)) == 1
    assert states.count(("submitted", None)) == 1
    assert CompetencyResult.objects.filter(assessment__round=round_, passed=False).count() == 1
    town_media = User.objects.get(username="town_media")
    mine = Assessment.objects.get(user=town_media)
    assert mine.passed is True
    client.force_login(town_media)
    assert "考核合格" in client.get(reverse("console:my_assessments")).content.decode()
    town_admin = User.objects.get(username="town_admin")
    assert queries.to_grade(town_admin).count() == 1
    client.force_login(town_admin)
    page = client.get(reverse("console:assessment_round", args=[round_.pk])).content.decode()
    assert "政策理论" in page and "2 / 3" in page
