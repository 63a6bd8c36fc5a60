"""The shared pieces of the learning module: who a course is offered to, grading, progress."""

import pytest

from dangjian.accounts.models import Role
from dangjian.learning import audience, grading, progress
from dangjian.learning.models import Audience, Enrollment, Question
from dangjian.tests_support.factories import UserFactory, course, member, staff

pytestmark = pytest.mark.django_db


def test_a_county_members_course_is_offered_to_a_village_member_and_not_to_a_stranger(county):
    village_member = member(county.village_a1, user=UserFactory())
    stranger = UserFactory()
    c = course(county.county, lessons=2)
    assert audience.is_offered(village_member.user, c)
    assert not audience.is_offered(stranger, c)
    assert c in audience.offered_courses(village_member.user)
    assert c not in audience.offered_courses(stranger)


def test_a_township_course_is_not_offered_to_the_neighbouring_township(county):
    other = member(county.village_b1, user=UserFactory())
    c = course(county.town_a, lessons=1)
    assert not audience.is_offered(other.user, c)
    assert c not in audience.offered_courses(other.user)
    assert c in audience.courses_on_portal(county.village_a1)
    assert c not in audience.courses_on_portal(county.village_b1)


def test_a_staff_course_for_media_officers_leaves_out_members_and_secretaries(county):
    officer = staff("officer_a1", Role.MEDIA_OFFICER, county.village_a1)
    secretary = staff("secretary_a1", Role.SECRETARY, county.village_a1)
    plain = member(county.village_a1, user=UserFactory())
    c = course(county.county, audience=Audience.STAFF, staff_role=Role.MEDIA_OFFICER)
    assert audience.is_offered(officer, c)
    assert not audience.is_offered(secretary, c)
    assert not audience.is_offered(plain.user, c)
    assert list(audience.offered_courses(officer)) == [c]
    assert list(audience.offered_courses(secretary)) == []


def test_a_draft_course_is_offered_to_nobody(county):
    learner = member(county.village_a1, user=UserFactory())
    c = course(county.county, state="draft")
    assert not audience.is_offered(learner.user, c)
    assert c not in audience.offered_courses(learner.user)


@pytest.mark.parametrize(
    ("kind", "options", "answer", "raw", "right"),
    [
        (Question.Kind.SINGLE, ["甲", "乙"], [1], ["1"], True),
        (Question.Kind.SINGLE, ["甲", "乙"], [1], ["0"], False),
        (Question.Kind.MULTIPLE, ["甲", "乙", "丙"], [0, 2], ["2", "0"], True),
        (Question.Kind.MULTIPLE, ["甲", "乙", "丙"], [0, 2], ["0"], False),
        (Question.Kind.TRUE_FALSE, [], [True], ["true"], True),
        (Question.Kind.TRUE_FALSE, [], [True], ["false"], False),
        (Question.Kind.BLANK, [], ["全心全意为人民服务"], ["全心全意为人民服务。"], True),
        (Question.Kind.BLANK, [], ["两学一做"], [" 两学一做 "], True),
        (Question.Kind.BLANK, [], ["两学一做"], ["三会一课"], False),
        (Question.Kind.BLANK, [], ["两学一做"], [""], False),
    ],
)
def test_answers_are_graded_by_kind(kind, options, answer, raw, right):
    q = Question(kind=kind, options=options, answer=answer, text="题")
    assert grading.is_correct(q, grading.parse(q, raw)) is right


def test_an_option_that_does_not_exist_is_refused_with_a_message():
    q = Question(kind=Question.Kind.SINGLE, options=["甲", "乙"], answer=[1], text="题")
    with pytest.raises(ValueError):
        grading.parse(q, ["7"])
    with pytest.raises(ValueError):
        grading.parse(q, ["0", "1"])


def test_a_course_is_finished_when_every_lesson_is_done_and_resumes_at_the_first_not_done(county):
    learner = member(county.village_a1, user=UserFactory()).user
    c = course(county.county, lessons=3)
    first, second, third = c.lessons.all()
    progress.opened(learner, second)
    assert progress.resume_lesson(learner, c) == second
    assert progress.mark_done(learner, second)
    assert not progress.mark_done(learner, second)  # once
    assert progress.resume_lesson(learner, c) == first
    progress.mark_done(learner, first)
    assert Enrollment.objects.get(course=c, user=learner).completed_at is None
    progress.mark_done(learner, third)
    enrollment = Enrollment.objects.get(course=c, user=learner)
    assert enrollment.completed_at is not None
    assert enrollment.organization == county.village_a1


def test_nothing_is_kept_for_someone_the_course_is_not_offered_to(county):
    stranger = UserFactory()
    c = course(county.town_b, lessons=1)
    assert progress.opened(stranger, c.lessons.get()) is None
    assert not progress.mark_done(stranger, c.lessons.get())
    assert not Enrollment.objects.exists()


def test_my_learning_lists_the_exams_certificates_and_trainings_of_the_person(client, county):
    """我的学习 gathers the areas: an exam offered with a course, a certificate, an invitation to a training."""
    import datetime

    from django.utils import timezone

    from dangjian.learning.models import Attempt, Certificate, TrainingSession
    from dangjian.tests_support.factories import exam, question_bank

    officer = staff("media_a", Role.MEDIA_OFFICER, county.town_a)
    c = course(county.county, "学党章", lessons=1)
    paper = exam(question_bank(county.county, questions=5), "学党章结业考试", course=c, certifying=True)
    now = timezone.now()
    attempt = Attempt.objects.create(
        exam=paper, user=officer, deadline=now, state="graded", score=5, max_score=5, passed=True
    )
    Certificate.objects.create(
        attempt=attempt,
        user=officer,
        code="ABCD2345EFGH",
        person_name="张三",
        organization_name="测试县",
        exam_title="学党章结业考试",
    )
    TrainingSession.objects.create(
        organization=county.town_a,
        title="新媒体写作培训",
        starts_at=now + datetime.timedelta(days=3),
        ends_at=now + datetime.timedelta(days=3, hours=2),
        invite_role=Role.MEDIA_OFFICER,
    )
    client.force_login(officer)
    page = client.get("/learning/mine/").content.decode()
    assert "学党章结业考试" in page
    assert "ABCD2345EFGH" in page
    assert "新媒体写作培训" in page
