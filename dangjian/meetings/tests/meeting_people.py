"""The people of a village branch for the meeting office's tests: a branch secretary (staff role), committee
members with accounts (the host and the recorder), plain members with and without an account, and a member of
a branch in another township."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from dangjian.meetings import actions
from dangjian.meetings.models import Meeting
from dangjian.tests_support import factories as f


@dataclass
class Branch:
    county: object
    org: object
    secretary: object  # the branch secretary's staff account (MANAGE_MEETINGS on the branch)
    host: object  # member on the committee, with an account, no staff role
    recorder: object
    plain: object  # a member with an account, not on the committee
    offline: object  # a member without an account
    other: object  # a member of 石桥村 (another township) with an account

    def plan(self, *, when=None, **overrides) -> Meeting:
        data = {
            "kind": Meeting.Kind.COMMITTEE,
            "topic": "研究本月党员发展工作",
            "starts_at": when or timezone.now() + datetime.timedelta(days=1),
            "ends_at": None,
            "place": "村部会议室",
            "host_id": self.host.pk,
            "recorder_id": self.recorder.pk,
            "audience": Meeting.Audience.BRANCH,
        }
        data.update(overrides)
        return actions.plan_meeting(self.secretary, self.org.pk, actions.MeetingInput(**data))


def started(meeting: Meeting, hours: float = 1) -> Meeting:
    """Move the meeting's start into the past, as if time had passed."""
    start = timezone.now() - datetime.timedelta(hours=hours)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=None)
    meeting.refresh_from_db()
    return meeting


def branch(county) -> Branch:
    c = county
    org = c.village_a1

    def account(username):
        return f.UserFactory(username=username, full_name=username)

    return Branch(
        county=c,
        org=org,
        secretary=c.village_a1_secretary,
        host=f.member(org, "王建国", committee_post="secretary", user=account("m_host"), mobile="13700000001"),
        recorder=f.member(org, "李秀英", committee_post="organization", user=account("m_recorder")),
        plain=f.member(org, "张大山", user=account("m_plain")),
        offline=f.member(org, "赵老汉"),
        other=f.member(c.village_b1, "孙石桥", committee_post="secretary", user=account("m_other")),
    )
