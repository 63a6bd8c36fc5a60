"""The demo county's training: a township's session for its new-media officers held last month with attendance,
and a coming one with a waiting list."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.learning import training_queries
from dangjian.learning.models import Registration, TrainingSession

pytestmark = pytest.mark.django_db


def test_the_demo_township_trained_its_officers_and_has_a_waiting_list():
    from dangjian.conftest import ensure_reference_data

    ensure_reference_data()
    call_command("load_demo", townships=2, policies=4, cases=4, today=None, stdout=io.StringIO())
    town_media = User.objects.get(mobile="13800000002")
    held = TrainingSession.objects.get(state=TrainingSession.State.HELD)
    upcoming = TrainingSession.objects.get(state=TrainingSession.State.PLANNED)
    assert held.ends_at < timezone.now() < upcoming.starts_at
    assert held.organization == upcoming.organization
    assert held.registrations.get(user=town_media).attended
    assert held.registrations.filter(attended=False).count() == 1
    assert upcoming.registrations.filter(state=Registration.State.WAITING).count() == 2
    assert upcoming.registrations.filter(state=Registration.State.REGISTERED).count() == upcoming.capacity
    assert upcoming.registrations.get(user=town_media).state == Registration.State.REGISTERED
    assert [s.pk for s in training_queries.trainings_for(town_media)] == [upcoming.pk, held.pk]
    assert User.objects.get(username="town_admin").has_usable_password()


def test_the_demo_party_member_may_sit_the_course_exam_and_certificate_holders_finished_the_course(client):
    from dangjian.conftest import ensure_reference_data
    from dangjian.learning import exam_access
    from dangjian.learning.models import Certificate, Enrollment, Exam, LessonDone

    ensure_reference_data()
    call_command("load_demo", townships=2, policies=4, cases=4, today=None, stdout=io.StringIO())
    course_exam = Exam.objects.get(certifying=True, course__isnull=False)
    held = TrainingSession.objects.get(state=TrainingSession.State.HELD)
    assert held.exam is not None and held.exam != course_exam and not held.exam.certifying
    assert not TrainingSession.objects.filter(exam=course_exam).exists()
    member = User.objects.get(mobile="13800000006")
    assert exam_access.may_sit(member, course_exam) == ""
    client.force_login(member)
    assert client.get(f"/learning/exams/{course_exam.pk}/").status_code == 200
    holders = list(Certificate.objects.values_list("user", flat=True))
    assert member.pk in holders
    lessons = course_exam.course.lessons.count()
    for user_id in holders:
        enrollment = Enrollment.objects.get(course=course_exam.course, user_id=user_id)
        assert enrollment.completed_at is not None
        assert LessonDone.objects.filter(user_id=user_id, lesson__course=course_exam.course).count() == lessons
    page = client.get("/learning/mine/")
    assert course_exam.course in [row["course"] for row in page.context["finished"]]
