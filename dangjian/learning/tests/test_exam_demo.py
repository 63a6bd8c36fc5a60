"""The demo's exam: the county's certifying exam on its demo course, and the demo party member's certificate."""

from __future__ import annotations

import pytest

from dangjian.demo.context import DemoContext
from dangjian.learning import demo_exams
from dangjian.learning.models import Attempt, Certificate, Exam, Lesson
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def test_the_demo_exam_certifies_the_demo_party_member(client, county):
    f.question_bank(county.county, "县委题库", questions=25)
    f.course(county.county, "没有视频的课程", offered_to=county.county)
    video_course = f.course(county.county, "乡村振兴政策解读", offered_to=county.county)
    Lesson.objects.create(course=video_course, kind=Lesson.Kind.VIDEO, title="视频讲解")
    member_user = f.UserFactory(username="party_member", full_name="")
    f.member(county.village_a1, "刘桂英", user=member_user)
    f.staff("village_secretary", "secretary", county.village_a1)

    lines = demo_exams.load(DemoContext(seed=2026))

    exam = Exam.objects.get()
    assert exam.course == video_course and exam.certifying and exam.state == Exam.State.OPEN
    assert (exam.time_limit_minutes, exam.pass_percent, exam.max_attempts) == (30, 60, 2)
    assert sum(r.count for r in exam.rules.all()) == 20
    attempts = Attempt.objects.filter(exam=exam)
    assert attempts.count() == 2 and all(a.state == Attempt.State.GRADED for a in attempts)
    certificate = Certificate.objects.get(user=member_user)
    assert certificate.person_name == "刘桂英" and certificate.course_title == "乡村振兴政策解读"
    assert "2 attempts graded" in lines[0]
    page = client.get("/learning/verify/", {"code": certificate.code}).content.decode()
    assert "刘桂英" in page


def test_without_a_bank_the_demo_makes_no_exam(county):
    assert demo_exams.load(DemoContext(seed=1)) == ["exams: no county bank with 20 questions, no demo exam"]
    assert not Exam.objects.exists()
