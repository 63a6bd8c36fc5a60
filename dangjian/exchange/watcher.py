"""Each ASGI process's watcher (live area): what the channel layer did not bring, the database does.

Every EXCHANGE_WATCH_SECONDS one query reads `Room.last_rev` of the rooms that have clients in this process; for a
room ahead of what this process has seen, the missing messages are read from the database and handed to the local
connections directly (not through the layer, so two processes sharing Redis do not send each other's clients
twice). Connections drop what they sent already (by rev). This brings the messages posted through the pages (a
WSGI process has no clients, and with the in-memory layer its broadcast reaches nobody) and the events a layer
dropped (channels-redis drops them silently when a channel is full).

The same query reads `Room.access_rev`, which moves when someone's place in a room changes (live.access_changed:
left, removed, made admin or not). When it moved, one query reads the memberships of the people with sockets in the
room, and the sockets whose membership changed look again (and close with the reason if they may no longer read)
before anything newer is delivered: a member removed through a page (WSGI, no socket, its layer event reaching
nobody on the in-memory layer) loses the open socket within EXCHANGE_WATCH_SECONDS.

`counts` (per process): received (room events from the layer, one per connection), delivered (message and tick
frames sent), filled (of those, brought by the watcher from the database), duplicates (dropped by rev), since
(clients' requests for what they missed), rounds (watcher passes), rooms_filled (room fills from the database).
The process logs them (logger "dangjian.exchange.live", a line "exchange-counts pid=... delivered=...") every
EXCHANGE_COUNTS_LOG_SECONDS (default 60) when they changed, and a superuser's room socket asks for them with
{"type": "counts"} (the bench does).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import Counter

from channels.db import database_sync_to_async
from django.conf import settings

from . import live
from .models import Membership, Room

logger = logging.getLogger("dangjian.exchange.live")

counts: Counter = Counter()

# room id -> the connections of this process in it
_rooms: dict[int, set] = {}
# room id -> [floor, revs above it] seen by this process (from the layer or the database)
_seen: dict[int, list] = {}
# room id -> the room's access_rev this process last acted on
_access: dict[int, int] = {}
_task: asyncio.Task | None = None
_loop: asyncio.AbstractEventLoop | None = None


def join(consumer, room_id: int, last_rev: int, access_rev: int | None = None) -> None:
    _rooms.setdefault(room_id, set()).add(consumer)
    if room_id not in _seen:
        _seen[room_id] = [last_rev, set()]
    if access_rev is not None:
        _access.setdefault(room_id, access_rev)
    _start()


def leave(consumer, room_id: int) -> None:
    members = _rooms.get(room_id)
    if members is None:
        return
    members.discard(consumer)
    if not members:
        del _rooms[room_id]
        _seen.pop(room_id, None)
        _access.pop(room_id, None)


def saw(room_id: int, rev: int) -> None:
    """A rev this process received from the layer."""
    entry = _seen.get(room_id)
    if entry is None or rev <= entry[0]:
        return
    entry[1].add(rev)
    while entry[0] + 1 in entry[1]:
        entry[0] += 1
        entry[1].discard(entry[0])


def _start() -> None:
    global _task, _loop
    if _task is not None and not _task.done():
        return
    _loop = asyncio.get_running_loop()
    _task = _loop.create_task(_watch())


def deliver_here(room_id: int, event: dict) -> bool:
    """Hand a room's event to this process's own connections in that room, from any thread, without the channel
    layer. The in-memory layer copies an event once for every connection of a group (1,000 deep copies a message
    in a big room); this hands the one event to each. False when this process has no connection in the room (a
    page process under WSGI, whose changes the ASGI processes' watchers read from the database)."""
    loop = _loop
    if loop is None or loop.is_closed() or room_id not in _rooms:
        return False
    asyncio.run_coroutine_threadsafe(_hand(room_id, event), loop)
    return True


live.local_delivery = deliver_here


async def _hand(room_id: int, event: dict) -> None:
    counts["received"] += 1
    saw(room_id, event["rev"])
    for consumer in list(_rooms.get(room_id, ())):
        try:
            await consumer.deliver(event)
        except Exception:  # noqa: BLE001 - a closing connection never stops the others
            logger.debug("a connection went away during a delivery")


def _last_revs(room_ids: list[int]) -> dict[int, tuple[int, int]]:
    return {
        pk: (rev, access)
        for pk, rev, access in Room.objects.filter(pk__in=room_ids).values_list("pk", "last_rev", "access_rev")
    }


def place(room_id: int, user_id: int) -> tuple | None:
    """A person's place in a room as the watcher compares it: (role, active) of their membership, None without."""
    return _places([room_id], [user_id]).get((room_id, user_id))


def _places(room_ids: list[int], user_ids: list[int]) -> dict[tuple[int, int], tuple]:
    rows = Membership.objects.filter(room_id__in=room_ids, user_id__in=user_ids).values_list(
        "room_id", "user_id", "role", "left_at", "removed_at"
    )
    return {(room, user): (role, left is None and removed is None) for room, user, role, left, removed in rows}


async def _recheck(room_ids: list[int]) -> None:
    """Someone's place changed in these rooms (read from the database, so a change made by a page process counts
    too): the sockets whose person's membership is no longer what it was look again, and close if they may no
    longer read (RoomConsumer.room_access). One query for all of them."""
    sockets = [c for r in room_ids for c in _rooms.get(r, ()) if hasattr(c, "place")]
    if not sockets:
        return
    places = await database_sync_to_async(_places)(room_ids, list({c.user_id for c in sockets}))
    for consumer in sockets:
        if places.get((consumer.room_id, consumer.user_id)) != consumer.place:
            counts["access_checks"] += 1
            try:
                await consumer.room_access({"user": consumer.user_id})
            except Exception:  # noqa: BLE001 - a closing connection never stops the others
                logger.debug("a connection went away during an access check")


def _missing(room_id: int, after: int) -> list[dict]:
    return [live.event_for(message) for message in live.messages_after(room_id, after, limit=500)]


async def fill_once() -> int:
    """One pass: deliver what the database has and this process has not seen. Returns the events delivered."""
    if not _rooms:
        return 0
    counts["rounds"] += 1
    revs = await database_sync_to_async(_last_revs)(list(_rooms))
    # Access first: a person removed from a room gets nothing posted after the removal.
    moved = [room_id for room_id, (_rev, access) in revs.items() if _access.setdefault(room_id, access) != access]
    for room_id in moved:
        _access[room_id] = revs[room_id][1]
    if moved:
        await _recheck(moved)
    handed = 0
    for room_id, (last_rev, _access_rev) in revs.items():
        entry = _seen.get(room_id)
        if entry is None or last_rev <= entry[0]:
            continue
        events = await database_sync_to_async(_missing)(room_id, entry[0])
        counts["rooms_filled"] += 1
        for event in events:
            if event["rev"] in entry[1]:
                continue
            for consumer in list(_rooms.get(room_id, ())):
                try:
                    await consumer.deliver(event, filled=True)
                    handed += 1
                except Exception:  # noqa: BLE001 - a closing connection never stops the others
                    logger.debug("a connection went away during a fill")
        if events:
            top = events[-1]["rev"]
            entry[0] = max(entry[0], top)
            entry[1] = {r for r in entry[1] if r > entry[0]}
    return handed


async def _watch() -> None:
    every = max(float(settings.EXCHANGE_WATCH_SECONDS), 0.05)
    log_every = float(os.environ.get("EXCHANGE_COUNTS_LOG_SECONDS", "60"))
    logged_at = time.monotonic()
    logged: dict = {}
    while True:
        await asyncio.sleep(every)
        try:
            await fill_once()
        except Exception:  # noqa: BLE001 - a database outage: try again next round
            logger.warning("exchange watcher could not read the rooms; trying again")
        if time.monotonic() - logged_at >= log_every and dict(counts) != logged:
            logged_at, logged = time.monotonic(), dict(counts)
            log_counts()


def log_counts() -> None:
    logger.info("exchange-counts pid=%s %s", os.getpid(), " ".join(f"{k}={v}" for k, v in sorted(counts.items())))
