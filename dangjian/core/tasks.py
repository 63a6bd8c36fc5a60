"""Housekeeping run by the background worker (scheduled by `run_clock`)."""

from django.core.management import call_command
from django.tasks import task


@task
def prune_task_results() -> None:
    """Forget finished task results after a week; the queue table must not grow without end."""
    call_command("prune_db_task_results", "--min-age-days", "7", "--failed-min-age-days", "30", verbosity=0)
