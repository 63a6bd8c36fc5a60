"""The courses' console pages over HTTP: writing a course and its lessons through the forms, uploads refused
before their body is read, the review steps, the to-do line and its list, the menu, raw POSTs by the wrong
people with forged ids, and the course's files only for those who may see it."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.registry import UsageMetric, registry
from dangjian.learning import course_actions as actions
from dangjian.learning.models import Course, Lesson
from dangjian.tests_support import factories as f

from .course_support import PDF, make_video, media_files, written

pytestmark = [pytest.mark.django_db]

State = Course.State


def _course_form(county, **overrides) -> dict:
    data = {
        "title": "学习新修订的《中国共产党纪律处分条例》",
        "summary": "逐条讲解。",
        "offered_to": county.town_a.pk,
        "audience": "members",
        "staff_role": "",
    }
    data.update(overrides)
    return data


def test_write_a_course_and_an_article_lesson_through_the_forms(client, county):
    client.force_login(county.town_a_media)
    listed = client.get(reverse("console:courses")).content.decode()
    new_url = reverse("console:course_new", args=[county.town_a.pk])
    assert f'href="{new_url}"' in listed
    response = client.post(new_url, _course_form(county))
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("console:course", args=[course.pk])
    page = client.get(reverse("console:course", args=[course.pk])).content.decode()
    add = reverse("console:course_lesson_new", args=[course.pk, "article"])
    assert f'href="{add}"' in page
    assert 'data-editor=""' in client.get(add).content.decode()
    response = client.post(
        add, {"title": "第一课", "body": '<div>条例<script>alert(1)</script><b onclick="x()">总则</b></div>'}
    )
    assert response.status_code == 302
    lesson = Lesson.objects.get()
    assert "script" not in lesson.body and "onclick" not in lesson.body and "<b>总则</b>" in lesson.body
    page = client.get(reverse("console:course", args=[course.pk])).content.decode()
    assert "第一课" in page and "提交审核" in page and "alert" not in page


def test_a_course_offered_to_another_township_is_refused_on_the_form(client, county):
    client.force_login(county.town_a_media)
    response = client.post(
        reverse("console:course_new", args=[county.town_a.pk]), _course_form(county, offered_to=county.town_b.pk)
    )
    assert response.status_code == 400 and not Course.objects.exists()


def test_a_two_gigabyte_upload_is_refused_unread_and_nothing_is_saved(client, county, settings):
    course = written(county)
    client.force_login(county.town_a_media)
    url = reverse("console:course_lesson_new", args=[course.pk, "video"])
    response = client.generic(
        "POST",
        url,
        b'--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nbig\r\n--x--\r\n',
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(2 * 1024**3),
    )
    assert response.status_code == 413
    assert "视频超过 500.0\xa0MB，超出了课时视频的大小上限。未保存任何内容。" in response.content.decode()
    assert course.lessons.count() == 1 and media_files(settings) == []


def test_an_upload_past_the_limit_is_stopped_while_it_arrives(client, county, settings, tmp_path):
    settings.LEARNING_VIDEO_MAX_BYTES = 2000  # the Content-Length passes (within the form's slack), the bytes do not
    course = written(county)
    client.force_login(county.town_a_media)
    url = reverse("console:course_lesson_new", args=[course.pk, "video"])
    clip = make_video(tmp_path)
    assert clip.stat().st_size > 2000
    response = client.post(url, {"title": "视频", "video_upload": SimpleUploadedFile("a.mp4", clip.read_bytes())})
    assert response.status_code == 413
    assert "未保存任何内容" in response.content.decode()
    assert course.lessons.count() == 1 and media_files(settings) == []


def test_a_video_and_a_document_through_the_form(client, county, settings, tmp_path):
    course = written(county)
    client.force_login(county.town_a_media)
    clip = make_video(tmp_path)
    response = client.post(
        reverse("console:course_lesson_new", args=[course.pk, "video"]),
        {"title": "视频讲解", "video_upload": SimpleUploadedFile("讲解.mp4", clip.read_bytes())},
    )
    assert response.status_code == 302
    video = Lesson.objects.get(kind="video")
    assert video.poster and video.duration
    response = client.post(
        reverse("console:course_lesson_new", args=[course.pk, "document"]),
        {"title": "条例全文", "document_upload": SimpleUploadedFile("条例.pdf", b"not a pdf at all")},
    )
    assert response.status_code == 400
    assert "该文件不是 PDF 文档" in response.content.decode() and "请重新选择文件" in response.content.decode()
    response = client.post(
        reverse("console:course_lesson_new", args=[course.pk, "document"]),
        {"title": "条例全文", "document_upload": SimpleUploadedFile("条例.pdf", PDF)},
    )
    assert response.status_code == 302
    document = Lesson.objects.get(kind="document")
    page = client.get(reverse("console:course", args=[course.pk])).content.decode()
    poster = reverse("console:course_lesson_file", args=[video.pk, "poster"])
    assert f'poster="{poster}"' in page
    assert client.get(poster)["Content-Type"] == "image/jpeg"
    served = client.get(reverse("console:course_lesson_file", args=[document.pk, "document"]))
    assert served["Content-Type"] == "application/pdf" and b"".join(served.streaming_content) == PDF
    # Someone of another township sees none of it.
    client.force_login(f.staff("town_b_media", Role.MEDIA_OFFICER, county.town_b))
    assert client.get(poster).status_code == 404
    assert client.get(reverse("console:course", args=[course.pk])).status_code == 404


def test_the_lesson_form_checks_the_csrf_token_after_installing_the_size_handler(county):
    course = written(county)
    client = Client(enforce_csrf_checks=True)
    client.force_login(county.town_a_media)
    url = reverse("console:course_lesson_new", args=[course.pk, "article"])
    assert client.post(url, {"title": "x", "body": "<div>文字</div>"}).status_code == 403
    assert course.lessons.count() == 1


def test_raw_posts_by_the_wrong_people_change_nothing(client, county):
    course = written(county, lessons=2)
    lesson = course.lessons.first()
    client.force_login(county.village_a1_secretary)  # writes and publishes, but at the village
    for url in (
        reverse("console:course_lesson_delete", args=[lesson.pk]),
        reverse("console:course_lesson_move", args=[lesson.pk]),
        reverse("console:course_submit", args=[course.pk]),
        reverse("console:course_publish", args=[course.pk]),
        reverse("console:course_lesson", args=[lesson.pk]),
        reverse("console:course", args=[course.pk]),
    ):
        assert client.post(url, {"title": "改", "body": "<div>改</div>", "direction": "down"}).status_code == 404
    client.force_login(county.town_a_media)
    actions.submit_course(county.town_a_media, course.pk)
    assert client.post(reverse("console:course_publish", args=[course.pk])).status_code == 403
    client.force_login(county.town_b_discipline)  # no course capability at all
    assert client.get(reverse("console:courses")).status_code == 403
    stored = Course.objects.get(pk=course.pk)
    assert stored.state == State.REVIEWING and stored.lessons.count() == 2
    assert stored.lessons.get(pk=lesson.pk).title == lesson.title


def test_reorder_and_remove_lessons_with_buttons(client, county):
    course = written(county, lessons=3)
    third = course.lessons.get(order=3)
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:course", args=[course.pk])).content.decode()
    assert page.count('value="up"') == 2 and page.count('value="down"') == 2
    response = client.post(
        reverse("console:course_lesson_move", args=[third.pk]), {"direction": "up", "version": course.version}
    )
    assert response.status_code == 302
    assert list(course.lessons.order_by("order").values_list("title", flat=True)) == ["第1课", "第3课", "第2课"]
    # A page that showed the old order: refused, with the reason shown.
    response = client.post(
        reverse("console:course_lesson_delete", args=[third.pk]), {"version": course.version}, follow=True
    )
    assert "有人在您查看时修改了这门课程" in response.content.decode()
    assert course.lessons.count() == 3


def test_review_steps_through_the_pages(client, county):
    course = written(county)
    client.force_login(county.town_a_media)
    client.post(reverse("console:course_submit", args=[course.pk]), {"version": course.version})
    course.refresh_from_db()
    assert course.state == State.REVIEWING
    client.force_login(county.town_a_admin)
    page = client.get(reverse("console:course", args=[course.pk])).content.decode()
    assert "发布课程" in page and "退回" in page
    response = client.post(
        reverse("console:course_return", args=[course.pk]), {"reason": "", "version": course.version}
    )
    assert Course.objects.get(pk=course.pk).state == State.REVIEWING
    response = client.post(
        reverse("console:course_publish", args=[course.pk]), {"version": course.version}, follow=True
    )
    assert "课程已发布。" in response.content.decode()
    course.refresh_from_db()
    assert course.state == State.PUBLISHED
    page = client.get(reverse("console:course", args=[course.pk])).content.decode()
    assert "撤回课程" in page and "添加课时" not in page
    client.post(reverse("console:course_withdraw", args=[course.pk]), {"reason": "需要更新", "version": course.version})
    assert Course.objects.get(pk=course.pk).state == State.WITHDRAWN


def test_a_quiz_lesson_shows_its_pass_mark_and_holds_the_course_back(client, county):
    course = written(county)
    client.force_login(county.town_a_media)
    response = client.post(
        reverse("console:course_lesson_new", args=[course.pk, "quiz"]), {"title": "随堂测验", "pass_percent": "80"}
    )
    assert response.status_code == 302
    page = client.get(reverse("console:course", args=[course.pk])).content.decode()
    assert "共 0 道题；答对 80% 及格。" in page
    assert "提交课程前请为测验“随堂测验”选择题目。" in page
    response = client.post(
        reverse("console:course_lesson_new", args=[course.pk, "quiz"]), {"title": "测验", "pass_percent": "120"}
    )
    assert response.status_code == 400 and course.lessons.count() == 2


def test_the_to_do_line_counts_exactly_what_its_list_shows(client, county):
    mine = written(county)
    actions.submit_course(county.town_a_media, mine.pk)
    village = written(county, by=county.village_a1_secretary, org=county.village_a1)
    actions.submit_course(county.village_a1_secretary, village.pk)
    written(county)  # a draft
    own = written(county, by=county.town_a_admin)
    actions.submit_course(county.town_a_admin, own.pk)  # their own: not theirs to review
    client.force_login(county.town_a_admin)
    home = client.get(reverse("console:dashboard")).content.decode()
    assert "您有 2 门课程待审核" in home
    assert f'href="{reverse("console:courses")}?todo=review"' in home
    listed = client.get(reverse("console:courses") + "?todo=review").content.decode()
    assert {int(pk) for pk in re.findall(r'href="/console/learning/courses/(\d+)/"', listed)} == {mine.pk, village.pk}
    assert "学习课程" in home  # the menu
    client.force_login(county.town_a_media)  # writes, publishes nothing: no line
    home = client.get(reverse("console:dashboard")).content.decode()
    assert "门课程待审核" not in home and "学习课程" in home
    client.force_login(county.town_b_discipline)
    assert "学习课程" not in client.get(reverse("console:dashboard")).content.decode()


def test_the_list_filters_by_state_within_scope(client, county):
    draft = written(county)
    other = written(county, by=f.staff("town_b_media", Role.MEDIA_OFFICER, county.town_b), org=county.town_b)
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:courses") + "?state=draft").content.decode()
    assert set(re.findall(r'href="/console/learning/courses/(\d+)/"', page)) == {str(draft.pk)}
    assert not re.findall(
        r'href="/console/learning/courses/(\d+)/"',
        client.get("/console/learning/courses/?state=published").content.decode(),
    )
    client.force_login(county.county_admin)
    page = client.get(reverse("console:courses")).content.decode()
    assert set(re.findall(r'href="/console/learning/courses/(\d+)/"', page)) == {str(draft.pk), str(other.pk)}


def test_courses_published_are_counted_per_subtree_and_period(county, today):
    metric = registry.get(UsageMetric, "learning.courses_published")
    f.course(county.village_a1, "村里的")
    f.course(county.town_a, "镇里的")
    f.course(county.town_b, "别的乡")
    f.course(county.town_a, "草稿", state=Course.State.DRAFT)
    f.course(county.town_a, "去年", published_at=timezone.now() - datetime.timedelta(days=400))
    tomorrow = today + datetime.timedelta(days=1)
    assert metric.count(county.town_a, today, tomorrow) == 2
    assert metric.count(county.county, today, tomorrow) == 3
    assert metric.count(county.town_a, today - datetime.timedelta(days=30), today) == 0
