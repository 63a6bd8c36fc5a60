"""Sitting an exam: who may sit, the drawn paper, answers saved as given (and refused after the deadline, off the
paper, or on another person's attempt), grading once, the result and its review, the attempts allowed."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from dangjian.core.history import ActionError, NotFound
from dangjian.learning import exam_actions
from dangjian.learning.exam_access import may_sit
from dangjian.learning.models import Attempt, AttemptAnswer, Certificate, Exam, Question
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(county):
    bank = f.question_bank(county.county, questions=12)
    course = f.course(county.county, "乡村振兴政策解读", offered_to=county.county)
    exam = f.exam(bank, "乡村振兴结业考试", count=10, course=course, certifying=True, max_attempts=2)
    learner = f.UserFactory(username="learner", full_name="张三")
    f.member(county.village_a1, "王秀英", user=learner)
    return exam, learner


def right_shown(attempt: Attempt, question_id: int) -> str:
    item = next(i for i in attempt.paper if i["q"] == question_id)
    question = Question.objects.get(pk=question_id)
    return str(item["order"].index(question.answer[0]))


def answer_all(client, attempt: Attempt, right: int) -> None:
    for n, item in enumerate(attempt.paper):
        shown = right_shown(attempt, item["q"]) if n < right else str((int(right_shown(attempt, item["q"])) + 1) % 4)
        response = client.post(f"/learning/attempts/{attempt.pk}/answer/", {"question": item["q"], "value": shown})
        assert response.status_code == 200, response.content


def test_the_paper_is_drawn_and_shuffled_per_attempt(setting):
    exam, learner = setting
    attempt = exam_actions.start_attempt(learner, exam.pk)
    assert len(attempt.paper) == 10 and len({i["q"] for i in attempt.paper}) == 10
    assert all(sorted(i["order"]) == [0, 1, 2, 3] for i in attempt.paper)
    assert attempt.max_score == 10
    assert abs((attempt.deadline - attempt.started_at) - datetime.timedelta(minutes=exam.time_limit_minutes)) < (
        datetime.timedelta(seconds=1)
    )
    # Starting again while it runs gives the same attempt (a reload, a second tab).
    assert exam_actions.start_attempt(learner, exam.pk).pk == attempt.pk


def test_a_member_sits_the_exam_reloads_and_passes_with_a_review_and_a_certificate(client, setting):
    exam, learner = setting
    client.force_login(learner)
    page = client.get(f"/learning/exams/{exam.pk}/")
    assert "开始考试" in page.content.decode()
    response = client.post(f"/learning/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(user=learner)
    assert response.url == f"/learning/attempts/{attempt.pk}/"
    answer_all(client, attempt, right=8)
    # A reload shows the saved answers again (in the attempt's own option order).
    paper = client.get(f"/learning/attempts/{attempt.pk}/").content.decode()
    first = attempt.paper[0]
    assert f'name="q{first["q"]}" value="{right_shown(attempt, first["q"])}" checked' in paper
    assert paper.count(" checked") == 10
    response = client.post(f"/learning/attempts/{attempt.pk}/submit/")
    result = client.get(response.url).content.decode()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED and attempt.score == 8 and attempt.passed
    assert "8 / 10" not in result and "10 分中得 8 分" in result
    assert result.count('data-testid="exam-mistake"') == 2
    assert "全心全意为人民服务" in result  # the right answer in words
    certificate = Certificate.objects.get(attempt=attempt)
    assert certificate.person_name == "王秀英" and certificate.course_title == "乡村振兴政策解读"
    assert certificate.code in result
    kinds = set(Notification.objects.filter(user=learner).values_list("kind", flat=True))
    assert kinds == {"learning.exam_graded", "learning.certificate_issued"}


def test_an_answer_after_the_time_limit_is_refused_and_the_attempt_graded_with_what_was_saved(client, setting):
    exam, learner = setting
    client.force_login(learner)
    attempt = exam_actions.start_attempt(learner, exam.pk)
    first, second = attempt.paper[0], attempt.paper[1]
    client.post(
        f"/learning/attempts/{attempt.pk}/answer/", {"question": first["q"], "value": right_shown(attempt, first["q"])}
    )
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(
        f"/learning/attempts/{attempt.pk}/answer/",
        {"question": second["q"], "value": right_shown(attempt, second["q"])},
    )
    assert response.status_code == 409
    assert "时间已到" in response.json()["error"]
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 1
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED and attempt.score == 1 and attempt.passed is False
    # Submitting now changes nothing.
    client.post(f"/learning/attempts/{attempt.pk}/submit/", {f"q{second['q']}": "0"})
    attempt.refresh_from_db()
    assert attempt.score == 1 and AttemptAnswer.objects.filter(attempt=attempt).count() == 1


def test_an_expired_open_attempt_is_graded_when_anyone_looks_at_it(client, setting, county):
    exam, learner = setting
    attempt = exam_actions.start_attempt(learner, exam.pk)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(county.county_admin)
    page = client.get(f"/console/learning/exams/{exam.pk}/").content.decode()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED and attempt.score == 0
    assert attempt.submitted_at == attempt.deadline
    assert "未通过" in page


def test_a_third_attempt_where_two_are_allowed_is_refused_with_a_clear_message(client, setting):
    exam, learner = setting
    client.force_login(learner)
    for _ in range(2):
        attempt = exam_actions.start_attempt(learner, exam.pk)
        exam_actions.submit(learner, attempt.pk)
    assert "2 次" in may_sit(learner, exam)
    response = client.post(f"/learning/exams/{exam.pk}/start/", follow=True)
    assert "您已用完本考试允许的 2 次机会" in response.content.decode()
    assert Attempt.objects.filter(user=learner).count() == 2
    assert "exam-begin" not in client.get(f"/learning/exams/{exam.pk}/").content.decode()


def test_a_double_submit_grades_once(client, setting):
    exam, learner = setting
    client.force_login(learner)
    attempt = exam_actions.start_attempt(learner, exam.pk)
    answer_all(client, attempt, right=10)
    client.post(f"/learning/attempts/{attempt.pk}/submit/")
    response = client.post(f"/learning/attempts/{attempt.pk}/submit/", follow=True)
    assert "已交卷" in response.content.decode()
    assert Certificate.objects.filter(attempt=attempt).count() == 1
    assert Notification.objects.filter(user=learner, kind="learning.exam_graded").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_grade_once(county):
    from dangjian.conftest import ensure_reference_data

    ensure_reference_data()
    bank = f.question_bank(county.county, questions=6)
    exam = f.exam(bank, count=5, certifying=True)
    learner = f.UserFactory(full_name="李四")
    f.member(county.village_a1, "李四", user=learner)
    attempt = exam_actions.start_attempt(learner, exam.pk)
    for item in attempt.paper:
        exam_actions.save_answer(learner, attempt.pk, item["q"], [right_shown(attempt, item["q"])])
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def hand_in():
        try:
            barrier.wait()
            results.append(exam_actions.grade(attempt.pk, submitted=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=hand_in) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert Certificate.objects.filter(attempt=attempt).count() == 1
    assert Notification.objects.filter(user=learner, kind="learning.exam_graded").count() == 1
    attempt.refresh_from_db()
    assert attempt.score == 5


def test_another_persons_attempt_id_is_refused(client, setting):
    exam, learner = setting
    attempt = exam_actions.start_attempt(learner, exam.pk)
    other = f.UserFactory()
    f.member(exam.organization, "赵六", user=other)
    client.force_login(other)
    item = attempt.paper[0]
    assert client.get(f"/learning/attempts/{attempt.pk}/").status_code == 404
    assert (
        client.post(f"/learning/attempts/{attempt.pk}/answer/", {"question": item["q"], "value": "0"}).status_code
        == 404
    )
    assert client.post(f"/learning/attempts/{attempt.pk}/submit/").status_code == 404
    assert not AttemptAnswer.objects.exists()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.OPEN
    with pytest.raises(NotFound):
        exam_actions.save_answer(other, attempt.pk, item["q"], ["0"])


def test_answers_off_the_paper_or_out_of_range_are_refused(client, setting):
    exam, learner = setting
    client.force_login(learner)
    attempt = exam_actions.start_attempt(learner, exam.pk)
    off = Question.objects.exclude(pk__in=[i["q"] for i in attempt.paper]).first()
    url = f"/learning/attempts/{attempt.pk}/answer/"
    assert client.post(url, {"question": off.pk, "value": "0"}).status_code == 409
    assert client.post(url, {"question": "x"}).status_code == 409
    response = client.post(url, {"question": attempt.paper[0]["q"], "value": "9"})
    assert response.status_code == 400 and "选项" in response.json()["error"]
    assert client.post(url, {"question": attempt.paper[0]["q"], "value": ["0", "1"]}).status_code == 400
    assert not AttemptAnswer.objects.exists()


def test_the_shown_order_is_translated_to_the_stored_one(setting):
    exam, learner = setting
    attempt = exam_actions.start_attempt(learner, exam.pk)
    item = attempt.paper[0]
    shown = item["order"].index(1)  # where the right option (stored index 1) is shown
    saved = exam_actions.save_answer(learner, attempt.pk, item["q"], [str(shown)])
    assert saved.answer == [1]


def test_who_may_sit(setting, county):
    exam, learner = setting
    outsider = f.UserFactory()
    assert may_sit(outsider, exam) != ""  # the course is offered to the county's members, not to them
    assert may_sit(learner, exam) == ""
    Exam.objects.filter(pk=exam.pk).update(state=Exam.State.CLOSED)
    exam.refresh_from_db()
    assert may_sit(learner, exam) == "本考试未开放。"
    with pytest.raises(ActionError):
        exam_actions.start_attempt(learner, exam.pk)


def test_an_exam_after_a_training_session_is_for_those_who_attended(setting, county):
    from dangjian.learning.models import Registration, TrainingSession

    exam, learner = setting
    session = TrainingSession.objects.create(
        organization=county.county,
        title="新媒体培训",
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=2),
        exam=exam,
        checkin_token="door-code",  # the model's default (token_urlsafe, 43 characters) overflows its 40 on PostgreSQL
    )
    assert "培训" in may_sit(learner, exam)
    registration = Registration.objects.create(session=session, user=learner)
    assert "培训" in may_sit(learner, exam)
    registration.attended = True
    registration.save()
    assert may_sit(learner, exam) == ""


def test_handing_in_with_questions_unanswered_asks_again_and_a_second_press_hands_in(client, setting):
    exam, learner = setting
    client.force_login(learner)
    attempt = exam_actions.start_attempt(learner, exam.pk)
    first, second = attempt.paper[0], attempt.paper[1]
    client.post(
        f"/learning/attempts/{attempt.pk}/answer/", {"question": first["q"], "value": right_shown(attempt, first["q"])}
    )
    # The second answer comes with the form itself (no JavaScript): it is kept, not lost.
    response = client.post(
        f"/learning/attempts/{attempt.pk}/submit/", {f"q{second['q']}": right_shown(attempt, second["q"])}
    )
    assert response.status_code == 302  # a reload of the page shown never sends the form again
    page = client.get(response.url).content.decode()
    assert page.count("还有 8 题未作答。确定交卷请再点一次「交卷」。") == 2
    assert 'name="confirm" value="1"' in page
    assert "已答 2 题，共 10 题" in page
    assert page.count(" checked") == 2
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.OPEN and AttemptAnswer.objects.filter(attempt=attempt).count() == 2
    # The second press (with confirm=1) hands it in; a third press changes nothing.
    client.post(f"/learning/attempts/{attempt.pk}/submit/", {"confirm": "1"})
    client.post(f"/learning/attempts/{attempt.pk}/submit/", {"confirm": "1"})
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED and attempt.score == 2
    assert Notification.objects.filter(user=learner, kind="learning.exam_graded").count() == 1


def test_after_the_deadline_a_paper_with_questions_unanswered_is_handed_in_without_asking(client, setting):
    exam, learner = setting
    client.force_login(learner)
    attempt = exam_actions.start_attempt(learner, exam.pk)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(f"/learning/attempts/{attempt.pk}/submit/")
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED and attempt.score == 0
