"""Uploaded lesson media: videos (MP4/WebM) and documents (PDF), checked by their bytes, never by their name.

- `video_type(head)` / `is_pdf(head)`: what the first bytes say (the MP4 `ftyp` box, the WebM/Matroska EBML magic,
  the PDF header).
- `probe(path)`: what ffprobe sees (whether there is a video stream, the duration), `make_poster(path)`: a JPEG
  frame at about 1 s (or 10 % in, for a short video) made with ffmpeg. Both return None when ffmpeg/ffprobe are
  missing, time out or fail: the site works without them, minus posters and durations. `tools_present()` says
  whether ffprobe is there (then a file it cannot read is refused rather than accepted on its magic alone).
- `SizeLimitHandler`: an upload handler a view installs before the body is read; it stops the upload as soon
  as more bytes than allowed have arrived, so a 2 GB upload is refused without being stored or held in memory.

ffmpeg and ffprobe run from settings.FFMPEG / settings.FFPROBE with an argument list (never a shell) and a
timeout.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

logger = logging.getLogger(__name__)

PROBE_TIMEOUT = 30  # seconds
POSTER_TIMEOUT = 60
MP4 = "video/mp4"
WEBM = "video/webm"
EXTENSIONS = {MP4: ".mp4", WEBM: ".webm"}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"


def video_type(head: bytes) -> str | None:
    """video/mp4 for an ISO media file (its first box is `ftyp`), video/webm for an EBML (WebM) file, else None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return MP4
    if head[:4] == EBML_MAGIC:
        return WEBM
    return None


def is_pdf(head: bytes) -> bool:
    """A PDF starts with `%PDF-` (a few bytes of junk before it are tolerated by readers; we ask for it first)."""
    return head[:5] == b"%PDF-"


def _tool(name: str) -> str | None:
    return shutil.which(name)


def tools_present() -> bool:
    """Whether ffprobe can be run (then its verdict on a video counts)."""
    return _tool(settings.FFPROBE) is not None


@dataclass(frozen=True)
class Probe:
    has_video: bool
    duration: float | None
    width: int | None = None
    height: int | None = None


def probe(path: str) -> Probe | None:
    """What ffprobe says about the file, or None when ffprobe is missing or cannot read it."""
    tool = _tool(settings.FFPROBE)
    if tool is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - an argument list (settings.FFMPEG/FFPROBE), never a shell
            [tool, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "--", path],
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        logger.warning("ffprobe could not be run")
        return None
    if done.returncode != 0:
        return None
    try:
        data = json.loads(done.stdout or b"{}")
    except ValueError:
        return None
    streams = [s for s in data.get("streams") or [] if isinstance(s, dict)]
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video" and (s.get("disposition") or {}).get("attached_pic") != 1
        ),
        None,
    )
    duration: float | None = None
    for value in ((data.get("format") or {}).get("duration"), (video or {}).get("duration")):
        try:
            duration = float(str(value))
        except (TypeError, ValueError):
            continue
        if duration > 0:
            break
        duration = None
    return Probe(
        has_video=video is not None,
        duration=round(duration, 2) if duration else None,
        width=(video or {}).get("width"),
        height=(video or {}).get("height"),
    )


def poster_time(duration: float | None) -> float:
    """Where the poster frame is taken: at 1 s, or 10 % in for a video shorter than 10 s."""
    if not duration:
        return 0.0
    return 1.0 if duration >= 10 else round(duration / 10, 2)


def make_poster(path: str, duration: float | None = None) -> bytes | None:
    """A JPEG frame of the video (at most 960 px wide), or None when ffmpeg is missing or fails."""
    tool = _tool(settings.FFMPEG)
    if tool is None:
        return None
    if duration is None:
        found = probe(path)
        duration = found.duration if found else None
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "poster.jpg")
        command = [
            tool,
            "-nostdin",
            "-v",
            "error",
            "-ss",
            f"{poster_time(duration):.2f}",
            "-i",
            path,
            "-frames:v",
            "1",
            "-vf",
            "scale='min(960,iw)':-2",
            "-q:v",
            "4",
            "-y",
            out,
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=POSTER_TIMEOUT, check=False)  # noqa: S603 - an argument list (settings.FFMPEG/FFPROBE), never a shell
        except (OSError, subprocess.SubprocessError):
            logger.warning("ffmpeg could not make a poster")
            return None
        if done.returncode != 0 or not os.path.exists(out):
            return None
        with open(out, "rb") as poster:
            data = poster.read()
    return data if data[:2] == b"\xff\xd8" else None


@contextmanager
def on_disk(upload):
    """The path of an uploaded file on disk: its temporary file when Django streamed it there, else a copy."""
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        upload.seek(0)
        yield path()
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as copy:
        upload.seek(0)
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        yield copy.name


def head_of(upload, size: int = 64) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


class SizeLimitHandler(FileUploadHandler):
    """Installed first among a request's upload handlers: it counts the bytes of the uploaded files as they
    arrive and stops the upload once they pass `limit` (nothing of the file is kept; `exceeded` tells the view)."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
