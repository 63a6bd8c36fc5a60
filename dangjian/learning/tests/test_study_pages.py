"""The learner's side of courses (issue 14, study): the portal's catalogue and its Chinese search, the course page
with progress and resume, lessons (article, video, document, quiz), "I have finished it", my learning, the
registry entries; and the attacker's requests."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from dangjian.core.registry import DashboardPanel, PortalSection, UsageMetric, entries
from dangjian.core.text import index_text
from dangjian.learning import audience
from dangjian.learning.models import Audience, Course, Enrollment, Lesson, LessonDone
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 40  # 10,240 bytes standing in for a video (the range logic does not read it)
PDF = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"


@pytest.fixture
def bump(django_capture_on_commit_callbacks):
    def run():
        from dangjian.core.cache import bump_content_generation

        with django_capture_on_commit_callbacks(execute=True):
            bump_content_generation()

    return run


@pytest.fixture
def learner(county):
    user = f.UserFactory(username="a1_member", mobile="13700000011")
    f.member(county.village_a1, "王秀英", user=user)
    return user


@pytest.fixture
def outsider(county):
    """A member of the other township's village."""
    user = f.UserFactory(username="b1_member", mobile="13700000012")
    f.member(county.village_b1, "李德明", user=user)
    return user


def county_course(county, **kwargs):
    kwargs.setdefault("lessons", 3)
    return f.course(county.town_a, kwargs.pop("title", "学习党章党规"), **kwargs)


def with_files(course):
    """Adds a video lesson and a document lesson to the course (orders 10 and 11)."""
    video = Lesson(course=course, order=10, kind=Lesson.Kind.VIDEO, title="视频课", video_type="video/mp4")
    video.video.save("lesson.mp4", ContentFile(VIDEO), save=False)
    video.poster.save("poster.jpg", ContentFile(b"\xff\xd8\xff\xe0poster"), save=False)
    video.video_size = len(VIDEO)
    video.save()
    document = Lesson(course=course, order=11, kind=Lesson.Kind.DOCUMENT, title="文件课", document_name="学习材料.pdf")
    document.document.save("material.pdf", ContentFile(PDF), save=False)
    document.save()
    return video, document


def body(response) -> str:
    return b"".join(response.streaming_content).decode("latin-1") if response.streaming else response.content.decode()


# The catalogue ------------------------------------------------------------------------------------------


def test_catalogue_lists_courses_offered_here_or_above_with_who_each_is_for(client, county):
    f.course(county.county, "县级公开课", audience=Audience.PUBLIC)
    f.course(county.town_a, "东城镇党员课")
    f.course(county.town_a, "新媒体管理员培训", audience=Audience.STAFF, staff_role="media_officer")
    f.course(county.town_b, "西山乡的课")
    f.course(county.town_a, "草稿课", state=Course.State.DRAFT)
    f.course(county.town_a, "撤回的课", state=Course.State.WITHDRAWN)
    response = client.get(reverse("learning:catalogue", args=[county.village_a1.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "县级公开课" in page and "东城镇党员课" in page
    assert "西山乡的课" not in page and "草稿课" not in page and "撤回的课" not in page
    assert "公开" in page and "党员" in page
    assert 'aria-current="page"' in page or "学习" in page


def test_staff_courses_are_not_on_the_portal_but_in_my_learning_of_their_staff(client, county):
    staff_course = f.course(
        county.county, "新媒体工作人员入门", audience=Audience.STAFF, staff_role="media_officer", lessons=1
    )
    f.course(county.county, "县级党员课", lessons=1)
    catalogue = client.get(reverse("learning:catalogue", args=[county.village_a1.pk])).content.decode()
    portal = client.get(reverse("orgs:portal", args=[county.village_a1.pk])).content.decode()
    assert "县级党员课" in catalogue and "县级党员课" in portal
    assert "新媒体工作人员入门" not in catalogue and "新媒体工作人员入门" not in portal
    media = county.town_a_media
    assert staff_course in audience.offered_courses(media)
    client.force_login(media)
    response = client.get(reverse("learning:my_learning"))
    assert staff_course in [row["course"] for row in response.context["suggested"]]
    assert "新媒体工作人员入门" in response.content.decode()
    page = client.get(reverse("learning:course", args=[county.town_a.pk, staff_course.pk]))
    assert page.status_code == 200 and "新媒体工作人员入门" in page.content.decode()


def test_catalogue_search_requires_every_word(client, county):
    first = f.course(county.county, "乡村振兴政策解读")
    first.summary = "宅基地审批和农村集体经济"
    first.search_text = index_text(f"{first.title} {first.summary}")
    first.save()
    f.course(county.county, "党章学习")
    url = reverse("learning:catalogue", args=[county.village_a1.pk])
    page = client.get(url, {"q": "乡村振兴"}).content.decode()
    assert "乡村振兴政策解读" in page and "党章学习" not in page
    page = client.get(url, {"q": "乡村振兴 宅基地"}).content.decode()
    assert "乡村振兴政策解读" in page
    page = client.get(url, {"q": "乡村振兴 党章"}).content.decode()
    assert "乡村振兴政策解读" not in page and "党章学习" not in page
    assert "没有找到与“乡村振兴 党章”相关的课程" in page


def test_empty_catalogue_says_so(client, county):
    page = client.get(reverse("learning:catalogue", args=[county.village_b1.pk])).content.decode()
    assert "还没有课程" in page


def test_portal_has_the_learning_section_and_block(client, county):
    assert "learning" in [section.key for section in entries(PortalSection)]
    f.course(county.county, "县级党员课")
    page = client.get(reverse("orgs:portal", args=[county.village_a1.pk])).content.decode()
    assert reverse("learning:catalogue", args=[county.village_a1.pk]) in page
    assert "县级党员课" in page


def test_a_published_course_shows_at_once_on_the_cached_catalogue(client, county, bump):
    url = reverse("learning:catalogue", args=[county.village_a1.pk])
    assert "新开的课" not in client.get(url).content.decode()
    f.course(county.county, "新开的课")
    bump()
    assert "新开的课" in client.get(url).content.decode()


# The course page --------------------------------------------------------------------------------------------


def test_course_page_for_a_member_it_is_offered_to(client, county, learner):
    course = county_course(county)
    client.force_login(learner)
    url = reverse("learning:course", args=[county.village_a1.pk, course.pk])
    page = client.get(url).content.decode()
    assert "开始学习" in page and "第1课" in page and "第3课" in page
    first, second, _third = course.lessons.all()
    client.get(reverse("learning:lesson", args=[first.pk]))
    client.post(reverse("learning:lesson_done", args=[first.pk]))
    client.get(reverse("learning:lesson", args=[second.pk]))
    response = client.get(url)
    page = response.content.decode()
    assert "继续学习" in page and "已完成 1 课，共 3 课" in page
    assert response.context["resume_url"] == f"{reverse('learning:lesson', args=[second.pk])}?o={county.village_a1.pk}"
    assert [item["done"] for item in response.context["lessons"]] == [True, False, False]


def test_course_not_offered_to_this_portal_is_404(client, county):
    course = f.course(county.town_b, "西山乡的课", lessons=1)
    assert client.get(reverse("learning:course", args=[county.village_a1.pk, course.pk])).status_code == 404
    draft = f.course(county.town_a, "草稿课", lessons=1, state=Course.State.DRAFT)
    assert client.get(reverse("learning:course", args=[county.village_a1.pk, draft.pk])).status_code == 404


def test_members_course_is_described_to_anyone_but_lessons_need_signing_in(client, county):
    course = county_course(county)
    response = client.get(reverse("learning:course", args=[county.village_a1.pk, course.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "学习党章党规" in page and "第1课" in page
    assert reverse("learning:lesson", args=[course.lessons.first().pk]) not in page
    assert "仅向课程面向的对象开放" in page and reverse("accounts:login") in page
    lesson = course.lessons.first()
    response = client.get(reverse("learning:lesson", args=[lesson.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "面向中共测试县东城镇委员会及下级组织的党员和工作人员" in page and reverse("accounts:login") in page
    assert "第1课的内容" not in page


def test_withdrawn_course_and_its_lessons_are_gone(client, county, learner):
    course = county_course(county, state=Course.State.WITHDRAWN)
    client.force_login(learner)
    response = client.get(reverse("learning:course", args=[county.village_a1.pk, course.pk]))
    assert response.status_code == 410 and "该课程已撤回" in response.content.decode()
    response = client.get(reverse("learning:lesson", args=[course.lessons.first().pk]))
    assert response.status_code == 410 and "第1课的内容" not in response.content.decode()


# Lessons ------------------------------------------------------------------------------------------------------


def test_article_lesson_marked_done_finishes_the_course_at_the_last(client, county, learner):
    course = county_course(county, lessons=2)
    first, second = course.lessons.all()
    client.force_login(learner)
    response = client.get(reverse("learning:lesson", args=[first.pk]) + f"?o={county.village_a1.pk}")
    page = response.content.decode()
    assert "第1课的内容：学习党章党规。" in page and "我已学完" in page and "下一课：第2课" in page
    enrollment = Enrollment.objects.get(course=course, user=learner)
    assert enrollment.organization == county.village_a1 and enrollment.last_lesson == first
    response = client.post(reverse("learning:lesson_done", args=[first.pk]) + f"?o={county.village_a1.pk}")
    assert response.status_code == 302
    assert "✓ 本课已学完" in client.get(response.url).content.decode()
    client.post(reverse("learning:lesson_done", args=[first.pk]))  # twice: once recorded
    assert LessonDone.objects.filter(user=learner).count() == 1
    assert Enrollment.objects.get(pk=enrollment.pk).completed_at is None
    response = client.post(reverse("learning:lesson_done", args=[second.pk]), HTTP_ACCEPT="application/json")
    assert response.json() == {"done": True}
    assert Enrollment.objects.get(pk=enrollment.pk).completed_at is not None


def test_anonymous_reader_of_a_public_course_reads_and_is_told_to_sign_in(client, county):
    course = f.course(county.county, "公开课", lessons=2, audience=Audience.PUBLIC)
    lesson = course.lessons.first()
    page = client.get(reverse("learning:lesson", args=[lesson.pk])).content.decode()
    assert "第1课的内容" in page and "登录后可保存学习进度" in page and "我已学完" not in page
    assert not Enrollment.objects.exists()


def test_anonymous_reader_starts_a_public_course_at_its_first_lesson(client, county):
    course = f.course(county.county, "公开课", lessons=2, audience=Audience.PUBLIC)
    response = client.get(reverse("learning:course", args=[county.village_a1.pk, course.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "开始学习" in page and "登录后可保存学习进度" in page
    first = course.lessons.first()
    assert response.context["resume_url"] == f"{reverse('learning:lesson', args=[first.pk])}?o={county.village_a1.pk}"


def test_video_and_document_lessons_show_the_player_and_the_frame(client, county, learner):
    course = county_course(county, lessons=1)
    video, document = with_files(course)
    client.force_login(learner)
    page = client.get(reverse("learning:lesson", args=[video.pk])).content.decode()
    assert f'src="{reverse("learning:lesson_video", args=[video.pk])}"' in page
    assert 'preload="metadata"' in page and f'poster="{reverse("learning:lesson_poster", args=[video.pk])}"' in page
    assert "learning/video.js" in page and "我已看完" in page
    page = client.get(reverse("learning:lesson", args=[document.pk])).content.decode()
    url = reverse("learning:lesson_document", args=[document.pk])
    assert f'<iframe class="lesson-document" src="{url}"' in page and f"{url}?download=1" in page


def test_quiz_lesson_cannot_be_marked_done_by_hand(client, county, learner):
    course = county_course(county, lessons=1)
    quiz = Lesson.objects.create(course=course, order=5, kind=Lesson.Kind.QUIZ, title="小测验")
    client.force_login(learner)
    page = client.get(reverse("learning:lesson", args=[quiz.pk])).content.decode()
    assert "我已学完" not in page
    assert client.post(reverse("learning:lesson_done", args=[quiz.pk])).status_code == 403
    assert not LessonDone.objects.exists()


def test_staff_who_write_courses_may_check_lessons_without_progress(client, county):
    course = f.course(county.town_a, "工作人员课", lessons=1, audience=Audience.STAFF, staff_role="media_officer")
    client.force_login(county.county_admin)
    response = client.get(reverse("learning:lesson", args=[course.lessons.first().pk]))
    assert response.status_code == 200 and "我已学完" not in response.content.decode()
    assert not Enrollment.objects.exists()


# Serving files with range requests ---------------------------------------------------------------------------


def test_video_is_served_whole_and_by_ranges(client, county, learner):
    video, _document = with_files(county_course(county, lessons=0))
    client.force_login(learner)
    url = reverse("learning:lesson_video", args=[video.pk])
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "video/mp4" and response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(VIDEO)) and b"".join(response.streaming_content) == VIDEO
    etag, modified = response["ETag"], response["Last-Modified"]
    for header, start, end in [
        ("bytes=0-99", 0, 99),
        ("bytes=10000-", 10000, len(VIDEO) - 1),
        ("bytes=-240", 10000, 10239),
    ]:
        response = client.get(url, HTTP_RANGE=header)
        assert response.status_code == 206, header
        assert response["Content-Range"] == f"bytes {start}-{end}/{len(VIDEO)}"
        assert b"".join(response.streaming_content) == VIDEO[start : end + 1]
    response = client.get(url, HTTP_RANGE="bytes=100-99999999")
    assert response.status_code == 206 and response["Content-Range"] == f"bytes 100-10239/{len(VIDEO)}"
    # If-Range: the range only while the file is the same one.
    assert client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag).status_code == 206
    assert client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=modified).status_code == 206
    assert client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"other"').status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("bytes=999999999-", 416),
        ("bytes=-0", 416),
        ("bytes=5-2", 200),
        ("bytes=0-1,5-6,9-10", 200),
        (",".join(["bytes=0-1"] + [f"{n}-{n}" for n in range(2, 2000)]), 200),
        ("bytes=abc", 200),
        ("items=0-5", 200),
        ("bytes=-", 200),
        ("bytes=99999999999999999999999999-", 416),
    ],
)
def test_range_abuse_is_refused_or_ignored_never_an_error(client, county, learner, header, status):
    video, _document = with_files(county_course(county, lessons=0))
    client.force_login(learner)
    response = client.get(reverse("learning:lesson_video", args=[video.pk]), HTTP_RANGE=header)
    assert response.status_code == status
    if status == 416:
        assert response["Content-Range"] == f"bytes */{len(VIDEO)}" and response.content == b""
    else:
        assert b"".join(response.streaming_content) == VIDEO


def test_document_inline_in_the_page_frame_or_as_a_download(client, county, learner):
    _video, document = with_files(county_course(county, lessons=0))
    client.force_login(learner)
    url = reverse("learning:lesson_document", args=[document.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("inline") and "filename*=utf-8''" in response["Content-Disposition"]
    )
    assert (
        response["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in response["Content-Security-Policy"]
    )
    assert b"".join(response.streaming_content) == PDF
    response = client.get(url, {"download": "1"})
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get(url, HTTP_RANGE="bytes=0-3").status_code == 206
    poster = client.get(reverse("learning:lesson_poster", args=[_video.pk]))
    assert poster.status_code == 200 and poster["Content-Type"] == "image/jpeg"


def test_public_course_video_plays_for_anyone(client, county):
    video, _document = with_files(f.course(county.county, "公开课", audience=Audience.PUBLIC))
    response = client.get(reverse("learning:lesson_video", args=[video.pk]), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206 and b"".join(response.streaming_content) == VIDEO[:10]


# The attacker ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "anonymous", "staff_elsewhere"])
def test_members_course_files_and_lessons_refused_to_others(client, county, outsider, who):
    course = county_course(county, lessons=1)
    video, document = with_files(course)
    if who == "outsider":
        client.force_login(outsider)
    elif who == "staff_elsewhere":
        client.force_login(county.town_b_discipline)
    article = course.lessons.first()
    response = client.get(reverse("learning:lesson", args=[article.pk]))
    assert response.status_code == 403 and "第1课的内容" not in response.content.decode()
    for name, lesson in [("lesson_video", video), ("lesson_poster", video), ("lesson_document", document)]:
        response = client.get(reverse(f"learning:{name}", args=[lesson.pk]), HTTP_RANGE="bytes=0-")
        assert response.status_code in (403, 404), name
        assert not response.streaming and VIDEO[:64] not in response.content and b"%PDF" not in response.content
    response = client.post(reverse("learning:lesson_done", args=[article.pk]))
    assert response.status_code in (302, 403)
    assert not LessonDone.objects.exists() and not Enrollment.objects.exists()


def test_files_of_a_withdrawn_or_draft_course_are_not_served(client, county, learner):
    for state in (Course.State.WITHDRAWN, Course.State.DRAFT):
        video, document = with_files(county_course(county, lessons=0, state=state))
        client.force_login(learner)
        assert client.get(reverse("learning:lesson_video", args=[video.pk])).status_code == 404
        assert client.get(reverse("learning:lesson_document", args=[document.pk])).status_code == 404


def test_forged_ids_in_the_done_post_and_get_on_it(client, county, learner, outsider):
    mine = county_course(county, lessons=1)
    theirs = f.course(county.town_b, "西山乡的课", lessons=1)
    withdrawn = county_course(county, lessons=1, state=Course.State.WITHDRAWN)
    client.force_login(learner)
    assert client.post(reverse("learning:lesson_done", args=[theirs.lessons.first().pk])).status_code == 403
    assert client.post(reverse("learning:lesson_done", args=[withdrawn.lessons.first().pk])).status_code == 404
    assert client.post(reverse("learning:lesson_done", args=[999999])).status_code == 404
    assert client.get(reverse("learning:lesson_done", args=[mine.lessons.first().pk])).status_code == 405
    assert not LessonDone.objects.exists()


def test_done_post_needs_the_csrf_token(county, learner):
    from django.test import Client

    course = county_course(county, lessons=1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(reverse("learning:lesson_done", args=[course.lessons.first().pk])).status_code == 403
    assert not LessonDone.objects.exists()


# My learning, the console panel, the figures ------------------------------------------------------------------


def test_my_learning_lists_courses_in_progress_and_finished(client, county, learner):
    going = county_course(county, title="进行中的课", lessons=2)
    finished = f.course(county.county, "已学完的课", lessons=1)
    f.course(county.county, "还没开始的课", lessons=1)
    client.force_login(learner)
    client.get(reverse("learning:lesson", args=[going.lessons.first().pk]))
    client.post(reverse("learning:lesson_done", args=[finished.lessons.first().pk]))
    response = client.get(reverse("learning:my_learning"))
    page = response.content.decode()
    assert response.status_code == 200
    assert [row["course"] for row in response.context["in_progress"]] == [going]
    assert [row["course"] for row in response.context["finished"]] == [finished]
    assert "还没开始的课" in page and "继续学习：第1课" in page
    assert reverse("learning:my_learning") in client.get(reverse("console:dashboard")).content.decode()
    assert "1 门课程正在学习" in client.get(reverse("console:dashboard")).content.decode()


def test_my_learning_needs_signing_in(client):
    response = client.get(reverse("learning:my_learning"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_dashboard_panel_is_for_everyone():
    panel = next(p for p in entries(DashboardPanel) if p.key == "my_learning")
    assert panel.everyone


def test_completions_are_counted_per_organization_subtree(county, learner, outsider):
    metric = next(m for m in entries(UsageMetric) if m.key == "learning.course_completions")
    course = f.course(county.county, "县级课", lessons=1)
    lesson = course.lessons.first()
    from dangjian.learning import progress

    progress.mark_done(learner, lesson)
    progress.mark_done(outsider, lesson)
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert metric.count(county.county, today, tomorrow) == 2
    assert metric.count(county.town_a, today, tomorrow) == 1
    assert metric.count(county.village_a2, today, tomorrow) == 0
    assert metric.count(county.county, today - datetime.timedelta(days=9), today) == 0
    offered = next(m for m in entries(UsageMetric) if m.key == "learning.courses_offered")
    # Counted once, where it is offered (the county): figures add up the tree, a village does not count it again.
    assert offered.count(county.county, today, tomorrow) == 1
    assert offered.count(county.village_a1, today, tomorrow) == 0


def test_head_gives_the_headers_without_the_bytes(client, county, learner):
    video, _document = with_files(county_course(county, lessons=0))
    client.force_login(learner)
    response = client.head(reverse("learning:lesson_video", args=[video.pk]), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206 and response["Content-Length"] == "10"
    assert b"".join(response.streaming_content) == b""
