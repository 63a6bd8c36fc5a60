"""Writes of the training area: sessions (create = publish with invitations, edit with optimistic locking, cancel
with a reason), their materials, registration with a waiting list, attendance (ticked by the organizer or by the
door QR code) and renewing the door code. Each checks permission, writes in a transaction with history, and
notifies after the commit (notify() rows are written in the transaction, delivered on commit).

Registration is race-safe: every change of a session's registrations first takes the session row's write lock
(a conditional UPDATE, which PostgreSQL and SQLite both serialize), then counts; so of two people asking for the
last place at once one gets it and the other waits."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_TRAINING, require
from dangjian.core.history import ActionError, InvalidInput, NotFound, record, save_tracked, validate
from dangjian.core.models import ChangeRecord
from dangjian.core.uploads import delete_files_on_commit, discard_all_on_failure
from dangjian.notifications.api import notify
from dangjian.organizations.models import Organization

from . import notices
from .models import Exam, Registration, TrainingMaterial, TrainingSession
from .training_entries import attendance_changed
from .training_queries import checkin_window, invitee_ids, invitee_organization, waiting_position

MAX_MATERIALS = 20


@dataclass(frozen=True)
class SessionInput:
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    description: str = ""
    mode: str = TrainingSession.Mode.ROOM
    place: str = ""
    link: str = ""
    trainer: str = ""
    capacity: int = 30
    invite_role: str = ""
    invite_members: bool = False
    exam_id: int | None = None


@dataclass(frozen=True)
class MaterialFile:
    """An upload already checked by core.uploads.check_attachment (`content_type` is what it detected)."""

    upload: object
    name: str
    size: int
    content_type: str


def _params(session: TrainingSession) -> dict:
    return notices.training_params(session)


def _lock(session_id: int) -> TrainingSession:
    """The session, with its row's write lock held until the transaction ends (call inside atomic())."""
    TrainingSession.objects.filter(pk=session_id).update(version=F("version"))
    session = TrainingSession.objects.select_for_update().select_related("organization").filter(pk=session_id).first()
    if session is None:
        raise NotFound
    return session


def _session_for_organizer(user, session_id: int) -> TrainingSession:
    session = _lock(session_id)
    require(user, MANAGE_TRAINING, session.organization)
    return session


def _exam_for(organization: Organization, exam_id: int | None) -> Exam | None:
    if exam_id is None:
        return None
    exam = Exam.objects.filter(pk=exam_id, organization_id__in=organization.ancestor_ids).first()
    if exam is None:
        raise InvalidInput(
            {"exam": [_("Choose an exam of this organization or one above it.")]},
            _("Choose an exam of this organization or one above it."),
        )
    return exam


def _fill(session: TrainingSession, data: SessionInput, organization: Organization) -> None:
    session.title = (data.title or "").strip()
    session.description = (data.description or "").strip()
    session.mode = data.mode
    session.starts_at = data.starts_at
    session.ends_at = data.ends_at
    session.place = (data.place or "").strip()
    session.link = (data.link or "").strip()
    session.trainer = (data.trainer or "").strip()
    session.capacity = data.capacity
    session.invite_role = data.invite_role or ""
    session.invite_members = bool(data.invite_members)
    session.exam = _exam_for(organization, data.exam_id)


def _check(session: TrainingSession) -> None:
    errors: dict[str, list[str]] = {}
    if session.ends_at and session.starts_at and session.ends_at <= session.starts_at:
        errors["ends_at"] = [_("The session must end after it starts.")]
    if session.mode == TrainingSession.Mode.ROOM and not session.place:
        errors["place"] = [_("Say where the session is held.")]
    if session.mode == TrainingSession.Mode.ONLINE and not session.link:
        errors["link"] = [_("Give the link of the online session.")]
    if not session.invite_role and not session.invite_members:
        errors["invite_role"] = [_("Invite staff of a role, the party members, or both.")]
    if session.capacity < 1:
        errors["capacity"] = [_("At least one place.")]
    if errors:
        raise InvalidInput(errors, " ".join(m for messages in errors.values() for m in messages))


def _store_materials(session: TrainingSession, files: list[MaterialFile], names: list[str]) -> None:
    if session.materials.count() + len(files) > MAX_MATERIALS:
        raise InvalidInput(
            {"materials": [_("At most %(n)s files per session.") % {"n": MAX_MATERIALS}]},
            _("At most %(n)s files per session.") % {"n": MAX_MATERIALS},
        )
    for item in files:
        material = TrainingMaterial(session=session, name=item.name[:200], size=item.size)
        material.content_type = item.content_type
        material.file.save(item.name, item.upload, save=False)  # type: ignore[arg-type]
        names.append(material.file.name or "")
        material.save()


def save_session(
    user,
    organization_id: int,
    data: SessionInput,
    *,
    session_id: int | None = None,
    expected_version: int | None = None,
    files: list[MaterialFile] | None = None,
) -> TrainingSession:
    """Create (publish: the invitees are told) or change a session; changed time or place tells those registered
    or waiting. Raising the places promotes from the waiting list."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None or organization.is_closed:
        raise NotFound
    require(user, MANAGE_TRAINING, organization)
    files = files or []
    now = timezone.now()
    with discard_all_on_failure(TrainingMaterial.file.field.storage) as names, transaction.atomic():
        if session_id is None:
            session = TrainingSession(organization=organization, created_by=user)
            before = None
        else:
            session = _lock(session_id)
            if session.organization_id != organization.pk:
                raise NotFound
            if session.state == TrainingSession.State.CANCELLED:
                raise ActionError(_("This session is cancelled; it can no longer be changed."))
            before = (session.starts_at, session.ends_at, session.place, session.link, session.mode)
        _fill(session, data, organization)
        validate(session, exclude=["organization", "created_by", "exam"])
        _check(session)
        if session_id is None and session.starts_at <= now:
            raise InvalidInput(
                {"starts_at": [_("A new session must start in the future.")]},
                _("A new session must start in the future."),
            )
        save_tracked(user, session, organization, expected_version=expected_version)
        _store_materials(session, files, names)
        if before is None:
            notify(
                [pk for pk in invitee_ids(session) if pk != user.pk],
                notices.TRAINING_INVITED,
                session,
                organization=organization,
                **_params(session),
            )
        else:
            if before[:2] != (session.starts_at, session.ends_at):
                attendance_changed(session)
            if before != (session.starts_at, session.ends_at, session.place, session.link, session.mode):
                notify(
                    session.registrations.exclude(state=Registration.State.CANCELLED).values_list("user_id", flat=True),
                    notices.TRAINING_CHANGED,
                    session,
                    organization=organization,
                    **_params(session),
                )
            _promote(session)
    return session


def remove_material(user, session_id: int, material_id: int) -> None:
    with transaction.atomic():
        session = _session_for_organizer(user, session_id)
        material = session.materials.filter(pk=material_id).first()
        if material is None:
            raise NotFound
        record(user, session, ChangeRecord.Action.UPDATE, {"materials": [material.name, None]}, session.organization)
        name = material.file.name
        material.delete()
        delete_files_on_commit(TrainingMaterial.file.field.storage, [name])


def cancel_session(user, session_id: int, reason: str, *, expected_version: int | None = None) -> TrainingSession:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [_("Give the reason.")]}, _("Give the reason."))
    if len(reason) > 300:
        raise InvalidInput({"reason": [_("At most 300 characters.")]}, _("At most 300 characters."))
    with transaction.atomic():
        session = _session_for_organizer(user, session_id)
        if session.state != TrainingSession.State.PLANNED or session.ends_at <= timezone.now():
            raise ActionError(_("Only a session that has not ended can be cancelled."))
        session.state = TrainingSession.State.CANCELLED
        session.cancel_reason = reason
        save_tracked(user, session, session.organization, expected_version=expected_version)
        attendance_changed(session)
        notify(
            session.registrations.exclude(state=Registration.State.CANCELLED).values_list("user_id", flat=True),
            notices.TRAINING_CANCELLED,
            session,
            organization=session.organization,
            reason=reason,
            **_params(session),
        )
    return session


def renew_checkin(user, session_id: int) -> TrainingSession:
    """A new door code; the old one stops working at once."""
    with transaction.atomic():
        session = _session_for_organizer(user, session_id)
        session.checkin_token = secrets.token_urlsafe()
        session.save(update_fields=["checkin_token"])
        record(user, session, ChangeRecord.Action.UPDATE, {"checkin_token": ["…", "…"]}, session.organization)
    return session


# --- Registration -----------------------------------------------------------------------------------------------


def _open_for_registration(session: TrainingSession) -> None:
    if session.state == TrainingSession.State.CANCELLED:
        raise ActionError(_("This session is cancelled."))
    if session.starts_at <= timezone.now():
        raise ActionError(_("This session has started; registration is closed."))


def register(user, session_id: int) -> Registration:
    """An invitee registers: a place while one is left, else the end of the waiting list. Registering again
    changes nothing."""
    with transaction.atomic():
        session = _lock(session_id)
        organization = invitee_organization(user, session)
        if organization is None:
            raise PermissionDenied
        _open_for_registration(session)
        registration = Registration.objects.filter(session=session, user=user).first()
        if registration is not None and registration.state != Registration.State.CANCELLED:
            return registration
        taken = session.registrations.filter(state=Registration.State.REGISTERED).count()
        waiting = session.registrations.filter(state=Registration.State.WAITING).exists()
        state = (
            Registration.State.REGISTERED if taken < session.capacity and not waiting else Registration.State.WAITING
        )
        if registration is None:
            registration = Registration(session=session, user=user)
        registration.organization = organization
        registration.state = state
        registration.registered_at = timezone.now()
        registration.save()
    return registration


def cancel_registration(user, session_id: int) -> Registration:
    """The person withdraws (a place or a place on the waiting list); the first waiting takes a freed place."""
    with transaction.atomic():
        session = _lock(session_id)
        registration = Registration.objects.filter(session=session, user=user).first()
        if registration is None or registration.state == Registration.State.CANCELLED:
            raise ActionError(_("You are not registered for this session."))
        if session.state == TrainingSession.State.CANCELLED:
            raise ActionError(_("This session is cancelled."))
        if session.starts_at <= timezone.now():
            raise ActionError(_("This session has started; registration can no longer be withdrawn."))
        registration.state = Registration.State.CANCELLED
        registration.save(update_fields=["state"])
        _promote(session)
    return registration


def _promote(session: TrainingSession) -> list[Registration]:
    """Fill free places from the waiting list, in order; each promoted person is told. Inside the session's lock."""
    if session.state != TrainingSession.State.PLANNED or session.starts_at <= timezone.now():
        return []
    free = session.capacity - session.registrations.filter(state=Registration.State.REGISTERED).count()
    if free <= 0:
        return []
    promoted = list(
        session.registrations.filter(state=Registration.State.WAITING).order_by("registered_at", "pk")[:free]
    )
    for registration in promoted:
        registration.state = Registration.State.REGISTERED
        registration.save(update_fields=["state"])
    if promoted:
        notify(
            [r.user_id for r in promoted],
            notices.TRAINING_PROMOTED,
            session,
            organization=session.organization,
            **_params(session),
        )
    return promoted


def position(registration: Registration) -> int | None:
    if registration.state != Registration.State.WAITING:
        return None
    return waiting_position(registration)


# --- Attendance -------------------------------------------------------------------------------------------------


def save_attendance(user, session_id: int, attended_ids: set[int], walk_in_ids: set[int] | None = None) -> int:
    """The organizer's ticks: the registered people (ids of Registration) whose box is ticked attended, the others
    not; walk-ins (user ids of invitees not registered) are added as attended. From 30 minutes before the start.
    Returns how many attended."""
    now = timezone.now()
    with transaction.atomic():
        session = _session_for_organizer(user, session_id)
        if session.state == TrainingSession.State.CANCELLED:
            raise ActionError(_("This session is cancelled."))
        if now < checkin_window(session)[0]:
            raise ActionError(_("Attendance is recorded from 30 minutes before the start."))
        rows = list(session.registrations.exclude(state=Registration.State.CANCELLED))
        changed = 0
        for registration in rows:
            attended = registration.pk in attended_ids
            if bool(registration.attended) == attended:
                continue
            registration.attended = attended
            registration.attended_at = now if attended else None
            registration.checked_in_by = user if attended else None
            if attended and registration.state == Registration.State.WAITING:
                registration.state = Registration.State.REGISTERED
            registration.save(update_fields=["attended", "attended_at", "checked_in_by", "state"])
            changed += 1
        if walk_in_ids:
            invited = invitee_ids(session)
            existing = {r.user_id: r for r in session.registrations.all()}
            from django.contrib.auth import get_user_model

            for person in get_user_model().objects.filter(pk__in=walk_in_ids & invited):
                registration = existing.get(person.pk) or Registration(session=session, user=person)
                registration.organization = invitee_organization(person, session)
                registration.state = Registration.State.REGISTERED
                registration.attended = True
                registration.attended_at = now
                registration.checked_in_by = user
                registration.save()
                changed += 1
        if changed:
            record(user, session, ChangeRecord.Action.UPDATE, {"attendance": [None, changed]}, session.organization)
        return session.registrations.filter(attended=True).count()


def checkin_refusal() -> str:
    return _("You are not invited to this session, so you cannot check in to it.")


def check_in(user, session_id: int, token: str) -> Registration:
    """The door QR code scanned by an invitee, signed in: recorded as attended (registered if they were not)."""
    now = timezone.now()
    with transaction.atomic():
        session = _lock(session_id)
        if not token or not secrets.compare_digest(session.checkin_token, token):
            raise ActionError(
                _("This check-in code is not valid: it may be an old code. Scan the code shown at the door now.")
            )
        if session.state == TrainingSession.State.CANCELLED:
            raise ActionError(_("This session is cancelled."))
        organization = invitee_organization(user, session)
        registration = Registration.objects.filter(session=session, user=user).first()
        if organization is None and registration is None:
            raise ActionError(checkin_refusal())
        opens, closes = checkin_window(session)
        if now < opens:
            raise ActionError(
                _("Check-in opens 30 minutes before the session starts, at %(time)s.")
                % {"time": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")}
            )
        if now > closes:
            raise ActionError(_("Check-in for this session has closed."))
        if registration is None:
            registration = Registration(session=session, user=user, organization=organization)
        if not registration.attended or registration.state != Registration.State.REGISTERED:
            registration.state = Registration.State.REGISTERED
            registration.attended = True
            registration.attended_at = now
            registration.checked_in_by = user
            registration.save()
    return registration
