"""Moderation of the rooms: held messages approved or rejected, messages removed, reports made and handled,
members warned, muted, removed from a room and let back, and a resident's verified identity looked up (后台实名).

Every action here:
- requires `access.may_moderate(actor, room)` (MODERATE_ROOMS on the room's organization or above, or being an admin
  of the room); the identity look-up requires MODERATE_ROOMS itself;
- runs in one transaction and writes one `ModerationEntry` (the audit the room's moderators and those above read
  on `console:moderation_log`);
- changes a message through `actions.touch`, so the room's rev moves and the clients hear of it.

Anyone who may read a room reports a message of someone else (`report_message`), once.
"""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.permissions import MODERATE_ROOMS, has_capability, scope_paths
from dangjian.core.history import ActionError, InvalidInput, NotFound
from dangjian.notifications.api import notify, staff_holding

from . import access, actions, live, notices
from .mentions import announce_mentions, forget_mentions
from .models import Membership, Message, ModerationEntry, Report, Resident, Room

REASON_MAX_CHARS = 200
DETAILS_MAX_CHARS = 300
# A held message tells the room's moderators at most once in this time (a flood of held messages, one notice).
HELD_NOTICE_EVERY = datetime.timedelta(minutes=5)

MUTE_CHOICES = {
    "10m": (datetime.timedelta(minutes=10), gettext_lazy("10 minutes")),
    "1h": (datetime.timedelta(hours=1), gettext_lazy("1 hour")),
    "1d": (datetime.timedelta(days=1), gettext_lazy("1 day")),
    "7d": (datetime.timedelta(days=7), gettext_lazy("7 days")),
}


# --- Scope ---------------------------------------------------------------------------------------------------


def rooms_moderated_by(user):
    """The rooms the person moderates: those of the organizations where they hold MODERATE_ROOMS (and below), and
    those where they are a room admin."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return Room.objects.none()
    if user.is_superuser:
        return Room.objects.all()
    condition = Q(
        memberships__user=user,
        memberships__role=Membership.Role.ADMIN,
        memberships__left_at=None,
        memberships__removed_at=None,
    )
    for path in scope_paths(user, MODERATE_ROOMS):
        condition |= Q(organization__path__startswith=path)
    return Room.objects.filter(condition).distinct()


def waiting_messages(user):
    """What waits for the person in their rooms: held messages and messages with open reports, oldest first, each
    with `open_reports` (the number of open reports)."""
    rooms = rooms_moderated_by(user).values("pk")
    return (
        Message.objects.filter(room__in=rooms)
        .filter(Q(state=Message.State.HELD) | Q(reports__state=Report.State.OPEN))
        .annotate(open_reports=Count("reports", filter=Q(reports__state=Report.State.OPEN), distinct=True))
        .select_related("room", "room__organization")
        .order_by("created_at", "id")
        .distinct()
    )


def held_messages(user):
    return waiting_messages(user).filter(state=Message.State.HELD)


def reported_messages(user):
    return waiting_messages(user).filter(reports__state=Report.State.OPEN)


def log_entries(user):
    """The entries of the rooms the person moderates, and those of the held questions of the organizations where
    they hold MODERATE_ROOMS (and below)."""
    condition = Q(room__in=rooms_moderated_by(user).values("pk"))
    if _signed_in(user) and user.is_superuser:
        condition |= Q(question__isnull=False)
    elif _signed_in(user):
        for path in scope_paths(user, MODERATE_ROOMS):
            condition |= Q(question__organization__path__startswith=path)
    return (
        ModerationEntry.objects.filter(condition)
        .select_related("room", "actor", "membership", "message", "report", "question", "question__organization")
        .order_by("-created_at", "-id")
    )


def may_see_queue(user) -> bool:
    """Someone who moderates a room, or who holds MODERATE_ROOMS (held questions of their organizations)."""
    if not _signed_in(user):
        return False
    return rooms_moderated_by(user).exists() or bool(scope_paths(user, MODERATE_ROOMS))


# --- Helpers -------------------------------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _require_moderator(user, room: Room) -> None:
    if not access.may_moderate(user, room):
        raise PermissionDenied


def _reason(text: str, *, required: bool, field: str = "reason") -> str:
    reason = actions.clean_text(text)
    if required and not reason:
        message = _("Give a reason: the member and the moderators above will read it.")
        raise InvalidInput({field: [message]}, message)
    if len(reason) > REASON_MAX_CHARS:
        message = _("A reason may have at most %(n)s characters.") % {"n": REASON_MAX_CHARS}
        raise InvalidInput({field: [message]}, message)
    return reason


def _optional(module: str, name: str):
    """A function another area of the exchange may provide (None while that area is not there)."""
    try:
        found = importlib.import_module(f"{__package__}.{module}")
    except ImportError:
        return None
    return getattr(found, name, None)


def _log(room: Room, actor, action: str, **fields) -> ModerationEntry:
    return ModerationEntry.objects.create(room=room, actor=actor, action=action, **fields)


def _locked_message(user, message_id: int) -> Message:
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        raise NotFound
    message.room = Room.objects.select_related("organization").get(pk=message.room_id)
    _require_moderator(user, message.room)
    return message


def _close_reports(message: Message, actor, state: str = Report.State.HANDLED) -> list[Report]:
    reports = list(Report.objects.filter(message=message, state=Report.State.OPEN))
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(
        state=state, handled_by=actor, handled_at=timezone.now()
    )
    return reports


def _open_report(room: Room, report_id: int | None) -> Report | None:
    """The open report of this room named by the form (None when none is named; NotFound for a forged one)."""
    if not report_id:
        return None
    report = Report.objects.filter(pk=report_id, message__room=room, state=Report.State.OPEN).first()
    if report is None:
        raise NotFound(_("This report has already been handled."))
    return report


def moderators_of(room: Room) -> list:
    """Who hears of held and reported messages: MODERATE_ROOMS holders of the room's organization (or the nearest
    above), and the room's admins."""
    admins = [
        m.user
        for m in Membership.objects.filter(
            room=room, role=Membership.Role.ADMIN, left_at=None, removed_at=None
        ).select_related("user")
    ]
    people = {u.pk: u for u in [*staff_holding(MODERATE_ROOMS, room.organization), *admins] if u.is_active}
    return list(people.values())


# --- Messages ------------------------------------------------------------------------------------------------


def approve_message(user, message_id: int) -> Message:
    """A held message is shown to everyone."""
    with transaction.atomic():
        message = _locked_message(user, message_id)
        if message.state != Message.State.HELD:
            raise ActionError(_("This message no longer waits for review."))
        message.state = Message.State.PUBLISHED
        actions.touch(message, ["state"])
        _log(message.room, user, ModerationEntry.Action.APPROVE, message=message)
        announce_mentions(message)  # the people it mentions are told now that it is shown
    return message


def reject_message(user, message_id: int, reason: str = "") -> Message:
    """A held message is never shown (to its author it says a moderator removed it)."""
    with transaction.atomic():
        message = _locked_message(user, message_id)
        if message.state != Message.State.HELD:
            raise ActionError(_("This message no longer waits for review."))
        message.state = Message.State.REMOVED
        message.removed_by = user
        message.removed_reason = _reason(reason, required=False)
        actions.touch(message, ["state", "removed_by", "removed_reason"])
        _log(message.room, user, ModerationEntry.Action.REJECT, message=message, reason=message.removed_reason)
    return message


def remove_message(user, message_id: int, reason: str, report_id: int | None = None) -> Message:
    """Take a message down for everyone, with the reason; its open reports are handled."""
    with transaction.atomic():
        message = _locked_message(user, message_id)
        if message.state in (Message.State.REMOVED, Message.State.RECALLED):
            raise ActionError(_("This message is no longer shown."))
        report = _open_report(message.room, report_id)
        message.state = Message.State.REMOVED
        message.removed_by = user
        message.removed_reason = _reason(reason, required=True)
        actions.touch(message, ["state", "removed_by", "removed_reason"])
        forget_mentions(message)
        _close_reports(message, user)
        _log(
            message.room,
            user,
            ModerationEntry.Action.REMOVE,
            message=message,
            report=report,
            reason=message.removed_reason,
        )
    return message


# --- Reports -------------------------------------------------------------------------------------------------


def report_message(user, message_id: int, reason: str, details: str = "") -> Report:
    """Someone who may read the room reports a shown message of someone else, once."""
    if not _signed_in(user):
        raise PermissionDenied
    message = Message.objects.select_related("room", "room__organization").filter(pk=message_id).first()
    if message is None or not access.may_read(user, message.room) or message.state != Message.State.PUBLISHED:
        raise NotFound
    if message.author_id == user.pk:
        raise ActionError(_("You cannot report your own message."))
    if reason not in Report.Reason.values:
        refusal = _("Choose what is wrong with the message.")
        raise InvalidInput({"reason": [refusal]}, refusal)
    details = actions.clean_text(details)
    if len(details) > DETAILS_MAX_CHARS:
        refusal = _("The details may have at most %(n)s characters.") % {"n": DETAILS_MAX_CHARS}
        raise InvalidInput({"details": [refusal]}, refusal)
    with transaction.atomic():
        Message.objects.select_for_update().filter(pk=message.pk).first()
        if Report.objects.filter(message=message, reporter=user).exists():
            raise ActionError(_("You have already reported this message; a moderator will look at it."))
        first = not Report.objects.filter(message=message, state=Report.State.OPEN).exists()
        report = Report.objects.create(message=message, reporter=user, reason=reason, details=details)
        if first:
            notify(
                [u for u in moderators_of(message.room) if u.pk != message.author_id],
                notices.MESSAGE_REPORTED,
                message.room,
                organization=message.room.organization,
                room=message.room.name,
                reason=str(Report.Reason(reason).label),
            )
    return report


def dismiss_report(user, report_id: int, reason: str = "") -> Report:
    """A moderator finds nothing wrong: the report (and the other open reports of the message) are dismissed."""
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            raise NotFound
        room = Room.objects.select_related("organization").get(messages=report.message_id)
        _require_moderator(user, room)
        if report.state != Report.State.OPEN:
            raise ActionError(_("This report has already been handled."))
        _close_reports(report.message, user, Report.State.DISMISSED)
        report.refresh_from_db()
        _log(
            room,
            user,
            ModerationEntry.Action.DISMISS,
            message=report.message,
            report=report,
            reason=_reason(reason, required=False),
        )
    return report


# --- Members -------------------------------------------------------------------------------------------------


def _locked_membership(user, membership_id: int) -> Membership:
    membership = Membership.objects.select_for_update().filter(pk=membership_id).first()
    if membership is None:
        raise NotFound
    membership.room = Room.objects.select_related("organization").get(pk=membership.room_id)
    _require_moderator(user, membership.room)
    if membership.user_id == user.pk:
        raise ActionError(_("You cannot do this to yourself."))
    # A room admin does not act on another admin or on staff who moderate the room; MODERATE_ROOMS acts on admins.
    target = membership.user
    if has_capability(target, MODERATE_ROOMS, membership.room.organization) and not user.is_superuser:
        raise ActionError(_("This person moderates the room; ask the organization above."))
    if membership.is_admin and not has_capability(user, MODERATE_ROOMS, membership.room.organization):
        raise ActionError(_("This person moderates the room; ask the organization above."))
    return membership


def _active(membership: Membership) -> None:
    if not membership.is_active:
        raise ActionError(_("This person is no longer in the room."))


def warn_member(user, membership_id: int, reason: str, report_id: int | None = None) -> Membership:
    with transaction.atomic():
        membership = _locked_membership(user, membership_id)
        _active(membership)
        reason = _reason(reason, required=True)
        report = _open_report(membership.room, report_id)
        if report is not None:
            _close_reports(report.message, user)
        _log(membership.room, user, ModerationEntry.Action.WARN, membership=membership, report=report, reason=reason)
        notify(
            [membership.user],
            notices.MEMBER_WARNED,
            membership.room,
            room=membership.room.name,
            room_id=membership.room_id,
            reason=reason,
        )
    return membership


def mute_member(user, membership_id: int, duration: str, reason: str, report_id: int | None = None) -> Membership:
    """No messages from the member until the time chosen (10 minutes, 1 hour, 1 day or 7 days)."""
    if duration not in MUTE_CHOICES:
        refusal = _("Choose how long the member is muted.")
        raise InvalidInput({"duration": [refusal]}, refusal)
    with transaction.atomic():
        membership = _locked_membership(user, membership_id)
        _active(membership)
        reason = _reason(reason, required=True)
        report = _open_report(membership.room, report_id)
        if report is not None:
            _close_reports(report.message, user)
        membership.muted_until = timezone.now() + MUTE_CHOICES[duration][0]
        membership.save(update_fields=["muted_until"])
        _log(
            membership.room,
            user,
            ModerationEntry.Action.MUTE,
            membership=membership,
            report=report,
            reason=reason,
            until=membership.muted_until,
        )
        notify(
            [membership.user],
            notices.MEMBER_MUTED,
            membership.room,
            room=membership.room.name,
            room_id=membership.room_id,
            until=timezone.localtime(membership.muted_until).strftime("%m-%d %H:%M"),
            reason=reason,
        )
    return membership


def unmute_member(user, membership_id: int) -> Membership:
    with transaction.atomic():
        membership = _locked_membership(user, membership_id)
        if not membership.muted_until or membership.muted_until <= timezone.now():
            raise ActionError(_("This member is not muted."))
        membership.muted_until = None
        membership.save(update_fields=["muted_until"])
        _log(membership.room, user, ModerationEntry.Action.UNMUTE, membership=membership)
    return membership


def expel_member(user, membership_id: int, reason: str, report_id: int | None = None) -> Membership:
    """The member leaves the room and cannot join again until a moderator lets them back."""
    with transaction.atomic():
        membership = _locked_membership(user, membership_id)
        _active(membership)
        reason = _reason(reason, required=True)
        report = _open_report(membership.room, report_id)
        if report is not None:
            _close_reports(report.message, user)
        membership.removed_at = timezone.now()
        membership.removed_reason = reason
        membership.save(update_fields=["removed_at", "removed_reason"])
        _log(membership.room, user, ModerationEntry.Action.EXPEL, membership=membership, report=report, reason=reason)
        notify([membership.user], notices.MEMBER_EXPELLED, membership.room, room=membership.room.name, reason=reason)
        live.access_changed(membership.room_id, membership.user_id)
    return membership


def readmit_member(user, membership_id: int) -> Membership:
    """A removed member may join the room again (they join themselves, choosing a nickname as anyone does)."""
    with transaction.atomic():
        membership = _locked_membership(user, membership_id)
        if membership.removed_at is None:
            raise ActionError(_("This member was not removed from the room."))
        membership.removed_at = None
        membership.left_at = membership.left_at or timezone.now()
        membership.save(update_fields=["removed_at", "left_at"])
        _log(membership.room, user, ModerationEntry.Action.READMIT, membership=membership)
    return membership


# --- The verified identity (后台实名) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    real_name: str
    mobile: str


def _identity_of(user) -> Identity:
    """The resident's verified name and mobile (the residents area's `identity_of` when it is there)."""
    identity_of = _optional("residents", "identity_of")
    if identity_of is not None:
        found = identity_of(user)
        if isinstance(found, dict):
            return Identity(real_name=found.get("real_name", ""), mobile=found.get("mobile", ""))
        return Identity(real_name=getattr(found, "real_name", ""), mobile=getattr(found, "mobile", ""))
    from dangjian.core import fieldcrypt

    resident = Resident.objects.get(user=user)
    name = fieldcrypt.decrypt(resident.real_name) if resident.real_name else ""
    return Identity(real_name=name, mobile=user.mobile or "")


def may_reveal_identity(user, room: Room) -> bool:
    return _signed_in(user) and has_capability(user, MODERATE_ROOMS, room.organization)


def reveal_identity(user, membership_id: int, report_id: int) -> Identity:
    """A resident's verified identity, to a moderator holding MODERATE_ROOMS on the room's organization, handling an
    open report of one of that resident's messages; every look is an audited `ModerationEntry` (IDENTITY)."""
    with transaction.atomic():
        membership = Membership.objects.select_related("room__organization", "user").filter(pk=membership_id).first()
        if membership is None:
            raise NotFound
        if not may_reveal_identity(user, membership.room):
            raise PermissionDenied
        report = (
            Report.objects.filter(
                pk=report_id,
                state=Report.State.OPEN,
                message__room=membership.room,
                message__author=membership.user,
            )
            .select_related("message")
            .first()
        )
        if report is None:
            raise ActionError(_("The identity is shown only while handling an open report of this member's message."))
        if not Resident.objects.filter(user=membership.user).exists():
            raise ActionError(_("Only a resident's verified identity is kept here."))
        identity = _identity_of(membership.user)
        _log(
            membership.room,
            user,
            ModerationEntry.Action.IDENTITY,
            membership=membership,
            report=report,
            message=report.message,
        )
    return identity


# --- The held-message notice (a hook of post_message) -------------------------------------------------------


def notify_held(message: Message, _membership: Membership) -> None:
    """Tell the room's moderators that messages wait, at most once every HELD_NOTICE_EVERY per room."""
    if message.state != Message.State.HELD:
        return
    from dangjian.notifications.models import Notification

    room = message.room
    since = timezone.now() - HELD_NOTICE_EVERY
    recent = Notification.objects.filter(
        kind=notices.MESSAGE_HELD,
        target_type=ContentType.objects.get_for_model(Room),
        target_id=room.pk,
        created_at__gte=since,
    )
    if recent.exists():
        return
    notify(
        [u for u in moderators_of(room) if u.pk != message.author_id],
        notices.MESSAGE_HELD,
        room,
        organization=room.organization,
        room=room.name,
    )


def install_hooks() -> None:
    if notify_held not in actions.POSTED_HOOKS:
        actions.POSTED_HOOKS.append(notify_held)
