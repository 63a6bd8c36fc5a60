"""Real-time rooms under load: BENCH_CHAT_CLIENTS WebSocket clients in one room, one sender posting messages at a
steady BENCH_CHAT_RATE per second for BENCH_CHAT_SECONDS, served by uvicorn as `make run` serves the rooms.

Run by `bench/run.py` (`make bench`), or alone: `python -m bench.chat` (the same database as `make bench`: SQLite
under var/bench, or DATABASE_URL). Adds a county with one village, a room and its members (signed in by sessions made
here), then measures twice: one ASGI process with the in-memory channel layer, and two ASGI processes sharing a
private Redis (Debian's redis-server on a free loopback port), half of the clients on each, the sender on the first.

Each message carries the time it was sent; every client notes when it arrives. Prints, per setup (`chat-` and
`chat-redis-`):
- `chat-clients`: clients connected in the room;
- `chat-broadcast-p50`, `-p95`, `-p99`: from the send to each client's receipt, over every (message, client);
- `chat-messages-sent`, `-stored`, `-delivered`: messages the sender sent, rows in the database, and
  (message, client) receipts;
- `chat-messages-lost`: (sent × clients) − delivered: every (message, client) pair the sender sent and a client
  never received within the grace period, whether the message was not stored or not delivered: must be 0;
- `chat-broadcast-p95-target-met`: yes when p95 ≤ 250 ms (TARGET_P95_MS, the issue's target on the 2-core machine).
Everything it added is deleted afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CLIENTS = int(os.environ.get("BENCH_CHAT_CLIENTS", "1000"))
RATE = float(os.environ.get("BENCH_CHAT_RATE", "5"))
SECONDS = float(os.environ.get("BENCH_CHAT_SECONDS", "20"))
GRACE = float(os.environ.get("BENCH_CHAT_GRACE", "5"))
BENCH_DIR = ROOT / "var" / "bench"
MARK = "基准交流县"
ORIGIN = "http://127.0.0.1:8000"
TARGET_P95_MS = 250.0


def _configure() -> None:
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("MEDIA_ROOT", str(BENCH_DIR / "media"))
    os.environ.setdefault("SITE_URL", ORIGIN)
    if not os.environ.get("DATABASE_URL") and not os.environ.get("SQLITE_PATH"):
        policies = int(os.environ.get("BENCH_POLICIES", "100000"))
        os.environ["SQLITE_PATH"] = str(BENCH_DIR / f"bench-{policies}.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)


_configure()
subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)

import django  # noqa: E402

django.setup()

import websockets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402

from dangjian.exchange.models import Membership, Message, Room  # noqa: E402
from dangjian.organizations.models import Organization  # noqa: E402

User = get_user_model()


def cleanup() -> None:
    for county in Organization.objects.filter(name=f"{MARK}委员会", parent__isnull=True):
        subtree = Organization.objects.filter(path__startswith=county.path)
        rooms = Room.objects.filter(organization__in=subtree)
        Message.objects.filter(room__in=rooms).delete()
        Membership.objects.filter(room__in=rooms).delete()
        rooms.delete()
        subtree.filter(depth__gt=county.depth).delete()
        county.delete()
    User.objects.filter(username__startswith="bench-chat-").delete()


def build() -> tuple[Room, list[str], str]:
    """The room, a session key for each listening client, and the sender's session key."""
    from dangjian.accounts.models import Role, RoleGrant

    county = Organization.objects.create(name=f"{MARK}委员会", short_name=MARK, kind=Organization.Kind.COUNTY)
    village = Organization.objects.create(
        name=f"{MARK}第一村党支部委员会", short_name="第一村", kind=Organization.Kind.VILLAGE, parent=county
    )
    room = Room.objects.create(organization=village, name="基准村民群", audience=Room.Audience.RESIDENTS)
    users = User.objects.bulk_create(User(username=f"bench-chat-{n}", is_active=True) for n in range(CLIENTS + 1))
    users = list(User.objects.filter(username__startswith="bench-chat-").order_by("pk"))
    Membership.objects.bulk_create(
        Membership(room=room, user=user, nickname=f"村民{n}", role=Membership.Role.MEMBER)
        for n, user in enumerate(users)
    )
    sender = users[-1]
    RoleGrant.objects.create(user=sender, organization=village, role=Role.SECRETARY)
    Membership.objects.filter(room=room, user=sender).update(role=Membership.Role.ADMIN, nickname="村书记")
    keys = []
    for user in users:
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[-1]
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return room, keys[:-1], keys[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_asgi(port: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(PY).with_name("uvicorn")),
            "dangjian.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws-max-size",
            str(64 * 1024),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"uvicorn did not start on port {port}")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def start_redis() -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    folder = tempfile.mkdtemp(prefix="bench-redis-")
    redis = subprocess.Popen(  # noqa: S603
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            folder,
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return redis, f"redis://127.0.0.1:{port}/0", folder
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


def messages_in(frame: dict) -> list[dict]:
    """The message payloads a server frame carries (see dangjian/exchange/consumers.py)."""
    kind = frame.get("type")
    if kind == "message" and isinstance(frame.get("message"), dict):
        return [frame["message"]]
    if kind == "history" and isinstance(frame.get("messages"), list):
        return frame["messages"]
    return []


class Listener:
    def __init__(self, url: str, session: str, start_rev: int):
        self.url, self.session = url, session
        self.arrived: dict[int, float] = {}
        self.latencies: list[float] = []
        self.floor: int | None = start_rev  # every rev up to it seen (the room's rev before the run)
        self.above: set[int] = set()
        self.asked: set[int] = set()
        self.reconnections = 0
        self.failed_opens = 0  # attempts to open the socket that failed (refused, handshake timed out)

    async def fill_gaps(self, ws, frame: dict) -> None:
        """As room.js does: remember the revs seen, and ask the server for what lies in a gap."""
        revs = [m["rev"] for m in messages_in(frame) if "rev" in m]
        if frame.get("type") == "tick":
            revs.append(frame["rev"])
        for rev in revs:
            if self.floor is None:
                self.floor = rev - 1
            if rev > self.floor:
                self.above.add(rev)
        while self.floor is not None and self.floor + 1 in self.above:
            self.floor += 1
            self.above.discard(self.floor)
        if self.above and self.floor not in self.asked:
            self.asked.add(self.floor)
            await ws.send(json.dumps({"type": "since", "after": self.floor}))

    async def run(self, ready: asyncio.Event, stop_at: asyncio.Event) -> None:
        """Listen until told to stop; like room.js, a dropped connection is opened again and asks for what it
        missed (`since` the highest rev seen without a gap). Reconnections are counted."""
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session}", "Origin": ORIGIN}
        while not stop_at.is_set():
            opened = False
            try:
                async with websockets.connect(
                    self.url, additional_headers=headers, max_size=None, ping_interval=None
                ) as ws:
                    opened = True
                    if ready.is_set():
                        await ws.send(json.dumps({"type": "since", "after": self.floor}))
                    ready.set()
                    await self.listen(ws, stop_at)
            except (OSError, TimeoutError, websockets.ConnectionClosed, websockets.InvalidHandshake):
                if opened:
                    self.reconnections += 1
                else:
                    self.failed_opens += 1
                await asyncio.sleep(1)

    async def listen(self, ws, stop_at: asyncio.Event) -> None:
        while not stop_at.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            now = time.time()
            frame = json.loads(raw)
            await self.fill_gaps(ws, frame)
            for message in messages_in(frame):
                if message.get("id") in self.arrived or message.get("state") != "published":
                    continue
                self.arrived[message["id"]] = now
                try:
                    sent = float(message["body"].split("@", 1)[1])
                except (IndexError, ValueError, KeyError):
                    continue
                self.latencies.append((now - sent) * 1000)


async def measure(urls: list[str], sessions: list[str], sender_session: str, start_rev: int) -> dict:
    listeners = [Listener(urls[n % len(urls)], session, start_rev) for n, session in enumerate(sessions)]
    stop_at = asyncio.Event()
    readies = [asyncio.Event() for _ in listeners]
    tasks = []
    for n, (listener, ready) in enumerate(zip(listeners, readies, strict=True)):
        tasks.append(asyncio.create_task(listener.run(ready, stop_at)))
        if n % 50 == 49:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), timeout=120)
    connected = sum(1 for ready in readies if ready.is_set())
    await asyncio.sleep(1)
    sent = acked = 0
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={sender_session}", "Origin": ORIGIN}
    async with websockets.connect(urls[0], additional_headers=headers, max_size=None, ping_interval=None) as ws:
        started = time.monotonic()
        interval = 1 / RATE
        while time.monotonic() - started < SECONDS:
            due = started + sent * interval
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            frame = {"type": "send", "body": f"基准消息{sent}@{time.time():.6f}", "token": str(uuid.uuid4())}
            await ws.send(json.dumps(frame))
            sent += 1
        await asyncio.sleep(GRACE)
        stop_at.set()
        # What the sender's connection was told back (acks) is not needed: the database says what was stored.
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"listeners": listeners, "sent": sent, "acked": acked, "connected": connected}


def report(prefix: str, result: dict, room: Room, since_id: int) -> None:
    stored = set(
        Message.objects.filter(room=room, pk__gt=since_id, state=Message.State.PUBLISHED).values_list("pk", flat=True)
    )
    listeners = result["listeners"]
    latencies = [ms for listener in listeners for ms in listener.latencies]
    delivered = sum(len(set(listener.arrived) & stored) for listener in listeners)
    # Every listener should have received every message sent: a message never stored counts as lost too.
    lost = result["sent"] * len(listeners) - delivered
    print(f"{prefix}-clients {result['connected']} clients")
    percentiles = {}
    for q in (50, 95, 99):
        percentiles[q] = load.percentile(latencies, q) if latencies else float("nan")
        print(f"{prefix}-broadcast-p{q} {percentiles[q]:.1f} ms")
    met = percentiles[95] <= TARGET_P95_MS  # False for nan (nothing arrived)
    print(f"{prefix}-broadcast-p95-target-met {'yes' if met else 'no'} (p95 ≤ {TARGET_P95_MS:g} ms)")
    print(f"{prefix}-messages-sent {result['sent']} messages")
    print(f"{prefix}-messages-stored {len(stored)} messages")
    print(f"{prefix}-messages-delivered {delivered} receipts (of {result['sent'] * len(listeners)} expected)")
    print(f"{prefix}-messages-lost {lost} receipts")
    drops = sum(listener.reconnections for listener in listeners)
    failed = sum(listener.failed_opens for listener in listeners)
    print(f"# {prefix}: {drops} reconnections after a dropped connection, {failed} failed attempts to open one")


def main() -> None:
    cleanup()
    room, sessions, sender = build()
    print(
        f"# chat: {connection.vendor}, {len(sessions)} clients in one room, {RATE:g} messages/s for {SECONDS:g} s "
        f"(built here, deleted afterwards)",
        flush=True,
    )
    connection.close()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        CONN_MAX_AGE="0",
        EXCHANGE_PERSON_PER_MINUTE="100000",
        EXCHANGE_ROOM_PER_MINUTE="100000",
        REALTIME_ALLOWED_ORIGINS=ORIGIN,
    )
    env.pop("REDIS_URL", None)
    try:
        port = free_port()
        server = start_asgi(port, env)
        try:
            since = Message.objects.filter(room=room).order_by("-pk").values_list("pk", flat=True).first() or 0
            room.refresh_from_db()
            result = asyncio.run(
                measure([f"ws://127.0.0.1:{port}/ws/rooms/{room.pk}/"], sessions, sender, room.last_rev)
            )
            report("chat", result, room, since)
        finally:
            stop(server)
        redis, redis_url, folder = start_redis()
        servers = []
        try:
            ports = [free_port(), free_port()]
            servers = [start_asgi(p, dict(env, REDIS_URL=redis_url)) for p in ports]
            since = Message.objects.filter(room=room).order_by("-pk").values_list("pk", flat=True).first() or 0
            urls = [f"ws://127.0.0.1:{p}/ws/rooms/{room.pk}/" for p in ports]
            room.refresh_from_db()
            result = asyncio.run(measure(urls, sessions, sender, room.last_rev))
            report("chat-redis", result, room, since)
        finally:
            for server in servers:
                stop(server)
            stop(redis)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
