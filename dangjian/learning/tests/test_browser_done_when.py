"""Issue 14's "done when", end to end in a real browser on a 390 px phone in large-text mode:

A county publishes a course with a video and an exam to every branch; a member on a phone takes it, resumes after
losing the connection, passes and verifies the certificate; a township trains and assesses its new-media officers
and sees the results per competency; none of it ranks people or tracks time.

The county's writing and publishing go through the same actions the console calls (their pages have their own
browser test, test_browser_course_review.py); everything the member and the township's administrator do is done
in the browser.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.conftest import assert_accessible
from dangjian.learning import assessment_actions, course_actions, training_actions
from dangjian.learning.models import Attempt, AttemptAnswer, Certificate, Course, LessonDone, Registration
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, open_as, submit, wait_until

from .assessment_support import Setup
from .course_support import make_video, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RIGHT = "全心全意为人民服务"
# Words of the things the platform must never show: rankings of people, points, time spent.
NEVER = ("排名", "排行", "积分", "学习时长", "在线时长", "学习时间")


def check(page) -> None:
    assert_accessible(page)
    assert_fits(page, 390)
    # The pages may say that nobody is ranked ("不对个人排名"); nothing else may speak of ranks, points or time.
    text = page.locator("body").inner_text().replace("不对个人排名", "")
    assert not [word for word in NEVER if word in text], page.url


def test_a_county_course_is_taken_passed_and_verified_and_a_township_assesses_its_officers(
    browser, live_server, county, tmp_path
):
    # The county's media officer writes the course (an article and a video) for every branch; its administrator
    # publishes it, and an exam of the course is open.
    writer = f.staff("county_media", Role.MEDIA_OFFICER, county.county)
    course = course_actions.save_course(
        writer,
        county.county.pk,
        course_actions.CourseInput(title="学习新修订的党章", offered_to_id=county.county.pk, summary="逐章学习。"),
    )
    course_actions.save_lesson(
        writer,
        course.pk,
        course_actions.LessonInput(
            kind="article", title="党章总纲", body="<div>坚持<strong>全心全意为人民服务</strong>。</div>"
        ),
    )
    course_actions.save_lesson(
        writer,
        course.pk,
        course_actions.LessonInput(kind="video", title="党章视频讲解"),
        video=upload(make_video(tmp_path, seconds=3)),
    )
    course_actions.submit_course(writer, course.pk)
    course_actions.publish_course(county.county_admin, course.pk)
    assert Course.objects.get(pk=course.pk).state == Course.State.PUBLISHED
    bank = f.question_bank(county.county, "党章知识题库", questions=6)
    f.exam(bank, "党章知识结业考试", count=5, course=course, certifying=True, max_attempts=2)
    user = f.UserFactory(username="13700000001", mobile="13700000001", full_name="")
    f.member(county.village_a1, "王秀英", user=user)

    context, page = open_as(browser, live_server, user.username, width=390, large=True)
    try:
        # From the village portal's 学习 section to the county course.
        page.goto(f"/o/{county.village_a1.pk}/")
        submit(page, page.get_by_role("link", name="学习", exact=True).first)
        submit(page, page.get_by_role("link", name="学习新修订的党章").first)
        check(page)
        submit(page, page.get_by_role("link", name="开始学习"))
        submit(page, page.get_by_role("button", name="我已学完"))
        check(page)
        submit(page, page.get_by_role("link", name="下一课：党章视频讲解"))
        wait_until(page, "document.getElementById('lesson-video').readyState >= 1")
        page.evaluate(
            "(() => { const v = document.getElementById('lesson-video'); v.muted = true;"
            " v.currentTime = Math.max(0, v.duration - 0.5); v.play(); })()"
        )
        page.get_by_test_id("lesson-done").wait_for(state="visible")
        check(page)
        assert LessonDone.objects.filter(user=user).count() == 2

        # The course page says it is finished and leads to its exam.
        page.goto(f"/o/{county.village_a1.pk}/learning/{course.pk}/")
        assert page.get_by_test_id("course-progress").inner_text() == "您已学完本课程。"
        submit(page, page.get_by_test_id("course-exams").get_by_role("link", name="党章知识结业考试"))
        check(page)
        submit(page, page.get_by_role("button", name="开始考试"))
        questions = page.get_by_test_id("exam-question")
        assert questions.count() == 5
        for n in range(2):
            questions.nth(n).get_by_text(RIGHT).click()
            questions.nth(n).get_by_text("已保存").wait_for()

        # The connection drops while the member answers the third question; it is sent when the signal is back.
        context.set_offline(True)
        questions.nth(2).get_by_text(RIGHT).click()
        questions.nth(2).get_by_text("尚未保存", exact=False).wait_for()
        assert AttemptAnswer.objects.count() == 2
        context.set_offline(False)
        questions.nth(2).get_by_text("已保存").wait_for()
        assert AttemptAnswer.objects.count() == 3

        # The phone reloads the paper: the answers are still there; the rest are answered and the paper handed in.
        page.reload()
        questions = page.get_by_test_id("exam-question")
        for n in range(3):
            assert questions.nth(n).get_by_role("radio", name=RIGHT).is_checked()
        for n in range(3, 5):
            questions.nth(n).get_by_text(RIGHT).click()
            questions.nth(n).get_by_text("已保存").wait_for()
        check(page)
        submit(page, page.get_by_role("button", name="交卷"))
        assert page.get_by_test_id("exam-score").inner_text() == "5 分中得 5 分"
        assert page.get_by_test_id("exam-verdict").inner_text() == "通过"
        check(page)

        # The certificate's code checks out on the public verification page.
        certificate = Certificate.objects.get(user=user)
        submit(page, page.get_by_role("link", name="在证书查验页面核对"))
        assert page.get_by_role("heading", name="该证书真实有效").is_visible()
        assert page.get_by_test_id("verify-name").inner_text() == "王秀英"
        assert certificate.code in page.locator("main").inner_text()
        check(page)
    finally:
        context.close()

    # The township trains its new-media officers (registered, attended) and assesses them: exams per competency
    # and a practical task graded with the rubric.
    s = Setup(county)
    start = timezone.now() + datetime.timedelta(minutes=10)  # attendance is taken from 30 minutes before
    session = training_actions.save_session(
        county.town_a_admin,
        county.town_a.pk,
        training_actions.SessionInput(
            title="新媒体稿件写作培训",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            place="镇政府三楼会议室",
            capacity=10,
            invite_role=Role.MEDIA_OFFICER,
        ),
    )
    training_actions.register(s.officer, session.pk)
    for exam in s.exams:
        s.sit(s.officer, exam, passed=True)
    assessment = s.assessment(s.officer)
    assessment_actions.save_task(s.officer, assessment.pk, "东城镇开展主题党日活动。", hand_in=True)
    assessment_actions.grade_task(county.town_a_admin, assessment.pk, [35, 30, 15], "要素齐全。")
    assert Attempt.objects.filter(user=s.officer, passed=True).count() == 2

    context, page = open_as(browser, live_server, county.town_a_admin.username, width=390, large=True)
    try:
        submit(page, page.get_by_role("link", name="培训", exact=True))
        submit(page, page.get_by_role("link", name="新媒体稿件写作培训"))
        page.get_by_label(f"{s.officer}出席").check()
        submit(page, page.get_by_role("button", name="保存出席情况"))
        assert "参加 1" in page.locator(".training-counts").inner_text()
        assert Registration.objects.get(session=session, user=s.officer).attended
        check(page)
        page.goto("/console/")
        submit(page, page.get_by_role("link", name="人员考核", exact=True))
        submit(page, page.get_by_role("link", name="2026年度新媒体工作人员考核"))
        table = page.get_by_test_id("figures")
        assert "写作编辑" in table.inner_text() and "政策理论" in table.inner_text()
        first = page.get_by_test_id("figure-row").first.inner_text().split()
        assert first[:2] == ["东城镇", "2"]  # two officers assessed in the township's subtree
        check(page)
    finally:
        context.close()
