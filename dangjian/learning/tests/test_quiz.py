"""Practice quizzes: grading by kind, retries, the lesson done when passed (and nothing else stored), bad input,
who may take a quiz, and who may choose its questions."""

import random

import pytest
from django.urls import reverse

from dangjian.accounts.models import Role
from dangjian.demo.context import DemoContext
from dangjian.learning import bank_actions, competencies, demo_banks, grading
from dangjian.learning.models import Audience, Competency, Enrollment, Lesson, LessonDone, Question
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(county):
    course = f.course(county.town_a, "党章学习", lessons=1)
    bank = f.question_bank(county.county, "县题库")
    questions = [
        Question.objects.create(
            bank=bank,
            kind="single",
            text="党的根本宗旨？",
            options=["发展经济", "全心全意为人民服务"],
            answer=[1],
            explanation="党章总纲。",
        ),
        Question.objects.create(
            bank=bank,
            kind="multiple",
            text="三会包括？",
            options=["党员大会", "支委会", "党小组会", "村民大会"],
            answer=[0, 1, 2],
        ),
        Question.objects.create(bank=bank, kind="true_false", text="预备期一年。", answer=[True]),
        Question.objects.create(
            bank=bank, kind="blank", text="两学____", answer=["一做", "两学一做"], explanation="学党章党规。"
        ),
    ]
    lesson = Lesson.objects.create(course=course, order=2, kind=Lesson.Kind.QUIZ, title="小测验", pass_percent=75)
    for q in questions:
        lesson.questions.add(q)
    return lesson, questions


@pytest.fixture
def learner(client, county):
    user = f.UserFactory(username="dangyuan")
    f.member(county.village_a1, "王党员", user=user)
    client.force_login(user)
    return user


def _answers(questions, single="1", multiple=("0", "1", "2"), truth="true", blank="两学一做。"):
    s, m, t, b = questions
    return {f"q{s.pk}": single, f"q{m.pk}": list(multiple), f"q{t.pk}": truth, f"q{b.pk}": blank}


def test_all_right_passes_and_marks_the_lesson_done(client, quiz, learner):
    lesson, questions = quiz
    page = client.get(reverse("learning:quiz", args=[lesson.pk]))
    assert page.status_code == 200 and "党的根本宗旨" in page.content.decode()
    assert "<span>对</span>" in page.content.decode() and "（对）" not in page.content.decode()  # said once
    response = client.post(reverse("learning:quiz", args=[lesson.pk]), _answers(questions))
    body = response.content.decode()
    assert "共4题，答对4题（100%）" in body and "已通过" in body
    assert LessonDone.objects.filter(lesson=lesson, user=learner).exists()


def test_each_kind_is_graded_and_a_wrong_answer_shows_the_right_one_and_the_explanation(client, quiz, learner):
    lesson, questions = quiz
    cases = [
        _answers(questions, single="0"),
        _answers(questions, multiple=("0", "1")),
        _answers(questions, truth="false"),
        _answers(questions, blank="三会一课"),
    ]
    for data in cases:
        body = client.post(reverse("learning:quiz", args=[lesson.pk]), data).content.decode()
        assert "共4题，答对3题（75%）" in body
    body = client.post(reverse("learning:quiz", args=[lesson.pk]), cases[0]).content.decode()
    assert "正确答案：" in body and "党章总纲。" in body


def test_below_the_pass_mark_records_nothing_and_a_retry_shows_the_questions_again(client, quiz, learner):
    lesson, questions = quiz
    body = client.post(
        reverse("learning:quiz", args=[lesson.pk]), _answers(questions, single="0", truth="false")
    ).content.decode()
    assert "尚未通过" in body and "再试一次" in body
    assert not LessonDone.objects.filter(lesson=lesson).exists()
    again = client.get(reverse("learning:quiz", args=[lesson.pk])).content.decode()
    assert f'name="q{questions[0].pk}"' in again and "尚未通过" not in again
    client.post(reverse("learning:quiz", args=[lesson.pk]), _answers(questions))
    assert LessonDone.objects.filter(lesson=lesson, user=learner).count() == 1
    assert Enrollment.objects.filter(course=lesson.course, user=learner).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"single": "7"},  # a forged option index
        {"single": "abc"},
        {"truth": "maybe"},
        {"blank": "长" * 5000},
        {"blank": ""},  # missing
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_graded(client, quiz, learner, change):
    lesson, questions = quiz
    response = client.post(reverse("learning:quiz", args=[lesson.pk]), _answers(questions, **change))
    assert response.status_code == 400
    assert "未作答或答案无法识别" in response.content.decode()
    assert not LessonDone.objects.exists()


def test_a_missing_question_keeps_the_other_answers(client, quiz, learner):
    lesson, questions = quiz
    data = _answers(questions)
    del data[f"q{questions[0].pk}"]
    body = client.post(reverse("learning:quiz", args=[lesson.pk]), data).content.decode()
    assert "请选择答案" in body and 'value="两学一做。"' in body


def test_a_course_not_offered_to_the_person_is_not_found(client, quiz, county):
    lesson, questions = quiz
    outsider = f.UserFactory(username="outsider")
    f.member(county.village_b1, "李党员", user=outsider)
    client.force_login(outsider)
    assert client.get(reverse("learning:quiz", args=[lesson.pk])).status_code == 404
    assert client.post(reverse("learning:quiz", args=[lesson.pk]), _answers(questions)).status_code == 404
    assert not LessonDone.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in_for_a_members_course(client, quiz):
    lesson, _questions = quiz
    response = client.get(reverse("learning:quiz", args=[lesson.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_public_course_quiz_is_open_to_anyone_and_records_nothing(client, quiz):
    lesson, questions = quiz
    lesson.course.audience = Audience.PUBLIC
    lesson.course.save()
    body = client.post(reverse("learning:quiz", args=[lesson.pk]), _answers(questions)).content.decode()
    assert "已通过" in body and "登录后可记录本课为已完成" in body
    assert not LessonDone.objects.exists()


def test_an_unpublished_course_or_an_article_lesson_has_no_quiz(client, quiz, learner):
    lesson, _questions = quiz
    article = lesson.course.lessons.get(kind=Lesson.Kind.ARTICLE)
    assert client.get(reverse("learning:quiz", args=[article.pk])).status_code == 404
    lesson.course.state = "draft"
    lesson.course.save()
    assert client.get(reverse("learning:quiz", args=[lesson.pk])).status_code == 404


def test_an_archived_question_leaves_new_tries_but_stays_on_the_quiz(client, quiz, learner):
    lesson, questions = quiz
    questions[0].archived_at = questions[0].created_at
    questions[0].save()
    body = client.get(reverse("learning:quiz", args=[lesson.pk])).content.decode()
    assert "党的根本宗旨" not in body and "三会包括" in body
    assert lesson.questions.filter(pk=questions[0].pk).exists()


# --- Choosing the quiz's questions (console) ---------------------------------------------------------------


def test_a_course_writer_adds_orders_and_removes_questions_from_banks_above(client, county):
    course = f.course(county.town_a, "课程")
    lesson = Lesson.objects.create(course=course, kind=Lesson.Kind.QUIZ, title="测验")
    county_bank = f.question_bank(county.county, "县题库", questions=3)
    q1, q2, q3 = county_bank.questions.order_by("pk")
    client.force_login(county.town_a_media)
    url = reverse("console:quiz_questions", args=[lesson.pk])
    page = client.get(url, {"bank": county_bank.pk}).content.decode()
    assert "第1题" in page
    client.post(url, {"add": "1", "question": [q3.pk, q1.pk]})
    assert bank_actions.quiz_question_ids(lesson) == [q3.pk, q1.pk]
    client.post(url, {"down": q3.pk})
    assert bank_actions.quiz_question_ids(lesson) == [q1.pk, q3.pk]
    client.post(url, {"remove": q1.pk})
    assert bank_actions.quiz_question_ids(lesson) == [q3.pk]
    assert [q.pk for q in bank_actions.quiz_questions(lesson)] == [q3.pk]


def test_questions_of_a_bank_the_course_may_not_use_are_refused(client, county):
    course = f.course(county.town_a, "课程")
    lesson = Lesson.objects.create(course=course, kind=Lesson.Kind.QUIZ, title="测验")
    other = f.question_bank(county.town_b, "西山乡题库", questions=1)
    client.force_login(county.town_a_media)
    response = client.post(
        reverse("console:quiz_questions", args=[lesson.pk]), {"add": "1", "question": [other.questions.get().pk]}
    )
    assert response.status_code == 302
    assert not lesson.questions.exists()
    response = client.post(reverse("console:quiz_questions", args=[lesson.pk]), {"add": "1", "question": ["x"]})
    assert not lesson.questions.exists()


def test_another_townships_staff_cannot_choose_a_quizs_questions(client, county):
    course = f.course(county.town_a, "课程")
    lesson = Lesson.objects.create(course=course, kind=Lesson.Kind.QUIZ, title="测验")
    bank = f.question_bank(county.county, "县题库", questions=1)
    client.force_login(f.staff("b_media", Role.MEDIA_OFFICER, county.town_b))
    url = reverse("console:quiz_questions", args=[lesson.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"add": "1", "question": [bank.questions.get().pk]}).status_code == 403
    client.force_login(county.town_b_discipline)
    assert client.get(url).status_code == 403
    assert not lesson.questions.exists()


# --- The demo bank -------------------------------------------------------------------------------------------


def test_the_demo_bank_has_200_questions_of_every_kind_with_12_per_competency(county):
    competencies.create_standard(county.county)
    ctx = DemoContext.__new__(DemoContext)
    ctx.rng = random.Random(1)
    demo_banks.load(ctx)
    questions = Question.objects.filter(bank__name=demo_banks.BANK_NAME)
    assert questions.count() == 200
    assert set(questions.values_list("kind", flat=True)) == {"single", "multiple", "true_false", "blank"}
    for competency in Competency.objects.filter(organization=county.county):
        assert questions.filter(competency=competency).count() >= 12, competency.name
    assert questions.filter(tags__name="乡村振兴").exists() and questions.filter(tags__name="惠民政策").exists()
    for q in questions:  # every right answer is right by the grader's own rules
        assert grading.is_correct(q, q.answer if q.kind != "blank" else q.answer[:1]), q.text


def test_a_quiz_without_questions_says_so(client, county, learner):
    course = f.course(county.town_a, "课程")
    lesson = Lesson.objects.create(course=course, kind=Lesson.Kind.QUIZ, title="空测验")
    assert "本测验还没有题目" in client.get(reverse("learning:quiz", args=[lesson.pk])).content.decode()
    response = client.post(reverse("learning:quiz", args=[lesson.pk]), {})
    assert response.status_code == 200 and "本测验还没有题目" in response.content.decode()
    assert not LessonDone.objects.exists()
