"""What the training area adds to the shared pages (core/registry.py): the 培训 menu entry for organizers and the
usage metrics (per organization subtree and period, never per person)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def training_attended(organization, start, end) -> int:
    """Attendances at training sessions held in the period, by people of the subtree (Registration.organization)."""
    from dangjian.core.registry import period_bounds

    from .models import Registration, TrainingSession

    since, until = period_bounds(start, end)
    return (
        Registration.objects.filter(
            organization__path__startswith=organization.path,
            attended=True,
            session__starts_at__gte=since,
            session__starts_at__lt=until,
        )
        .exclude(session__state=TrainingSession.State.CANCELLED)
        .count()
    )


def training_sessions_held(organization, start, end) -> int:
    """Sessions of the subtree's organizations that took place (not cancelled, over) in the period."""
    from django.utils import timezone

    from dangjian.core.registry import period_bounds

    from .models import TrainingSession

    since, until = period_bounds(start, end)
    return (
        TrainingSession.objects.filter(
            organization__path__startswith=organization.path,
            starts_at__gte=since,
            starts_at__lt=until,
            ends_at__lte=timezone.now(),
        )
        .exclude(state=TrainingSession.State.CANCELLED)
        .count()
    )


def _held_sessions():
    from django.utils import timezone

    from .models import TrainingSession

    return TrainingSession.objects.filter(ends_at__lte=timezone.now()).exclude(state=TrainingSession.State.CANCELLED)


def _attendances():
    from .models import Registration, TrainingSession

    return (
        Registration.objects.filter(attended=True)
        .exclude(session__state=TrainingSession.State.CANCELLED)
        .select_related("session")
    )


def _session_link(session) -> str:
    from django.urls import reverse

    return reverse("console:training_session", args=[session.pk])


def _counted():
    from dangjian.accounts.permissions import MANAGE_TRAINING
    from dangjian.core.registry import Counted

    sessions = Counted(
        rows=_held_sessions,
        organization="organization",
        date="starts_at",
        capability=MANAGE_TRAINING,
        label=lambda session: session.title,
        link=_session_link,
    )
    attendances = Counted(
        rows=_attendances,
        organization="organization",
        date="session__starts_at",
        capability=MANAGE_TRAINING,
        # The session, never the person who attended.
        label=lambda registration: registration.session.title,
        link=lambda registration: _session_link(registration.session),
    )
    return sessions, attendances


def attendance_changed(session) -> None:
    """The session was cancelled or moved in time: its attendances count elsewhere (analytics rollups)."""
    from dangjian.core.signals import rows_written

    from .models import Registration

    rows_written(
        Registration, set(session.registrations.filter(attended=True).values_list("organization_id", flat=True))
    )


def _may_organize(request) -> bool:
    from dangjian.accounts.permissions import MANAGE_TRAINING

    from .queries import may_use

    return may_use(request.user, MANAGE_TRAINING)


def register() -> None:
    from dangjian.core.registry import MenuItem, UsageMetric
    from dangjian.core.registry import register as add

    sessions, attendances = _counted()
    add(
        MenuItem(
            "training",
            pgettext_lazy("console menu", "Training"),
            "console:training_sessions",
            order=66,
            visible=_may_organize,
        ),
        UsageMetric(
            "learning.training_sessions_held",
            _("Training sessions held"),
            training_sessions_held,
            order=72,
            counted=sessions,
            group="learning",
            definition=_(
                "Training sessions organized by the subtree's organizations that started during the period and "
                "have ended, unless cancelled."
            ),
        ),
        UsageMetric(
            "learning.training_attended",
            _("Training attendances"),
            training_attended,
            order=73,
            counted=attendances,
            group="learning",
            definition=_(
                "Attendances recorded at training sessions that started during the period, counted at the "
                "organization each attendee came for (one per person and session)."
            ),
        ),
    )
