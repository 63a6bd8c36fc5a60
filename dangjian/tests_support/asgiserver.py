"""The real-time side in tests: a uvicorn process (dangjian.asgi) on the test database, a private redis-server, and
a WebSocket client (the `websockets` library) signed in with a test client's session cookie."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path

from django.conf import settings
from django.db import connection

from dangjian.tests_support.mailserver import free_port

ROOT = Path(settings.BASE_DIR)
SITE = "https://dj.example.gov.cn"  # the tests' SITE_URL (conftest)


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not start: {log.read_text(errors='replace')[-3000:]}")


def server_env(**extra: str) -> dict:
    """The environment of a server process on this test's database (SQLite file or PostgreSQL)."""
    env = {**os.environ, "SITE_URL": SITE, "CONN_MAX_AGE": "0", **extra}
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["SQLITE_PATH"] = db["NAME"]
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


class AsgiServer:
    """`uvicorn dangjian.asgi:application` on a free loopback port."""

    def __init__(self, **env: str):
        self.port = free_port()
        self.env = env
        self.dir = Path(tempfile.mkdtemp(prefix="dj-asgi-"))
        self.log = self.dir / "server.log"

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def __enter__(self) -> AsgiServer:
        env = server_env(LIMITS_CACHE_DIR=str(self.dir / "limits"), **self.env)
        command = [sys.executable, "-m", "uvicorn", "dangjian.asgi:application", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--lifespan", "off", "--no-access-log"]
        command += ["--ws-max-size", str(settings.REALTIME_MAX_FRAME_BYTES)]
        self.out = self.log.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.out, stderr=subprocess.STDOUT)  # noqa: S603
        _wait_for_port(self.port, self.process, self.log)
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.out.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """A private redis-server on a free loopback port, nothing saved."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="dj-redis-"))
        self.log = self.dir / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.dir), "--logfile", str(self.log)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        self.log.touch()
        _wait_for_port(self.port, self.process, self.log)
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def cookie_of(client, user) -> str:
    """The Cookie header of `user` signed in (Django's test client writes the session to the database)."""
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def connect(url: str, cookie: str = "", origin: str | None = SITE, **kwargs):
    from websockets.asyncio.client import connect as ws_connect

    headers = {}
    if cookie:
        headers["Cookie"] = cookie
    return ws_connect(url, additional_headers=headers, origin=origin, open_timeout=10, **kwargs)  # type: ignore[arg-type]


# Frames read past by receive_until, per connection, in the order they came: a later call finds them (an ack and
# the broadcast of the same message may arrive in either order).
_pending: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def receive(ws, timeout: float = 10) -> dict:
    waiting = _pending.get(ws)
    if waiting:
        return waiting.pop(0)
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def receive_until(ws, predicate, timeout: float = 10) -> dict:
    """The first frame (kept from before, or new) that satisfies `predicate`; the others are kept for later calls.
    TimeoutError if none comes."""
    waiting = _pending.setdefault(ws, [])
    for n, frame in enumerate(waiting):
        if predicate(frame):
            return waiting.pop(n)
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        frame = json.loads(await asyncio.wait_for(ws.recv(), left))
        if predicate(frame):
            return frame
        waiting.append(frame)


async def send(ws, frame: dict) -> None:
    await ws.send(json.dumps(frame, ensure_ascii=False))
