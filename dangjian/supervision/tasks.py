"""Background tasks of the supervision module."""

from django.tasks import task

from . import actions
from . import audit as audit_trail


@task
def scan_deadlines() -> int:
    return actions.scan_deadlines()


@task
def purge_expired() -> dict:
    return actions.purge_expired()


@task
def verify_audit_chain() -> dict:
    return audit_trail.check_audit_chain()
