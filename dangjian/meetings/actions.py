"""Writes to meetings: planning, answers, attendance, minutes and their files, personal calendar feeds.

Every function takes the acting user, ids and typed input; it loads the rows itself (an id from elsewhere is
NotFound), asks the workflow (workflow.py) or the capability table, validates, writes in one transaction with its
history (core.history) and sends its notices through notifications.api.notify (rows in the same transaction, mail
after the commit).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_MEETINGS, require
from dangjian.core.history import ActionError, NotFound, refusal, save_tracked, validate
from dangjian.core.uploads import check_attachment, discard_on_failure, prepared_photos
from dangjian.members.models import Member
from dangjian.members.queries import member_for_user
from dangjian.notifications.api import notify
from dangjian.organizations.models import Organization

from . import notices
from .models import Attendee, CalendarFeed, Meeting, MeetingFile, Minutes
from .workflow import MEETING, MINUTES

LEAVE_REASON_MAX = 200
CHECK_IN_BEFORE = datetime.timedelta(minutes=30)
CHECK_IN_AFTER = datetime.timedelta(hours=3)
PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}


class DuplicateMeeting(ActionError):
    """The same meeting (branch, kind, start, topic) is already planned: e.g. the form sent twice."""

    def __init__(self, meeting: Meeting):
        super().__init__(_("This meeting has already been planned."))
        self.meeting = meeting


@dataclass(frozen=True)
class MeetingInput:
    kind: str
    topic: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None = None
    place: str = ""
    online_link: str = ""
    host_id: int | None = None
    recorder_id: int | None = None
    audience: str = Meeting.Audience.BRANCH
    party_group_id: int | None = None


@dataclass(frozen=True)
class MinutesInput:
    agenda: str
    discussion: str = ""
    resolutions: str = ""
    correction_reason: str = ""


# --- Reading rows for a write ------------------------------------------------------------------------


def _meeting_for_update(meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("organization").filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound
    return meeting


def _branch(organization_id: int) -> Organization:
    organization = Organization.objects.select_for_update().filter(pk=organization_id).first()
    if organization is None or organization.is_closed:
        raise NotFound
    if organization.kind == Organization.Kind.GROUP:
        raise ActionError(_("Meetings are planned by the branch; a party group's meeting names the group."))
    return organization


def branch_members(organization: Organization):
    """The members of the branch on the roll: the hosts, recorders and attendees a meeting may have."""
    return Member.objects.filter(organization=organization, status=Member.Status.ACTIVE)


def party_groups(organization: Organization):
    return Organization.objects.open().filter(parent=organization, kind=Organization.Kind.GROUP)


def audience_members(meeting: Meeting):
    members = branch_members(meeting.organization)
    if meeting.audience == Meeting.Audience.COMMITTEE:
        members = members.exclude(committee_post="")
    elif meeting.audience == Meeting.Audience.GROUP:
        members = members.filter(party_group_id=meeting.party_group_id)
    ids = set(members.values_list("pk", flat=True))
    ids.update(pk for pk in (meeting.host_id, meeting.recorder_id) if pk)
    return ids


# --- Planning ------------------------------------------------------------------------------------------


def _apply(meeting: Meeting, data: MeetingInput, *, now: datetime.datetime, start_changed: bool) -> None:
    organization = meeting.organization
    errors: dict[str, list[str]] = {}
    meeting.kind = data.kind
    meeting.topic = (data.topic or "").strip()
    meeting.starts_at = data.starts_at
    meeting.ends_at = data.ends_at
    meeting.place = (data.place or "").strip()
    meeting.online_link = (data.online_link or "").strip()
    meeting.audience = data.audience
    if data.starts_at is None:
        errors.setdefault("starts_at", []).append(_("Please give the time the meeting starts."))
    else:
        if timezone.is_naive(data.starts_at):
            raise ValueError("starts_at must be timezone-aware")
        if start_changed and data.starts_at < now:
            errors.setdefault("starts_at", []).append(_("A meeting cannot be planned in the past."))
        if data.ends_at is not None and data.ends_at <= data.starts_at:
            errors.setdefault("ends_at", []).append(_("The meeting must end after it starts."))
    for field in ("topic", "place"):
        if any(ch in getattr(meeting, field) for ch in "<>"):
            errors.setdefault(field, []).append(_("Please write it without the characters < and >."))
    if not meeting.place and not meeting.online_link:
        errors.setdefault("place", []).append(_("Please give the place, or the link of an online meeting."))
    members = branch_members(organization)
    for field in ("host", "recorder"):
        pk = getattr(data, f"{field}_id")
        if pk is None:
            setattr(meeting, f"{field}_id", None)
            continue
        person = members.filter(pk=pk).first()
        if person is None:
            errors.setdefault(field, []).append(_("Choose a member of this branch on the roll."))
        else:
            setattr(meeting, field, person)
    meeting.party_group = None
    if data.kind == Meeting.Kind.GROUP and data.audience != Meeting.Audience.GROUP:
        errors.setdefault("audience", []).append(_("A party group meeting is for the members of one party group."))
    if data.audience == Meeting.Audience.GROUP:
        group = party_groups(organization).filter(pk=data.party_group_id).first() if data.party_group_id else None
        if group is None:
            errors.setdefault("party_group", []).append(_("Choose one of this branch's party groups."))
        else:
            meeting.party_group = group
    try:
        validate(meeting, exclude=["host", "recorder", "party_group", "organization", "created_by"])
    except ActionError as error:
        for name, messages in getattr(error, "errors", {NON_FIELD_ERRORS: [str(error)]}).items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if errors:
        raise refusal(meeting, errors)


def _sync_attendees(meeting: Meeting) -> None:
    """Attendees from the audience: new members added, those no longer in it removed, answers of the rest kept."""
    wanted = audience_members(meeting)
    current = set(meeting.attendees.values_list("member_id", flat=True))
    meeting.attendees.exclude(member_id__in=wanted).delete()
    Attendee.objects.bulk_create([Attendee(meeting=meeting, member_id=pk) for pk in sorted(wanted - current)])


def _recipients(meeting: Meeting) -> list:
    return list(
        Member.objects.filter(
            attendances__meeting=meeting, status=Member.Status.ACTIVE, user__isnull=False, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _tell(meeting: Meeting, kind: str, **extra) -> None:
    notify(_recipients(meeting), kind, meeting, organization=meeting.organization, **notices.params(meeting), **extra)


def plan_meeting(user, organization_id: int, data: MeetingInput) -> Meeting:
    """Plan a meeting of the branch; its attendees come from the audience and are told (console and mail).
    The same meeting sent twice (same kind, start and topic) is refused as DuplicateMeeting, naming the first."""
    now = timezone.now()
    with transaction.atomic():
        organization = _branch(organization_id)
        require(user, MANAGE_MEETINGS, organization)
        meeting = Meeting(organization=organization, created_by=user if user.is_authenticated else None)
        _apply(meeting, data, now=now, start_changed=True)
        existing = (
            Meeting.objects.filter(
                organization=organization, kind=meeting.kind, starts_at=meeting.starts_at, topic=meeting.topic
            )
            .exclude(state=Meeting.State.CANCELLED)
            .first()
        )
        if existing is not None:
            raise DuplicateMeeting(existing)
        meeting.notice_sent_at = now
        save_tracked(user, meeting, organization)
        _sync_attendees(meeting)
        _tell(meeting, notices.PLANNED)
    return meeting


def update_meeting(user, meeting_id: int, data: MeetingInput, *, expected_version: int | None = None) -> Meeting:
    """Change a planned meeting; attendees follow the audience (the answers of those who stay are kept) and
    are told of the change."""
    now = timezone.now()
    with transaction.atomic():
        meeting = _meeting_for_update(meeting_id)
        MEETING.require(user, "update", meeting)
        start_changed = data.starts_at != meeting.starts_at
        _apply(meeting, data, now=now, start_changed=start_changed)
        if save_tracked(user, meeting, meeting.organization, expected_version=expected_version) is None:
            return meeting
        _sync_attendees(meeting)
        _tell(meeting, notices.CHANGED)
    return meeting


def cancel_meeting(user, meeting_id: int, reason: str) -> Meeting:
    reason = (reason or "").strip()
    with transaction.atomic():
        meeting = _meeting_for_update(meeting_id)
        MEETING.require(user, "cancel", meeting)
        if not reason:
            raise refusal(meeting, {"cancel_reason": [_("Please say why the meeting is cancelled.")]})
        meeting.state = MEETING.target("cancel")
        meeting.cancel_reason = reason
        validate(meeting)
        save_tracked(user, meeting, meeting.organization)
        _tell(meeting, notices.CANCELLED, reason=reason)
    return meeting


def record_held(user, meeting_id: int) -> Meeting:
    with transaction.atomic():
        meeting = _meeting_for_update(meeting_id)
        MEETING.require(user, "record_held", meeting)
        meeting.state = MEETING.target("record_held")
        meeting.held_at = timezone.now()
        save_tracked(user, meeting, meeting.organization)
    return meeting


# --- Answers and attendance ----------------------------------------------------------------------------


def answer_meeting(user, meeting_id: int, answer: str, reason: str = "") -> Attendee:
    """A member's own answer: confirm, or ask for leave with a reason (required, at most 200 characters)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        meeting = _meeting_for_update(meeting_id)
        attendee = MEETING.require(user, "answer", meeting)
        if answer == Attendee.Answer.CONFIRMED:
            reason = ""
        elif answer == Attendee.Answer.LEAVE:
            if not reason:
                raise ActionError(_("Please give the reason for your leave."))
            if len(reason) > LEAVE_REASON_MAX:
                raise ActionError(
                    _("The reason may have at most %(max)s characters (it has %(n)s).")
                    % {"max": LEAVE_REASON_MAX, "n": len(reason)}
                )
        else:
            raise ActionError(_("Please choose whether you will attend."))
        attendee.answer = answer
        attendee.leave_reason = reason
        attendee.answered_at = timezone.now()
        attendee.save(update_fields=["answer", "leave_reason", "answered_at"])
    return attendee


def mark_attendance(user, meeting_id: int, attended_ids: Iterable[int]) -> int:
    """The recorder (or host, or a secretary) ticks who attended; the others are recorded as absent. Ids that are
    not attendees of this meeting are ignored. Returns how many attended."""
    ticked = {int(pk) for pk in attended_ids}
    now = timezone.now()
    with transaction.atomic():
        meeting = _meeting_for_update(meeting_id)
        MEETING.require(user, "mark_attendance", meeting)
        changed = []
        for attendee in meeting.attendees.select_for_update():
            attended = attendee.pk in ticked
            if attendee.attended is attended:
                continue
            attendee.attended = attended
            attendee.source = Attendee.Source.RECORDER
            attendee.marked_at = now
            changed.append(attendee)
        Attendee.objects.bulk_update(changed, ["attended", "source", "marked_at"])
        return meeting.attendees.filter(attended=True).count()


def check_in_window(meeting: Meeting) -> tuple[datetime.datetime, datetime.datetime]:
    return meeting.starts_at - CHECK_IN_BEFORE, (meeting.ends_at or meeting.starts_at) + CHECK_IN_AFTER


def check_in_refusal() -> str:
    return _("You are not on the list of attendees of this meeting, so you cannot check in to it.")


def check_in(user, token: str) -> Attendee:
    """A member scanning the meeting's QR code while signed in: recorded as attended (source QR), if they are on
    its list and it is between 30 minutes before the start and 3 hours after the end."""
    now = timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(check_in_token=token).first() if token else None
        if meeting is None:
            raise NotFound(_("This check-in code is not valid."))
        try:
            attendee = MEETING.require(user, "check_in", meeting)
        except PermissionDenied:
            raise ActionError(check_in_refusal()) from None
        opens, closes = check_in_window(meeting)
        if now < opens:
            raise ActionError(
                _("Check-in opens 30 minutes before the meeting starts, at %(time)s.")
                % {"time": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")}
            )
        if now > closes:
            raise ActionError(_("Check-in for this meeting has closed."))
        if not attendee.attended:
            attendee.attended = True
            attendee.source = Attendee.Source.QR
            attendee.marked_at = now
            attendee.save(update_fields=["attended", "source", "marked_at"])
    return attendee


# --- Minutes ---------------------------------------------------------------------------------------------


def latest_minutes(meeting: Meeting) -> Minutes | None:
    return meeting.minutes_versions.order_by("-number").first()


def _fill(minutes: Minutes, data: MinutesInput, user) -> None:
    minutes.agenda = (data.agenda or "").strip()
    minutes.discussion = (data.discussion or "").strip()
    minutes.resolutions = (data.resolutions or "").strip()
    minutes.written_by = user
    minutes.written_at = timezone.now()
    if not minutes.agenda:
        raise refusal(minutes, {"agenda": [_("Please write the agenda.")]})
    validate(minutes, exclude=["written_by", "signed_off_by"])


def save_minutes(user, meeting_id: int, data: MinutesInput, *, expected_version: int | None = None) -> Minutes:
    """Write the minutes' draft (the first version, or the current draft). A signed-off version is refused: it
    is corrected by a new version (`correct_minutes`)."""
    with transaction.atomic():
        meeting = _meeting_for_update(meeting_id)
        MEETING.require(user, "write_minutes", meeting)
        minutes = latest_minutes(meeting) or Minutes(meeting=meeting, number=1)
        MINUTES.require(user, "edit", minutes)
        _fill(minutes, data, user)
        save_tracked(user, minutes, meeting.organization, expected_version=expected_version)
    return minutes


def sign_off_minutes(user, meeting_id: int, *, number: int | None = None) -> Minutes:
    """The host signs the current draft off (or a secretary of exactly this branch, for the host; who signed is
    recorded). `number` is the version the signer read: a newer draft is not signed unseen."""
    with transaction.atomic():
        meeting = _meeting_for_update(meeting_id)
        minutes = latest_minutes(meeting)
        if minutes is None:
            raise ActionError(_("There are no minutes to sign off yet."))
        MINUTES.require(user, "sign_off", minutes)
        if number is not None and number != minutes.number:
            raise ActionError(_("A newer version of the minutes was written; read it before signing off."))
        minutes.signed_off_by = user
        minutes.signed_off_at = timezone.now()
        save_tracked(user, minutes, meeting.organization)
    return minutes


def correct_minutes(user, meeting_id: int, data: MinutesInput) -> Minutes:
    """A correction of signed-off minutes: a new draft version with its reason; the signed one stays as it was."""
    reason = (data.correction_reason or "").strip()
    with transaction.atomic():
        meeting = _meeting_for_update(meeting_id)
        signed = latest_minutes(meeting)
        if signed is None:
            raise ActionError(_("There are no minutes to correct yet."))
        MINUTES.require(user, "correct", signed)
        minutes = Minutes(meeting=meeting, number=signed.number + 1, correction_reason=reason)
        if not reason:
            raise refusal(minutes, {"correction_reason": [_("Please give the reason for the correction.")]})
        _fill(minutes, data, user)
        save_tracked(user, minutes, meeting.organization)
    return minutes


def add_meeting_file(user, meeting_id: int, upload) -> MeetingFile:
    """A photo (re-encoded by core.uploads: no metadata survives) or a document (checked by its content) for the
    minutes; refused once the current minutes are signed off."""
    with transaction.atomic():
        meeting = _meeting_for_update(meeting_id)
        MEETING.require(user, "upload", meeting)
        minutes = latest_minutes(meeting)
        if minutes is not None:
            MINUTES.require(user, "edit", minutes)
        name = os.path.basename(upload.name or "")[:200] or "file"
        ext = os.path.splitext(name)[1].lower()
        try:
            if ext in PHOTO_EXTENSIONS:
                stored, kind, content_type = prepared_photos([upload])[0], MeetingFile.Kind.PHOTO, "image/jpeg"
                name = os.path.splitext(name)[0][:190] + ".jpg"
            else:
                content_type = check_attachment(upload)
                stored, kind = upload, MeetingFile.Kind.DOCUMENT
        except ValidationError as error:
            raise ActionError(" ".join(error.messages)) from None
        item = MeetingFile(
            meeting=meeting,
            minutes=minutes,
            kind=kind,
            name=name,
            content_type=content_type,
            size=getattr(stored, "size", 0) or 0,
            uploaded_by=user,
        )
        item.file.save(f"{uuid.uuid4().hex}{'.jpg' if kind == MeetingFile.Kind.PHOTO else ext}", stored, save=False)
        with discard_on_failure(item.file):
            save_tracked(user, item, meeting.organization)
    return item


# --- Personal calendar feeds -------------------------------------------------------------------------------


def feed_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_calendar_feed(user) -> str:
    """A new personal calendar feed for the member; returns its secret token (shown once, only its hash is kept).
    Any earlier feed of the member stops working."""
    member = member_for_user(user)
    if member is None:
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        now = timezone.now()
        CalendarFeed.objects.filter(member=member, revoked_at__isnull=True).update(revoked_at=now)
        CalendarFeed.objects.create(member=member, token_hash=feed_hash(token), created_at=now)
    return token


def revoke_calendar_feed(user) -> int:
    member = member_for_user(user)
    if member is None:
        raise PermissionDenied
    return CalendarFeed.objects.filter(member=member, revoked_at__isnull=True).update(revoked_at=timezone.now())
