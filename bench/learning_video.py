"""Video range requests: random 256 KiB ranges of a ~20 MB lesson video served through the Django view (the
permission check, then the bytes streamed from disk) beside the same file served as a plain static file
(WhiteNoise) by the same server.

Run by `bench/run.py` (`make bench`), or alone: `python -m bench.learning_video` (the same database as `make bench`:
SQLite under var/bench, or DATABASE_URL; a database without organizations gets one for the run). Adds a public course
with one video lesson (BENCH_VIDEO_MB of random bytes) to the first top-level organization and copies the file
under STATIC_ROOT, serves with gunicorn (2 sync workers, as `make run`) and measures with wrk (2 threads,
32 connections) each path with a random `Range: bytes=a-(a+256KiB-1)` per request. Everything it added is deleted
afterwards. Prints `name value unit` lines.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import load  # noqa: E402
from dangjian.learning.models import Audience, Course, Lesson  # noqa: E402
from dangjian.organizations.models import Organization  # noqa: E402

PORT = int(os.environ.get("BENCH_VIDEO_PORT", "8029"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
SIZE = int(float(os.environ.get("BENCH_VIDEO_MB", "20")) * 1024 * 1024)
SPAN = 256 * 1024
MARK = "基准视频课程"
STATIC_NAME = "bench/learning-video.mp4"

LUA = """
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
local size, span = %(size)d, %(span)d
request = function()
  local first = math.random(0, size - span)
  return wrk.format("GET", nil, {["Range"] = "bytes=" .. first .. "-" .. (first + span - 1)})
end
"""


def cleanup() -> None:
    for course in Course.objects.filter(title=MARK):
        for lesson in course.lessons.all():
            if lesson.video:
                lesson.video.delete(save=False)
        course.delete()
    static = Path(settings.STATIC_ROOT) / STATIC_NAME
    if static.exists():
        static.unlink()


def prepare() -> tuple[Lesson, Path]:
    organization = Organization.objects.filter(parent__isnull=True, closed_at=None).order_by("pk").first()
    if organization is None:
        organization = Organization.objects.create(name="基准测试县委", short_name="基准县", kind="county")
    course = Course.objects.create(
        organization=organization,
        offered_to=organization,
        audience=Audience.PUBLIC,
        title=MARK,
        state=Course.State.PUBLISHED,
        published_at=timezone.now(),
    )
    folder = Path(settings.MEDIA_ROOT) / "learning" / "videos" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench-video.mp4"
    with open(path, "wb") as handle:
        for _ in range(SIZE // (1024 * 1024)):
            handle.write(os.urandom(1024 * 1024))
    lesson = Lesson.objects.create(
        course=course,
        order=1,
        kind=Lesson.Kind.VIDEO,
        title=MARK,
        video=str(path.relative_to(settings.MEDIA_ROOT)),
        video_type="video/mp4",
        video_size=path.stat().st_size,
    )
    static = Path(settings.STATIC_ROOT) / STATIC_NAME
    static.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, static)
    return lesson, path


def wrk_ranges(path: str, size: int) -> tuple[float, float]:
    """Requests per second and p99 in ms with a random 256 KiB range per request (exit on any error)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"size": size, "span": SPAN})
    try:
        out = subprocess.run(
            ["wrk", "-t2", "-c32", "-d", DURATION, "--latency", "-s", script.name, f"http://127.0.0.1:{PORT}{path}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    value, unit = float(p99.group(1)), p99.group(2)
    p99_ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        sys.exit(f"{path}: {non2xx.group(1)} error responses under load")
    return rps, p99_ms


def check(path: str, expected: bytes) -> None:
    """One range by hand: 206 and the right bytes."""
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers={"Range": "bytes=1000-1999"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 206, (path, response.status)
        assert response.read() == expected, path


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("the video bench needs wrk: sudo apt-get install -y wrk")
    call_command("migrate", "--noinput", verbosity=0)
    cleanup()
    lesson, path = prepare()
    size = path.stat().st_size
    with open(path, "rb") as handle:
        handle.seek(1000)
        expected = handle.read(1000)
    connection.close()  # the server's workers open their own
    server = load.start_server(PORT, dict(os.environ, DJANGO_DEBUG="0", LOG_LEVEL="ERROR"))
    try:
        video_path = f"/learning/lessons/{lesson.pk}/video/"
        static_path = settings.STATIC_URL + STATIC_NAME
        check(video_path, expected)
        check(static_path, expected)
        print(f"# video ranges: {size / 1024 / 1024:.0f} MB file, random {SPAN // 1024} KiB ranges", flush=True)
        figures = {}
        for name, target in [("video-range", video_path), ("static-file", static_path)]:
            rps, p99 = wrk_ranges(target, size)
            figures[name] = rps
            print(f"{name}-rps {rps:.0f} req/s")
            print(f"{name}-p99 {p99:.1f} ms", flush=True)
        print(f"video-range-vs-static {figures['video-range'] / figures['static-file']:.2f} ratio", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        cleanup()
        if path.exists():
            path.unlink()


if __name__ == "__main__":
    main()
