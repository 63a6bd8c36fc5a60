"""Background tasks of the feedback module (run by `manage.py db_worker`, scheduled by `run_clock`)."""

from django.tasks import task

from . import actions, notifications


@task
def deliver_mail() -> dict:
    return notifications.deliver_pending_mail()


@task
def scan_deadlines() -> dict:
    return actions.scan_deadlines()


@task
def forget_personal_data() -> dict:
    return actions.forget_personal_data()
