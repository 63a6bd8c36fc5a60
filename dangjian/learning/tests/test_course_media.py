"""Lesson media: videos checked by their content and read with ffprobe/ffmpeg (a real tiny video made by ffmpeg
here), PDFs checked by their header, uploads over the limit refused before the body is read; nothing half-saved
and no file left behind by a refused save."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from PIL import Image

from dangjian.core.history import EditConflict, InvalidInput
from dangjian.learning import course_actions as actions
from dangjian.learning import media
from dangjian.learning.models import Lesson

from .course_support import PDF, make_video, media_files, upload, written

pytestmark = [pytest.mark.django_db]


def video_input(title: str = "第二课 视频讲解") -> actions.LessonInput:
    return actions.LessonInput(kind="video", title=title)


def test_probe_and_poster_of_a_real_video(tmp_path):
    clip = make_video(tmp_path, seconds=3)
    found = media.probe(str(clip))
    assert found is not None and found.has_video and found.width == 160
    assert found.duration == pytest.approx(3, abs=0.2)
    poster = media.make_poster(str(clip), found.duration)
    assert poster is not None
    with Image.open(io.BytesIO(poster)) as image:
        assert image.format == "JPEG" and image.size == (160, 120)
    assert media.poster_time(3) == 0.3 and media.poster_time(120) == 1.0


def test_without_ffmpeg_probe_and_poster_give_nothing(tmp_path, settings):
    clip = make_video(tmp_path)
    settings.FFPROBE = "/nonexistent/ffprobe"
    settings.FFMPEG = "/nonexistent/ffmpeg"
    assert media.probe(str(clip)) is None
    assert media.make_poster(str(clip), 2.0) is None
    assert not media.tools_present()


def test_a_video_lesson_keeps_its_duration_and_poster(county, tmp_path, settings):
    course = written(county)
    clip = make_video(tmp_path, seconds=2)
    lesson = actions.save_lesson(county.town_a_media, course.pk, video_input(), video=upload(clip, "讲解.mp4"))
    stored = Lesson.objects.get(pk=lesson.pk)
    assert stored.video_type == "video/mp4" and stored.video_size == clip.stat().st_size
    assert stored.duration == pytest.approx(2, abs=0.2)
    assert stored.video.name.endswith(".mp4") and stored.poster.name.endswith(".jpg")
    assert Path(stored.video.path).read_bytes() == clip.read_bytes()
    assert Path(stored.poster.path).read_bytes()[:2] == b"\xff\xd8"
    assert stored.order == 2


def test_a_webm_video_is_accepted_and_replacing_a_video_drops_the_old_files(
    county, tmp_path, settings, django_capture_on_commit_callbacks
):
    course = written(county)
    lesson = actions.save_lesson(
        county.town_a_media, course.pk, video_input(), video=upload(make_video(tmp_path), "a.mp4")
    )
    old = [Path(lesson.video.path), Path(lesson.poster.path)]
    webm = make_video(tmp_path, "b.webm")
    with django_capture_on_commit_callbacks(execute=True):
        lesson = actions.save_lesson(
            county.town_a_media,
            course.pk,
            video_input(),
            lesson_id=lesson.pk,
            expected_version=lesson.version,
            video=upload(webm, content_type="video/webm"),
        )
    assert lesson.video_type == "video/webm" and lesson.video.name.endswith(".webm")
    assert not any(path.exists() for path in old)
    assert len(media_files(settings)) == 2  # the new video and its poster


def test_a_text_file_named_mp4_is_refused_and_nothing_is_saved(county, settings):
    course = written(county)
    fake = SimpleUploadedFile("讲话.mp4", "这不是视频，只是文字。".encode() * 50, content_type="video/mp4")
    with pytest.raises(InvalidInput) as refused:
        actions.save_lesson(county.town_a_media, course.pk, video_input(), video=fake)
    assert refused.value.errors["video"] == ["该文件不是 MP4 或 WebM 视频（按文件内容检查，而非文件名）。"]
    assert course.lessons.count() == 1 and media_files(settings) == []


def test_a_file_with_the_mp4_magic_that_ffprobe_cannot_read_is_refused(county, settings):
    course = written(county)
    fake = SimpleUploadedFile("x.mp4", b"\x00\x00\x00\x18ftypisom" + b"\x00" * 4000, content_type="video/mp4")
    with pytest.raises(InvalidInput):
        actions.save_lesson(county.town_a_media, course.pk, video_input(), video=fake)
    assert course.lessons.count() == 1 and media_files(settings) == []


def test_without_ffprobe_a_video_is_kept_on_its_magic_without_poster(county, tmp_path, settings):
    course = written(county)
    clip = make_video(tmp_path)
    settings.FFPROBE = "/nonexistent/ffprobe"
    settings.FFMPEG = "/nonexistent/ffmpeg"
    lesson = actions.save_lesson(county.town_a_media, course.pk, video_input(), video=upload(clip))
    assert lesson.video and not lesson.poster and lesson.duration is None


def test_a_video_over_the_limit_is_refused(county, tmp_path, settings):
    settings.LEARNING_VIDEO_MAX_BYTES = 1000
    course = written(county)
    with pytest.raises(InvalidInput, match="最大允许"):
        actions.save_lesson(county.town_a_media, course.pk, video_input(), video=upload(make_video(tmp_path)))
    assert media_files(settings) == []


def test_a_new_video_lesson_needs_its_file(county, settings):
    course = written(county)
    with pytest.raises(InvalidInput) as refused:
        actions.save_lesson(county.town_a_media, course.pk, video_input())
    assert "video" in refused.value.errors
    assert course.lessons.count() == 1


def test_a_stale_edit_with_a_new_video_leaves_no_orphan_file(county, tmp_path, settings):
    course = written(county)
    clip = make_video(tmp_path)
    lesson = actions.save_lesson(county.town_a_media, course.pk, video_input(), video=upload(clip))
    before = media_files(settings)
    actions.save_lesson(county.town_a_media, course.pk, video_input("改了标题"), lesson_id=lesson.pk)
    with pytest.raises(EditConflict):
        actions.save_lesson(
            county.town_a_media,
            course.pk,
            video_input("又改了"),
            lesson_id=lesson.pk,
            expected_version=lesson.version,
            video=upload(clip),
        )
    assert media_files(settings) == before
    assert Lesson.objects.get(pk=lesson.pk).video.name == lesson.video.name


def test_a_pdf_document_is_kept_with_its_name_and_size(county, settings):
    course = written(county)
    lesson = actions.save_lesson(
        county.town_a_media,
        course.pk,
        actions.LessonInput(kind="document", title="条例全文"),
        document=SimpleUploadedFile("纪律处分条例.pdf", PDF, content_type="application/pdf"),
    )
    assert (lesson.document_name, lesson.document_size) == ("纪律处分条例.pdf", len(PDF))
    assert Path(lesson.document.path).read_bytes() == PDF


def test_a_document_that_is_not_a_pdf_is_refused(county, settings):
    course = written(county)
    with pytest.raises(InvalidInput) as refused:
        actions.save_lesson(
            county.town_a_media,
            course.pk,
            actions.LessonInput(kind="document", title="条例全文"),
            document=SimpleUploadedFile("条例.pdf", b"PK\x03\x04 a zip file", content_type="application/pdf"),
        )
    assert refused.value.errors["document"] == ["该文件不是 PDF 文档（按文件内容检查，而非文件名）。"]
    settings.LEARNING_DOCUMENT_MAX_BYTES = 10
    with pytest.raises(InvalidInput, match="最大允许"):
        actions.save_lesson(
            county.town_a_media,
            course.pk,
            actions.LessonInput(kind="document", title="条例全文"),
            document=SimpleUploadedFile("条例.pdf", PDF, content_type="application/pdf"),
        )
    assert course.lessons.count() == 1 and media_files(settings) == []


def test_the_size_handler_stops_an_upload_past_its_limit():
    handler = media.SizeLimitHandler(None, limit=100)
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 60, 60)
    assert handler.exceeded
