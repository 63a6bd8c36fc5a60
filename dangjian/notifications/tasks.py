"""Background tasks of the notifications app (run by the worker; periodic ones in settings.PERIODIC_TASKS)."""

from django.tasks import task

from . import mail, retention, sms


@task
def deliver_mail() -> dict:
    return mail.deliver_pending_mail()


@task
def forget_old_notifications() -> dict:
    return retention.forget_old()


@task
def deliver_sms() -> dict:
    return sms.deliver_pending_sms()


@task
def forget_old_sms() -> dict:
    return sms.forget_old_sms()


@task
def deliver_pushes() -> dict:
    from . import push_delivery

    return push_delivery.deliver_due()
