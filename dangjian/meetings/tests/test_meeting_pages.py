"""The meeting office's pages through the test client: who sees and does what, and raw HTTP from outsiders."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from dangjian.accounts.models import Role
from dangjian.meetings import actions
from dangjian.meetings.models import Attendee, Meeting, MeetingFile, Minutes
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD

from .meeting_people import branch, started

TEXT = actions.MinutesInput(agenda="一、传达学习", discussion="讨论热烈", resolutions="同意")


@pytest.fixture
def b(county):
    return branch(county)


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def form_data(b, **overrides) -> dict:
    start = timezone.localtime() + datetime.timedelta(days=2)
    data = {
        "kind": "committee",
        "topic": "研究本月党员发展工作",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "村部会议室",
        "online_link": "",
        "host": b.host.pk,
        "recorder": b.recorder.pk,
        "audience": "committee",
        "party_group": "",
    }
    data.update(overrides)
    return data


def test_the_secretary_plans_from_the_form_and_a_double_submit_makes_one_meeting(b):
    client = client_for(b.secretary)
    url = reverse("console:meeting_new", args=[b.org.pk])
    page = client.get(url)
    assert page.status_code == 200 and "王建国" in page.content.decode() and "孙石桥" not in page.content.decode()
    data = form_data(b)
    first = client.post(url, data)
    second = client.post(url, data)
    meeting = Meeting.objects.get()
    assert first.url == second.url == reverse("console:meeting", args=[meeting.pk])
    listing = client.get(reverse("console:meeting_list", args=[b.org.pk])).content.decode()
    assert "研究本月党员发展工作" in listing


def test_a_meeting_in_the_past_is_refused_on_the_form_with_a_clear_message(b):
    client = client_for(b.secretary)
    past = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("console:meeting_new", args=[b.org.pk]), form_data(b, starts_at=past, ends_at=""))
    assert response.status_code == 200
    assert "会议不能安排在过去" in response.content.decode()
    assert not Meeting.objects.exists()


def test_another_townships_secretary_cannot_see_or_plan_or_change_the_branchs_meetings(b):
    meeting = b.plan()
    outsider = f.staff("b_secretary", Role.SECRETARY, b.county.town_b)
    client = client_for(outsider)
    assert client.get(reverse("console:meeting_list", args=[b.org.pk])).status_code == 403
    assert client.post(reverse("console:meeting_new", args=[b.org.pk]), form_data(b)).status_code == 403
    assert client.get(reverse("console:meeting", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("console:meeting_edit", args=[meeting.pk]), form_data(b)).status_code == 404
    assert client.post(reverse("console:meeting_cancel", args=[meeting.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("console:meeting_print", args=[meeting.pk])).status_code == 404
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PLANNED and Meeting.objects.count() == 1


def test_a_media_officer_posting_raw_is_refused(b):
    meeting = started(b.plan())
    client = client_for(b.county.town_a_media)
    assert client.post(reverse("console:meeting_new", args=[b.org.pk]), form_data(b)).status_code == 403
    attendee = meeting.attendees.first()
    client.post(reverse("console:meeting_attendance", args=[meeting.pk]), {"attended": [attendee.pk]})
    client.post(reverse("console:meeting_held", args=[meeting.pk]))
    client.post(reverse("console:meeting_minutes", args=[meeting.pk]), {"agenda": "伪造"})
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PLANNED and not Minutes.objects.exists()
    assert not Attendee.objects.filter(attended=True).exists() and Meeting.objects.count() == 1


def test_a_member_of_another_branch_cannot_open_the_meeting_or_check_in(b):
    meeting = b.plan(when=timezone.now() + datetime.timedelta(minutes=10))
    client = client_for(b.other.user)
    assert client.get(reverse("console:meeting", args=[meeting.pk])).status_code == 404
    page = client.post(reverse("meetings:check_in", args=[meeting.check_in_token]))
    assert page.status_code == 403
    assert "不在这次会议的参会名单" in page.content.decode()
    assert meeting.topic not in page.content.decode()
    assert not Attendee.objects.filter(attended=True).exists()


def test_a_member_not_in_the_audience_cannot_answer(b):
    meeting = b.plan(audience=Meeting.Audience.COMMITTEE)
    client = client_for(b.plain.user)
    assert client.get(reverse("console:meeting", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("console:meeting_answer", args=[meeting.pk]), {"answer": "confirmed"}).status_code == 404
    assert not Attendee.objects.filter(member=b.plain).exists()


def test_a_member_answers_on_the_meeting_page(b):
    meeting = b.plan()
    client = client_for(b.plain.user)
    page = client.get(reverse("console:meeting", args=[meeting.pk])).content.decode()
    assert "确认参加" in page and "请假" in page
    client.post(reverse("console:meeting_answer", args=[meeting.pk]), {"answer": "leave", "leave_reason": ""})
    assert Attendee.objects.get(member=b.plain).answer == "pending"
    response = client.post(
        reverse("console:meeting_answer", args=[meeting.pk]), {"answer": "leave", "leave_reason": "住院"}, follow=True
    )
    assert "请假" in response.content.decode()
    assert Attendee.objects.get(member=b.plain).leave_reason == "住院"


def test_a_plain_member_sees_no_other_members_answers_nor_the_qr_code(b):
    meeting = b.plan()
    actions.answer_meeting(b.host.user, meeting.pk, "leave", "家中有事不便说明")
    page = client_for(b.plain.user).get(reverse("console:meeting", args=[meeting.pk])).content.decode()
    assert "家中有事不便说明" not in page and "<svg" not in page
    secretary_page = client_for(b.secretary).get(reverse("console:meeting", args=[meeting.pk])).content.decode()
    assert "家中有事不便说明" in secretary_page and "<svg" in secretary_page


def test_a_forged_attendee_id_in_the_attendance_post_is_ignored(b):
    meeting = started(b.plan())
    other_meeting = b.plan(topic="下周的会")
    foreign = other_meeting.attendees.first()
    mine = meeting.attendees.get(member=b.plain)
    client = client_for(b.recorder.user)
    client.post(reverse("console:meeting_attendance", args=[meeting.pk]), {"attended": [mine.pk, foreign.pk, "x"]})
    mine.refresh_from_db()
    foreign.refresh_from_db()
    assert mine.attended is True and foreign.attended is None


def test_minutes_edited_after_sign_off_are_refused_and_unchanged(b):
    meeting = started(b.plan())
    actions.record_held(b.secretary, meeting.pk)
    actions.save_minutes(b.recorder.user, meeting.pk, TEXT)
    actions.sign_off_minutes(b.host.user, meeting.pk)
    client = client_for(b.recorder.user)
    url = reverse("console:meeting_minutes", args=[meeting.pk])
    response = client.get(url, follow=True)
    assert "已签署" in response.content.decode()
    response = client.post(url, {"agenda": "事后篡改"})
    assert response.status_code == 200 and "已签署" in response.content.decode()
    assert Minutes.objects.get().agenda == TEXT.agenda
    correct = reverse("console:meeting_minutes_correct", args=[meeting.pk])
    client.post(correct, {"agenda": "一、传达学习（更正）", "correction_reason": "笔误"})
    assert list(Minutes.objects.order_by("number").values_list("agenda", flat=True)) == [
        TEXT.agenda,
        "一、传达学习（更正）",
    ]


def test_print_page_and_pdf_of_the_minutes(b):
    meeting = b.plan()
    actions.answer_meeting(b.plain.user, meeting.pk, "leave", "外出务工")
    started(meeting)
    present = meeting.attendees.exclude(member=b.plain).values_list("pk", flat=True)
    actions.mark_attendance(b.recorder.user, meeting.pk, present)
    actions.record_held(b.secretary, meeting.pk)
    actions.save_minutes(b.recorder.user, meeting.pk, TEXT)
    actions.sign_off_minutes(b.host.user, meeting.pk)
    client = client_for(b.secretary)
    page = client.get(reverse("console:meeting_print", args=[meeting.pk])).content.decode()
    for words in (
        "会议记录",
        "主持人",
        "记录人",
        "应到",
        "实到",
        "缺席及原因",
        "议程",
        "讨论情况",
        "决议",
        "张大山",
        "外出务工",
    ):
        assert words in page, words
    pdf = client.get(reverse("console:meeting_pdf", args=[meeting.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_plain_attendee_reads_only_signed_minutes(b):
    meeting = started(b.plan())
    actions.record_held(b.secretary, meeting.pk)
    actions.save_minutes(b.recorder.user, meeting.pk, actions.MinutesInput(agenda="草稿中的议程"))
    client = client_for(b.plain.user)
    assert "草稿中的议程" not in client.get(reverse("console:meeting", args=[meeting.pk])).content.decode()
    assert client.get(reverse("console:meeting_print", args=[meeting.pk])).status_code == 404
    actions.sign_off_minutes(b.host.user, meeting.pk)
    assert "草稿中的议程" in client.get(reverse("console:meeting", args=[meeting.pk])).content.decode()


def test_files_are_served_only_to_those_who_may_see_the_meeting(b):
    meeting = started(b.plan())
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 10)).save(buffer, "PNG")
    upload = SimpleUploadedFile("合影.png", buffer.getvalue(), content_type="image/png")
    client_for(b.recorder.user).post(reverse("console:meeting_file_add", args=[meeting.pk]), {"file": upload})
    item = MeetingFile.objects.get()
    url = reverse("console:meeting_file", args=[meeting.pk, item.pk])
    assert client_for(b.plain.user).get(url).status_code == 200
    assert client_for(b.other.user).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    elsewhere = b.plan(topic="别的会")
    wrong = reverse("console:meeting_file", args=[elsewhere.pk, item.pk])
    assert client_for(b.secretary).get(wrong).status_code == 404


def test_my_meetings_lists_the_members_meetings_upcoming_first(b):
    later = b.plan(topic="下月的会", when=timezone.now() + datetime.timedelta(days=20))
    sooner = b.plan(topic="明天的会", when=timezone.now() + datetime.timedelta(days=1))
    b.plan(topic="委员会的会", audience=Meeting.Audience.COMMITTEE)
    page = client_for(b.plain.user).get(reverse("console:my_meetings")).content.decode()
    assert page.index(sooner.topic) < page.index(later.topic)
    assert "委员会的会" not in page
    home = client_for(b.plain.user).get(reverse("console:dashboard")).content.decode()
    assert "明天的会" in home and "等待您回复" in home


def test_check_in_page_from_the_qr_code(b):
    meeting = b.plan(when=timezone.now() + datetime.timedelta(minutes=10))
    url = reverse("meetings:check_in", args=[meeting.check_in_token])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    client = client_for(b.plain.user)
    assert "签到" in client.get(url).content.decode()
    assert not Attendee.objects.get(member=b.plain).attended
    done = client.post(url)
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    row = Attendee.objects.get(member=b.plain)
    assert row.attended and row.source == "qr"
    assert client.get(reverse("meetings:check_in", args=["forged"])).status_code == 404


def test_the_menu_and_the_organizations_page_lead_to_the_meeting_office(b):
    org_page = reverse("console:organization", args=[b.org.pk])
    secretary = client_for(b.secretary).get(org_page).content.decode()
    assert reverse("console:meeting_list", args=[b.org.pk]) in secretary
    media = client_for(b.county.town_a_media).get(org_page).content.decode()
    assert reverse("console:meeting_list", args=[b.org.pk]) not in media
    assert reverse("console:meetings") not in media
    member_home = client_for(b.plain.user).get(reverse("console:dashboard")).content.decode()
    assert reverse("console:my_meetings") in member_home and reverse("console:meetings") not in member_home
    assert client_for(b.plain.user).get(reverse("console:meetings")).status_code == 403


def test_the_host_finds_the_minutes_to_sign_on_the_console_home(b):
    meeting = started(b.plan())
    actions.record_held(b.secretary, meeting.pk)
    actions.save_minutes(b.recorder.user, meeting.pk, TEXT)
    home = client_for(b.host.user).get(reverse("console:dashboard")).content.decode()
    assert "待您签署的会议记录" in home and reverse("console:meeting", args=[meeting.pk]) in home
    actions.sign_off_minutes(b.host.user, meeting.pk)
    assert "待您签署的会议记录" not in client_for(b.host.user).get(reverse("console:dashboard")).content.decode()


def test_the_secretary_changes_a_planned_meeting_on_its_form(b):
    meeting = b.plan()
    client = client_for(b.secretary)
    url = reverse("console:meeting_edit", args=[meeting.pk])
    assert "村部会议室" in client.get(url).content.decode()
    start = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    data = form_data(b, starts_at=start, ends_at="", place="党群服务中心", audience="branch")
    data["seen_version"] = meeting.version
    assert client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "党群服务中心" and meeting.attendees.count() == 4
    data["seen_version"] = 1  # a stale form
    response = client.post(url, {**data, "place": "别处"})
    assert response.status_code == 200 and "有人修改了此记录" in response.content.decode()
