"""Push to the groups where people already read: an organization's group robots (企业微信, 钉钉, 飞书).

This is notify()'s channel for organizations rather than persons: a module calls

    from dangjian.notifications.api import push
    push(article.organization, "article", f"article:{article.pk}", PushMessage(title, summary, url, image_url))

inside its transaction; one `Delivery` per active robot of the organization that takes the topic is written
with it, and the worker sends them after the commit (tasks.deliver_pushes), with retries and back-off, each
outcome recorded (push_delivery.py). How a message becomes a request is the robot kind's adapter (adapters.py,
`ADAPTERS`, `register_adapter`; the three services' in robots.py):
a site adds an SMS gateway or a 公众号 template message by registering one more adapter and robot kind.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from .adapters import ADAPTERS, Adapter, PushMessage, register_adapter

__all__ = ["ADAPTERS", "Adapter", "PushMessage", "enqueue_deliveries", "push", "register_adapter"]


TOPIC_FIELDS = {"article": "push_articles", "notice": "push_notices"}


def push(organization, topic: str, key: str, message: PushMessage) -> int:
    """Queue `message` for every active robot of `organization` that takes `topic`; each robot gets a given
    `key` once, however often this is called. Sent after the caller's transaction commits. Returns how many
    deliveries were queued."""
    from .models import Delivery, Robot

    robots = Robot.objects.filter(organization=organization, active=True, **{TOPIC_FIELDS[topic]: True})
    queued = 0
    now = timezone.now()
    for robot in robots:
        try:
            with transaction.atomic():
                Delivery.objects.create(robot=robot, topic=topic, key=key, message=message.as_json(), next_try_at=now)
        except IntegrityError:
            continue  # already queued or sent for this robot
        queued += 1
    if queued:
        transaction.on_commit(enqueue_deliveries)
    return queued


def enqueue_deliveries() -> None:
    from .tasks import deliver_pushes

    deliver_pushes.enqueue()
