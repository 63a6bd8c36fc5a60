"""Background tasks of publishing (run by `manage.py run_worker`, scheduled by `run_clock`)."""

from django.tasks import task

from . import clock, digest, notice_clock


@task
def publish_due_articles() -> dict:
    return clock.publish_due_articles()


@task
def remind_overdue_notices() -> dict:
    return notice_clock.remind_overdue_notices()


@task
def send_digests() -> dict:
    return digest.send_digests()
