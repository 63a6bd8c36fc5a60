"""The meeting's and the minutes' workflows (core/workflow.py): who may take which step, from which state.

A meeting is planned, then held or cancelled. Its minutes are versions: a draft is edited by the recorder, the
host or a secretary (MANAGE_MEETINGS on the branch); the host's sign-off (or a secretary's of exactly this branch,
acting for the host) locks it; a correction is a new draft version, the signed one unchanged.

Actors:
- "manager": holds MANAGE_MEETINGS on the meeting's branch (their grant's subtree).
- "keeper": the recorder's or the host's own member account, or a manager.
- "signer": the host's own member account, or a holder of MANAGE_MEETINGS exactly on the branch.
- "attendee": a member on the meeting's list of attendees (their own account).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_MEETINGS, has_capability, holds_exactly
from dangjian.core.workflow import Step, Workflow
from dangjian.members.queries import member_for_user

from .models import Attendee, Meeting, Minutes

DRAFT = "draft"
SIGNED = "signed"


def _meeting(obj) -> Meeting:
    return obj if isinstance(obj, Meeting) else obj.meeting


def is_manager(user, meeting: Meeting) -> bool:
    return has_capability(user, MANAGE_MEETINGS, meeting.organization)


def _own_role(user, meeting: Meeting, *roles: str) -> bool:
    member = member_for_user(user)
    if member is None:
        return False
    return any(getattr(meeting, f"{role}_id") == member.pk for role in roles)


def _manager(user, obj):
    meeting = _meeting(obj)
    return meeting.organization if is_manager(user, meeting) else None


def _keeper(user, obj):
    meeting = _meeting(obj)
    if _own_role(user, meeting, "recorder", "host"):
        return member_for_user(user)
    return meeting.organization if is_manager(user, meeting) else None


def _signer(user, obj):
    meeting = _meeting(obj)
    if _own_role(user, meeting, "host"):
        return member_for_user(user)
    return meeting.organization if holds_exactly(user, MANAGE_MEETINGS, meeting.organization) else None


def attendee_of(user, meeting: Meeting) -> Attendee | None:
    member = member_for_user(user)
    if member is None:
        return None
    return Attendee.objects.filter(meeting=meeting, member=member).first()


def _attendee(user, obj):
    return attendee_of(user, _meeting(obj))


def _started(meeting: Meeting) -> str:
    if meeting.starts_at > timezone.now():
        return _("The meeting has not started yet.")
    return ""


def _not_started(meeting: Meeting) -> str:
    if meeting.starts_at <= timezone.now():
        return _("The meeting has already begun; answers are closed.")
    return ""


def _meeting_refusal(state: str) -> str:
    if state == Meeting.State.HELD:
        return _("This meeting has already been recorded as held.")
    if state == Meeting.State.CANCELLED:
        return _("This meeting was cancelled.")
    return _("This is not possible for this meeting now.")


MEETING = Workflow(
    [
        Step("update", [Meeting.State.PLANNED], None, "manager"),
        Step("cancel", [Meeting.State.PLANNED], Meeting.State.CANCELLED, "manager"),
        Step("answer", [Meeting.State.PLANNED], None, "attendee", _not_started),
        Step("check_in", [Meeting.State.PLANNED, Meeting.State.HELD], None, "attendee"),
        Step("mark_attendance", [Meeting.State.PLANNED, Meeting.State.HELD], None, "keeper", _started),
        Step("record_held", [Meeting.State.PLANNED], Meeting.State.HELD, "keeper", _started),
        Step("write_minutes", [Meeting.State.PLANNED, Meeting.State.HELD], None, "keeper", _started),
        Step("upload", [Meeting.State.PLANNED, Meeting.State.HELD], None, "keeper"),
    ],
    actors={"manager": _manager, "keeper": _keeper, "attendee": _attendee},
    refusal=_meeting_refusal,
)


def minutes_state(minutes: Minutes) -> str:
    return SIGNED if minutes.is_signed_off else DRAFT


def _held(minutes: Minutes) -> str:
    if minutes.meeting.state != Meeting.State.HELD:
        return _("Record the meeting as held before the minutes are signed off.")
    return ""


def _minutes_refusal(state: str) -> str:
    if state == SIGNED:
        return _(
            "These minutes were signed off and can no longer be changed. To correct them, add a new version "
            "with the reason for the correction."
        )
    return _("These minutes are a draft; sign them off first.")


MINUTES = Workflow(
    [
        Step("edit", [DRAFT], None, "keeper"),
        Step("sign_off", [DRAFT], SIGNED, "signer", _held),
        Step("correct", [SIGNED], DRAFT, "keeper"),
    ],
    actors={"keeper": _keeper, "signer": _signer},
    refusal=_minutes_refusal,
    state_of=minutes_state,
)
