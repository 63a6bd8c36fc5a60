"""Background tasks of the members module (run by `manage.py run_worker`, scheduled by `run_clock`)."""

from django.tasks import task

from . import clock


@task
def remind_probations() -> dict:
    return clock.remind_probations()
