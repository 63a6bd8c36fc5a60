"""The assessment pages: who sees a person's result, the officer's task, grading, the to-do line, the due panel."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.accounts.models import Role
from dangjian.learning import assessment_actions as actions
from dangjian.learning.models import Assessment, AssessmentRound
from dangjian.tests_support.factories import UserFactory, member, staff

from .assessment_support import RUBRIC, Setup

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _graded(county):
    s = Setup(county)
    for e in s.exams:
        s.sit(s.officer, e, passed=True)
    s.hand_in(s.officer)
    actions.grade_task(county.town_a_admin, s.assessment(s.officer).pk, [40, 40, 20], "很好")
    return s


def test_the_officer_and_their_admins_see_the_result(county, client):
    s = _graded(county)
    url = reverse("console:assessment", args=[s.assessment(s.officer).pk])
    for user in (s.officer, county.town_a_admin, county.county_admin):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        assert "考核合格" in page.content.decode()


def test_another_officer_a_member_and_another_townships_admin_get_404(county, client):
    s = _graded(county)
    url = reverse("console:assessment", args=[s.assessment(s.officer).pk])
    party_member = member(county.village_a1, user=UserFactory(username="party_member")).user
    other_admin = staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    for user in (s.village_officer, other_admin):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("console:assessment_file", args=[s.assessment(s.officer).pk])).status_code == 404
    client.force_login(party_member)
    assert client.get(url).status_code in (403, 404)
    client.force_login(other_admin)
    assert client.get(reverse("console:assessment_round", args=[s.round.pk])).status_code == 404


def test_the_officer_hands_in_text_and_a_file_which_only_they_and_graders_can_download(county, client):
    s = Setup(county)
    assessment = s.assessment(s.officer)
    client.force_login(s.officer)
    page = client.get(reverse("console:my_assessments"))
    assert "写作编辑测试" in page.content.decode()
    response = client.post(
        reverse("console:assessment_task", args=[assessment.pk]),
        {"task_text": "新闻稿正文", "task_file": SimpleUploadedFile("稿件.pdf", PDF), "hand_in": "1"},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == Assessment.State.SUBMITTED and assessment.task_file_name == "稿件.pdf"
    file_url = reverse("console:assessment_file", args=[assessment.pk])
    assert client.get(file_url).status_code == 200
    client.force_login(county.town_a_admin)
    assert b"".join(client.get(file_url).streaming_content) == PDF
    client.force_login(s.village_officer)
    assert client.get(file_url).status_code == 404


def test_the_grader_grades_through_the_page_and_points_out_of_range_keep_the_input(county, client):
    s = Setup(county)
    s.hand_in(s.officer)
    assessment = s.assessment(s.officer)
    client.force_login(county.town_a_admin)
    url = reverse("console:assessment_grade", args=[assessment.pk])
    bad = client.post(url, {"points_0": "99", "points_1": "30", "points_2": "10", "comments": "再改改"})
    assert bad.status_code == 400 and "再改改" in bad.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).state == Assessment.State.SUBMITTED
    good = client.post(url, {"points_0": "40", "points_1": "30", "points_2": "10", "comments": "结构清楚"})
    assert good.status_code == 302
    graded = Assessment.objects.get(pk=assessment.pk)
    assert graded.state == Assessment.State.GRADED and graded.rubric_scores == [40, 30, 10]
    assert len(RUBRIC) == 3


def test_the_officer_cannot_post_a_grade_for_themselves(county, client):
    s = Setup(county)
    s.hand_in(s.officer)
    client.force_login(s.officer)
    response = client.post(
        reverse("console:assessment_grade", args=[s.assessment(s.officer).pk]),
        {"points_0": "40", "points_1": "40", "points_2": "20"},
    )
    assert response.status_code == 403
    assert s.assessment(s.officer).state == Assessment.State.SUBMITTED


def test_the_graders_todo_counts_exactly_the_tasks_its_list_shows(county, client):
    s = Setup(county)
    s.hand_in(s.officer)
    s.hand_in(s.village_officer)
    actions.grade_task(county.town_a_admin, s.assessment(s.village_officer).pk, [40, 40, 20], "")
    client.force_login(county.town_a_admin)
    home = client.get(reverse("console:dashboard")).content.decode()
    assert "有 1 份实践任务待您评分" in home
    listed = client.get(reverse("console:assessments_to_grade")).content.decode()
    assert reverse("console:assessment", args=[s.assessment(s.officer).pk]) in listed
    assert reverse("console:assessment", args=[s.assessment(s.village_officer).pk]) not in listed
    client.force_login(s.officer)
    assert "待您评分" not in client.get(reverse("console:dashboard")).content.decode()


def test_the_round_page_shows_counts_per_organization_and_the_due_panel(county, client):
    s = _graded(county)
    client.force_login(county.town_a_admin)
    page = client.get(reverse("console:assessment_round", args=[s.round.pk])).content.decode()
    assert 'data-testid="figures"' in page and "王庄村" in page
    home = client.get(reverse("console:dashboard")).content.decode()
    assert "1 名新媒体专员待考核" in home
    due = client.get(reverse("console:assessments_due", args=[county.town_a.pk])).content.decode()
    assert "a1_media" in due or str(s.village_officer) in due
    assert str(s.officer) not in due


def test_a_township_admin_creates_a_round_chooses_exams_and_opens_it(county, client):
    s = Setup(county, open_round=False)
    client.force_login(county.town_a_admin)
    response = client.post(
        reverse("console:assessment_round_new", args=[county.town_a.pk]),
        {
            "title": "第二轮考核",
            "year": "2026",
            "task": "拍摄一组活动照片并配文字说明。",
            "rubric_lines": "画面清晰 50\n说明准确 50",
            "task_pass_percent": "60",
        },
    )
    assert response.status_code == 302
    round_ = AssessmentRound.objects.get(title="第二轮考核")
    assert round_.rubric == [{"criterion": "画面清晰", "points": 50}, {"criterion": "说明准确", "points": 50}]
    data = {f"exam_{c.pk}": str(e.pk) for c, e in zip(s.competencies, s.exams, strict=True)}
    assert client.post(reverse("console:assessment_round_exams", args=[round_.pk]), data).status_code == 302
    client.post(reverse("console:assessment_round_state", args=[round_.pk]), {"do": "open"})
    assert round_.assessments.count() == 2


def test_a_rubric_line_without_points_is_shown_on_the_form(county, client):
    client.force_login(county.town_a_admin)
    response = client.post(
        reverse("console:assessment_round_new", args=[county.town_a.pk]),
        {"title": "考核", "year": "2026", "task": "写稿", "rubric_lines": "内容准确", "task_pass_percent": "60"},
    )
    assert response.status_code == 400
    assert not AssessmentRound.objects.exists()


def test_closing_a_round_takes_the_tick_as_well_as_the_button(county, client):
    s = Setup(county)
    client.force_login(county.town_a_admin)
    url = reverse("console:assessment_round_state", args=[s.round.pk])
    page = client.post(url, {"do": "close"}, follow=True).content.decode()
    assert "请勾选“确认结束本轮考核”" in page and 'name="confirm"' in page
    s.round.refresh_from_db()
    assert s.round.state == AssessmentRound.State.OPEN
    page = client.post(url, {"do": "close", "confirm": "1"}, follow=True).content.decode()
    assert "考核已结束。" in page
    s.round.refresh_from_db()
    assert s.round.state == AssessmentRound.State.CLOSED
