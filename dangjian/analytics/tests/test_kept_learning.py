"""Learning's usage metrics kept in the rollups: courses published and offered, courses finished, exams passed,
training sessions held and attended, officers assessed and passed (and their rate), through the module's own
actions over three months. Counts per organization only: nothing about a person."""

import datetime

import pytest
import time_machine

from dangjian.accounts.models import Role
from dangjian.analytics import queries, rollups
from dangjian.analytics.periods import Period
from dangjian.learning import (
    assessment_actions,
    course_actions,
    exam_actions,
    progress,
    training_actions,
    training_clock,
)
from dangjian.learning.models import Attempt, Question
from dangjian.learning.tests.assessment_support import Setup
from dangjian.learning.tests.training_people import session_input
from dangjian.tests_support import factories as f

from .kept import assert_kept, at

pytestmark = pytest.mark.django_db

KEYS = [
    "learning.courses_published",
    "learning.courses_offered",
    "learning.course_completions",
    "learning.exams_passed",
    "learning.training_sessions_held",
    "learning.training_attended",
    "learning.officers_assessed",
    "learning.officers_passed",
]


def _course(writer, publisher, organization, offered_to, title):
    course = course_actions.save_course(
        writer,
        organization.pk,
        course_actions.CourseInput(title=title, offered_to_id=offered_to.pk, summary="逐章学习。"),
    )
    course_actions.save_lesson(
        writer, course.pk, course_actions.LessonInput(kind="article", title="第一课", body="<div>党章总纲。</div>")
    )
    course_actions.submit_course(writer, course.pk)
    return course_actions.publish_course(publisher, course.pk)


def _sit(user, exam, *, right: bool) -> Attempt:
    attempt = exam_actions.start_attempt(user, exam.pk)
    for item in attempt.paper:
        question = Question.objects.get(pk=item["q"])
        shown = item["order"].index(question.answer[0])
        exam_actions.save_answer(user, attempt.pk, question.pk, [str(shown if right else (shown + 1) % 4)])
    return exam_actions.submit(user, attempt.pk)


def test_learning_figures_kept_equal_the_records_and_the_counts(county):
    county_media = f.staff("county_media", Role.MEDIA_OFFICER, county.county)
    a1_member = f.UserFactory(username="a1_member")
    f.member(county.village_a1, "王秀英", user=a1_member)
    b1_member = f.UserFactory(username="b1_member")
    f.member(county.village_b1, "李德明", user=b1_member)
    with time_machine.travel(at(2026, 3, 30)):
        county_course = _course(county_media, county.county_admin, county.county, county.county, "学习新修订的党章")
        _course(county.town_a_media, county.town_a_admin, county.town_a, county.village_a1, "王庄村专题")
        progress.mark_done(a1_member, county_course.lessons.get())
        bank = f.question_bank(county.county, "党章知识题库", questions=6)
        exam = f.exam(bank, "党章知识测试", count=5, max_attempts=3)
        assert _sit(a1_member, exam, right=True).passed is True
        assert _sit(b1_member, exam, right=False).passed is False
        session = training_actions.save_session(county.town_a_admin, county.town_a.pk, session_input())
        dropped = training_actions.save_session(county.town_a_admin, county.town_a.pk, session_input(title="取消的"))
        officer = f.staff("a2_media", Role.MEDIA_OFFICER, county.village_a2)
        training_actions.register(officer, session.pk)
        training_actions.cancel_session(county.town_a_admin, dropped.pk, "改期")
    with time_machine.travel(at(2026, 4, 2, 10)):
        training_actions.check_in(officer, session.pk, session.checkin_token)
        assessed = Setup(county)
        for e in assessed.exams:
            assessed.sit(assessed.officer, e, passed=True)
            assessed.sit(assessed.village_officer, e, passed=True)
        assessed.hand_in(assessed.officer)
        assessed.hand_in(assessed.village_officer)
        assessment_actions.grade_task(county.town_a_admin, assessed.assessment(assessed.officer).pk, [40, 40, 20], "")
        rollups.refresh_pending()  # the session is not over yet: not held
    with time_machine.travel(at(2026, 4, 2, 13)):
        progress.opened(b1_member, county_course.lessons.get())  # enrolled now, finished in May
        assert training_clock.remind_sessions()["held"] == 1  # marks the sessions just over
        rollups.refresh_pending()
    with time_machine.travel(at(2026, 5, 10)):
        assert _sit(b1_member, exam, right=True).passed is True
        progress.mark_done(b1_member, county_course.lessons.get())
        assessment_actions.grade_task(
            county.town_a_admin, assessed.assessment(assessed.village_officer).pk, [10, 10, 10], ""
        )
        days = [datetime.date(2026, 3, 30), datetime.date(2026, 4, 2), datetime.date(2026, 5, 10)]
        organizations = [county.county, county.town_a, county.town_b, county.village_a1, county.village_b1]
        totals = assert_kept(KEYS, organizations, days)

    assert totals[("learning.courses_published", "测试县", "m", "2026-03")] == 2
    assert totals[("learning.courses_published", "东城镇", "m", "2026-03")] == 1
    assert totals[("learning.courses_offered", "王庄村", "y", "2026")] == 1  # the county's course counts once, above
    assert totals[("learning.courses_offered", "测试县", "y", "2026")] == 2
    assert totals[("learning.course_completions", "测试县", "q", "2026-q1")] == 1
    assert totals[("learning.course_completions", "西山乡", "q", "2026-q2")] == 1
    assert totals[("learning.exams_passed", "王庄村", "m", "2026-03")] == 1  # where the learner sat, not the exam
    assert totals[("learning.exams_passed", "测试县", "y", "2026")] == 2
    assert totals[("learning.exams_passed", "石桥村", "m", "2026-05")] == 1
    assert totals[("learning.training_sessions_held", "东城镇", "w", "2026-w14")] == 1
    assert totals[("learning.training_attended", "测试县", "m", "2026-04")] == 1
    assert totals[("learning.officers_assessed", "东城镇", "q", "2026-q2")] == 2
    assert totals[("learning.officers_passed", "东城镇", "q", "2026-q2")] == 1
    assert totals[("learning.officers_passed", "王庄村", "y", "2026")] == 0
    values = queries.figures([county.town_a.pk], Period.holding("q", datetime.date(2026, 4, 2)))[county.town_a.pk]
    rate = queries.rate_values(values)["learning.officers_passed_rate"]
    assert (rate.numerator, rate.denominator, rate.percent) == (1, 2, 50.0)
