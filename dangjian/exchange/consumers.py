"""The WebSocket side of the rooms (the live area owns this file): see live.py for what a client receives.

`/ws/rooms/<room_id>/` (RoomConsumer) carries one room's conversation; `/ws/me/` (MeConsumer) the person's own
channel: notify() events ("websocket" channel) and unread counts. Client frames are JSON text:

    {"type": "send", "body": "...", "reply_to": 12 | null, "token": "<uuid>"}  -> {"type": "ack", "token", "id",
                                                                                   "rev", "state", "message"}
    {"type": "since", "after": 41}  -> {"type": "history", "after": 41, "messages": [...], "last_rev": 60,
                                        "more": false}
    {"type": "read", "rev": 60}     -> (nothing; the unread counts of the person's /ws/me/ sockets follow)
    {"type": "recall", "id": 17}    -> {"type": "ack", "id": 17, "rev": 61, "state": "recalled"}

The server sends {"type": "message", "message": <payload>} and {"type": "tick", "rev": n} (a change the viewer may
not see), and {"type": "error", "code": "...", "message": "<Chinese>"} for a refused frame; a refusal that ends the
connection closes it with a 44xx code (4401 not signed in, 4403 not allowed, 4404 no such room).

Each process runs one watcher (watcher.py) that reads the rooms of its clients from the database and fills what the
channel layer did not bring; each connection drops what it already sent, by rev.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import uuid
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from dangjian.core.history import ActionError, NotFound

from . import access, actions, limits, live, watcher
from .models import Membership, Message, Room

logger = logging.getLogger(__name__)

CLOSE_SIGN_IN = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(scope) -> bool:
    """A browser's socket from our own pages only: SITE_URL's origin, one of REALTIME_ALLOWED_ORIGINS, or the
    origin of the host the socket was opened on (one front). A client without an Origin header is not a browser
    (no victim's cookies to misuse) and passes; its session still has to be valid."""
    headers = dict(scope.get("headers") or [])
    raw = headers.get(b"origin")
    if raw is None:
        return True
    origin = raw.decode("latin-1").strip().lower()
    allowed = {_origin(settings.SITE_URL)} | {_origin(o) for o in settings.REALTIME_ALLOWED_ORIGINS}
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    if host:  # the page's own host, either scheme (behind a TLS front the socket itself arrives as plain ws)
        allowed |= {f"http://{host}", f"https://{host}"}
    allowed.discard("")
    return origin in allowed


class RevSet:
    """The revs a connection has sent: all up to `floor`, and those above it in `above`."""

    KEEP = 5000

    def __init__(self, floor: int = 0):
        self.floor = floor
        self.above: set[int] = set()

    def __contains__(self, rev: int) -> bool:
        return rev <= self.floor or rev in self.above

    def add(self, rev: int) -> bool:
        """Remember `rev`; False if it was there already."""
        if rev in self:
            return False
        self.above.add(rev)
        while self.floor + 1 in self.above:
            self.floor += 1
            self.above.discard(self.floor)
        if len(self.above) > self.KEEP:  # a gap that never filled: forget the oldest part
            self.floor = sorted(self.above)[len(self.above) - self.KEEP]
            self.above = {r for r in self.above if r > self.floor}
        return True

    @property
    def highest(self) -> int:
        return max(self.above, default=self.floor)


class JsonFrames(AsyncWebsocketConsumer):
    """Text frames of JSON objects; anything else is answered with an error frame, the connection kept."""

    groups_joined: list[str] = []

    async def _join_groups(self) -> None:
        """Join the layer's groups; a layer that fails (Redis busy or gone) leaves the watcher to deliver."""
        if self.channel_layer is None:
            return
        for group in self.groups_joined:
            try:
                await self.channel_layer.group_add(group, self.channel_name)
            except Exception:  # noqa: BLE001 - the database still has every message
                logger.warning("channel layer unavailable; the watcher delivers")

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content, ensure_ascii=False))

    async def error(self, code: str, message: str, **extra) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def refuse(self, code: str, message: str, close_code: int) -> None:
        """Accept (so the browser can read why), say why, and close."""
        await self.accept()
        await self.error(code, message)
        await self.close(code=close_code)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            await self.error("binary", _("Only text messages are accepted."))
            return
        if len(text_data) > max_frame_chars():  # not even parsed; the connection goes on
            limit = settings.EXCHANGE_MESSAGE_MAX_CHARS
            await self.error(
                "too_long", _("The message is too long: a message may have at most %(n)s characters.") % {"n": limit}
            )
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self.error("malformed", _("The message could not be read."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.error("malformed", _("The message could not be read."))
            return
        handler = getattr(self, "frame_" + frame["type"], None)
        if handler is None:
            await self.error("unknown", _("Unknown request."))
            return
        try:
            await handler(frame)
        except Exception:  # noqa: BLE001 - one frame's failure never ends the others' conversation
            logger.exception("websocket frame failed")
            await self.error("server", _("Something went wrong. Please try again."))


def max_frame_chars() -> int:
    """The longest frame read: a message of EXCHANGE_MESSAGE_MAX_CHARS escaped as JSON at worst (six characters each),
    with room for the other fields. Longer frames (up to REALTIME_MAX_FRAME_BYTES, where uvicorn closes) are refused
    unread."""
    return settings.EXCHANGE_MESSAGE_MAX_CHARS * 6 + 1024


def _int(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


class RoomConsumer(JsonFrames):
    room_id: int = 0
    user_id: int = 0
    moderator: bool = False
    refused: bool = False  # told it may no longer read the room (and closed)
    place: tuple | None = None  # the person's membership as the watcher compares it (watcher.place)

    async def connect(self):
        if not origin_allowed(self.scope):
            await self.close()  # before accepting: the handshake is answered 403
            return
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse("sign_in", _("Please sign in first."), CLOSE_SIGN_IN)
            return
        try:
            room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        except (KeyError, ValueError):
            room_id = 0
        found = await database_sync_to_async(self._check)(user, room_id)
        if found is None:
            await self.refuse("no_room", _("This room does not exist."), CLOSE_NOT_FOUND)
            return
        room, readable, moderator, place = found
        if not readable:
            await self.refuse("forbidden", _("You may not read this room."), CLOSE_FORBIDDEN)
            return
        self.room_id, self.user_id, self.moderator, self.place = room.pk, user.pk, moderator, place
        self.sent = RevSet(room.last_rev)
        self.groups_joined = [live.room_group(room.pk), live.user_group(user.pk)]
        await self._join_groups()
        await self.accept()
        watcher.join(self, room.pk, room.last_rev, room.access_rev)

    @staticmethod
    def _check(user, room_id: int):
        room = Room.objects.select_related("organization").filter(pk=room_id).first()
        if room is None:
            return None
        return room, access.may_read(user, room), access.may_moderate(user, room), watcher.place(room.pk, user.pk)

    async def disconnect(self, code):
        if not self.room_id:
            return
        watcher.leave(self, self.room_id)
        if self.channel_layer is not None:
            for group in self.groups_joined:
                try:
                    await self.channel_layer.group_discard(group, self.channel_name)
                except Exception:  # noqa: BLE001 - the group's entry expires by itself
                    logger.warning("channel layer unavailable while leaving a group")

    # --- what the room's group and the watcher bring --------------------------------------------------

    def viewer_part(self, event: dict) -> dict:
        if self.moderator and event.get("moderator"):
            return {"type": "message", "message": event["moderator"]}
        if event.get("author") == self.user_id and event.get("author_payload"):
            return {"type": "message", "message": event["author_payload"]}
        if event.get("public"):
            return {"type": "message", "message": event["public"]}
        return {"type": "tick", "rev": event["rev"]}

    async def room_event(self, event: dict) -> None:
        """An event from the channel layer."""
        watcher.counts["received"] += 1
        watcher.saw(self.room_id, event["rev"])
        await self.deliver(event)

    async def deliver(self, event: dict, *, filled: bool = False) -> None:
        if event.get("room") != self.room_id or self.refused:
            return
        if not self.sent.add(event["rev"]):
            watcher.counts["duplicates"] += 1
            return
        watcher.counts["delivered"] += 1
        if filled:
            watcher.counts["filled"] += 1
        await self.send_json(self.viewer_part(event))

    async def room_access(self, event: dict) -> None:
        """Someone's place in the room changed (left, removed, made admin): look again."""
        if event.get("user") not in (None, self.user_id):
            return
        if self.refused:
            return
        found = await database_sync_to_async(self._check)(self.scope["user"], self.room_id)
        if found is None or not found[1]:
            self.refused = True  # nothing more is delivered to this socket, whatever is on its way
            await self.error("forbidden", _("You are no longer in this room."))
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.moderator, self.place = found[2], found[3]

    async def user_notify(self, event: dict) -> None:
        """Notices are the /ws/me/ socket's; a room socket ignores them."""

    async def user_unread(self, event: dict) -> None:
        pass

    # --- client frames ---------------------------------------------------------------------------------

    async def frame_send(self, frame: dict) -> None:
        body, reply_to, token = frame.get("body", ""), frame.get("reply_to"), frame.get("token")
        if not isinstance(body, str) or (reply_to is not None and _int(reply_to) is None):
            await self.error("malformed", _("The message could not be read."), token=token)
            return
        client_token = None
        if token is not None:
            try:
                client_token = uuid.UUID(str(token))
            except ValueError:
                await self.error("malformed", _("The message could not be read."), token=token)
                return
        if len(body) > settings.EXCHANGE_MESSAGE_MAX_CHARS * 2:
            limit = settings.EXCHANGE_MESSAGE_MAX_CHARS
            text = _("A message may have at most %(n)s characters (this one has %(m)s).") % {"n": limit, "m": len(body)}
            await self.error("too_long", text, token=token)
            return
        data = actions.MessageInput(body=body, reply_to_id=reply_to, client_token=client_token)
        try:
            message = await database_sync_to_async(self._post)(data)
        except actions.NotInRoom as refusal:
            await self.error("not_in_room", str(refusal), token=token)
            await self.close(code=CLOSE_FORBIDDEN)
            return
        except limits.TooFast as refusal:
            await self.error("too_fast", str(refusal), token=token, retry_after=refusal.retry_after)
            return
        except NotFound:
            await self.error("no_room", _("This room does not exist."), token=token)
            await self.close(code=CLOSE_NOT_FOUND)
            return
        except ActionError as refusal:
            await self.error("refused", str(refusal), token=token)
            return
        message_payload, rev, message_id, state = message
        await self.send_json(
            {"type": "ack", "token": token, "id": message_id, "rev": rev, "state": state, "message": message_payload}
        )

    def _post(self, data: actions.MessageInput):
        message = actions.post_message(self.scope["user"], self.room_id, data)
        fresh = Message.objects.select_related("reply_to").prefetch_related("mentions").get(pk=message.pk)
        return live.payload(fresh, moderator=True), fresh.rev, fresh.pk, fresh.state

    async def frame_since(self, frame: dict) -> None:
        after = _int(frame.get("after"))
        if after is None or after < 0:
            await self.error("malformed", _("The message could not be read."))
            return
        result = await database_sync_to_async(self._since)(after)
        if result is None:
            await self.error("forbidden", _("You are no longer in this room."))
            await self.close(code=CLOSE_FORBIDDEN)
            return
        watcher.counts["since"] += 1
        await self.send_json(result)

    def _since(self, after: int) -> dict | None:
        user = self.scope["user"]
        room = Room.objects.select_related("organization").filter(pk=self.room_id).first()
        if room is None or not access.may_read(user, room):
            return None
        self.moderator = access.may_moderate(user, room)
        rows = list(live.messages_after(room.pk, after))
        shown = []
        for message in rows:
            part = self.viewer_part(live.event_for(message))
            if part["type"] == "message":
                shown.append(part["message"])
            self.sent.add(message.rev)
        more = len(rows) >= 200
        last = rows[-1].rev if more else max(room.last_rev, rows[-1].rev if rows else after)
        return {"type": "history", "after": after, "messages": shown, "last_rev": last, "more": more}

    async def frame_read(self, frame: dict) -> None:
        rev = _int(frame.get("rev"))
        if rev is None or rev < 0:
            await self.error("malformed", _("The message could not be read."))
            return
        try:
            await database_sync_to_async(actions.mark_read)(self.scope["user"], self.room_id, rev)
        except NotFound:
            return
        if self.channel_layer is not None:
            await self.channel_layer.group_send(live.user_group(self.user_id), {"type": "user.unread"})

    async def frame_counts(self, frame: dict) -> None:
        """This process's delivery counts (watcher.py), for the bench; superusers only."""
        if not self.scope["user"].is_superuser:
            await self.error("unknown", _("Unknown request."))
            return
        await self.send_json({"type": "counts", "pid": os.getpid(), **watcher.counts})

    async def frame_recall(self, frame: dict) -> None:
        message_id = _int(frame.get("id"))
        if message_id is None:
            await self.error("malformed", _("The message could not be read."))
            return
        try:
            message = await database_sync_to_async(actions.recall_message)(self.scope["user"], message_id)
        except NotFound:
            await self.error("not_found", _("This message does not exist."), id=message_id)
            return
        except ActionError as refusal:
            await self.error("refused", str(refusal), id=message_id)
            return
        await self.send_json({"type": "ack", "id": message.pk, "rev": message.rev, "state": message.state})


def unread_counts(user, room_ids: list[int] | None = None) -> dict[str, int]:
    """Messages of others not yet read, per room the person is in (rooms they muted left out), in one query; only
    the rooms in `room_ids` when given (a room the person is not in, or muted, is left out)."""
    from django.db.models import Count, F, Q

    memberships = Membership.objects.filter(user=user, left_at=None, removed_at=None, notifications_muted=False)
    if room_ids is not None:
        memberships = memberships.filter(room_id__in=room_ids)
    unread = Q(room__messages__rev__gt=F("last_read_rev"), room__messages__state=Message.State.PUBLISHED) & ~Q(
        room__messages__author=user
    )
    rows = memberships.annotate(unread=Count("room__messages", filter=unread)).values_list("room_id", "unread")
    return {str(room_id): n for room_id, n in rows}


# The /ws/me/ socket counts a room's unread messages again at most this often (seconds).
UNREAD_EVERY = 0.5


class MeConsumer(JsonFrames):
    """The person's own channel: notify() events and unread counts per room (no presence: nothing about the
    person is sent to anyone else)."""

    user_id: int = 0

    async def connect(self):
        if not origin_allowed(self.scope):
            await self.close()
            return
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse("sign_in", _("Please sign in first."), CLOSE_SIGN_IN)
            return
        self.user_id = user.pk
        rooms: dict[int, int] = await database_sync_to_async(self._rooms)()
        self.sent = {room_id: RevSet(rev) for room_id, rev in rooms.items()}
        self.groups_joined = [live.user_group(user.pk)] + [live.room_group(r) for r in rooms]
        await self._join_groups()
        await self.accept()
        for room_id, rev in rooms.items():
            watcher.join(self, room_id, rev)
        self.unread = await database_sync_to_async(unread_counts)(self.scope["user"])
        self.dirty: set[int] = set()
        self.recount: asyncio.Task | None = None
        await self.send_json(self.unread_frame())

    def _rooms(self) -> dict[int, int]:
        return dict(
            Membership.objects.filter(
                user_id=self.user_id, left_at=None, removed_at=None, notifications_muted=False
            ).values_list("room_id", "room__last_rev")
        )

    async def disconnect(self, code):
        if not self.user_id:
            return
        if self.recount is not None:
            self.recount.cancel()
        for room_id in self.sent:
            watcher.leave(self, room_id)
        if self.channel_layer is not None:
            for group in self.groups_joined:
                try:
                    await self.channel_layer.group_discard(group, self.channel_name)
                except Exception:  # noqa: BLE001 - the group's entry expires by itself
                    logger.warning("channel layer unavailable while leaving a group")

    def unread_frame(self) -> dict:
        return {"type": "unread", "rooms": self.unread, "total": sum(self.unread.values())}

    async def send_unread(self, room_ids: list[int] | None = None) -> None:
        """Count again (only `room_ids` when given: one query) and send every room's count."""
        counts = await database_sync_to_async(unread_counts)(self.scope["user"], room_ids)
        if room_ids is None:
            self.unread = counts
        else:
            for room_id in room_ids:
                self.unread.pop(str(room_id), None)
            self.unread.update(counts)
        await self.send_json(self.unread_frame())

    def count_soon(self, room_id: int) -> None:
        """A busy room changes many times a second: count its unread at most once every UNREAD_EVERY seconds."""
        self.dirty.add(room_id)
        if self.recount is None or self.recount.done():
            # A fresh context: the event may come from an action's thread (watcher.deliver_here), whose context
            # says asgiref's database thread is busy, and the count would then refuse to run.
            self.recount = asyncio.get_running_loop().create_task(self._count_later(), context=contextvars.Context())

    async def _count_later(self) -> None:
        await asyncio.sleep(UNREAD_EVERY)
        rooms, self.dirty = sorted(self.dirty), set()
        try:
            await self.send_unread(rooms)
        except Exception:  # noqa: BLE001 - a closed socket or a database hiccup: the next change counts again
            logger.warning("unread counts not sent", exc_info=True)

    async def user_notify(self, event: dict) -> None:
        await self.send_json({"type": "notify", "text": event.get("text", ""), "url": event.get("url", "")})

    async def user_unread(self, event: dict) -> None:
        await self.send_unread()

    async def room_event(self, event: dict) -> None:
        watcher.saw(event.get("room", 0), event["rev"])
        await self.deliver(event)

    async def deliver(self, event: dict, *, filled: bool = False) -> None:
        """A change in one of the person's rooms (from the layer or the watcher): count again, once per rev."""
        sent = self.sent.get(event.get("room", 0))
        if sent is None or not sent.add(event["rev"]):
            return
        if event.get("author") != self.user_id:
            self.count_soon(event["room"])

    async def room_access(self, event: dict) -> None:
        pass

    async def frame_unread(self, frame: dict) -> None:
        await self.send_unread()
