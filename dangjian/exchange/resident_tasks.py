"""Background tasks of the residents area (run by `manage.py run_worker`, scheduled by `run_clock`)."""

from django.tasks import task

from . import residents


@task
def forget_inactive_residents() -> dict:
    """Residents not seen for RESIDENT_INACTIVE_DAYS are forgotten; expired codes removed."""
    return {"residents_forgotten": residents.forget_inactive(), "codes_removed": residents.forget_codes()}
