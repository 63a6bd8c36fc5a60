"""Background tasks of the message area (run by `manage.py run_worker`, scheduled by `run_clock`)."""

from django.tasks import task

from . import message_digest


@task
def send_mention_digests() -> dict:
    return message_digest.send_mention_digests()
