"""A practice quiz in a real browser, on a 390 px phone in both text sizes and on a desktop: a party member opens a
quiz lesson, gets one question wrong and reads its explanation, retries and passes; the lesson is recorded done."""

from __future__ import annotations

import pytest

from dangjian.conftest import assert_accessible
from dangjian.learning.models import Lesson, LessonDone, Question
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, open_as, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, width: int) -> None:
    assert_accessible(page)
    assert_fits(page, width)


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_a_member_fails_a_quiz_reads_the_explanation_retries_and_passes(browser, live_server, county, width, large):
    user = f.UserFactory(username="m_wang", full_name="王建国")
    f.member(county.village_a1, "王建国", user=user)
    course = f.course(county.county, "学习党章", lessons=1)
    bank = f.question_bank(county.county, "县题库")
    single = Question.objects.create(
        bank=bank,
        kind="single",
        text="中国共产党的根本宗旨是什么？",
        options=["发展社会生产力", "全心全意为人民服务", "实现共同富裕"],
        answer=[1],
        explanation="党章总纲：党坚持全心全意为人民服务。",
    )
    multiple = Question.objects.create(
        bank=bank,
        kind="multiple",
        text="“三会一课”中的“三会”包括哪些？",
        options=["支部党员大会", "支部委员会", "党小组会", "村民代表大会"],
        answer=[0, 1, 2],
        explanation="“三会”指支部党员大会、支部委员会和党小组会。",
    )
    truth = Question.objects.create(bank=bank, kind="true_false", text="预备党员的预备期为一年。", answer=[True])
    blank = Question.objects.create(
        bank=bank, kind="blank", text="我国实行____义务教育制度。", answer=["九年"], explanation="《义务教育法》。"
    )
    lesson = Lesson.objects.create(course=course, order=2, kind=Lesson.Kind.QUIZ, title="党章小测验", pass_percent=100)
    for q in (single, multiple, truth, blank):
        lesson.questions.add(q)

    context, page = open_as(browser, live_server, "m_wang", width=width, large=large)
    page.goto(f"/learning/lessons/{lesson.pk}/quiz/")
    assert page.locator("h1").inner_text() == "党章小测验"
    check(page, width)

    def answer(single_option: str) -> None:
        page.get_by_label(single_option).check()
        for option in ("支部党员大会", "支部委员会", "党小组会"):
            page.get_by_label(option, exact=False).first.check()
        page.get_by_label("对", exact=True).check()  # said once, not 对（对）
        page.get_by_label("您的答案").fill("九年")
        submit(page, page.get_by_role("button", name="提交答案"))

    # Submitting with nothing answered keeps the page and says what is missing.
    submit(page, page.get_by_role("button", name="提交答案"))
    assert "有4道题未作答" in page.get_by_test_id("quiz-incomplete").inner_text()
    check(page, width)

    answer("A. 发展社会生产力")
    result = page.get_by_test_id("quiz-result")
    assert "尚未通过" in result.inner_text() and "共4题，答对3题（75%）" in result.inner_text()
    assert page.get_by_test_id("right-answer").inner_text() == "B"
    assert "党章总纲：党坚持全心全意为人民服务。" in page.get_by_test_id("explanation").first.inner_text()
    assert not LessonDone.objects.filter(lesson=lesson, user=user).exists()
    check(page, width)

    submit(page, page.get_by_test_id("quiz-retry"))
    assert page.get_by_role("button", name="提交答案").is_visible()
    answer("B. 全心全意为人民服务")
    assert "已通过" in page.get_by_test_id("quiz-result").inner_text()
    assert page.get_by_test_id("quiz-done").inner_text() == "本课已完成。"
    assert LessonDone.objects.filter(lesson=lesson, user=user).count() == 1
    check(page, width)
    context.close()
