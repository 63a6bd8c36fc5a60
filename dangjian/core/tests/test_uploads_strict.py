"""A damaged photo is refused even in a process that imported WeasyPrint, which turns on Pillow's tolerance of
truncated images for the whole process (the PDFs of minutes and certificates import it)."""

import io

import pytest
import weasyprint  # noqa: F401 - what sets ImageFile.LOAD_TRUNCATED_IMAGES
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from dangjian.core.uploads import process_photo


def test_a_truncated_photo_is_refused_after_weasyprint_was_imported():
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the condition this test is about
    out = io.BytesIO()
    Image.effect_noise((400, 300), 80).convert("RGB").save(out, format="JPEG", quality=90)
    whole = out.getvalue()
    with pytest.raises(ValidationError, match="不是完整的照片"):
        process_photo(SimpleUploadedFile("broken.jpg", whole[: len(whole) // 2], content_type="image/jpeg"))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # WeasyPrint's own choice is left as it was
    assert process_photo(SimpleUploadedFile("whole.jpg", whole, content_type="image/jpeg")).size > 0
