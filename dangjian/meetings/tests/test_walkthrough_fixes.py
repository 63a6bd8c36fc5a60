"""What a walk-through of the meeting office as real users found: the fixes, through the test client."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings import actions
from dangjian.meetings.models import Minutes

from .meeting_people import branch, started
from .test_meeting_pages import TEXT, client_for


@pytest.fixture
def b(county):
    return branch(county)


def _signature(page: str) -> str:
    match = re.search(r'<p class="signature">(.*?)</p>', page, re.S)
    assert match
    return match.group(1)


def _minutes_state(page: str) -> str:
    match = re.search(r'<p class="minutes-state">(.*?)</p>', page, re.S)
    assert match
    return match.group(1)


def _signed(b):
    meeting = started(b.plan())
    actions.record_held(b.secretary, meeting.pk)
    actions.save_minutes(b.recorder.user, meeting.pk, TEXT)
    return meeting


def test_minutes_signed_by_an_unknown_signer_name_nobody_on_paper_or_page(b):
    meeting = _signed(b)
    actions.sign_off_minutes(b.host.user, meeting.pk)
    Minutes.objects.update(signed_off_by=None)
    client = client_for(b.secretary)
    printed = _signature(client.get(reverse("console:meeting_print", args=[meeting.pk])).content.decode())
    assert "None" not in printed and printed.startswith("第1版，于")
    state = _minutes_state(client.get(reverse("console:meeting", args=[meeting.pk])).content.decode())
    assert "None" not in state and "—" not in state and "代主持人签署" not in state


def test_the_signers_name_and_for_the_host_only_when_the_signer_is_not_the_host(b):
    meeting = _signed(b)
    actions.sign_off_minutes(b.host.user, meeting.pk)
    client = client_for(b.secretary)
    printed = _signature(client.get(reverse("console:meeting_print", args=[meeting.pk])).content.decode())
    state = _minutes_state(client.get(reverse("console:meeting", args=[meeting.pk])).content.decode())
    assert "m_host" in printed and "m_host" in state
    assert "代主持人签署" not in printed and "代主持人签署" not in state

    other = _signed(b)
    actions.sign_off_minutes(b.secretary, other.pk)
    name = b.secretary.full_name or b.secretary.username
    printed = _signature(client.get(reverse("console:meeting_print", args=[other.pk])).content.decode())
    state = _minutes_state(client.get(reverse("console:meeting", args=[other.pk])).content.decode())
    assert name in printed and "代主持人签署" in printed
    assert name in state and "代主持人签署" in state


def test_printed_minutes_of_a_meeting_without_attendance_list_only_leave_as_absent(b):
    meeting = b.plan()
    actions.answer_meeting(b.plain.user, meeting.pk, "leave", "外出务工")
    client = client_for(b.secretary)
    page = client.get(reverse("console:meeting_print", args=[meeting.pk])).content.decode()
    absent = re.search(r"缺席及原因</th><td[^>]*>(.*?)</td>", page, re.S).group(1)
    assert "张大山" in absent and "外出务工" in absent
    assert "王建国" not in absent and "赵老汉" not in absent
    assert page.count(">实到<") == 1 and ">出席人员<" in page

    started(meeting)
    ticked = meeting.attendees.exclude(member__in=[b.plain, b.offline]).values_list("pk", flat=True)
    actions.mark_attendance(b.recorder.user, meeting.pk, ticked)
    page = client.get(reverse("console:meeting_print", args=[meeting.pk])).content.decode()
    absent = re.search(r"缺席及原因</th><td[^>]*>(.*?)</td>", page, re.S).group(1)
    assert "赵老汉" in absent and "张大山" in absent and "王建国" not in absent


def test_signing_off_needs_the_confirmation_box(b):
    meeting = _signed(b)
    client = client_for(b.host.user)
    page = client.get(reverse("console:meeting", args=[meeting.pk])).content.decode()
    assert 'name="confirm" value="on" required' in page and "我已核对会议记录，签署后不能再修改" in page
    url = reverse("console:meeting_sign_off", args=[meeting.pk])
    response = client.post(url, {"number": "1"}, follow=True)
    assert "请勾选" in response.content.decode()
    assert not Minutes.objects.get().is_signed_off
    client.post(url, {"number": "1", "confirm": "on"})
    assert Minutes.objects.get().signed_off_by == b.host.user


def test_the_member_sees_their_answer_and_only_the_other_choice(b):
    meeting = b.plan()
    client = client_for(b.plain.user)
    url = reverse("console:meeting", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert ">确认参加</button>" in page and ">请假</button>" in page
    client.post(reverse("console:meeting_answer", args=[meeting.pk]), {"answer": "confirmed"})
    page = client.get(url).content.decode()
    assert "您已确认参加" in page and ">改为请假</button>" in page and 'name="leave_reason"' in page
    assert ">确认参加</button>" not in page and ">改为参加</button>" not in page
    client.post(reverse("console:meeting_answer", args=[meeting.pk]), {"answer": "leave", "leave_reason": "外出务工"})
    page = client.get(url).content.decode()
    assert "您已请假：外出务工" in page and ">改为参加</button>" in page
    assert ">改为请假</button>" not in page and ">确认参加</button>" not in page
    client.post(reverse("console:meeting_answer", args=[meeting.pk]), {"answer": "confirmed"})
    assert meeting.attendees.get(member=b.plain).answer == "confirmed"


def test_the_calendar_title_and_the_demo_topics_name_the_kind_once(b):
    from django.utils import translation

    from dangjian.meetings import calendar, demo
    from dangjian.meetings.models import Meeting

    with translation.override("zh-hans"):
        for kind, topics in demo.TOPICS.items():
            label = str(Meeting.Kind(kind).label)
            assert not [t for t in topics if t.startswith(label) or label in t[:6]], kind
        lecture = b.plan(kind=Meeting.Kind.LECTURE, topic="党课：学习党的创新理论")
        assert calendar.summary(lecture) == "党课：学习党的创新理论"
        other = b.plan(kind=Meeting.Kind.LECTURE, topic="学习党的创新理论")
        assert calendar.summary(other) == "党课：学习党的创新理论"


def test_the_list_of_meetings_not_yet_held_leads_to_planning_one_of_that_kind(b):
    client = client_for(b.secretary)
    page = client.get(reverse("console:meetings_due")).content.decode()
    new = reverse("console:meeting_new", args=[b.org.pk])
    links = re.findall(rf'href="{re.escape(new)}\?kind=(\w+)"', page)
    assert "committee" in links and "安排会议" in page
    assert f'href="{reverse("console:meetings")}"' in page
    form = client.get(f"{new}?kind=lecture").content.decode()
    assert re.search(r'<option value="lecture" selected>', form)
    assert client.get(f"{new}?kind=nonsense").status_code == 200


def test_the_check_in_qr_code_only_while_check_in_can_work(b):
    import datetime

    from dangjian.meetings.models import Meeting

    client = client_for(b.secretary)
    planned = b.plan()
    url = reverse("console:meeting", args=[planned.pk])
    assert 'class="check-in-qr"' in client.get(url).content.decode()
    started(planned, hours=4)  # the check-in window closed an hour ago
    assert 'class="check-in-qr"' not in client.get(url).content.decode()
    held = started(b.plan(topic="已开的会"))
    actions.record_held(b.secretary, held.pk)
    assert 'class="check-in-qr"' not in client.get(reverse("console:meeting", args=[held.pk])).content.decode()
    cancelled = b.plan(topic="取消的会", when=timezone.now() + datetime.timedelta(days=3))
    actions.cancel_meeting(b.secretary, cancelled.pk, "下雨")
    assert 'class="check-in-qr"' not in client.get(reverse("console:meeting", args=[cancelled.pk])).content.decode()
    assert Meeting.objects.count() == 3


def test_a_topic_or_place_with_markup_is_refused_with_a_clear_message(b):
    from dangjian.core.history import ActionError
    from dangjian.meetings.models import Meeting

    from .test_meeting_pages import form_data

    client = client_for(b.secretary)
    url = reverse("console:meeting_new", args=[b.org.pk])
    response = client.post(url, form_data(b, topic="<b>x</b><script>"))
    assert response.status_code == 200 and "请不要使用“&lt;”和“&gt;”这两个字符" in response.content.decode()
    response = client.post(url, form_data(b, place="村部<i>"))
    assert response.status_code == 200 and "请不要使用" in response.content.decode()
    assert not Meeting.objects.exists()
    meeting = b.plan()
    with pytest.raises(ActionError) as refused:
        actions.update_meeting(
            b.secretary,
            meeting.pk,
            actions.MeetingInput(
                kind=meeting.kind,
                topic="学习<script>",
                starts_at=meeting.starts_at,
                place=meeting.place,
                host_id=b.host.pk,
                recorder_id=b.recorder.pk,
            ),
        )
    assert list(refused.value.errors) == ["topic"]
    meeting.refresh_from_db()
    assert meeting.topic == "研究本月党员发展工作"
