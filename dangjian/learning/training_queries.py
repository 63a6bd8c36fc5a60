"""Reads of the training area: who is invited to a session (computed from its organization's subtree and its invite
fields, never stored), who organizes it, the sessions a person may see, and `trainings_for(user)` for the
learner's own page (learning:my_learning)."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.permissions import MANAGE_TRAINING, has_capability
from dangjian.members.models import Member

from .models import Registration, TrainingSession
from .queries import within_scope

CHECKIN_OPENS = datetime.timedelta(minutes=30)


def _role_grants(session: TrainingSession) -> QuerySet:
    return RoleGrant.objects.filter(
        role=session.invite_role,
        organization__path__startswith=session.organization.path,
        organization__closed_at__isnull=True,
        user__is_active=True,
    )


def _members(session: TrainingSession) -> QuerySet:
    return Member.objects.filter(
        organization__path__startswith=session.organization.path,
        status=Member.Status.ACTIVE,
        user__isnull=False,
        user__is_active=True,
    )


def invitee_ids(session: TrainingSession) -> set[int]:
    """The user ids invited to the session: holders of its role in the subtree and/or its members with an account."""
    ids: set[int] = set()
    if session.invite_role:
        ids.update(_role_grants(session).values_list("user_id", flat=True))
    if session.invite_members:
        ids.update(_members(session).values_list("user_id", flat=True))
    return ids


def invitee_organization(user, session: TrainingSession):
    """The organization in whose name `user` is invited (their role's organization, else their branch), or None
    when they are not invited. Registrations keep it for the per-organization figures."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if session.invite_role:
        grant = _role_grants(session).filter(user=user).select_related("organization").order_by("pk").first()
        if grant is not None:
            return grant.organization
    if session.invite_members:
        member = _members(session).filter(user=user).select_related("organization").first()
        if member is not None:
            return member.organization
    return None


def is_invited(user, session: TrainingSession) -> bool:
    return invitee_organization(user, session) is not None


def may_organize(user, session: TrainingSession) -> bool:
    return has_capability(user, MANAGE_TRAINING, session.organization)


def visible_sessions(user) -> QuerySet:
    """Sessions of the organizations where the person holds MANAGE_TRAINING."""
    return within_scope(TrainingSession.objects.all(), user, MANAGE_TRAINING)


def registration_of(user, session: TrainingSession) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.filter(session=session, user=user).first()


def waiting_position(registration: Registration) -> int:
    """1 for the first on the waiting list."""
    return (
        Registration.objects.filter(session_id=registration.session_id, state=Registration.State.WAITING)
        .filter(
            Q(registered_at__lt=registration.registered_at)
            | Q(registered_at=registration.registered_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


def registered_count(session: TrainingSession) -> int:
    return session.registrations.filter(state=Registration.State.REGISTERED).count()


def checkin_window(session: TrainingSession) -> tuple[datetime.datetime, datetime.datetime]:
    return session.starts_at - CHECKIN_OPENS, session.ends_at


def trainings_for(user) -> list[TrainingSession]:
    """The person's training for their own page: planned sessions not yet over that they are invited to or have
    registered for, and past sessions they attended (most recent first, at most 10). Each session carries
    `.mine` (their Registration or None). Call it from learning:my_learning."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    now = timezone.now()
    grants = list(RoleGrant.objects.filter(user=user).values_list("organization__path", "role"))
    member = Member.objects.filter(user=user, status=Member.Status.ACTIVE).select_related("organization").first()
    condition = Q(
        registrations__user=user, registrations__state__in=[Registration.State.REGISTERED, Registration.State.WAITING]
    )
    for path, role in grants:
        prefixes = [path[:i] for i in range(len(path) + 1) if i == 0 or path[i - 1] == "/"]
        condition |= Q(invite_role=role, organization__path__in=prefixes)
    if member is not None:
        path = member.organization.path
        prefixes = [path[:i] for i in range(len(path) + 1) if i == 0 or path[i - 1] == "/"]
        condition |= Q(invite_members=True, organization__path__in=prefixes)
    upcoming = list(
        TrainingSession.objects.filter(condition, state=TrainingSession.State.PLANNED, ends_at__gte=now)
        .select_related("organization")
        .distinct()
        .order_by("starts_at", "pk")
    )
    attended = list(
        TrainingSession.objects.filter(registrations__user=user, registrations__attended=True, ends_at__lt=now)
        .select_related("organization")
        .order_by("-starts_at", "-pk")[:10]
    )
    sessions = upcoming + [s for s in attended if s not in upcoming]
    mine = {r.session_id: r for r in Registration.objects.filter(user=user, session__in=[s.pk for s in sessions])}
    for session in sessions:
        session.mine = mine.get(session.pk)  # type: ignore[attr-defined]
    return sessions
