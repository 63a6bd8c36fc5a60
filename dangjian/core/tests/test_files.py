"""Stored files: nothing is served by path, uploaded images are bounded and rebuilt from pixels."""

import http.client
import io
import urllib.parse

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from pytest_django.live_server_helper import LiveServer

from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(transactional_db, settings):
    """A live server that runs the site as production does.

    pytest-django's `live_server` wraps the site in Django's test handler, which serves all of
    MEDIA_ROOT by itself; gunicorn does not, so this server runs the bare WSGI application.
    """
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda media_handler: media_handler.application
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    server.start()
    yield server
    server.stop()


def _raw_get(live_server, path: str) -> tuple[int, bytes]:
    """GET with a client that sends the path exactly as given (no `..` normalisation)."""
    url = urllib.parse.urlsplit(live_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _jpeg_bytes(size=(40, 50)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def leader(county):
    term = f.TermFactory(organization=county.town_a)
    return f.LeaderFactory(term=term, photo=ContentFile(_jpeg_bytes(), name="leader.jpg"))


SECRETS = {
    "policies/2026/11/draft-attachment.pdf": b"%PDF-1.4 UNPUBLISHED-POLICY-ATTACHMENT",
    "feedback/2026/11/private-case-photo.jpg": b"PRIVATE-CASE-PHOTO",
    "supervision/evidence-blob.bin": b"SUPERVISION-EVIDENCE-BLOB",
}


@pytest.mark.parametrize(
    "template",
    [
        "/media/leaders/../{path}",
        "/media/leaders/%2e%2e/{path}",
        "/media/leaders/%2E%2E/{path}",
        "/media/leaders/..%2f{path}",
        "/media/leaders/%2e%2e%2f{path}",
        "/media/leaders/..%5c{path}",
        "/media/leaders/2026/../../{path}",
        "/media/{path}",
    ],
)
def test_9_1_no_stored_file_is_served_by_a_path(site, leader, template):
    for name, content in SECRETS.items():
        default_storage.save(name, ContentFile(content))
    for name, content in SECRETS.items():
        status, body = _raw_get(site, template.format(path=name))
        assert status == 404, (template, name, status)
        assert content not in body


def test_9_1_leader_photo_path_is_not_served_either(site, leader):
    status, body = _raw_get(site, "/media/" + leader.photo.name)
    assert status == 404 and _jpeg_bytes()[:200] not in body


def test_9_1_leader_photo_is_served_by_its_record(site, leader):
    status, body = _raw_get(site, f"/o/{leader.organization_id}/leaders/{leader.pk}/")
    assert status == 200
    page = body.decode()
    start = page.index('class="leader-photo" src="') + len('class="leader-photo" src="')
    src = page[start : page.index('"', start)].replace("&amp;", "&")
    assert not src.startswith("/media/")
    status, photo = _raw_get(site, src)
    assert status == 200 and photo == leader.photo.open("rb").read()


def test_9_1_a_leader_photo_url_of_another_organization_is_not_found(site, leader, county):
    status, _body = _raw_get(site, f"/o/{county.town_b.pk}/leaders/{leader.pk}/photo/")
    assert status == 404


# --- 9.2 Decompression bombs -------------------------------------------------------------------------


def _png_bomb(width: int = 10_900, height: int = 10_900) -> bytes:
    """A grey PNG of width × height pixels, all zero: about 1/1000 of its decoded size on the wire.

    Written chunk by chunk, so making it costs no memory.
    """
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + one byte per pixel
    parts = [compressor.compress(row * 200) for _ in range(height // 200)]
    parts += [compressor.compress(row * (height % 200)), compressor.flush()]
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def _multiscan_jpeg(width: int, height: int) -> bytes:
    """A baseline JPEG whose three components come in separate scans, every block empty (2 bits each).

    Not progressive, yet libjpeg must buffer the coefficients of the whole picture to decode it.
    """
    import struct

    def segment(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    frame = struct.pack(">BHHB", 8, height, width, 3) + b"".join(bytes([c, 0x11, 0]) for c in (1, 2, 3))
    one_code = bytes([1] + [0] * 15) + b"\x00"  # a Huffman table with one 1-bit code, for symbol 0
    bits = 2 * -(-width // 8) * -(-height // 8)
    scan = b"\x00" * (bits // 8) + (bytes([0xFF >> (bits % 8)]) if bits % 8 else b"")
    return (
        b"\xff\xd8"
        + segment(0xDB, b"\x00" + b"\x01" * 64)
        + segment(0xC0, frame)
        + segment(0xC4, b"\x00" + one_code)
        + segment(0xC4, b"\x10" + one_code)
        + b"".join(segment(0xDA, bytes([1, c, 0x00, 0, 63, 0])) + scan for c in (1, 2, 3))
        + b"\xff\xd9"
    )


def _feedback_form(county, **overrides) -> dict:
    import uuid

    data = {
        "client_token": str(uuid.uuid4()),
        "category": "help",
        "place": county.village_a1.pk,
        "title": "村口路灯坏了",
        "description": "路灯坏了三个月。",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def _stored_files(settings) -> list:
    from pathlib import Path

    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_9_2_a_119_megapixel_png_case_photo_is_refused_before_decoding(client, county, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from dangjian.feedback.models import Case

    bomb = _png_bomb()
    assert len(bomb) < 200_000
    response = client.post(
        reverse("feedback:submit", args=[county.village_a1.pk]),
        _feedback_form(county, photos=[SimpleUploadedFile("bomb.png", bomb, content_type="image/png")]),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "10900 × 10900" in body and "1300 万像素" in body
    assert not Case.objects.exists() and not _stored_files(settings)


def test_9_2_the_bomb_is_refused_as_supervision_evidence_and_as_a_leader_photo(county):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.core.history import InvalidInput
    from dangjian.organizations import actions as organizations
    from dangjian.organizations.models import Leader
    from dangjian.supervision.actions import prepare_evidence

    with pytest.raises(ValidationError) as error:
        prepare_evidence(SimpleUploadedFile("现场.png", _png_bomb(), content_type="image/png"))
    assert "像素" in " ".join(error.value.messages)
    term = f.TermFactory(organization=county.town_a)
    with pytest.raises(InvalidInput) as refused:
        organizations.save_leader(
            county.town_a_admin,
            county.town_a.pk,
            organizations.LeaderInput(term_id=term.pk, name="李华", post="书记"),
            photo=SimpleUploadedFile("李华.png", _png_bomb(), content_type="image/png"),
        )
    assert list(refused.value.errors) == ["photo"] and "像素" in str(refused.value)
    assert not Leader.objects.exists()


def test_9_2_a_phone_photo_with_a_thumbnail_in_its_exif_is_not_taken_for_a_multi_scan_jpeg():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.core.uploads import process_photo

    thumbnail = io.BytesIO()
    Image.new("RGB", (160, 120), (10, 20, 30)).save(thumbnail, "JPEG")
    exif = Image.Exif()
    exif[0x927C] = thumbnail.getvalue()  # maker note: a JPEG, start of scan included, inside APP1
    photo = io.BytesIO()
    Image.new("RGB", (4608, 3456), (90, 120, 200)).save(photo, "JPEG", exif=exif.tobytes())  # 16 MP
    assert photo.getvalue().count(b"\xff\xda") == 2
    stored = process_photo(SimpleUploadedFile("IMG_0001.jpg", photo.getvalue()))
    assert Image.open(stored).size == (1200, 900)  # accepted as the 40 MP single-scan JPEG it is


MEASURE = r"""
import json, os, sys, time
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from dangjian.core.uploads import process_photo

def status_kib(field):
    # VmHWM is this process's own peak: ru_maxrss would carry the forking pytest worker's peak across exec.
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))

name = sys.argv[1]
data = open(name, "rb").read()
process_photo(SimpleUploadedFile("warm.jpg", open(sys.argv[2], "rb").read()))  # libraries loaded
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak to the current size
before = status_kib("VmRSS")
cpu = time.process_time()
try:
    photo = process_photo(SimpleUploadedFile(os.path.basename(name), data))
    outcome = "stored %d bytes" % len(photo.read())
except ValidationError as error:
    outcome = "refused: " + " ".join(error.messages)
print(json.dumps({
    "outcome": outcome,
    "growth_mib": (status_kib("VmHWM") - before) / 1024,
    "cpu_s": time.process_time() - cpu,
}))
"""

MAKE = r"""
import sys
from PIL import Image
folder = sys.argv[1]
Image.new("RGB", (40, 30), (1, 2, 3)).save(folder + "/warm.jpg")
Image.new("RGB", (7300, 5470), (90, 120, 200)).save(folder + "/jpeg-39.9mp.jpg", quality=90)
Image.new("RGB", (40000, 1000), (90, 120, 200)).save(folder + "/jpeg-wide-40mp.jpg", quality=90)
Image.new("RGB", (4160, 3120), (90, 120, 200)).save(folder + "/jpeg-progressive-444-13mp.jpg", progressive=True, subsampling=0)
Image.new("RGB", (4200, 3100), (90, 120, 200)).save(folder + "/jpeg-progressive-13.02mp.jpg", progressive=True)
Image.new("RGB", (7300, 5470), (90, 120, 200)).save(folder + "/jpeg-444-39.9mp.jpg", subsampling=0)
Image.new("RGBA", (4160, 3120), (90, 120, 200, 128)).save(folder + "/png-rgba-13mp.png")
Image.new("P", (4160, 3120), 3).save(folder + "/png-palette-13mp.png")
Image.new("L", (4160, 3120), 3).save(folder + "/png-grey-13mp.png")
Image.new("RGB", (2500, 1600), (90, 120, 200)).save(folder + "/webp-4mp.webp", lossless=False)
Image.new("RGBA", (2500, 1600), (90, 120, 200, 100)).save(folder + "/webp-rgba-4mp.webp", lossless=True)
Image.new("RGB", (2500, 1700), (90, 120, 200)).save(folder + "/webp-4.3mp.webp")
"""


@pytest.fixture(scope="module")
def big_pictures(tmp_path_factory):
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("big-pictures")
    subprocess.run([sys.executable, "-c", MAKE, str(folder)], check=True)
    (folder / "png-bomb-119mp.png").write_bytes(_png_bomb())
    (folder / "png-bomb-wide.png").write_bytes(_png_bomb(width=200_000, height=1_000))
    (folder / "png-13.02mp.png").write_bytes(_png_bomb(width=4200, height=3100))
    (folder / "jpeg-multiscan-39.9mp.jpg").write_bytes(_multiscan_jpeg(7300, 5470))
    (folder / "jpeg-multiscan-13mp.jpg").write_bytes(_multiscan_jpeg(4160, 3120))
    return folder


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("png-bomb-119mp.png", False),
        ("png-bomb-wide.png", False),
        ("png-13.02mp.png", False),
        ("jpeg-39.9mp.jpg", True),
        ("jpeg-wide-40mp.jpg", True),
        ("jpeg-444-39.9mp.jpg", True),
        ("jpeg-progressive-444-13mp.jpg", True),
        ("jpeg-progressive-13.02mp.jpg", False),
        ("jpeg-multiscan-39.9mp.jpg", False),
        ("jpeg-multiscan-13mp.jpg", True),
        ("png-rgba-13mp.png", True),
        ("png-palette-13mp.png", True),
        ("png-grey-13mp.png", True),
        ("webp-4mp.webp", True),
        ("webp-rgba-4mp.webp", True),
        ("webp-4.3mp.webp", False),
    ],
)
def test_9_2_no_upload_grows_a_worker_by_more_than_100_mib(big_pictures, name, stored):
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dangjian.settings", "DJANGO_SECRET_KEY": "measure"}
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(big_pictures / name), str(big_pictures / "warm.jpg")],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result = json.loads(run.stdout.strip().splitlines()[-1])
    print(name, result)
    assert result["outcome"].startswith("stored") is stored, result
    assert result["growth_mib"] < 100, result


# --- 9.3 Only the pixels survive -----------------------------------------------------------------------

PLANTED = [b"<script", b"EXIF-PLANT", b"ICC-PLANT", b"XMP-PLANT", b"PNG-TEXT-PLANT"]


def hostile_jpeg(size=(1600, 1200)) -> bytes:
    """A JPEG carrying a script in a comment segment, and planted text in EXIF, ICC and XMP."""
    exif = Image.Exif()
    exif[0x010E] = "EXIF-PLANT description"  # ImageDescription
    exif[0x010F] = "EXIF-PLANT maker"
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 140, 60)).save(
        buffer,
        "JPEG",
        comment=b"<script>alert(document.cookie)</script>",
        exif=exif.tobytes(),
        icc_profile=b"ICC-PLANT" * 40,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">XMP-PLANT<script>alert(1)</script></x:xmpmeta>',
    )
    data = buffer.getvalue()
    assert all(marker in data for marker in PLANTED[:4])
    return data


def hostile_png() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "PNG-TEXT-PLANT <script>alert(1)</script>")
    info.add_itxt("XML:com.adobe.xmp", "XMP-PLANT", zip=False)
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 200), (30, 140, 60, 200)).save(buffer, "PNG", pnginfo=info, icc_profile=b"ICC-PLANT" * 40)
    return buffer.getvalue()


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's segments up to the image data (0xFE is a comment, 0xE0-0xEF APPn)."""
    assert data[:2] == b"\xff\xd8"
    markers, at = [], 2
    while at < len(data):
        assert data[at] == 0xFF
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: pixels follow
            break
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return markers


def assert_only_pixels(data: bytes) -> None:
    markers = jpeg_segments(data)
    assert 0xFE not in markers, "a comment segment survived"
    assert [m for m in markers if 0xE0 <= m <= 0xEF] in ([], [0xE0]), f"metadata segments: {markers}"
    for planted in PLANTED:
        assert planted not in data, planted
    assert not Image.open(io.BytesIO(data)).getexif()


def test_9_3_a_case_photo_is_rebuilt_from_its_pixels(client, county):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from dangjian.feedback.models import CasePhoto

    photos = [
        SimpleUploadedFile("现场.jpg", hostile_jpeg(), content_type="image/jpeg"),
        SimpleUploadedFile("截图.png", hostile_png(), content_type="image/png"),
    ]
    response = client.post(
        reverse("feedback:submit", args=[county.village_a1.pk]), _feedback_form(county, photos=photos)
    )
    assert response.status_code == 200
    stored = [photo.image.open("rb").read() for photo in CasePhoto.objects.order_by("pk")]
    assert len(stored) == 2
    for data in stored:
        assert_only_pixels(data)
    served = client.get(reverse("feedback:photo", args=[CasePhoto.objects.order_by("pk").first().pk]))
    assert_only_pixels(b"".join(served.streaming_content))


def test_9_3_a_leader_photo_is_rebuilt_from_its_pixels(county):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.core.uploads import process_photo

    assert_only_pixels(process_photo(SimpleUploadedFile("李华.jpg", hostile_jpeg(), content_type="image/jpeg")).read())
