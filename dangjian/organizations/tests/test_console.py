"""Staff console: leadership editing, history, term warnings, concurrent edits, uploads."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from dangjian.core.models import ChangeRecord
from dangjian.organizations.models import Leader
from dangjian.tests_support.factories import PASSWORD, LeaderFactory, TermFactory, leader_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_client(client, county):
    assert client.login(username="town_a_media", password=PASSWORD)
    return client


def jpeg_with_gps(size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (30.0, 15.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_leader_edit_is_recorded_with_who_when_and_what(media_client, county):
    leader = LeaderFactory(term=TermFactory(organization=county.village_a1), name="原名", post="组织委员")
    url = reverse("console:leader_edit", args=[county.village_a1.pk, leader.pk])
    media_client.post(url, leader_data(leader.term, name="新名", post="组织委员", seen_version=leader.version))
    record = ChangeRecord.objects.filter(object_id=leader.pk, action="update").get()
    assert record.actor == county.town_a_media
    assert record.changes["name"] == ["原名", "新名"]
    assert "post" not in record.changes
    assert "原名" in media_client.get(url).content.decode()  # history shown on the edit page


def test_concurrent_edit_is_refused_and_keeps_the_input(media_client, county):
    leader = LeaderFactory(term=TermFactory(organization=county.village_a1), name="原名")
    url = reverse("console:leader_edit", args=[county.village_a1.pk, leader.pk])
    seen = leader.version
    media_client.post(url, leader_data(leader.term, name="第一人修改", seen_version=seen))
    response = media_client.post(url, leader_data(leader.term, name="第二人修改", seen_version=seen))
    assert response.status_code == 200
    html = response.content.decode()
    assert "有人修改了此记录" in html
    assert "第二人修改" in html
    leader.refresh_from_db()
    assert leader.name == "第一人修改"


def test_empty_required_fields_give_chinese_errors_and_save_nothing(media_client, county):
    term = TermFactory(organization=county.village_a1)
    response = media_client.post(
        reverse("console:leader_new", args=[county.village_a1.pk]), leader_data(term, name="", post="")
    )
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    assert not Leader.objects.exists()


def test_enormous_field_is_refused_clearly(media_client, county):
    term = TermFactory(organization=county.village_a1)
    response = media_client.post(
        reverse("console:leader_new", args=[county.village_a1.pk]), leader_data(term, cv="长" * 20000)
    )
    assert response.status_code == 200
    assert "不超过 3000 字符" in response.content.decode()
    assert not Leader.objects.exists()


def test_script_in_a_field_is_shown_as_text_on_the_portal(media_client, client, county):
    term = TermFactory(organization=county.village_a1)
    media_client.post(
        reverse("console:leader_new", args=[county.village_a1.pk]), leader_data(term, name="<script>alert(1)</script>")
    )
    leader = Leader.objects.get()
    html = client.get(reverse("orgs:leader", args=[county.village_a1.pk, leader.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_photo_is_resized_and_metadata_removed(media_client, county):
    term = TermFactory(organization=county.village_a1)
    photo = SimpleUploadedFile("me.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = media_client.post(
        reverse("console:leader_new", args=[county.village_a1.pk]), {**leader_data(term), "photo_upload": photo}
    )
    assert response.status_code == 302
    leader = Leader.objects.get()
    with Image.open(leader.photo.path) as stored:
        assert max(stored.size) == 1200
        assert len(stored.getexif()) == 0
        assert "exif" not in stored.info


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 2000, "不是完整的照片"),
        ("cut.jpg", jpeg_with_gps((400, 300))[:600], "不是完整的照片"),
        ("big.jpg", b"\xff\xd8\xff" + b"\x00" * (30 * 1024 * 1024), "最大允许"),
        ("empty.jpg", b"", "所提交的是空文件"),
    ],
    ids=["exe-renamed-jpg", "truncated-image", "30-MB-file", "empty-file"],
)
def test_bad_photo_is_refused_and_nothing_saved(media_client, county, settings, name, content, message):
    term = TermFactory(organization=county.village_a1)
    photo = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = media_client.post(
        reverse("console:leader_new", args=[county.village_a1.pk]), {**leader_data(term), "photo_upload": photo}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Leader.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_dashboard_warns_about_terms_ending_within_90_days(media_client, county, today):
    TermFactory(
        organization=county.village_a1,
        name="第十一届",
        elected_on=today - datetime.timedelta(days=1800),
        ends_on=today + datetime.timedelta(days=60),
    )
    TermFactory(
        organization=county.village_a2,
        name="第九届",
        elected_on=today - datetime.timedelta(days=1000),
        ends_on=today + datetime.timedelta(days=120),
    )
    html = media_client.get(reverse("console:dashboard")).content.decode()
    assert "王庄村党支部委员会" in html.split("90天内")[1].split("</section>")[0]
    assert "第十一届" in html
    assert "第九届" not in html


def test_term_superseded_by_a_new_term_is_not_warned(media_client, county, today):
    TermFactory(
        organization=county.village_a1,
        name="第十一届",
        elected_on=today - datetime.timedelta(days=1800),
        ends_on=today + datetime.timedelta(days=10),
    )
    TermFactory(
        organization=county.village_a1,
        name="第十二届",
        elected_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=1800),
    )
    html = media_client.get(reverse("console:dashboard")).content.decode()
    assert "第十一届" not in html


def test_term_must_end_after_election(media_client, county):
    response = media_client.post(
        reverse("console:term_new", args=[county.village_a1.pk]),
        {"name": "第十三届", "elected_on": "2026-03-01", "ends_on": "2025-03-01"},
    )
    assert response.status_code == 200
    assert "任期届满日期必须晚于选举日期" in response.content.decode()
    assert not county.village_a1.terms.exists()


def test_replacing_a_photo_removes_the_old_file(media_client, county, django_capture_on_commit_callbacks):
    term = TermFactory(organization=county.village_a1)
    url = reverse("console:leader_new", args=[county.village_a1.pk])
    media_client.post(
        url, {**leader_data(term), "photo_upload": SimpleUploadedFile("a.jpg", jpeg_with_gps((800, 600)))}
    )
    leader = Leader.objects.get()
    old_path = leader.photo.path
    edit = reverse("console:leader_edit", args=[county.village_a1.pk, leader.pk])
    with django_capture_on_commit_callbacks(execute=True):
        media_client.post(
            edit,
            {
                **leader_data(term),
                "seen_version": leader.version,
                "photo_upload": SimpleUploadedFile("b.jpg", jpeg_with_gps((900, 600))),
            },
        )
    leader.refresh_from_db()
    assert leader.photo.path != old_path
    assert Path(leader.photo.path).exists()
    assert not Path(old_path).exists()


def test_photo_sent_with_a_stale_edit_is_not_kept(media_client, county):
    leader = LeaderFactory(term=TermFactory(organization=county.village_a1), name="原名")
    url = reverse("console:leader_edit", args=[county.village_a1.pk, leader.pk])
    seen = leader.version
    media_client.post(url, leader_data(leader.term, name="第一人修改", seen_version=seen))
    response = media_client.post(
        url,
        {
            **leader_data(leader.term, name="第二人修改", seen_version=seen),
            "photo_upload": SimpleUploadedFile("c.jpg", jpeg_with_gps((800, 600))),
        },
    )
    assert "有人修改了此记录" in response.content.decode()
    leader.refresh_from_db()
    assert not leader.photo
    media = leader.photo.storage.location
    assert not any(p.is_file() for p in Path(media).rglob("*"))
