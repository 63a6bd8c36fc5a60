"""Background tasks of the supervision module."""

from django.tasks import task

from . import audit as audit_trail
from . import clock


@task
def scan_deadlines() -> int:
    return clock.scan_deadlines()


@task
def purge_expired() -> dict:
    return clock.purge_expired()


@task
def verify_audit_chain() -> dict:
    return audit_trail.check_audit_chain()
