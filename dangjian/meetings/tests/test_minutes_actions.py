"""Minutes: drafts by the recorder, sign-off by the host (or the branch secretary for the host), corrections as
new versions, files through the upload checks."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dangjian.core.history import ActionError
from dangjian.core.models import ChangeRecord
from dangjian.meetings import actions
from dangjian.meetings.models import MeetingFile, Minutes

from .meeting_people import branch, started

TEXT = actions.MinutesInput(
    agenda="一、传达学习\n二、研究发展对象", discussion="大家一致认为……", resolutions="同意列为发展对象"
)


@pytest.fixture
def b(county):
    return branch(county)


@pytest.fixture
def held(b):
    meeting = started(b.plan())
    actions.record_held(b.recorder.user, meeting.pk)
    return meeting


def jpeg_with_comment() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1600), (200, 30, 30)).save(buffer, "JPEG", comment=b"GPS 31.2,117.1")
    return SimpleUploadedFile("现场.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_recorder_writes_and_the_host_signs_off(b, held):
    minutes = actions.save_minutes(b.recorder.user, held.pk, TEXT)
    assert minutes.number == 1 and not minutes.is_signed_off
    signed = actions.sign_off_minutes(b.host.user, held.pk, number=1)
    assert signed.signed_off_by == b.host.user and signed.is_signed_off
    assert ChangeRecord.objects.filter(object_id=minutes.pk, content_type__model="minutes").count() == 2


def test_minutes_cannot_be_written_before_the_meeting_starts(b):
    meeting = b.plan()
    with pytest.raises(ActionError):
        actions.save_minutes(b.recorder.user, meeting.pk, TEXT)


def test_signed_minutes_cannot_be_edited_and_stay_unchanged(b, held):
    actions.save_minutes(b.recorder.user, held.pk, TEXT)
    actions.sign_off_minutes(b.host.user, held.pk)
    with pytest.raises(ActionError, match="签署|signed"):
        actions.save_minutes(b.secretary, held.pk, actions.MinutesInput(agenda="篡改后的议程"))
    assert Minutes.objects.get().agenda == TEXT.agenda


def test_a_correction_is_a_new_version_with_its_reason(b, held):
    actions.save_minutes(b.recorder.user, held.pk, TEXT)
    actions.sign_off_minutes(b.host.user, held.pk)
    with pytest.raises(ActionError):
        actions.correct_minutes(b.recorder.user, held.pk, actions.MinutesInput(agenda="更正"))
    corrected = actions.correct_minutes(
        b.recorder.user, held.pk, actions.MinutesInput(agenda="一、传达学习（更正）", correction_reason="议程笔误")
    )
    assert (corrected.number, corrected.correction_reason, corrected.is_signed_off) == (2, "议程笔误", False)
    assert Minutes.objects.get(number=1).agenda == TEXT.agenda
    actions.sign_off_minutes(b.host.user, held.pk, number=2)
    assert Minutes.objects.get(number=2).is_signed_off


def test_the_branch_secretary_signs_for_the_host_and_is_recorded(b, held):
    actions.save_minutes(b.recorder.user, held.pk, TEXT)
    signed = actions.sign_off_minutes(b.secretary, held.pk)
    assert signed.signed_off_by == b.secretary


def test_those_above_the_branch_the_recorder_and_plain_members_cannot_sign_off(b, held):
    actions.save_minutes(b.recorder.user, held.pk, TEXT)
    for user in (b.county.town_a_admin, b.recorder.user, b.plain.user, b.other.user):
        with pytest.raises(PermissionDenied):
            actions.sign_off_minutes(user, held.pk)
    assert not Minutes.objects.get().is_signed_off


def test_minutes_are_signed_off_only_once_the_meeting_is_recorded_held(b):
    meeting = started(b.plan())
    actions.save_minutes(b.recorder.user, meeting.pk, TEXT)
    with pytest.raises(ActionError):
        actions.sign_off_minutes(b.host.user, meeting.pk)


def test_a_newer_draft_is_not_signed_unseen(b, held):
    actions.save_minutes(b.recorder.user, held.pk, TEXT)
    with pytest.raises(ActionError):
        actions.sign_off_minutes(b.host.user, held.pk, number=7)


def test_plain_members_and_other_branches_cannot_write_minutes(b, held):
    for user in (b.plain.user, b.other.user, b.county.town_a_media):
        with pytest.raises(PermissionDenied):
            actions.save_minutes(user, held.pk, TEXT)
    assert not Minutes.objects.exists()


def test_photos_are_reencoded_and_documents_checked_by_content(b, held):
    actions.save_minutes(b.recorder.user, held.pk, TEXT)
    photo = actions.add_meeting_file(b.recorder.user, held.pk, jpeg_with_comment())
    data = photo.file.read()
    assert photo.kind == MeetingFile.Kind.PHOTO and b"GPS" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert max(image.size) <= 1200
    fake = SimpleUploadedFile("会议材料.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ActionError):
        actions.add_meeting_file(b.recorder.user, held.pk, fake)
    assert MeetingFile.objects.count() == 1


def test_no_files_are_added_to_signed_minutes(b, held):
    actions.save_minutes(b.recorder.user, held.pk, TEXT)
    actions.sign_off_minutes(b.host.user, held.pk)
    with pytest.raises(ActionError):
        actions.add_meeting_file(b.recorder.user, held.pk, jpeg_with_comment())
