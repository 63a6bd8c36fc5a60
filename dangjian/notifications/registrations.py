"""What the notifications app adds to the shared pages (core/registry.py): its console menu entry; for the group
robots (push.py) the organization link, the history of robots, the usage metric and what a merge does."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import MANAGE_ROBOTS, has_capability
from dangjian.core.registry import (
    Counted,
    MenuItem,
    OrganizationData,
    OrganizationLink,
    TrackedModel,
    UsageMetric,
    register,
)

from . import kinds, push_delivery, robots  # noqa: F401 - robots registers the WeCom, DingTalk and Feishu adapters
from .api import notify, staff_holding, unread_count
from .models import Delivery, Robot


def _signed_in(request) -> bool:
    return request.user.is_authenticated


def _unread(request) -> int:
    return unread_count(request.user)


def _unread_label(count: int) -> str:
    return ngettext("unread", "unread", count)


def register_entries() -> None:
    register(
        MenuItem(
            "notifications",
            _("Notifications"),
            "console:notifications",
            order=20,
            visible=_signed_in,
            badge=_unread,
            badge_label=_unread_label,
        )
    )
    register_robot_entries()


# --- Group robots (push area) ----------------------------------------------------------------------------------


def _may_manage_robots(user, organization) -> bool:
    return not organization.is_closed and has_capability(user, MANAGE_ROBOTS, organization)


def _deliveries_sent(organization, start, end) -> int:
    bounds = organization.subtree_range()

    def midnight(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    return (
        _delivered()
        .filter(
            sent_at__gte=midnight(start),
            sent_at__lt=midnight(end),
            robot__organization__path__gte=bounds["gte"],
            robot__organization__path__lt=bounds["lt"],
        )
        .count()
    )


def _delivered():
    """Messages the robots' services took (an article or a notice pushed); the console's test message is not one."""
    return Delivery.objects.filter(state=Delivery.State.SENT).exclude(topic=push_delivery.TEST_TOPIC)


DELIVERIES_SENT = Counted(
    rows=lambda: _delivered().select_related("robot"),
    organization="robot__organization",
    date="sent_at",
    moves=False,
    capability=MANAGE_ROBOTS,
    label=lambda delivery: f"{delivery.robot.name}: {delivery.message.get('title', '')}",
    link=lambda delivery: reverse("console:robot", args=[delivery.robot_id]),
)


def _merge_robots(source, target) -> None:
    """The merged organization's robots move to the survivor turned off: its group may not want the survivor's
    articles; an administrator turns them on again (or not)."""
    Robot.objects.filter(organization=source).update(organization=target, active=False)


def tell_robot_managers(sender, robot, failures: int, error: str, **kwargs) -> None:
    """A robot keeps failing (push_delivery.robot_flagged): its organization's robot managers are told once."""
    notify(
        staff_holding(MANAGE_ROBOTS, robot.organization),
        "notifications.robot_failing",
        robot,
        organization=robot.organization,
        robot=robot.name,
        org=robot.organization.short_name or robot.organization.name,
        failures=failures,
        error=error,
    )


def register_robot_entries() -> None:
    push_delivery.robot_flagged.connect(tell_robot_managers, dispatch_uid="notifications.tell_robot_managers")
    register(
        OrganizationLink("robots", _("Group robots"), "console:robots", _may_manage_robots, order=85, secondary=True)
    )
    register(TrackedModel("robot", "notifications", MANAGE_ROBOTS))
    register(
        UsageMetric(
            "push.deliveries_sent",
            _("Messages delivered to group robots"),
            _deliveries_sent,
            80,
            counted=DELIVERIES_SENT,
            group="publishing",
            definition=_(
                "Articles and notices that the group robots of the subtree's organizations delivered to their "
                "groups during the period, one per robot and message (test messages are not counted)."
            ),
        )
    )
    register(
        OrganizationData(
            key="notifications.robots",
            label=_("Group robots"),
            count=lambda org: Robot.objects.filter(organization=org).count(),
            merge=_merge_robots,
            order=90,
        )
    )
    kinds.register_target_link("notifications.robot", lambda pk: reverse("console:robot", args=[pk]))
