"""Background tasks of the training area (run by `manage.py run_worker`, scheduled by `run_clock`)."""

from django.tasks import task

from . import training_clock


@task
def remind_training_sessions() -> dict:
    return training_clock.remind_sessions()
