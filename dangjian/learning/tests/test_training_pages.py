"""Training pages through the test client: the console for organizers, the session's page for invitees, the
door code, the materials; raw HTTP from outsiders."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.learning import training_actions
from dangjian.learning.models import Registration, TrainingMaterial, TrainingSession
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f

from .training_people import client_for, move, officers, published, session_input

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_data(**overrides) -> dict:
    start = timezone.localtime() + datetime.timedelta(days=2)
    data = {
        "title": "短视频拍摄与剪辑",
        "description": "手机拍摄、剪映剪辑",
        "mode": "room",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "place": "镇便民服务中心二楼",
        "link": "",
        "trainer": "李老师",
        "capacity": "20",
        "invite_role": Role.MEDIA_OFFICER,
        "exam": "",
    }
    data.update(overrides)
    return data


def test_the_township_admin_publishes_from_the_form_with_a_material(county):
    officers(county, 1)
    client = client_for(county.town_a_admin)
    page = client.get(reverse("console:training_sessions"))
    assert page.status_code == 200 and reverse("console:training_new_choose") in page.content.decode()
    url = reverse("console:training_new", args=[county.town_a.pk])
    assert client.get(url).status_code == 200
    data = form_data(materials=SimpleUploadedFile("讲义.pdf", PDF, content_type="application/pdf"))
    answer = client.post(url, data)
    session = TrainingSession.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("console:training_session", args=[session.pk])
    assert session.organization == county.town_a and session.created_by == county.town_a_admin
    assert TrainingMaterial.objects.get().content_type == "application/pdf"
    assert Notification.objects.filter(user=county.town_a_media, kind="learning.training_invited").count() == 1
    detail = client.get(answer["Location"]).content.decode()
    assert "短视频拍摄与剪辑" in detail and "讲义.pdf" in detail


def test_a_material_that_is_not_what_its_name_says_is_refused_and_nothing_saved(county):
    client = client_for(county.town_a_admin)
    data = form_data(materials=SimpleUploadedFile("讲义.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf"))
    answer = client.post(reverse("console:training_new", args=[county.town_a.pk]), data)
    assert answer.status_code == 400 and "讲义.pdf" in answer.content.decode()
    assert not TrainingSession.objects.exists() and not TrainingMaterial.objects.exists()


def test_a_form_error_is_shown_on_its_field(county):
    client = client_for(county.town_a_admin)
    answer = client.post(reverse("console:training_new", args=[county.town_a.pk]), form_data(place="", invite_role=""))
    assert answer.status_code == 400
    assert not TrainingSession.objects.exists()


def test_another_townships_staff_are_refused_every_console_page(county):
    session = published(county)
    other = client_for(f.staff("b_admin", Role.ORG_ADMIN, county.town_b))
    assert other.get(reverse("console:training_new", args=[county.town_a.pk])).status_code == 403
    for name in ("console:training_session", "console:training_edit", "console:training_door"):
        assert other.get(reverse(name, args=[session.pk])).status_code == 404
    for name in ("console:training_cancel", "console:training_attendance", "console:training_renew_code"):
        assert other.post(reverse(name, args=[session.pk]), {"reason": "x"}).status_code == 404
    session.refresh_from_db()
    assert session.state == TrainingSession.State.PLANNED
    assert other.get(reverse("console:training_sessions")).content.decode().count(session.title) == 0
    media = client_for(county.town_a_media)  # invited, but no organizer
    assert media.get(reverse("console:training_session", args=[session.pk])).status_code in (403, 404)


def test_an_invitee_registers_and_withdraws_on_the_session_page(county):
    (officer,) = officers(county, 1)
    session = published(county, capacity=1)
    client = client_for(officer)
    page = client.get(reverse("learning:training", args=[session.pk])).content.decode()
    assert "镇政府三楼会议室" in page
    client.post(reverse("learning:training_register", args=[session.pk]))
    assert Registration.objects.get(user=officer).state == Registration.State.REGISTERED
    second = client_for(county.town_a_media)
    answer = second.post(reverse("learning:training_register", args=[session.pk]), follow=True)
    assert Registration.objects.get(user=county.town_a_media).state == Registration.State.WAITING
    assert "1" in answer.content.decode()
    client.post(reverse("learning:training_withdraw", args=[session.pk]))
    assert Registration.objects.get(user=county.town_a_media).state == Registration.State.REGISTERED


def test_a_non_invitee_is_refused_the_page_and_a_raw_register(county):
    session = published(county)
    outsider = client_for(county.village_a1_secretary)
    assert outsider.get(reverse("learning:training", args=[session.pk])).status_code == 403
    assert outsider.post(reverse("learning:training_register", args=[session.pk])).status_code == 403
    assert not Registration.objects.exists()


def test_materials_are_served_to_invitees_and_organizers_only(county):
    (officer,) = officers(county, 1)
    upload = SimpleUploadedFile("讲义.pdf", PDF, content_type="application/pdf")
    material = training_actions.MaterialFile(
        upload=upload, name="讲义.pdf", size=len(PDF), content_type="application/pdf"
    )
    session = training_actions.save_session(county.town_a_admin, county.town_a.pk, session_input(), files=[material])
    stored = session.materials.get()
    url = reverse("learning:training_material", args=[session.pk, stored.pk])
    answer = client_for(officer).get(url)
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == PDF
    assert client_for(county.town_a_admin).get(url).status_code == 200
    assert client_for(county.village_a1_secretary).get(url).status_code == 403
    other = published(county)
    assert client_for(officer).get(reverse("learning:training_material", args=[other.pk, stored.pk])).status_code == 404


def test_the_door_page_shows_a_qr_code_of_the_check_in_address(county):
    session = published(county)
    page = client_for(county.town_a_admin).get(reverse("console:training_door", args=[session.pk])).content.decode()
    assert "<svg" in page and f"/learning/training/{session.pk}/checkin/{session.checkin_token}/" in page


def test_check_in_by_the_door_code_with_one_tap(county):
    (officer,) = officers(county, 1)
    session = published(county)
    training_actions.register(officer, session.pk)
    move(session, datetime.timedelta(minutes=5))
    client = client_for(officer)
    url = reverse("learning:training_checkin", args=[session.pk, session.checkin_token])
    assert client.get(url).status_code == 200
    assert not Registration.objects.get(user=officer).attended
    answer = client.post(url)
    assert answer.status_code == 200 and Registration.objects.get(user=officer).attended
    detail = client_for(county.town_a_admin).get(reverse("console:training_session", args=[session.pk])).content
    assert b"checked" in detail


def test_a_forged_token_says_so_clearly(county):
    (officer,) = officers(county, 1)
    session = move(published(county), datetime.timedelta(minutes=5))
    client = client_for(officer)
    url = reverse("learning:training_checkin", args=[session.pk, "forged"])
    for answer in (client.get(url), client.post(url)):
        assert answer.status_code == 403
        assert "签到码无效" in answer.content.decode() or "not valid" in answer.content.decode()
    assert not Registration.objects.filter(attended=True).exists()


def test_the_check_in_page_says_nothing_of_the_session_to_an_outsider(county):
    session = move(published(county), datetime.timedelta(minutes=5))
    client = client_for(county.village_a1_secretary)
    answer = client.post(reverse("learning:training_checkin", args=[session.pk, session.checkin_token]))
    assert answer.status_code == 403 and session.title not in answer.content.decode()
    assert not Registration.objects.exists()


def test_the_organizer_ticks_attendance_on_the_console_page(county):
    first, second = officers(county, 2)
    session = published(county)
    r1 = training_actions.register(first, session.pk)
    move(session, -datetime.timedelta(minutes=10))
    client = client_for(county.town_a_admin)
    answer = client.post(
        reverse("console:training_attendance", args=[session.pk]),
        {"attended": [str(r1.pk)], "walk_in": [str(second.pk)]},
    )
    assert answer.status_code == 302
    assert set(Registration.objects.filter(attended=True).values_list("user_id", flat=True)) == {first.pk, second.pk}


def test_cancelling_from_the_console_shows_the_reason_to_invitees(county):
    (officer,) = officers(county, 1)
    session = published(county)
    training_actions.register(officer, session.pk)
    client = client_for(county.town_a_admin)
    client.post(
        reverse("console:training_cancel", args=[session.pk]), {"reason": "台风预警，改期", "seen_version": "1"}
    )
    session.refresh_from_db()
    assert session.state == TrainingSession.State.CANCELLED
    page = client_for(officer).get(reverse("learning:training", args=[session.pk])).content.decode()
    assert "台风预警，改期" in page
    assert 'action="' + reverse("learning:training_withdraw", args=[session.pk]) not in page


def test_the_console_page_labels_the_mode_and_the_place(county):
    session = published(county)
    page = client_for(county.town_a_admin).get(reverse("console:training_session", args=[session.pk])).content.decode()
    assert "<dt>形式</dt><dd>线下（会议室）</dd>" in page
    assert f"<dt>地点</dt><dd>{session.place}</dd>" in page
