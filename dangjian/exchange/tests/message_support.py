"""Pictures and files for the message area's tests."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg_with_exif(name: str = "photo.jpg", size=(800, 600), orientation: int = 6) -> SimpleUploadedFile:
    """A phone's photo: EXIF with a camera, GPS position and an orientation (6: taken turned, shown upright)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png(name: str = "shot.png", size=(300, 200)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 100, 200, 128)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf(name: str = "通知.pdf", extra: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * extra
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def exe(name: str = "发票.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, content_type="application/pdf")


def truncated_jpeg(name: str = "broken.jpg") -> SimpleUploadedFile:
    whole = jpeg_with_exif().read()
    return SimpleUploadedFile(name, whole[: len(whole) // 2], content_type="image/jpeg")
