"""Courses: writing a course and its lessons (the text cleaned), the review (a different person who may publish
on the course's organization), returning and withdrawing; every refusal changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from dangjian.accounts.models import Role
from dangjian.core.history import ActionError, EditConflict, InvalidInput, NotFound
from dangjian.core.models import SensitiveWord
from dangjian.learning import course_actions as actions
from dangjian.learning import notices
from dangjian.learning.models import Audience, Course, CourseEvent, Lesson
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f

from .course_support import article, course_input, written

pytestmark = [pytest.mark.django_db]

State = Course.State


def _unchanged(course: Course) -> None:
    stored = Course.objects.get(pk=course.pk)
    assert (stored.state, stored.version) == (course.state, course.version)


def test_a_new_course_is_a_draft_and_its_lesson_text_is_cleaned(county):
    course = actions.save_course(county.town_a_media, county.town_a.pk, course_input(county.town_a))
    lesson = actions.save_lesson(
        county.town_a_media,
        course.pk,
        article(
            body='<div onclick="x()">条例<script>alert(1)</script><strong>六项纪律</strong>'
            '<img src="https://evil.example/x.png" onerror="alert(2)"><a href="javascript:alert(3)">链接</a></div>'
        ),
    )
    stored = Lesson.objects.get(pk=lesson.pk)
    for bad in ("script", "onclick", "onerror", "javascript:", "evil.example", "alert", "<img"):
        assert bad not in stored.body
    assert "<strong>六项纪律</strong>" in stored.body
    assert stored.body_text.startswith("条例六项纪律")
    assert stored.order == 1
    course.refresh_from_db()
    assert course.state == State.DRAFT and course.created_by == county.town_a_media
    assert list(course.events.values_list("kind", flat=True)) == [CourseEvent.Kind.CREATED]


def test_a_lesson_of_only_markup_is_refused(county):
    course = written(county, lessons=0)
    with pytest.raises(InvalidInput) as refused:
        actions.save_lesson(county.town_a_media, course.pk, article(body="<script>alert(1)</script><div> </div>"))
    assert refused.value.errors["body"] == ["请填写课时的正文。"]
    assert not Lesson.objects.exists()


def test_a_course_is_offered_only_to_its_organization_or_one_below(county):
    with pytest.raises(InvalidInput) as refused:
        actions.save_course(
            county.town_a_media, county.town_a.pk, course_input(county.town_a, offered_to_id=county.town_b.pk)
        )
    assert "offered_to" in refused.value.errors
    course = actions.save_course(
        county.town_a_media, county.town_a.pk, course_input(county.town_a, offered_to_id=county.village_a1.pk)
    )
    assert course.offered_to == county.village_a1
    assert Course.objects.count() == 1


def test_a_staff_course_keeps_its_role_and_a_members_course_none(county):
    course = actions.save_course(
        county.county_admin,
        county.county.pk,
        course_input(county.county, audience=Audience.STAFF, staff_role=Role.MEDIA_OFFICER),
    )
    assert (course.audience, course.staff_role) == (Audience.STAFF, Role.MEDIA_OFFICER)
    course = actions.save_course(
        county.county_admin,
        county.county.pk,
        course_input(county.county, staff_role=Role.MEDIA_OFFICER),
        course_id=course.pk,
        expected_version=course.version,
    )
    assert (course.audience, course.staff_role) == (Audience.MEMBERS, "")


def test_another_organizations_writer_may_not_write_or_change_its_courses(county):
    with pytest.raises(PermissionDenied):
        actions.save_course(county.village_a1_secretary, county.town_a.pk, course_input(county.town_a))
    course = written(county)
    with pytest.raises(PermissionDenied):
        actions.save_lesson(county.village_a1_secretary, course.pk, article())
    with pytest.raises(PermissionDenied):
        actions.submit_course(county.town_b_discipline, course.pk)
    lesson = course.lessons.get()
    with pytest.raises(PermissionDenied):
        actions.delete_lesson(county.village_a1_secretary, lesson.pk)
    # A forged pairing: the village's own course id with the township's lesson id changes nothing.
    own = written(county, by=county.village_a1_secretary, org=county.village_a1, lessons=0)
    with pytest.raises(NotFound):
        actions.save_lesson(county.village_a1_secretary, own.pk, article(), lesson_id=lesson.pk)
    # A writer of the village may not pass the township's course off as the village's.
    with pytest.raises(NotFound):
        actions.save_course(
            county.village_a1_secretary, county.village_a1.pk, course_input(county.village_a1), course_id=course.pk
        )
    assert course.lessons.count() == 1
    _unchanged(course)


def test_a_course_without_lessons_cannot_be_submitted(county):
    course = written(county, lessons=0)
    with pytest.raises(ActionError, match="至少"):
        actions.submit_course(county.town_a_media, course.pk)
    _unchanged(course)


def test_a_quiz_without_questions_holds_the_course_back(county):
    course = written(county)
    quiz = actions.save_lesson(
        county.town_a_media, course.pk, actions.LessonInput(kind="quiz", title="随堂测验", pass_percent=80)
    )
    course.refresh_from_db()
    with pytest.raises(ActionError, match="随堂测验"):
        actions.submit_course(county.town_a_media, course.pk)
    bank = f.question_bank(county.town_a, questions=3)
    quiz.questions.set(bank.questions.all())
    assert actions.submit_course(county.town_a_media, course.pk).state == State.REVIEWING


def test_submit_and_publish_by_a_second_person(county):
    course = written(county, lessons=2)
    submitted = actions.submit_course(county.town_a_media, course.pk, expected_version=course.version)
    assert submitted.state == State.REVIEWING
    waiting = Notification.objects.filter(kind=notices.COURSE_WAITING)
    assert {n.user for n in waiting} == {county.town_a_admin}  # the township's publisher, not the author
    # The media officer may write but not publish.
    with pytest.raises(PermissionDenied):
        actions.publish_course(county.town_a_media, course.pk)
    published = actions.publish_course(county.town_a_admin, course.pk, expected_version=submitted.version)
    stored = Course.objects.get(pk=course.pk)
    assert stored.state == State.PUBLISHED and stored.published_at is not None
    words = stored.search_text.split()
    assert {"条例", "纪律", "建设", "讲解"} <= set(words)  # the title, the summary and the lessons' text
    assert published.version == stored.version
    assert list(stored.events.values_list("kind", "actor")) == [
        (CourseEvent.Kind.CREATED, county.town_a_media.pk),
        (CourseEvent.Kind.SUBMITTED, county.town_a_media.pk),
        (CourseEvent.Kind.PUBLISHED, county.town_a_admin.pk),
    ]
    told = Notification.objects.get(kind=notices.COURSE_PUBLISHED)
    assert told.user == county.town_a_media


def test_the_author_may_not_publish_their_own_course(county):
    course = written(county, by=county.town_a_admin)
    actions.submit_course(county.town_a_admin, course.pk)
    course.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.publish_course(county.town_a_admin, course.pk)
    _unchanged(course)
    # The county, above, may.
    assert actions.publish_course(county.county_admin, course.pk).state == State.PUBLISHED


def test_a_publisher_of_another_organization_may_not_publish(county):
    course = written(county)
    actions.submit_course(county.town_a_media, course.pk)
    course.refresh_from_db()
    for outsider in (county.village_a1_secretary, county.town_b_discipline, county.nobody):
        with pytest.raises(PermissionDenied):
            actions.publish_course(outsider, course.pk)
    _unchanged(course)


def test_a_stale_version_is_refused(county):
    course = written(county)
    stale = course.version
    actions.save_lesson(county.town_a_media, course.pk, article(title="第二课"))
    with pytest.raises(EditConflict):
        actions.submit_course(county.town_a_media, course.pk, expected_version=stale)
    course.refresh_from_db()
    actions.submit_course(county.town_a_media, course.pk, expected_version=course.version)
    with pytest.raises(EditConflict):
        actions.publish_course(county.town_a_admin, course.pk, expected_version=stale)
    lesson = course.lessons.first()
    with pytest.raises(ActionError):  # in review: no change
        actions.save_lesson(county.town_a_media, course.pk, article(title="改"), lesson_id=lesson.pk)
    assert Course.objects.get(pk=course.pk).state == State.REVIEWING


def test_a_stale_lesson_edit_is_refused(county):
    course = written(county)
    lesson = course.lessons.get()
    seen = lesson.version
    actions.save_lesson(
        county.town_a_media, course.pk, article(title="新标题"), lesson_id=lesson.pk, expected_version=seen
    )
    with pytest.raises(EditConflict):
        actions.save_lesson(
            county.town_a_media, course.pk, article(title="另一个标题"), lesson_id=lesson.pk, expected_version=seen
        )
    assert Lesson.objects.get(pk=lesson.pk).title == "新标题"


def test_return_with_a_reason_then_resubmit(county):
    course = written(county)
    actions.submit_course(county.town_a_media, course.pk)
    with pytest.raises(InvalidInput):
        actions.return_course(county.town_a_admin, course.pk, "  ")
    returned = actions.return_course(county.town_a_admin, course.pk, "第1课引用的条文有误")
    assert returned.state == State.RETURNED and returned.return_reason == "第1课引用的条文有误"
    note = Notification.objects.get(kind=notices.COURSE_RETURNED)
    assert note.user == county.town_a_media and note.params["reason"] == "第1课引用的条文有误"
    lesson = course.lessons.get()
    actions.save_lesson(county.town_a_media, course.pk, article(title="第1课（改）"), lesson_id=lesson.pk)
    assert Course.objects.get(pk=course.pk).state == State.DRAFT
    assert actions.submit_course(county.town_a_media, course.pk).return_reason == ""


def test_a_published_course_changes_only_after_withdrawing(county):
    course = written(county)
    actions.submit_course(county.town_a_media, course.pk)
    actions.publish_course(county.town_a_admin, course.pk)
    lesson = course.lessons.get()
    with pytest.raises(ActionError, match="撤回"):
        actions.save_lesson(county.town_a_media, course.pk, article(title="改"), lesson_id=lesson.pk)
    with pytest.raises(PermissionDenied):  # withdrawing takes PUBLISH_COURSES
        actions.withdraw_course(county.town_a_media, course.pk, "需要更新")
    with pytest.raises(InvalidInput):
        actions.withdraw_course(county.town_a_admin, course.pk, "")
    withdrawn = actions.withdraw_course(county.town_a_admin, course.pk, "条例有新的解释，需要更新")
    assert withdrawn.state == State.WITHDRAWN
    actions.save_lesson(county.town_a_media, course.pk, article(title="改"), lesson_id=lesson.pk)
    assert Course.objects.get(pk=course.pk).state == State.DRAFT


def test_the_sensitive_word_check_refuses_a_course(county):
    SensitiveWord.objects.create(word="翻墙软件", level=SensitiveWord.Level.BLOCK)
    course = written(county)
    actions.save_lesson(county.town_a_media, course.pk, article(title="第二课", body="<div>推荐一款翻墙软件</div>"))
    course.refresh_from_db()
    with pytest.raises(ActionError, match="翻墙软件"):
        actions.submit_course(county.town_a_media, course.pk)
    _unchanged(course)


def test_lessons_move_and_are_removed(county):
    course = written(county, lessons=3)
    first, second, third = course.lessons.order_by("order")
    course = actions.move_lesson(county.town_a_media, third.pk, "up", expected_version=course.version)
    assert list(course.lessons.order_by("order").values_list("title", flat=True)) == ["第1课", "第3课", "第2课"]
    actions.move_lesson(county.town_a_media, first.pk, "up")  # already first: nothing moves
    course = actions.delete_lesson(county.town_a_media, third.pk)
    assert list(course.lessons.order_by("order").values_list("title", "order")) == [("第1课", 1), ("第2课", 2)]
    with pytest.raises(EditConflict):
        actions.delete_lesson(county.town_a_media, second.pk, expected_version=1)
    with pytest.raises(PermissionDenied):
        actions.move_lesson(county.village_a1_secretary, second.pk, "up")
