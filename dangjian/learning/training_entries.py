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


def _may_organize(request) -> bool:
    from dangjian.accounts.permissions import MANAGE_TRAINING

    from .queries import may_use

    return may_use(request.user, MANAGE_TRAINING)


def register() -> None:
    from dangjian.core.registry import MenuItem, UsageMetric
    from dangjian.core.registry import register as add

    add(
        MenuItem(
            "training",
            pgettext_lazy("console menu", "Training"),
            "console:training_sessions",
            order=66,
            visible=_may_organize,
        ),
        UsageMetric("learning.training_sessions_held", _("Training sessions held"), training_sessions_held, order=72),
        UsageMetric("learning.training_attended", _("Training attendances"), training_attended, order=73),
    )
