"""What clients receive, and how it reaches them.

`payload(message, moderator=...)` is a message as the clients (room.js, the bench, the tests) see it, JSON:

    {"id": 17, "rev": 42, "room": 3, "state": "published" | "held" | "recalled" | "removed",
     "kind": "text" | "image" | "file" | "notice", "author": 5, "nickname": "老王", "official": false,
     "body": "...", "reply_to": {"id": 12, "nickname": "...", "excerpt": "..."} | null, "mentions": [7, 9],
     "image": "/rooms/messages/17/image/" | null, "file": {"url": ..., "name": ..., "size": 1234} | null,
     "created_at": "2026-12-01T10:05:00+08:00", "time": "10:05", "removed_reason": ""}

A recalled or removed message keeps its id and rev but loses body, pictures and files for everyone; a held message
reaches only moderators (and its author, marked as waiting). Text is plain: clients insert it as text, never HTML.

`broadcast_after_commit(message)` schedules, after the transaction commits, one event to the room's group on the
channel layer: {"type": "room.event", "room": id, "rev": rev, "public": <payload or None>, "moderator": <payload>,
"author": author id}. Each consumer sends the part its person may see; people who may see nothing of it (a held
message) still receive {"type": "tick", "rev": rev}, so a client never mistakes a held message for a lost one. The
layer may drop an event (a full channel, a lost connection to Redis): clients and each process's watcher fill the
gap from the database by rev (`messages_after`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import Message

logger = logging.getLogger(__name__)

EXCERPT_CHARS = 40


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def _excerpt(message: Message) -> str:
    if message.state in (Message.State.RECALLED, Message.State.REMOVED):
        return ""
    if message.kind == Message.Kind.IMAGE:
        return "[图片]"
    if message.kind == Message.Kind.FILE:
        return f"[文件] {message.file_name}"
    text = " ".join(message.body.split())
    return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")


def shown_time(at) -> str:
    """A message's time as the room shows it: "20:00" today (local time), "11-27 20:00" on another day."""
    local = timezone.localtime(at)
    return local.strftime("%H:%M" if local.date() == timezone.localdate() else "%m-%d %H:%M")


def payload(message: Message, *, moderator: bool = False) -> dict | None:
    """The message as a client sees it; None when the viewer may not see it at all (a held message to others)."""
    if message.state == Message.State.HELD and not moderator:
        return None
    gone = message.state in (Message.State.RECALLED, Message.State.REMOVED)
    local = timezone.localtime(message.created_at)
    reply = None
    if message.reply_to_id and message.reply_to is not None:
        reply = {
            "id": message.reply_to_id,
            "nickname": message.reply_to.nickname,
            "excerpt": _excerpt(message.reply_to),
        }
    return {
        "id": message.pk,
        "rev": message.rev,
        "room": message.room_id,
        "state": message.state,
        "kind": message.kind,
        "author": message.author_id,
        "nickname": message.nickname,
        "official": message.official,
        "body": "" if gone else message.body,
        "reply_to": None if gone else reply,
        "mentions": [] if gone else sorted(user.pk for user in message.mentions.all()),
        "image": reverse("exchange:message_image", args=[message.pk]) if message.image and not gone else None,
        "file": (
            {
                "url": reverse("exchange:message_file", args=[message.pk]),
                "name": message.file_name,
                "size": message.file_size,
            }
            if message.file and not gone
            else None
        ),
        "created_at": local.isoformat(),
        "time": shown_time(message.created_at),
        "removed_reason": message.removed_reason if message.state == Message.State.REMOVED else "",
        "flagged_words": message.flagged_words if moderator else [],
    }


def event_for(message: Message) -> dict:
    return {
        "type": "room.event",
        "room": message.room_id,
        "rev": message.rev,
        "public": payload(message),
        "moderator": payload(message, moderator=True),
        "author": message.author_id,
        "author_payload": payload(message, moderator=True) if message.state == Message.State.HELD else None,
    }


# Set by watcher.py in a process that serves WebSockets: (room id, event) -> handed to its own connections.
local_delivery: Callable[[int, dict], bool] | None = None


def send_to_group(group: str, event: dict) -> None:
    """Hand one event to the channel layer; a layer that is down loses the event, never the message (clients and
    the watchers read the database)."""
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer) and event.get("type") == "room.event":
        # One process holds every connection the in-memory layer can reach: hand the event to them directly (the
        # watcher of an ASGI process sets `local_delivery`; a page process has no connection to hand it to).
        if local_delivery is not None:
            local_delivery(event["room"], event)
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # noqa: BLE001 - the message is stored; delivery falls back to the database
        logger.warning("channel layer unavailable; clients will fetch from the database")


def broadcast_after_commit(message: Message) -> None:
    """After the caller's transaction commits, send the message's event to its room."""
    message_id = message.pk

    def send() -> None:
        fresh = Message.objects.select_related("reply_to").prefetch_related("mentions").filter(pk=message_id).first()
        if fresh is not None:
            send_to_group(room_group(fresh.room_id), event_for(fresh))

    transaction.on_commit(send)


def socket_url(request, room_id: int) -> str:
    """The address a browser opens for a room: REALTIME_URL (the ASGI server's own port under `make run`) or the
    page's own host (one front: nginx routes /ws/ to the ASGI server)."""
    from django.conf import settings

    path = f"/ws/rooms/{room_id}/"
    if settings.REALTIME_URL:
        return settings.REALTIME_URL + path
    scheme = "wss" if request.is_secure() else "ws"
    return f"{scheme}://{request.get_host()}{path}"


def me_socket(request) -> str:
    """The socket server's address for me.js (the person's own channel, /ws/me/): REALTIME_URL, for a signed-in
    person; empty (no script) otherwise."""
    from django.conf import settings

    if not (settings.REALTIME_URL and getattr(request.user, "is_authenticated", False)):
        return ""
    return settings.REALTIME_URL


def messages_after(room_id: int, rev: int, *, limit: int = 200):
    """Every message of the room changed or written after `rev`, oldest change first (what a client missed)."""
    return (
        Message.objects.filter(room_id=room_id, rev__gt=rev)
        .select_related("reply_to")
        .prefetch_related("mentions")
        .order_by("rev")[:limit]
    )


def access_changed(room_id: int, user_id: int | None = None) -> None:
    """A person's place in the room changed (left, removed, made admin or not), inside the caller's transaction:
    the room's `access_rev` moves (each ASGI process's watcher reads it from the database, so a change made by a page
    process reaches the sockets on the in-memory layer too) and, after the commit, the layer tells the room's
    sockets. The person's sockets look again and close if they may no longer read (None: everyone looks again)."""
    from django.db.models import F

    from .models import Room

    Room.objects.filter(pk=room_id).update(access_rev=F("access_rev") + 1)

    def send() -> None:
        send_to_group(room_group(room_id), {"type": "room.access", "user": user_id})

    transaction.on_commit(send)


WEBSOCKET = "websocket"


class WebSocketChannel:
    """notify()'s WebSocket channel ("websocket"): after the commit, each notice goes to its person's /ws/me/ sockets
    as {"type": "notify", "text": ..., "url": ...}. Nobody connected: nothing happens (the console row stays)."""

    name = WEBSOCKET

    def prepare(self, row, user, now) -> bool:
        return True

    def after_commit(self, row_ids: list[int]) -> None:
        from django.conf import settings
        from django.utils import translation

        from dangjian.notifications.models import Notification

        with translation.override(settings.LANGUAGE_CODE):
            for row in Notification.objects.filter(pk__in=row_ids):
                send_to_group(user_group(row.user_id), {"type": "user.notify", "text": row.text, "url": row.link})
