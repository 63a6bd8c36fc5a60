"""Evidence pictures keep nothing but their pixels (issue 9, item 3)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.tests.test_files import assert_only_pixels, hostile_jpeg, hostile_png
from dangjian.supervision import actions

from .conftest import file_report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("name", "make"), [("现场.jpg", hostile_jpeg), ("截图.png", hostile_png)])
def test_9_3_prepared_evidence_pictures_are_rebuilt_from_their_pixels(name, make):
    prepared = actions.prepare_evidence(SimpleUploadedFile(name, make()))
    assert prepared.metadata_removed and prepared.content_type == "image/jpeg"
    assert_only_pixels(prepared.content)


def test_9_3_an_officer_downloads_evidence_with_nothing_but_the_picture(county, officers):
    evidence = [actions.prepare_evidence(SimpleUploadedFile("现场.jpg", hostile_jpeg(), content_type="image/jpeg"))]
    report, _receipt = file_report(county, evidence=evidence)
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    content, meta = actions.evidence_content(opened, officers.a_officer, report.evidence.get().pk)
    assert meta["type"] == "image/jpeg" and meta["stripped"] is True
    assert_only_pixels(content)


def test_9_3_evidence_added_on_the_follow_up_page_is_rebuilt_from_its_pixels(client, county, officers):
    report, receipt = file_report(county)
    page = client.post(
        "/supervision/follow/",
        {"receipt": receipt, "step": "evidence", "e-evidence": [SimpleUploadedFile("补充.jpg", hostile_jpeg())]},
    )
    assert page.status_code == 200 and report.evidence.count() == 1
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    content, _meta = actions.evidence_content(opened, officers.a_officer, report.evidence.get().pk)
    assert_only_pixels(content)
