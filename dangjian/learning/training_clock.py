"""The training area's periodic work (run by the worker, scheduled by `run_clock` through training_tasks.py):
a reminder to the registered a day before a session, once per session (`reminded_at`, set by a conditional
update, so two clocks never send it twice), and planned sessions that have ended recorded as held."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from dangjian.core.signals import rows_written
from dangjian.notifications.api import notify

from . import notices
from .models import Registration, TrainingSession

REMIND_BEFORE = datetime.timedelta(days=1)


def remind_sessions(now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    reminded = 0
    due = TrainingSession.objects.filter(
        state=TrainingSession.State.PLANNED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMIND_BEFORE,
    ).select_related("organization")
    for session in due:
        with transaction.atomic():
            taken = TrainingSession.objects.filter(
                pk=session.pk, reminded_at__isnull=True, state=TrainingSession.State.PLANNED
            ).update(reminded_at=now)
            if not taken:
                continue
            notify(
                session.registrations.filter(state=Registration.State.REGISTERED).values_list("user_id", flat=True),
                notices.TRAINING_REMINDER,
                session,
                organization=session.organization,
                **notices.training_params(session),
            )
        reminded += 1
    ended = TrainingSession.objects.filter(state=TrainingSession.State.PLANNED, ends_at__lte=now)
    ended_organizations = set(ended.values_list("organization_id", flat=True))
    held = ended.update(state=TrainingSession.State.HELD)
    # The sessions just over now count as held: the usage summaries' rollups are told (core.signals.rows_written).

    rows_written(TrainingSession, ended_organizations)
    return {"reminded": reminded, "held": held}
