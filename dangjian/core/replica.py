"""Reads from a PostgreSQL streaming replica (DATABASE_REPLICA_URL), never a stale read after one's own write.

With a replica configured (settings.DATABASES["replica"]), ReplicaMiddleware lets a request read from it when
the request is a GET or HEAD of a visitor who has not written lately; ReplicaRouter then sends its reads there
(public pages, policies, figures) and everything else to the primary:
- every write, and every read after the request's first write or inside a transaction, goes to the primary;
- a request that wrote marks its visitor with a short cookie (REPLICA_PIN_SECONDS), so the page they are sent
  to next reads from the primary too and shows what they saved, however far the replica lags;
- accounts, roles, sessions and tasks are always read from the primary: a revoked role or a new session holds
  at once on every server (REPLICA_PRIMARY_APPS);
- a cached public page made after a change is made from the replica only once the replica has replayed that
  change (core/cache.py keeps the primary's WAL position with the content generation);
- when the replica does not answer, reads go to the primary, and the replica is tried again after
  REPLICA_RETRY_SECONDS.
"""

from __future__ import annotations

import contextvars
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger("dangjian.replica")

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "dj_primary"


@dataclass
class _Reads:
    replica: bool  # this request may still read from the replica
    wrote: bool = False
    checked: bool = False  # the replica's connection was checked in this request


_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar("replica_reads", default=None)
_down_until = 0.0  # (monotonic) this process does not try the replica before then


def configured() -> bool:
    return REPLICA in settings.DATABASES


def _usable(state: _Reads) -> bool:
    """The replica answers (checked once per request: a connection it dropped when it stopped is replaced or
    found dead here, not in the middle of a page)."""
    global _down_until
    if state.checked:
        return state.replica
    state.checked = True
    if time.monotonic() < _down_until:
        state.replica = False
        return False
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        _down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        logger.warning(
            "replica: not answering, reading from the primary for %ss (%s)",
            settings.REPLICA_RETRY_SECONDS,
            type(error).__name__,
        )
        connection.close()
        state.replica = False
    return state.replica


def read_from_primary() -> None:
    """The rest of this request reads from the primary."""
    state = _reads.get()
    if state is not None:
        state.replica = False


def catch_up(position: str) -> None:
    """Read the rest of this request from the primary unless the replica has replayed the primary's WAL up to
    `position` (a pg_lsn as text; empty when unknown)."""
    if reads_from_replica() and not (position and _replayed(position)):
        read_from_primary()


def _replayed(position: str) -> bool:
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            row = cursor.fetchone()
    except DatabaseError:
        return False
    return bool(row and row[0])


def primary_position() -> str | None:
    """The primary's current WAL position, for a replica to be compared with (PostgreSQL only)."""
    if not configured():
        return None
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def reads_from_replica() -> bool:
    """This request's next read of the ordinary apps goes to the replica."""
    state = _reads.get()
    return state is not None and state.replica and not connections[PRIMARY].in_atomic_block and _usable(state)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in settings.REPLICA_PRIMARY_APPS:
            return PRIMARY
        return REPLICA if reads_from_replica() else PRIMARY

    def db_for_write(self, model, **hints):
        state = _reads.get()
        if state is not None:
            state.replica = False
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = _Reads(replica=request.method in ("GET", "HEAD") and PIN_COOKIE not in request.COOKIES)
        token = _reads.set(state)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if state.wrote:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
