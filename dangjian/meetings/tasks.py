"""Background tasks of the meetings module (run by `manage.py run_worker`, scheduled by `run_clock`)."""

from django.tasks import task

from . import clock


@task
def remind_missing_meetings() -> dict:
    return clock.remind_missing_meetings()
