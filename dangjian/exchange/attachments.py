"""Pictures and files in messages.

- A picture is rebuilt from its pixels by core/uploads.process_photo (upright, no EXIF, GPS or any other metadata,
  at most PHOTO_MAX_PIXELS on its longest side) within EXCHANGE_IMAGE_MAX_BYTES, and a small thumbnail
  (THUMB_PIXELS) is made beside it for the conversation, so a cheap phone on a slow network loads kilobytes, not
  the picture, until it is tapped.
- A file is accepted by what its bytes are, matching its extension (core/uploads.check_attachment over FILE_TYPES:
  PDF, Word, Excel, PowerPoint, WPS, zip) within EXCHANGE_FILE_MAX_BYTES. A photo chosen as a file is sent as a
  picture (rebuilt, its metadata gone): people pick whichever button they see first.
- An .exe renamed .pdf, a truncated JPEG, an empty or oversized file: refused (`InvalidInput`) with a clear reason,
  before anything is stored. `store` saves the files while the message is written, naming each in the list that
  core.uploads.discard_all_on_failure deletes again if the message is not saved.

Pictures and files are never served by their path: message_views.py serves them to the people who may read the
room, only while the message is shown.
"""

from __future__ import annotations

import io
import os
import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image

from dangjian.core.history import InvalidInput
from dangjian.core.uploads import check_attachment, process_photo

THUMB_PIXELS = 360

# Extension -> the MIME types its content may be detected as (Office's and WPS's older formats are all OLE
# compound files, which the detector names after Word).
OLE = {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"}
FILE_TYPES: dict[str, set[str]] = {
    "pdf": {"application/pdf"},
    "doc": OLE,
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xls": OLE,
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    "ppt": OLE,
    "pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    "wps": OLE,
    "et": OLE,
    "dps": OLE,
    "zip": {"application/zip"},
}
# What a browser is told a stored file is (by its checked extension).
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "zip": "application/zip",
}
PICTURE_EXTENSIONS = {"jpg", "jpeg", "png", "webp"}
# For the file input's accept= (the picture input takes these pictures).
FILE_ACCEPT = ",".join(f".{ext}" for ext in FILE_TYPES)
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"
NAME_CHARS = 120


@dataclass
class Prepared:
    kind: str  # Message.Kind
    image: ContentFile | None = None
    thumb: ContentFile | None = None
    file: ContentFile | None = None
    file_name: str = ""
    file_size: int = 0


def _extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def safe_name(name: str) -> str:
    """The file's own name as people will see it and download it: no folders, no control characters, no quotes,
    at most NAME_CHARS characters (the extension kept)."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C")
    base = base.replace('"', "").replace("/", "").strip().lstrip(".") or "file"
    if len(base) > NAME_CHARS:
        stem, ext = os.path.splitext(base)
        base = stem[: NAME_CHARS - len(ext)] + ext
    return base


def _refused(field: str, error: ValidationError) -> InvalidInput:
    reason = " ".join(error.messages)
    return InvalidInput({field: [reason]}, reason)


def _thumbnail(photo: ContentFile) -> ContentFile:
    with Image.open(io.BytesIO(photo.read())) as image:
        image.thumbnail((THUMB_PIXELS, THUMB_PIXELS), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80, optimize=True)
    photo.seek(0)
    return ContentFile(out.getvalue())


def _picture(upload, field: str) -> Prepared:
    try:
        photo = process_photo(upload, max_bytes=settings.EXCHANGE_IMAGE_MAX_BYTES)
    except ValidationError as error:
        raise _refused(field, error) from None
    return Prepared(kind="image", image=photo, thumb=_thumbnail(photo), file_size=photo.size)


def prepare(image=None, file=None) -> Prepared | None:
    """What the message carries besides text, checked; None for a text message. Refused: `InvalidInput`."""
    if image is None and file is None:
        return None
    if image is not None and file is not None:
        refusal = _("Send a picture or a file, one at a time.")
        raise InvalidInput({"file": [refusal]}, refusal)
    if image is not None:
        return _picture(image, "image")
    name = safe_name(getattr(file, "name", ""))
    if _extension(name) in PICTURE_EXTENSIONS:
        return _picture(file, "file")
    try:
        check_attachment(file, max_bytes=settings.EXCHANGE_FILE_MAX_BYTES, types=FILE_TYPES)
    except ValidationError as error:
        raise _refused("file", error) from None
    file.seek(0)
    return Prepared(kind="file", file=ContentFile(file.read(), name=name), file_name=name, file_size=file.size)


def thumb_name(image_name: str) -> str:
    """Where a picture's thumbnail is stored: beside it (exchange/images/2026/12/<uuid>.jpg -> <uuid>_t.jpg)."""
    stem, _ext = os.path.splitext(image_name)
    return f"{stem}_t.jpg"


def store(message, prepared: Prepared, stored: list[str]) -> None:
    """Save the prepared picture (and its thumbnail) or file on the message (not yet saved), naming each stored
    file in `stored` (core.uploads.discard_all_on_failure deletes them if the message is not saved)."""
    if prepared.image is not None:
        message.image.save(prepared.image.name or "image.jpg", prepared.image, save=False)
        stored.append(message.image.name)
        if prepared.thumb is not None:
            stored.append(default_storage.save(thumb_name(message.image.name), prepared.thumb))
    if prepared.file is not None:
        # Stored under a name of its own (the person's file name is kept in file_name, for the download).
        ext = _extension(prepared.file_name)
        message.file.save(f"{uuid.uuid4().hex}.{ext}", prepared.file, save=False)
        stored.append(message.file.name)
    message.file_name, message.file_size = prepared.file_name, prepared.file_size


def content_type(file_name: str) -> str:
    return CONTENT_TYPES.get(_extension(file_name), "application/octet-stream")
