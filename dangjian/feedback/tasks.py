"""Background tasks of the feedback module (run by `manage.py run_worker`, scheduled by `run_clock`)."""

from django.tasks import task

from . import clock


@task
def scan_deadlines() -> dict:
    return clock.scan_deadlines()


@task
def forget_personal_data() -> dict:
    return clock.forget_personal_data()
