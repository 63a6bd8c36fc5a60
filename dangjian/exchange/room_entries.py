"""What the rooms area adds to the shared pages (core/registry.py): the 交流互动 menu entry for those who manage or
moderate rooms, the "我的群聊" panel of the console home (everyone: members and residents too) with the unread
count, the 群聊 link of an organization's console page, the usage figures per organization (rooms with messages,
messages; never about a person), and the portal block inviting residents to the village's room."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.permissions import MANAGE_ROOMS, MODERATE_ROOMS, has_capability
from dangjian.core import registry
from dangjian.core.registry import Counted, DashboardPanel, MenuItem, OrganizationLink, PortalBlock, UsageMetric

from . import live, room_queries
from .models import Room


def my_rooms_panel(request) -> dict | None:
    """The person's rooms and unread total; hidden for someone in no room who may join none."""
    user = request.user
    mine = list(room_queries.my_memberships(user))
    if not mine and not room_queries.joinable_rooms(user):
        return None
    unread = sum(own.unread for own in mine if not own.notifications_muted and own.room.is_open)
    return {"room_count": len(mine), "unread": unread, "me_socket": live.me_socket(request)}


def residents_room_block(organization) -> dict | None:
    """A village or community portal invites its residents to the organization's open residents' room."""
    if organization.kind not in ("village", "community"):
        return None
    room = (
        Room.objects.filter(organization=organization, audience=Room.Audience.RESIDENTS, closed_at=None)
        .order_by("pk")
        .first()
    )
    return {"room": room} if room is not None else None


def _room_link(room: Room) -> str:
    return reverse("console:room_edit", args=[room.pk])


def _message_label(message) -> str:
    # Where and when, never who wrote it nor what it says.
    return f"{message.room.name} · {timezone.localtime(message.created_at):%Y-%m-%d %H:%M}"


def _rooms_of(messages):
    return Room.objects.filter(pk__in=messages.values("room")).order_by("organization__path", "name")


ACTIVE_ROOMS = Counted(
    rows=lambda: room_queries.published_messages().select_related("room"),
    organization="room__organization",
    date="created_at",
    distinct="room",
    capability=MANAGE_ROOMS,
    listed=_rooms_of,
    label=lambda room: room.name,
    link=_room_link,
)
MESSAGES = Counted(
    rows=lambda: room_queries.published_messages().select_related("room"),
    organization="room__organization",
    date="created_at",
    capability=MODERATE_ROOMS,
    label=_message_label,
    link=lambda message: _room_link(message.room),
)
RESIDENTS_IN_ROOMS = Counted(
    rows=lambda: room_queries.resident_memberships().select_related("room"),
    organization="room__organization",
    date="joined_at",
    until="ended",
    capability=MANAGE_ROOMS,
    # The room, never the resident.
    label=lambda membership: membership.room.name,
    link=lambda membership: _room_link(membership.room),
)


def register() -> None:
    registry.register(
        MenuItem(
            "exchange",
            pgettext_lazy("console menu", "Exchange"),
            "console:exchange",
            order=85,
            visible=lambda request: room_queries.may_see_console(request.user),
        ),
        DashboardPanel("my_rooms", "exchange/_my_rooms_panel.html", my_rooms_panel, order=7, everyone=True),
        OrganizationLink(
            "exchange.rooms",
            pgettext_lazy("organization page", "Group chats"),
            "console:exchange_org",
            visible=lambda user, organization: (
                has_capability(user, MANAGE_ROOMS, organization) or has_capability(user, MODERATE_ROOMS, organization)
            ),
            order=75,
            count=lambda organization: Room.objects.filter(organization=organization, closed_at=None).count(),
        ),
        UsageMetric(
            "exchange.active_rooms",
            _("Rooms with messages"),
            room_queries.active_rooms,
            order=80,
            counted=ACTIVE_ROOMS,
            group="reach",
            definition=_(
                "Group chats of the subtree's organizations in which at least one message was published during the "
                "period (pinned notices and removed messages aside)."
            ),
        ),
        UsageMetric(
            "exchange.messages",
            _("Messages in rooms"),
            room_queries.messages_count,
            order=81,
            counted=MESSAGES,
            group="interaction",
            definition=_(
                "Messages published during the period in the group chats of the subtree's organizations and still "
                "shown (pinned notices and removed messages aside)."
            ),
        ),
        UsageMetric(
            "exchange.residents_in_rooms",
            _("Residents in rooms"),
            room_queries.residents_in_rooms,
            order=82,
            counted=RESIDENTS_IN_ROOMS,
            group="reach",
            definition=_(
                "Verified residents who are members of the group chats of the subtree's organizations on the "
                "period's last day (today while it runs), counted once per room: a resident in two rooms counts "
                "twice."
            ),
        ),
        PortalBlock("exchange.residents_room", "exchange/_portal_residents_room.html", residents_room_block, order=45),
    )
