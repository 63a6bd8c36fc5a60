"""A private PostgreSQL primary with a streaming replica, as production runs them (docs/deploy.md), for tests.

Debian's PostgreSQL binaries (the `postgresql` package CI installs), two data directories in a temporary
directory, loopback ports, trust authentication on loopback only. The replica is made as an operator makes one:
`pg_basebackup -R` from the primary (a hot standby streaming its WAL). Run as the `postgres` user when the tests
run as root (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from dangjian.tests_support.mailserver import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name) or name


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresPair:
    """`with PostgresPair() as pg:` pg.primary_url / pg.replica_url for database `dangjian`; pg.stop_replica() and
    pg.start_replica() to take the replica away and bring it back."""

    def __init__(self, database: str = "dangjian"):
        self.database = database
        self.primary_port, self.replica_port = free_port(), free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="dj-pgpair-"))
        self.primary_dir, self.replica_dir = self.dir / "primary", self.dir / "replica"

    def _run(self, *command: str) -> str:
        result = subprocess.run(_as_owner(list(command)), capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{self.database}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def _ctl(self, data: Path, action: str) -> None:
        self._run(
            _bin("pg_ctl"), "-D", str(data), "-l", str(data.parent / f"{data.name}.log"), "-w", "-t", "60", action
        )

    def __enter__(self) -> PostgresPair:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            _bin("initdb"), "-D", str(self.primary_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        settings = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.primary_port}",
            f"unix_socket_directories = '{self.dir}'",
            "wal_level = replica",
            "max_wal_senders = 4",
            "hot_standby = on",
            "fsync = off",  # a test's data: speed over durability
            "full_page_writes = off",
        ]
        self._append(self.primary_dir / "postgresql.conf", settings)
        self._ctl(self.primary_dir, "start")
        self._run(_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres", self.database)
        self._run(
            _bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-D", str(self.replica_dir), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast",
        )  # fmt: skip
        self._append(self.replica_dir / "postgresql.conf", [f"port = {self.replica_port}"])
        self.start_replica()
        return self

    def _append(self, path: Path, lines: list[str]) -> None:
        self._run("sh", "-c", f"printf '%s\\n' \"$@\" >> {path}", "sh", *lines)

    def start_replica(self) -> None:
        self._ctl(self.replica_dir, "start")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            out = self._run(
                _bin("psql"), "-h", "127.0.0.1", "-p", str(self.replica_port), "-U", "postgres", "-tAc",
                "SELECT pg_is_in_recovery() AND pg_last_wal_receive_lsn() IS NOT NULL", self.database,
            )  # fmt: skip
            if out.strip() == "t":
                return
            time.sleep(0.2)
        raise RuntimeError("the replica did not start streaming")

    def stop_replica(self) -> None:
        self._ctl(self.replica_dir, "stop")

    def __exit__(self, *exc) -> None:
        for data in (self.replica_dir, self.primary_dir):
            if (data / "postmaster.pid").exists():
                subprocess.run(  # noqa: S603
                    _as_owner([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                    capture_output=True,
                    check=False,
                )
        shutil.rmtree(self.dir, ignore_errors=True)
