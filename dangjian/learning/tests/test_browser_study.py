"""Issue 14 (study), in a real browser on a phone in both text sizes and on a desktop: a member opens the county's
course from their village portal, reads an article lesson and marks it done, opens a video lesson (a real MP4 made
by ffmpeg), seeks in it (range requests, answered 206), reloads and comes back to the same position (kept on the
phone only), and the course page offers "继续学习" at that lesson; the video played to its end marks it done."""

import subprocess

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from dangjian.conftest import assert_accessible
from dangjian.learning.models import Lesson, LessonDone
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, open_as, submit, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def mp4(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("video") / "testsrc.mp4"
    subprocess.run(
        [
            settings.FFMPEG,
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=6:size=320x240:rate=25",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
            str(path),
        ],
        check=True,
    )
    return path.read_bytes()


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_member_takes_the_county_course_seeks_in_the_video_and_resumes(browser, live_server, county, mp4, width, large):
    user = f.UserFactory(username="a1_member")
    f.member(county.village_a1, "王秀英", user=user)
    course = f.course(county.county, "学习党章党规", lessons=1)
    video = Lesson(course=course, order=2, kind=Lesson.Kind.VIDEO, title="党章视频讲解", video_type="video/mp4")
    video.video.save("testsrc.mp4", ContentFile(mp4), save=False)
    video.video_size = len(mp4)
    video.save()
    Lesson.objects.create(course=course, order=3, kind=Lesson.Kind.ARTICLE, title="课后阅读", body="<p>阅读。</p>")

    context, page = open_as(browser, live_server, "a1_member", width=width, large=large)
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/video/" in r.url else None)
    try:
        page.goto(f"/o/{county.village_a1.pk}/")
        submit(page, page.get_by_role("link", name="学习", exact=True).first)
        submit(page, page.get_by_role("link", name="学习党章党规").first)
        assert_accessible(page)
        assert_fits(page, width)
        submit(page, page.get_by_role("link", name="开始学习"))
        assert "学习党章党规" in page.content() and page.locator("h1").inner_text() == "第1课"
        submit(page, page.get_by_role("button", name="我已学完"))
        assert page.get_by_test_id("lesson-done").is_visible()
        assert LessonDone.objects.filter(user=user, lesson__order=1).exists()
        assert_accessible(page)
        assert_fits(page, width)

        submit(page, page.get_by_role("link", name="下一课：党章视频讲解"))
        wait_until(page, "document.getElementById('lesson-video').readyState >= 1")
        assert_accessible(page)
        assert_fits(page, width)
        # The 我已看完 button keeps clear of the video (no mis-tap on the player's controls).
        video_box = page.locator("#lesson-video").bounding_box()
        button_box = page.get_by_role("button", name="我已看完").bounding_box()
        assert button_box["y"] - (video_box["y"] + video_box["height"]) >= 12
        page.evaluate("document.getElementById('lesson-video').currentTime = 4")
        wait_until(page, "Math.abs(document.getElementById('lesson-video').currentTime - 4) < 0.3")
        wait_until(page, "document.getElementById('lesson-video').readyState >= 2")
        assert 206 in statuses, statuses
        wait_until(page, f"Math.abs(parseFloat(localStorage.getItem('dangjian-video-{video.pk}')) - 4) < 0.3")

        page.reload()  # a dropped connection, a reload: the phone remembers where it was
        wait_until(page, "document.getElementById('lesson-video').readyState >= 1")
        wait_until(page, "Math.abs(document.getElementById('lesson-video').currentTime - 4) < 0.3")
        assert page.locator("#video-resumed").is_visible()

        page.goto(f"/o/{county.village_a1.pk}/learning/{course.pk}/")
        resume = page.get_by_role("link", name="继续学习")
        assert resume.get_attribute("href") == f"/learning/lessons/{video.pk}/?o={county.village_a1.pk}"
        assert "已完成 1 课，共 3 课" in page.get_by_test_id("course-progress").inner_text()

        # Played to its end: the only thing the server hears of the watching.
        submit(page, resume)
        wait_until(page, "document.getElementById('lesson-video').readyState >= 1")
        page.evaluate(
            "(() => { const v = document.getElementById('lesson-video'); v.muted = true;"
            " v.currentTime = v.duration - 0.5; v.play(); })()"
        )
        page.get_by_test_id("lesson-done").wait_for(state="visible")
        assert LessonDone.objects.filter(user=user, lesson=video).exists()
        assert page.evaluate(f"localStorage.getItem('dangjian-video-{video.pk}')") is None
    finally:
        context.close()
