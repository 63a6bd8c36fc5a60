"""Serving a stored file (a lesson's video, poster or PDF) after the view has checked who may have it, with HTTP
range requests so that a phone can seek in a video and resume a download over a weak connection.

`serve(request, path, content_type)` answers:
- 200 with the whole file when there is no Range header (or one that is not a single valid byte range, or an
  If-Range that no longer matches: the file changed);
- 206 with `Content-Range` for one satisfiable range (`bytes=a-b`, `bytes=a-`, `bytes=-n`);
- 416 with `Content-Range: bytes */<size>` for a range that starts past the end (`bytes=999999999-`, `bytes=-0`);
- 304 to a conditional GET whose If-None-Match or If-Modified-Since still matches.
Several ranges in one request are answered with the whole file (a multipart answer would only help an attacker).
The bytes are streamed from disk in chunks, never read whole into memory.
"""

from __future__ import annotations

import mimetypes
import os
import re
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe

CHUNK = 256 * 1024
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def etag_for(stat: os.stat_result) -> str:
    return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """(first, last) inclusive for one satisfiable byte range; "unsatisfiable" for a valid one past the end;
    None when the header is to be ignored (absent, not bytes, malformed, several ranges)."""
    match = RANGE_RE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # the last n bytes
        length = int(last_text)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(size - length, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None  # an invalid range-spec: ignored (RFC 9110, 14.2)
    if first >= size:
        return "unsatisfiable"
    return first, min(last, size - 1)


class FileSlice:
    """`length` bytes of a file from `start`, read in chunks. It shows its file descriptor (positioned at `start`)
    so that a WSGI server's file wrapper can send the slice with sendfile (gunicorn sends Content-Length bytes
    from the descriptor's position); other servers read it through `read`."""

    def __init__(self, path: Path, start: int, length: int):
        self._file = open(path, "rb")  # noqa: SIM115 - closed by the response (FileResponse closes it)
        self._file.seek(start)
        self._remaining = length

    def read(self, size: int = -1) -> bytes:
        if self._remaining <= 0:
            return b""
        size = self._remaining if size is None or size < 0 else min(size, self._remaining)
        data = self._file.read(min(size, CHUNK))
        self._remaining -= len(data)
        return data

    def fileno(self) -> int:
        return self._file.fileno()

    def seek(self, offset: int, whence: int = 0) -> int:  # socket.sendfile's fallback seeks to where it starts
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()


def _range_applies(request, etag: str, mtime: int) -> bool:
    """If-Range: the range holds only while the file is the one the client has (by ETag or by date)."""
    condition = request.headers.get("If-Range")
    if not condition:
        return True
    condition = condition.strip()
    if condition.startswith(('"', "W/")):
        return condition == etag
    since = parse_http_date_safe(condition)
    return since is not None and since >= mtime


def _not_modified(request, etag: str, mtime: int) -> bool:
    match = request.headers.get("If-None-Match")
    if match is not None:
        return etag in [tag.strip() for tag in match.split(",")] or match.strip() == "*"
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and since >= mtime


def serve(
    request,
    path: str | Path,
    content_type: str = "",
    *,
    filename: str = "",
    attachment: bool = False,
    cache_control: str = "private, max-age=3600",
) -> HttpResponse | StreamingHttpResponse:
    """The file at `path` (checked by the caller) with range support; 404 (raised) when it is missing."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        raise Http404 from None
    size = stat.st_size
    mtime = int(stat.st_mtime)
    etag = etag_for(stat)
    content_type = content_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"

    def headers(response):
        response["Accept-Ranges"] = "bytes"
        response["ETag"] = etag
        response["Last-Modified"] = http_date(mtime)
        response["Cache-Control"] = cache_control
        response["X-Content-Type-Options"] = "nosniff"
        if filename or attachment:
            response["Content-Disposition"] = content_disposition_header(attachment, filename or path.name)
        return response

    requested: tuple[int, int] | str | None = None
    range_header = request.headers.get("Range")
    if range_header and request.method in ("GET", "HEAD") and _range_applies(request, etag, mtime):
        requested = parse_range(range_header, size)
    if requested is None and _not_modified(request, etag, mtime):
        return headers(HttpResponseNotModified())
    if isinstance(requested, str):  # unsatisfiable
        refused = HttpResponse(status=416, content_type="text/plain")
        refused["Content-Range"] = f"bytes */{size}"
        return headers(refused)
    if requested is None:
        start, length, status = 0, size, 200
    else:
        first, last = requested
        start, length, status = first, last - first + 1, 206
    if request.method == "HEAD":
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            iter(()), status=status, content_type=content_type
        )
    else:
        response = FileResponse(FileSlice(path, start, length), status=status, content_type=content_type)
        response.block_size = CHUNK
    response["Content-Length"] = str(length)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}"
    return headers(response)
