"""Checks and processing of uploaded files.

Photos are refused from their header alone when they have too many pixels (decompression bombs), then
decoded (a truncated or disguised file is refused), shrunk while decoding, turned upright and rebuilt from
their pixels as a new JPEG: EXIF, GPS, comments, ICC and XMP and anything else in the file are gone. Attachments are accepted by
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
from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

# Pillow's own bomb check (a warning up to twice the limit, then an error without the picture's size) is
# replaced by `_refuse_oversized`, which every photo passes before anything is decoded, with a clear message.
Image.MAX_IMAGE_PIXELS = None

PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_DECODERS = sorted(PHOTO_FORMATS)

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


def _jpeg_scans(data: bytes) -> int:
    """How many scans a JPEG has: its segments are skipped up to the first start of scan (so a thumbnail inside
    EXIF does not count), then start-of-scan markers are counted (FF DA never occurs inside coded data)."""
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xDA:
            return 1 + data.count(b"\xff\xda", at + 2)
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return 1


def _refuse_oversized(probe: Image.Image, data: bytes) -> None:
    """Refuse a picture whose pixel count could exhaust a worker, from its header alone (nothing decoded yet).

    Single-scan JPEG is decoded at 1/2, 1/4 or 1/8 of its size (see `_decode_small`), so it may be larger than
    JPEG in several scans (progressive, or baseline with its colours in separate scans: libjpeg holds all the
    coefficients, up to 6 bytes a pixel), PNG (decoded whole, up to 4 bytes a pixel) or WebP (whose decoder holds
    further copies).
    """
    if probe.format not in PHOTO_FORMATS:
        raise ValidationError(_("Please upload a JPEG, PNG or WebP photo."), code="format")
    width, height = probe.size
    scans = probe.format == "JPEG" and (probe.info.get("progressive") or _jpeg_scans(data) > 1)
    kind = "JPEG-progressive" if scans else probe.format
    limit = settings.PHOTO_MAX_MEGAPIXELS[kind]
    if width * height > limit * 1_000_000 or width <= 0 or height <= 0:
        raise ValidationError(
            _(
                "This picture is too large (%(width)s × %(height)s pixels): %(format)s pictures may have at most "
                "%(limit)s. Please send a smaller one."
            )
            % {
                "width": width,
                "height": height,
                "format": _("progressive JPEG") if kind == "JPEG-progressive" else probe.format,
                # Whole megapixels (the settings are integers); Chinese counts in 万: "%(n)s00 万像素".
                "limit": _("%(n)s megapixels") % {"n": limit},
            },
            code="too_many_pixels",
        )


def _decode_small(image: Image.Image, max_side: int) -> Image.Image:
    """Decode at the smallest size that still gives a sharp `max_side` picture, then shrink to it.

    JPEG is scaled while decoding (draft). Other formats are decoded whole, then reduced band by band, so no
    full-size copy is made (Pillow's own resize and mode conversion would copy the whole picture).
    """
    scale = max(image.size) / max_side
    if scale > 1 and image.format == "JPEG":
        # libjpeg scales by 1/2, 1/4 or 1/8 while decoding, never below the size asked for.
        image.draft("RGB", (max(1, int(image.size[0] / scale)), max(1, int(image.size[1] / scale))))
    image.load()
    mode = "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
    factor = max(1, max(image.size) // max_side)  # reduced to between max_side and twice that
    width, height = image.size
    small = Image.new(mode, (-(-width // factor), -(-height // factor)))
    rows = factor * max(1, 512 // factor)
    for top in range(0, height, rows):
        band = image.crop((0, top, width, min(height, top + rows))).convert(mode)
        small.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
        del band
    small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return small


def _upright(image: Image.Image, orientation: int | None) -> Image.Image:
    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation or 1)
    return image.transpose(method) if method is not None else image


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new RGB picture made of the pixels alone: no comment, EXIF, ICC, XMP or any other info survives."""
    if image.mode in {"RGBA", "LA"}:
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = background
    rgb = image.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


class ProcessedPhoto(ContentFile):
    """A photo `process_photo` checked and rebuilt from its pixels; actions store only these."""


def prepared_photos(uploads: Iterable) -> list[ProcessedPhoto]:
    """For an action: the photos as `process_photo` makes them. A form has usually prepared them already (its
    field names each refused file); any other caller's raw uploads are checked here, so nobody skips the checks.
    A refused file raises ValidationError."""
    return [item if isinstance(item, ProcessedPhoto) else process_photo(item) for item in uploads]


def process_photo(upload, *, max_bytes: int | None = None) -> ProcessedPhoto:
    """Validate an uploaded photo and return a JPEG rebuilt from its pixels (nothing else of the file survives).

    The pixel count is checked from the header before anything is decoded, and big pictures are shrunk
    while or right after decoding, so no upload grows a worker by more than about 100 MiB. `max_bytes` replaces
    PHOTO_MAX_BYTES for a module with its own limit (the exchange's pictures).
    """
    _check_size(upload, max_bytes or settings.PHOTO_MAX_BYTES)
    upload.seek(0)
    data = upload.read()
    # WeasyPrint (imported for PDFs) sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process, which would let a
    # damaged photo through padded with grey; a photo is decoded strictly, whatever else the process imported.
    tolerant, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        # Only the three photo decoders ever see the bytes: other formats' parsers are never run.
        with Image.open(io.BytesIO(data), formats=PHOTO_DECODERS) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise ValidationError(_("Please upload a JPEG, PNG or WebP photo."), code="format")
            _refuse_oversized(probe, data)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=PHOTO_DECODERS) as image:
            _refuse_oversized(image, data)
            orientation = image.getexif().get(ExifTags.Base.Orientation)
            small = _upright(_decode_small(image, settings.PHOTO_MAX_PIXELS), orientation)
            clean = _pixels_only(small)
        out = io.BytesIO()
        clean.save(out, format="JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not a complete photo (it may be damaged or of another type)."), code="invalid"
        ) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = tolerant
    return ProcessedPhoto(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def check_attachment(upload, *, max_bytes: int | None = None, types: dict[str, set[str]] | None = None) -> str:
    """Validate an attachment; return the MIME type detected from its content. `max_bytes` and `types` replace
    ATTACHMENT_MAX_BYTES and ATTACHMENT_TYPES for a module with its own list (the exchange's files)."""
    types = types or ATTACHMENT_TYPES
    _check_size(upload, max_bytes or settings.ATTACHMENT_MAX_BYTES)
    ext = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    allowed = types.get(ext)
    if allowed is None:
        raise ValidationError(
            _("Files of type .%(ext)s are not accepted. Accepted: %(types)s.")
            % {"ext": ext or "?", "types": ", ".join(sorted(types))},
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


def delete_files_on_commit(storage, names: Iterable[str | None]) -> None:
    """Delete stored files once the change that dropped their rows has committed (empty names are skipped)."""
    stored = [name for name in names if name]
    if stored:
        transaction.on_commit(lambda: [storage.delete(name) for name in stored])
