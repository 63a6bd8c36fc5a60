"""Enqueue the periodic background tasks (settings.PERIODIC_TASKS) for the task worker to run.

`make run` starts this beside `manage.py db_worker`. The clock only enqueues; the worker runs.
"""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string


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
        next_run = dict.fromkeys(tasks, 0.0)
        while running:
            now = time.monotonic()
            for path, (task, seconds) in tasks.items():
                if now >= next_run[path]:
                    close_old_connections()
                    try:
                        task.enqueue()
                    except Exception as error:  # noqa: BLE001 - a busy database must not stop the clock
                        self.stderr.write(f"could not enqueue {path}: {error}")
                        continue
                    next_run[path] = now + seconds
            time.sleep(1)
