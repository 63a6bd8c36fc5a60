"""The clock's schedule, shared by every server that runs `manage.py run_clock`.

Each periodic task has a slot (core.models.ClockSlot) holding when it is next due. A clock enqueues a task only
after moving its slot on with a conditional update (`due_at <= now`) in the same transaction as the enqueue, so
two clocks that find the task due at the same moment cannot both enqueue it: the database lets one update the
row, and the other's update then matches nothing. The tasks are stored in the same database (django-tasks-db),
so a slot is never moved on for a task that was not stored, nor a task stored without its slot moved.

Times are the database's wall clock as the servers see it (keep them in step with NTP); a clock that was stopped
for several intervals enqueues a task once when it comes back, not once per missed interval.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from .models import ClockSlot


def enqueue_if_due(path: str, task, seconds: float, now: datetime.datetime) -> datetime.datetime:
    """Enqueue `task` (named `path`) if its slot is due at `now`, moving the slot `seconds` on. Returns when the
    task is next due, whether this clock enqueued it or another one had."""
    ClockSlot.objects.get_or_create(task=path, defaults={"due_at": now})
    following = now + datetime.timedelta(seconds=seconds)
    with transaction.atomic():
        if ClockSlot.objects.filter(task=path, due_at__lte=now).update(due_at=following):
            task.enqueue()
            return following
    due = ClockSlot.objects.filter(task=path).values_list("due_at", flat=True).first()
    return due if due is not None else now
