"""submit_case called directly (as the API will), with the checks the public form makes."""

import uuid

import pytest

from dangjian.core.history import InvalidInput, NotFound
from dangjian.feedback import actions
from dangjian.feedback.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def submit(place_id, **changes):
    values = {"category": "help", "title": "路灯坏了", "description": "村口路灯坏了三个月。"}
    values.update(changes)
    return actions.submit_case(place_id=place_id, client_token=uuid.uuid4(), **values)


def test_a_case_is_registered_at_the_place_named_by_its_id(county):
    case, _password, created = submit(county.village_a1.pk)
    assert created and case.place == county.village_a1 and Case.objects.get().title == "路灯坏了"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "  "}, "title"),
        ({"title": "灯" * 101}, "title"),
        ({"description": ""}, "description"),
        ({"description": "字" * 5001}, "description"),
        ({"category": "nonsense"}, "category"),
        ({"contact_phone": "1" * 21}, "contact_phone"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(county, changes, field):
    with pytest.raises(InvalidInput) as refused:
        submit(county.village_a1.pk, **changes)
    assert list(refused.value.errors) == [field]
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_an_unknown_place_is_refused(county):
    with pytest.raises(NotFound):
        submit(999_999)
    assert not Case.objects.exists()


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _jpeg_with_comment() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="JPEG", comment=b"secret-metadata")
    return out.getvalue()


def test_raw_photos_are_checked_and_rebuilt_by_the_action_itself(county):
    """A caller that is not the form (the coming API) passes raw uploads: the action checks and rebuilds them."""
    case, _password, _created = submit(county.village_a1.pk, photos=[_upload("a.jpg", _jpeg_with_comment())])
    stored = case.photos.get().image.read()
    assert stored.startswith(b"\xff\xd8") and b"secret-metadata" not in stored


def test_a_disguised_or_surplus_photo_is_refused_by_the_action_and_nothing_saved(county):
    with pytest.raises(actions.ActionError, match="照片"):
        submit(county.village_a1.pk, photos=[_upload("a.jpg", b"<script>alert(1)</script>")])
    with pytest.raises(actions.ActionError, match="6"):
        submit(county.village_a1.pk, photos=[_upload(f"{i}.jpg", _jpeg_with_comment()) for i in range(7)])
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
