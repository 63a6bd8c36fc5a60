"""Helpers of the course tests: a course written by 东城镇's media officer, tiny videos made by ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.learning import course_actions as actions
from dangjian.learning.models import Audience


def course_input(organization, **overrides) -> actions.CourseInput:
    values = {
        "title": "学习新修订的《中国共产党纪律处分条例》",
        "summary": "逐条讲解条例的主要修改。",
        "offered_to_id": organization.pk,
        "audience": Audience.MEMBERS,
    }
    values.update(overrides)
    return actions.CourseInput(**values)


def article(title: str = "第一课 条例的修订背景", body: str = "<div>条例修订坚持<strong>问题导向</strong>。</div>"):
    return actions.LessonInput(kind="article", title=title, body=body)


def written(county, *, lessons: int = 1, by=None, org=None):
    """A draft course with `lessons` article lessons, by the media officer of 东城镇 unless told."""
    by = by or county.town_a_media
    org = org or county.town_a
    course = actions.save_course(by, org.pk, course_input(org))
    for n in range(1, lessons + 1):
        actions.save_lesson(by, course.pk, article(title=f"第{n}课", body=f"<div>第{n}课：纪律建设的内容。</div>"))
    course.refresh_from_db()
    return course


def make_video(folder: Path, name: str = "clip.mp4", seconds: int = 2) -> Path:
    """A real tiny video (a test pattern) made by ffmpeg: MP4 (H.264) or WebM (VP9) by its name."""
    out = folder / name
    codec = (
        ["-c:v", "libvpx-vp9", "-b:v", "100k", "-deadline", "realtime"]
        if name.endswith(".webm")
        else ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
    )
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=duration={seconds}:size=160x120:rate=10",
            *codec,
            str(out),
        ],
        check=True,
        timeout=60,
    )
    return out


def upload(path: Path, name: str | None = None, content_type: str = "video/mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=content_type)


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
