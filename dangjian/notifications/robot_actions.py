"""The writes of the group robots' console (MANAGE_ROBOTS on the robot's organization): add or change a robot,
send it a test message, send a failed delivery again. And the scoped reads the pages use.

The webhook address and the signing secret are encrypted at rest (core/fieldcrypt.py); only `webhook_hint` (host
and the last 4 characters) is ever shown or recorded in the history. Leaving them empty when editing keeps them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_ROBOTS, has_capability, require
from dangjian.core import fieldcrypt
from dangjian.core.history import ActionError, InvalidInput, NotFound, save_tracked, validate

from . import robots
from .models import Delivery, Robot
from .push import PushMessage, enqueue_deliveries
from .push_delivery import TEST_TOPIC


@dataclass(frozen=True)
class RobotInput:
    kind: str
    name: str
    webhook: str = ""  # empty when editing: keep the saved one
    secret: str = ""  # empty when editing: keep the saved one (unless clear_secret)
    clear_secret: bool = False
    push_articles: bool = True
    push_notices: bool = True
    active: bool = True


def get_robot_for_user(user, robot_id: int) -> Robot:
    """The robot, if the user manages robots on its organization; 404 otherwise (another organization's robot
    is not told apart from one that does not exist)."""
    robot = Robot.objects.select_related("organization").filter(pk=robot_id).first()
    if robot is None or not has_capability(user, MANAGE_ROBOTS, robot.organization):
        raise Http404
    return robot


def _open_organization(user, organization_id: int):
    # The organization model through the robot's key: notifications imports no organizations module.
    organizations: Any = Robot.organization.field.related_model
    organization = organizations._default_manager.filter(pk=organization_id).first()
    if organization is None or organization.is_closed:
        raise NotFound
    require(user, MANAGE_ROBOTS, organization)
    return organization


def _robot_in(user, robot_id: int, organization=None) -> Robot:
    scope = {"organization": organization} if organization is not None else {}
    robot = Robot.objects.select_related("organization").filter(pk=robot_id, **scope).first()
    if robot is None:
        raise NotFound
    if robot.organization.is_closed:
        raise NotFound
    require(user, MANAGE_ROBOTS, robot.organization)
    return robot


def save_robot(
    user, organization_id: int, data: RobotInput, *, robot_id: int | None = None, expected_version: int | None = None
) -> Robot:
    """Add a robot to the organization, or change one of its robots."""
    organization = _open_organization(user, organization_id)
    robot = _robot_in(user, robot_id, organization) if robot_id is not None else Robot(organization=organization)
    errors: dict[str, list[str]] = {}
    if data.kind not in Robot.Kind.values:
        errors["kind"] = [_("Choose the kind of robot.")]
    webhook = ""
    try:
        if data.webhook.strip() or robot.pk is None:
            webhook = robots.check_webhook(data.kind, data.webhook)
        else:  # kept: still checked, the kind may have changed
            robots.check_webhook(data.kind, fieldcrypt.decrypt(robot.webhook_encrypted))
    except robots.WebhookRefused as error:
        errors["webhook"] = [str(error)]
    secret = ""
    try:
        secret = robots.check_secret(data.kind, data.secret)
        if not secret and not data.clear_secret and robot.secret_encrypted and data.kind == Robot.Kind.WECOM:
            raise robots.WebhookRefused(_("WeCom group robots have no signing secret: remove the saved one."))
    except robots.WebhookRefused as error:
        errors["secret"] = [str(error)]
    if errors:
        raise InvalidInput(errors, " ".join(m for messages in errors.values() for m in messages))
    robot.kind = data.kind
    robot.name = data.name.strip()
    robot.push_articles = data.push_articles
    robot.push_notices = data.push_notices
    robot.active = data.active
    if webhook:
        robot.webhook_encrypted = fieldcrypt.encrypt(webhook)
        robot.webhook_hint = robots.webhook_hint(webhook)
    if secret:
        robot.secret_encrypted = fieldcrypt.encrypt(secret)
    elif data.clear_secret:
        robot.secret_encrypted = b""
    if robot.pk is None:
        robot.created_by = user
    else:
        # A new address or a robot turned back on starts afresh.
        if webhook or (data.active and not Robot.objects.filter(pk=robot.pk, active=True).exists()):
            robot.consecutive_failures = 0
            robot.flagged_at = None
    validate(robot, exclude=["created_by"])
    with transaction.atomic():
        recorded = save_tracked(user, robot, organization, expected_version=expected_version)
        if recorded is None and robot_id is not None:
            # Only what the history does not show changed (a new secret, an address with the same ending).
            Robot.objects.filter(pk=robot.pk).update(
                webhook_encrypted=robot.webhook_encrypted,
                secret_encrypted=robot.secret_encrypted,
                consecutive_failures=robot.consecutive_failures,
                flagged_at=robot.flagged_at,
            )
    return robot


def send_test_message(user, robot_id: int) -> Delivery:
    """Queue one test message for the robot (also when it is turned off: that is how one checks it before
    turning it on). The console sends it at once (push_delivery.deliver_now) and shows the outcome."""
    robot = _robot_in(user, robot_id)
    organization = robot.organization
    message = PushMessage(
        title=_("Test message from %(org)s") % {"org": organization.short_name or organization.name},
        summary=_("This group will receive the published articles and notices of %(org)s here.")
        % {"org": organization.name},
        url=settings.SITE_URL + reverse("orgs:portal", args=[organization.pk]),
        source=organization.name,
    )
    now = timezone.now()
    with transaction.atomic():
        return Delivery.objects.create(
            robot=robot,
            topic=TEST_TOPIC,
            key=f"test:{now:%Y%m%d%H%M%S}:{secrets.token_hex(4)}",
            message=message.as_json(),
            next_try_at=now,
        )


def retry_delivery(user, robot_id: int, delivery_id: int) -> Delivery:
    """Send a failed delivery again: it waits once more, with a fresh count of attempts."""
    robot = _robot_in(user, robot_id)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id, robot=robot).first()
        if delivery is None:
            raise NotFound
        if delivery.state != Delivery.State.FAILED:
            raise ActionError(_("Only a failed delivery can be sent again."))
        delivery.state = Delivery.State.PENDING
        delivery.attempts = 0
        delivery.next_try_at = timezone.now()
        delivery.save(update_fields=["state", "attempts", "next_try_at"])
        transaction.on_commit(enqueue_deliveries)
    return delivery
