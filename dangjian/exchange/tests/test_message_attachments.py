"""Pictures and files in messages: a photo is rebuilt upright without its metadata (a thumbnail beside it), a file
is accepted by its content within the limit; wrong or oversized files are refused in Chinese and nothing is kept."""

import io
import os

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from dangjian.core.history import InvalidInput
from dangjian.exchange import actions, attachments
from dangjian.exchange.models import Message
from dangjian.tests_support import factories as f

from .message_support import exe, jpeg_with_exif, pdf, png, truncated_jpeg


@pytest.fixture
def room(county):
    alice = f.UserFactory(username="alice")
    bob = f.UserFactory(username="bob")
    return f.room(county.village_a1, "王庄村民群", people=[alice, bob]), alice, bob


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    found = []
    for folder, _dirs, files in os.walk(root):
        found += [os.path.join(folder, name) for name in files]
    return found


def test_a_phone_photo_is_rebuilt_upright_without_exif_and_gets_a_thumbnail(room):
    made, alice, _bob = room
    message = actions.post_message(alice, made.pk, actions.MessageInput(image=jpeg_with_exif(size=(800, 600))))
    assert message.kind == Message.Kind.IMAGE and message.state == Message.State.PUBLISHED
    with message.image.open("rb") as handle:
        data = handle.read()
    with Image.open(io.BytesIO(data)) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (600, 800)  # orientation 6 applied: now upright
        assert not picture.getexif() and "exif" not in picture.info
    assert b"PhoneMaker" not in data
    with default_storage.open(attachments.thumb_name(message.image.name), "rb") as handle, Image.open(handle) as thumb:
        assert max(thumb.size) == attachments.THUMB_PIXELS


def test_a_png_is_re_encoded_as_jpeg_and_a_photo_chosen_as_a_file_is_sent_as_a_picture(room):
    made, alice, _bob = room
    first = actions.post_message(alice, made.pk, actions.MessageInput(image=png()))
    second = actions.post_message(alice, made.pk, actions.MessageInput(body="看这个", file=png("截图.png")))
    for message in (first, second):
        assert message.kind == Message.Kind.IMAGE and not message.file
        with message.image.open("rb") as handle, Image.open(handle) as picture:
            assert picture.format == "JPEG"


def test_a_pdf_is_kept_under_its_own_name(room):
    made, alice, _bob = room
    message = actions.post_message(alice, made.pk, actions.MessageInput(file=pdf("../../关于秋收的通知.pdf")))
    assert message.kind == Message.Kind.FILE
    assert message.file_name == "关于秋收的通知.pdf" and message.file_size > 0
    assert message.file.name.startswith("exchange/files/") and "通知" not in message.file.name


@pytest.mark.parametrize(
    ("upload", "field", "words"),
    [
        (exe(), "file", "内容与其名称"),
        (truncated_jpeg(), "image", "不是完整的照片"),
        (pdf("名单.exe"), "file", "不接受 .exe"),
    ],
    ids=["renamed-exe", "truncated-jpeg", "exe-extension"],
)
def test_wrong_files_are_refused_with_a_clear_reason_and_nothing_is_kept(room, settings, upload, field, words):
    made, alice, _bob = room
    with pytest.raises(InvalidInput) as refused:
        actions.post_message(alice, made.pk, actions.MessageInput(body="看附件", **{field: upload}))
    assert words in str(refused.value)
    assert not Message.objects.exists() and not stored_files(settings)
    made.refresh_from_db()
    assert made.last_rev == 0


def test_oversized_files_are_refused_before_anything_is_stored(room, settings):
    made, alice, _bob = room
    settings.EXCHANGE_FILE_MAX_BYTES = 1000
    settings.EXCHANGE_IMAGE_MAX_BYTES = 1000
    with pytest.raises(InvalidInput, match="最大"):
        actions.post_message(alice, made.pk, actions.MessageInput(file=pdf(extra=2000)))
    with pytest.raises(InvalidInput, match="最大"):
        actions.post_message(alice, made.pk, actions.MessageInput(image=jpeg_with_exif()))
    assert not Message.objects.exists() and not stored_files(settings)


def test_a_picture_and_a_file_at_once_are_refused(room):
    made, alice, _bob = room
    with pytest.raises(InvalidInput, match="一次"):
        actions.post_message(alice, made.pk, actions.MessageInput(image=png(), file=pdf()))


def test_files_stored_for_a_message_that_fails_are_deleted(room, settings):
    made, alice, _bob = room

    def fail(message, membership):
        raise RuntimeError("the database went away")

    actions.POSTED_HOOKS.append(fail)
    try:
        with pytest.raises(RuntimeError):
            actions.post_message(alice, made.pk, actions.MessageInput(image=jpeg_with_exif()))
    finally:
        actions.POSTED_HOOKS.remove(fail)
    assert not Message.objects.exists() and not stored_files(settings)


def test_safe_names():
    assert attachments.safe_name('..\\C:\\a"b\x00c.pdf') == "abc.pdf"
    assert attachments.safe_name("") == "file"
    long = attachments.safe_name("长" * 300 + ".docx")
    assert len(long) == attachments.NAME_CHARS and long.endswith(".docx")
