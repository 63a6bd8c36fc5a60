"""Enqueue the periodic background tasks (settings.PERIODIC_TASKS) for the task worker to run.

`make run` starts this beside `manage.py run_worker`. The clock only enqueues; the worker runs.
Several clocks (one per server) may run: the schedule is kept in the database (core/clock.py), and each
interval's task is enqueued by one of them only. A database outage is waited out (logged once, retried with
backoff), not a reason to exit.
"""

import datetime
import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

from dangjian.core.clock import enqueue_if_due
from dangjian.core.outage import DATABASE_ERRORS, describe, wait_for_database

logger = logging.getLogger("dangjian.clock")


class Command(BaseCommand):
    help = "Enqueue periodic tasks on their intervals (see settings.PERIODIC_TASKS)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue every periodic task once and exit.")

    def handle(self, *args, once: bool = False, **options):
        tasks = {path: (import_string(path), seconds) for path, seconds in settings.PERIODIC_TASKS.items()}
        if once:
            for path, (task, _seconds) in tasks.items():
                task.enqueue()
                self.stdout.write(f"enqueued {path}")
            return
        running = True

        def stop(signum, frame):
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # When each task is next due as this clock last read it from the shared schedule: only then is the
        # database asked again.
        next_run: dict[str, datetime.datetime | None] = dict.fromkeys(tasks)
        failing: set[str] = set()
        while running:
            try:
                self.tick(tasks, next_run, failing)
            except DATABASE_ERRORS as error:
                # An outage: log once, wait with backoff until the database answers, carry on.
                if not wait_for_database(error, "clock", stop=lambda: not running):
                    break
                continue
            time.sleep(1)

    def tick(self, tasks: dict, next_run: dict[str, datetime.datetime | None], failing: set[str]) -> None:
        """Enqueue every task that is due and not yet enqueued by another clock. A task that cannot be enqueued
        for another reason is logged once and tried again on its next interval; it does not stop the others."""
        close_old_connections()
        now = timezone.now()
        for path, (task, seconds) in tasks.items():
            due = next_run[path]
            if due is not None and now < due:
                continue
            try:
                next_run[path] = enqueue_if_due(path, task, seconds, now)
            except DATABASE_ERRORS:
                raise
            except Exception as error:  # noqa: BLE001 - one broken task must not stop the clock
                if path not in failing:
                    logger.exception("clock: could not enqueue %s (%s)", path, describe(error))
                    failing.add(path)
                next_run[path] = now + datetime.timedelta(seconds=seconds)
            else:
                failing.discard(path)
