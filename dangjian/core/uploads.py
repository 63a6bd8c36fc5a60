"""Checks and processing of uploaded files.

Photos are decoded fully (a truncated or disguised file is refused), turned upright, resized and
re-encoded as JPEG, which drops EXIF, GPS and any other metadata. Attachments are accepted by
what their bytes are, not by their name, and only within the size limit.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterable
from contextlib import contextmanager

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

Image.MAX_IMAGE_PIXELS = 60_000_000  # refuse decompression bombs early

PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}

# Extension -> the MIME types its content may be detected as.
ATTACHMENT_TYPES: dict[str, set[str]] = {
    "pdf": {"application/pdf"},
    "doc": {"application/msword"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xls": {"application/vnd.ms-excel", "application/msword"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    "wps": {"application/msword"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "png": {"image/png"},
    "zip": {"application/zip"},
}


def _check_size(upload, limit: int) -> None:
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )


def process_photo(upload) -> ContentFile:
    """Validate an uploaded photo and return a resized JPEG without metadata."""
    _check_size(upload, settings.PHOTO_MAX_BYTES)
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise ValidationError(_("Please upload a JPEG, PNG or WebP photo."), code="format")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            max_side = settings.PHOTO_MAX_PIXELS
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: metadata dropped
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not a complete photo (it may be damaged or of another type)."), code="invalid"
        ) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def check_attachment(upload) -> str:
    """Validate an attachment; return the MIME type detected from its content."""
    _check_size(upload, settings.ATTACHMENT_MAX_BYTES)
    ext = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    allowed = ATTACHMENT_TYPES.get(ext)
    if allowed is None:
        raise ValidationError(
            _("Files of type .%(ext)s are not accepted. Accepted: %(types)s.")
            % {"ext": ext or "?", "types": ", ".join(sorted(ATTACHMENT_TYPES))},
            code="extension",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    detected = kind.mime if kind else None
    if detected not in allowed:
        raise ValidationError(
            _("The content of this file does not match its name (.%(ext)s). Please upload the original file.")
            % {"ext": ext},
            code="mismatch",
        )
    return detected


# --- Lifecycle of stored files beside the rows that reference them ---------------------------


@contextmanager
def discard_on_failure(fieldfile):
    """A file stored for a row about to be written is deleted again if that write fails."""
    try:
        yield
    except Exception:
        fieldfile.delete(save=False)
        raise


@contextmanager
def discard_all_on_failure(storage):
    """Files stored while a change is written are deleted again if the change fails.

    Callers add the name of each file they store to the list this yields.
    """
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            storage.delete(name)
        raise


def delete_files_on_commit(storage, names: Iterable[str]) -> None:
    """Delete stored files once the change that dropped their rows has committed."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [storage.delete(name) for name in names])
