"""Planning, answering, attendance and check-in: what the branch secretary, members and outsiders can do."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dangjian.core.history import ActionError, InvalidInput, NotFound
from dangjian.meetings import actions, notices
from dangjian.meetings.models import Attendee, Meeting
from dangjian.notifications.kinds import render
from dangjian.notifications.models import Notification
from dangjian.organizations.models import Organization
from dangjian.tests_support import factories as f

from .meeting_people import branch, started


@pytest.fixture
def b(county):
    return branch(county)


def test_planning_a_branch_meeting_lists_every_member_on_the_roll_and_tells_those_with_accounts(b):
    gone = f.member(b.org, "钱转出", status="transferred_out")
    meeting = b.plan()
    listed = set(meeting.attendees.values_list("member_id", flat=True))
    assert listed == {b.host.pk, b.recorder.pk, b.plain.pk, b.offline.pk}
    assert gone.pk not in listed
    told = set(Notification.objects.filter(kind=notices.PLANNED).values_list("user_id", flat=True))
    assert told == {b.host.user_id, b.recorder.user_id, b.plain.user_id}
    assert meeting.notice_sent_at is not None


def test_the_notice_says_what_the_meeting_is_and_nothing_about_other_people(b):
    b.plan()
    row = Notification.objects.filter(kind=notices.PLANNED, user=b.plain.user).get()
    shown = render(row)
    assert "研究本月党员发展工作" in shown and "村部会议室" in shown and "支部委员会" in shown
    assert "王建国" not in shown + str(row.params) and "13700000001" not in str(row.params)


def test_a_committee_meeting_lists_the_committee_only(b):
    meeting = b.plan(audience=Meeting.Audience.COMMITTEE)
    assert set(meeting.attendees.values_list("member_id", flat=True)) == {b.host.pk, b.recorder.pk}


def test_a_party_group_meeting_needs_a_group_of_the_branch(b):
    group = f.OrganizationFactory(name="第一党小组", kind="group", parent=b.org)
    b.plain.party_group = group
    b.plain.save()
    with pytest.raises(InvalidInput) as refused:
        b.plan(kind=Meeting.Kind.GROUP, audience=Meeting.Audience.BRANCH)
    assert "audience" in refused.value.errors
    foreign = f.OrganizationFactory(name="外村党小组", kind="group", parent=b.county.village_b1)
    with pytest.raises(InvalidInput) as refused:
        b.plan(kind=Meeting.Kind.GROUP, audience=Meeting.Audience.GROUP, party_group_id=foreign.pk)
    assert "party_group" in refused.value.errors
    meeting = b.plan(kind=Meeting.Kind.GROUP, audience=Meeting.Audience.GROUP, party_group_id=group.pk)
    assert set(meeting.attendees.values_list("member_id", flat=True)) == {b.plain.pk, b.host.pk, b.recorder.pk}


def test_a_meeting_in_the_past_is_refused_and_nothing_is_saved(b):
    with pytest.raises(InvalidInput) as refused:
        b.plan(when=timezone.now() - datetime.timedelta(hours=1))
    assert "starts_at" in refused.value.errors
    assert "过去" in str(refused.value) or "past" in str(refused.value)
    assert not Meeting.objects.exists() and not Notification.objects.exists()


def test_an_end_before_the_start_and_a_meeting_without_place_are_refused(b):
    start = timezone.now() + datetime.timedelta(days=2)
    with pytest.raises(InvalidInput) as refused:
        b.plan(when=start, ends_at=start - datetime.timedelta(hours=1), place="")
    assert {"ends_at", "place"} <= set(refused.value.errors)
    assert not Meeting.objects.exists()


def test_a_host_from_another_branch_is_refused(b):
    with pytest.raises(InvalidInput) as refused:
        b.plan(host_id=b.other.pk)
    assert "host" in refused.value.errors


def test_the_same_meeting_sent_twice_is_planned_once(b):
    start = timezone.now() + datetime.timedelta(days=3)
    first = b.plan(when=start)
    with pytest.raises(actions.DuplicateMeeting) as again:
        b.plan(when=start)
    assert again.value.meeting == first
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize("who", ["town_a_media", "town_b_discipline", "nobody"])
def test_those_without_the_right_cannot_plan(b, who):
    with pytest.raises(PermissionDenied):
        actions.plan_meeting(
            getattr(b.county, who),
            b.org.pk,
            actions.MeetingInput(
                kind="committee",
                topic="x",
                starts_at=timezone.now() + datetime.timedelta(days=1),
                place="村部",
                host_id=b.host.pk,
                recorder_id=b.recorder.pk,
            ),
        )


def test_a_township_above_plans_for_its_village_but_not_for_another_township(b):
    town_b_admin = f.staff("town_b_admin", "org_admin", b.county.town_b)
    with pytest.raises(PermissionDenied):
        actions.plan_meeting(
            town_b_admin,
            b.org.pk,
            actions.MeetingInput(
                kind="committee", topic="x", starts_at=timezone.now() + datetime.timedelta(days=1), place="村部"
            ),
        )
    meeting = actions.plan_meeting(
        b.county.town_a_admin,
        b.org.pk,
        actions.MeetingInput(
            kind="general", topic="季度党员大会", starts_at=timezone.now() + datetime.timedelta(days=1), place="村部"
        ),
    )
    assert meeting.organization == b.org


def test_a_party_group_itself_cannot_plan(b):
    group = f.OrganizationFactory(name="第一党小组", kind=Organization.Kind.GROUP, parent=b.org)
    with pytest.raises(ActionError):
        actions.plan_meeting(
            b.secretary,
            group.pk,
            actions.MeetingInput(kind="group", topic="x", starts_at=timezone.now() + datetime.timedelta(days=1)),
        )


def test_a_change_keeps_the_answers_of_those_who_stay_and_tells_them(b):
    meeting = b.plan()
    actions.answer_meeting(b.host.user, meeting.pk, "confirmed")
    actions.answer_meeting(b.plain.user, meeting.pk, "leave", "外出务工")
    data = actions.MeetingInput(
        kind=meeting.kind,
        topic=meeting.topic,
        starts_at=meeting.starts_at + datetime.timedelta(hours=2),
        place="党群服务中心",
        host_id=b.host.pk,
        recorder_id=b.recorder.pk,
        audience=Meeting.Audience.COMMITTEE,
    )
    actions.update_meeting(b.secretary, meeting.pk, data, expected_version=meeting.version)
    meeting.refresh_from_db()
    assert meeting.place == "党群服务中心" and meeting.version == 2
    rows = {a.member_id: a.answer for a in meeting.attendees.all()}
    assert rows == {b.host.pk: "confirmed", b.recorder.pk: "pending"}
    assert set(Notification.objects.filter(kind=notices.CHANGED).values_list("user_id", flat=True)) == {
        b.host.user_id,
        b.recorder.user_id,
    }


def test_a_held_meeting_cannot_be_changed_or_cancelled(b):
    meeting = started(b.plan())
    actions.record_held(b.recorder.user, meeting.pk)
    with pytest.raises(ActionError):
        actions.cancel_meeting(b.secretary, meeting.pk, "天气原因")
    data = actions.MeetingInput(kind="committee", topic="改", starts_at=meeting.starts_at, place="村部")
    with pytest.raises(ActionError):
        actions.update_meeting(b.secretary, meeting.pk, data)


def test_cancelling_needs_a_reason_and_tells_the_attendees(b):
    meeting = b.plan()
    with pytest.raises(InvalidInput):
        actions.cancel_meeting(b.secretary, meeting.pk, "  ")
    actions.cancel_meeting(b.secretary, meeting.pk, "上级会议冲突")
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CANCELLED
    assert Notification.objects.filter(kind=notices.CANCELLED).count() == 3


def test_a_member_confirms_or_asks_for_leave_with_a_reason(b):
    meeting = b.plan()
    with pytest.raises(ActionError):
        actions.answer_meeting(b.plain.user, meeting.pk, "leave", "")
    with pytest.raises(ActionError):
        actions.answer_meeting(b.plain.user, meeting.pk, "leave", "太" * 201)
    actions.answer_meeting(b.plain.user, meeting.pk, "leave", "在县医院陪护老人")
    row = Attendee.objects.get(meeting=meeting, member=b.plain)
    assert (row.answer, row.leave_reason) == ("leave", "在县医院陪护老人")
    actions.answer_meeting(b.plain.user, meeting.pk, "confirmed")
    row.refresh_from_db()
    assert (row.answer, row.leave_reason) == ("confirmed", "")


def test_a_member_not_on_the_list_cannot_answer(b):
    meeting = b.plan(audience=Meeting.Audience.COMMITTEE)
    for user in (b.plain.user, b.other.user, b.secretary):
        with pytest.raises(PermissionDenied):
            actions.answer_meeting(user, meeting.pk, "confirmed")


def test_attendance_is_ticked_from_the_start_only_and_forged_ids_are_ignored(b):
    meeting = b.plan()
    mine = {a.member_id: a.pk for a in meeting.attendees.all()}
    with pytest.raises(ActionError):
        actions.mark_attendance(b.recorder.user, meeting.pk, [mine[b.plain.pk]])
    elsewhere = b.plan(topic="另一次会议")
    foreign = elsewhere.attendees.first()
    started(meeting)
    count = actions.mark_attendance(b.recorder.user, meeting.pk, [mine[b.plain.pk], mine[b.host.pk], foreign.pk])
    assert count == 2
    foreign.refresh_from_db()
    assert foreign.attended is None
    assert Attendee.objects.get(pk=mine[b.offline.pk]).attended is False
    with pytest.raises(PermissionDenied):
        actions.mark_attendance(b.plain.user, meeting.pk, [mine[b.plain.pk]])


def test_check_in_with_the_qr_code_within_its_window(b):
    meeting = b.plan(when=timezone.now() + datetime.timedelta(minutes=20))
    attendee = actions.check_in(b.plain.user, meeting.check_in_token)
    assert (attendee.attended, attendee.source) == (True, Attendee.Source.QR)


def test_check_in_too_early_too_late_or_not_on_the_list_is_refused_with_a_message(b):
    meeting = b.plan(when=timezone.now() + datetime.timedelta(hours=2))
    with pytest.raises(ActionError, match="30"):
        actions.check_in(b.plain.user, meeting.check_in_token)
    started(meeting, hours=4)
    with pytest.raises(ActionError):
        actions.check_in(b.plain.user, meeting.check_in_token)
    now = b.plan(topic="现在开会", when=timezone.now() + datetime.timedelta(minutes=5))
    with pytest.raises(ActionError) as refused:
        actions.check_in(b.other.user, now.check_in_token)
    assert not isinstance(refused.value, NotFound)
    with pytest.raises(NotFound):
        actions.check_in(b.plain.user, "forged-token")
    assert not Attendee.objects.filter(attended=True).exists()


def test_recording_held_only_after_the_start(b):
    meeting = b.plan()
    with pytest.raises(ActionError):
        actions.record_held(b.secretary, meeting.pk)
    started(meeting)
    actions.record_held(b.host.user, meeting.pk)
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD and meeting.held_at is not None


def test_the_notice_is_queued_for_mail_to_members_with_an_address(b):
    b.plain.user.email = "zhang@example.cn"
    b.plain.user.save()
    b.plan()
    row = Notification.objects.get(kind=notices.PLANNED, user=b.plain.user)
    assert row.mail_state == Notification.Mail.PENDING
    assert Notification.objects.get(kind=notices.PLANNED, user=b.host.user).mail_state == Notification.Mail.NONE
