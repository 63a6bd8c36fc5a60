"""Assessment rounds, the practical task, grading and the results (issue 14, §3.3)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.history import ActionError, InvalidInput, NotFound
from dangjian.learning import assessment_actions as actions
from dangjian.learning import assessment_queries as queries
from dangjian.learning import notices
from dangjian.learning.models import Assessment, AssessmentRound, CompetencyResult, RoundExam
from dangjian.notifications.models import Notification
from dangjian.tests_support.factories import exam, question_bank, staff

from .assessment_support import Setup, round_input

pytestmark = pytest.mark.django_db


def test_opening_a_round_assigns_every_new_media_officer_of_the_subtree_and_tells_them(county):
    s = Setup(county)
    assigned = set(s.round.assessments.values_list("user__username", flat=True))
    assert assigned == {"town_a_media", "a1_media"}  # not the neighbouring township's officer, nor the admin
    assert s.round.state == AssessmentRound.State.OPEN and s.round.opened_at is not None
    told = set(Notification.objects.filter(kind=notices.ASSESSMENT_ASSIGNED).values_list("user__username", flat=True))
    assert told == {"town_a_media", "a1_media"}


def test_a_round_cannot_open_without_an_exam_for_every_competency(county):
    s = Setup(county, open_round=False)
    RoundExam.objects.filter(round=s.round, competency=s.competencies[1]).delete()
    with pytest.raises(ActionError, match="政策理论"):
        actions.open_round(county.town_a_admin, s.round.pk)
    assert s.round.assessments.count() == 0


def test_a_round_refuses_an_exam_of_another_competency_or_of_another_township(county):
    s = Setup(county, open_round=False)
    other_bank = question_bank(county.town_b, "西山乡题库", questions=3)
    neighbour = exam(other_bank, "西山乡的测试", competency=s.competencies[0])
    with pytest.raises(InvalidInput):
        actions.set_round_exam(county.town_a_admin, s.round.pk, s.competencies[0].pk, neighbour.pk)
    with pytest.raises(InvalidInput):  # the county's exam of the other competency
        actions.set_round_exam(county.town_a_admin, s.round.pk, s.competencies[0].pk, s.exams[1].pk)
    assert RoundExam.objects.get(round=s.round, competency=s.competencies[0]).exam == s.exams[0]
    own = exam(question_bank(county.town_a, "东城镇题库", questions=3), "东城镇自己的测试")
    actions.set_round_exam(county.town_a_admin, s.round.pk, s.competencies[0].pk, own.pk)
    assert RoundExam.objects.get(round=s.round, competency=s.competencies[0]).exam == own


def test_a_round_of_another_township_is_not_found_for_its_admin(county):
    s = Setup(county, open_round=False)
    other_admin = staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    with pytest.raises(NotFound):
        actions.open_round(other_admin, s.round.pk)
    with pytest.raises(PermissionDenied):
        actions.save_round(county.town_a_media, county.town_a.pk, round_input())


def test_a_rubric_line_without_points_is_refused_with_its_line_number():
    with pytest.raises(InvalidInput, match="2"):
        actions.parse_rubric("导语清楚 20\n内容准确")
    assert actions.parse_rubric("导语清楚 20\n内容准确：30分") == (("导语清楚", 20), ("内容准确", 30))


def test_an_officer_hands_in_and_may_change_the_task_until_it_is_graded(county):
    s = Setup(county)
    s.hand_in(s.officer, "初稿")
    s.hand_in(s.officer, "修改稿")
    assessment = s.assessment(s.officer)
    assert assessment.state == Assessment.State.SUBMITTED and assessment.task_text == "修改稿"
    actions.grade_task(county.town_a_admin, assessment.pk, [30, 30, 10], "")
    with pytest.raises(ActionError):
        actions.save_task(s.officer, assessment.pk, "再改", hand_in=True)
    assert Assessment.objects.get(pk=assessment.pk).task_text == "修改稿"


def test_an_officer_cannot_hand_in_someone_elses_task(county):
    s = Setup(county)
    with pytest.raises(NotFound):
        actions.save_task(s.village_officer, s.assessment(s.officer).pk, "冒名", hand_in=True)


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_saved(county):
    s = Setup(county)
    fake = SimpleUploadedFile("稿件.pdf", b"this is not a pdf at all", content_type="application/pdf")
    with pytest.raises(InvalidInput):
        actions.save_task(s.officer, s.assessment(s.officer).pk, "正文", fake, hand_in=True)
    assessment = s.assessment(s.officer)
    assert assessment.state == Assessment.State.ASSIGNED and not assessment.task_file and assessment.task_text == ""


def test_grading_ones_own_task_is_refused(county):
    s = Setup(county)
    # The township admin is also a new-media officer of a village: assessed in the round, never their own grader.
    from dangjian.accounts.models import RoleGrant

    RoleGrant.objects.create(user=county.town_a_admin, organization=county.village_a2, role=Role.MEDIA_OFFICER)
    actions.add_officer(county.county_admin, s.round.pk, county.town_a_admin.pk)
    s.hand_in(county.town_a_admin)
    with pytest.raises(PermissionDenied):
        actions.grade_task(county.town_a_admin, s.assessment(county.town_a_admin).pk, [40, 40, 20], "")
    assert s.assessment(county.town_a_admin).state == Assessment.State.SUBMITTED
    assert s.assessment(county.town_a_admin) not in queries.to_grade(county.town_a_admin)


@pytest.mark.parametrize("points", [[41, 40, 20], [-1, 40, 20], [40, 40]])
def test_rubric_points_out_of_range_are_refused(county, points):
    s = Setup(county)
    s.hand_in(s.officer)
    with pytest.raises(InvalidInput):
        actions.grade_task(county.town_a_admin, s.assessment(s.officer).pk, points, "")
    assert s.assessment(s.officer).state == Assessment.State.SUBMITTED


def test_a_grader_of_another_township_cannot_grade(county):
    s = Setup(county)
    s.hand_in(s.officer)
    other_admin = staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    with pytest.raises(NotFound):
        actions.grade_task(other_admin, s.assessment(s.officer).pk, [40, 40, 20], "")


def test_the_assessment_passes_with_the_task_and_every_competencys_exam_passed_since_the_round_opened(county):
    s = Setup(county)
    before = s.round.opened_at - datetime.timedelta(days=3)
    s.sit(s.officer, s.exams[0], passed=True, when=before)  # before the round: does not count
    s.sit(s.officer, s.exams[1], passed=True)
    s.hand_in(s.officer)
    graded = actions.grade_task(county.town_a_admin, s.assessment(s.officer).pk, [30, 30, 10], "结构清楚")
    assert graded.task_score == 70 and graded.task_passed is True
    assert graded.passed is False
    results = dict(CompetencyResult.objects.filter(assessment=graded).values_list("competency__name", "passed"))
    assert results == {"写作编辑": None, "政策理论": True}
    s.sit(s.officer, s.exams[0], passed=True)
    actions.grade_task(county.town_a_admin, graded.pk, [30, 30, 10], "结构清楚")
    assert Assessment.objects.get(pk=graded.pk).passed is True
    assert Notification.objects.filter(user=s.officer, kind=notices.ASSESSMENT_GRADED).exists()


def test_a_task_below_the_pass_mark_fails_the_assessment(county):
    s = Setup(county)
    for e in s.exams:
        s.sit(s.officer, e, passed=True)
    s.hand_in(s.officer)
    graded = actions.grade_task(county.town_a_admin, s.assessment(s.officer).pk, [20, 20, 10], "")
    assert graded.task_passed is False and graded.passed is False


def test_an_officer_added_while_open_is_assessed_and_one_graded_cannot_be_removed(county):
    s = Setup(county)
    late = staff("a2_media", Role.MEDIA_OFFICER, county.village_a2)
    actions.add_officer(county.town_a_admin, s.round.pk, late.pk)
    assert s.round.assessments.filter(user=late).exists()
    with pytest.raises(InvalidInput):  # not an officer of the township's subtree
        actions.add_officer(county.town_a_admin, s.round.pk, s.other_officer.pk)
    s.hand_in(s.officer)
    actions.grade_task(county.town_a_admin, s.assessment(s.officer).pk, [40, 40, 20], "")
    with pytest.raises(ActionError):
        actions.remove_officer(county.town_a_admin, s.round.pk, s.assessment(s.officer).pk)
    actions.remove_officer(county.town_a_admin, s.round.pk, s.assessment(late).pk)
    assert not s.round.assessments.filter(user=late).exists()


def test_the_figures_count_officers_per_organization_and_its_subtree(county):
    s = Setup(county)
    for e in s.exams:
        s.sit(s.officer, e, passed=True)
        s.sit(s.village_officer, e, passed=e == s.exams[0])
    s.hand_in(s.officer)
    s.hand_in(s.village_officer)
    actions.grade_task(county.town_a_admin, s.assessment(s.officer).pk, [40, 40, 20], "")
    actions.grade_task(county.town_a_admin, s.assessment(s.village_officer).pk, [40, 40, 20], "")
    framework, table, total = queries.figures(s.round)
    rows = {f.organization.pk: f for f in table}
    assert set(rows) == {county.town_a.pk, county.village_a1.pk}  # organizations, not people
    assert (total.officers, total.assessed, total.passed) == (2, 2, 1)
    assert total.cells == [[2, 2], [1, 2]]
    assert (rows[county.village_a1.pk].assessed, rows[county.village_a1.pk].passed) == (1, 0)
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert queries.officers_assessed(county.town_a, today, tomorrow) == 2
    assert queries.officers_passed(county.town_a, today, tomorrow) == 1
    assert queries.officers_passed(county.village_a1, today, tomorrow) == 0
    assert queries.officers_assessed(county.town_b, today, tomorrow) == 0


def test_the_due_list_shows_officers_without_a_passed_assessment_in_the_last_year(county):
    s = Setup(county)
    for e in s.exams:
        s.sit(s.officer, e, passed=True)
    s.hand_in(s.officer)
    graded = actions.grade_task(county.town_a_admin, s.assessment(s.officer).pk, [40, 40, 20], "")
    due = {row.user.username: row.last_passed for row in queries.due_officers(county.town_a)}
    assert due == {"a1_media": None}
    Assessment.objects.filter(pk=graded.pk).update(graded_at=timezone.now() - datetime.timedelta(days=400))
    due = {row.user.username: row.last_passed for row in queries.due_officers(county.town_a)}
    assert set(due) == {"a1_media", "town_a_media"} and due["town_a_media"] is not None
    assert {row.user.username for row in queries.due_officers(county.county)} == {
        "a1_media",
        "town_a_media",
        "b1_media",
    }


def test_closing_a_round_stops_hand_ins(county):
    s = Setup(county)
    actions.close_round(county.town_a_admin, s.round.pk)
    with pytest.raises(ActionError):
        s.hand_in(s.officer)
