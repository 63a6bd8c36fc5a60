"""What the benches share: serving the site with gunicorn on a port, wrk against a path, percentiles."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(p / 100 * (len(ordered) - 1))), len(ordered) - 1)]


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen:
    """gunicorn with 2 sync workers on 127.0.0.1:<port>, once /healthz/ answers (or exit)."""
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "dangjian.wsgi",
            "--preload",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.1)
    os.killpg(server.pid, signal.SIGTERM)
    sys.exit("the server did not start")


def wrk(port: int, path: str, duration: str) -> tuple[float, float]:
    """Requests per second and p99 in ms of 2 threads and 32 connections for `duration` (exit on any error)."""
    out = subprocess.run(
        ["wrk", "-t2", "-c32", "-d", duration, "--latency", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    value, unit = float(p99.group(1)), p99.group(2)
    p99_ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        sys.exit(f"{path}: {non2xx.group(1)} error responses under load")
    return rps, p99_ms


def wrk_together(ports: list[int], path: str, duration: str) -> float:
    """Requests per second of one wrk per port run at the same time (each 1 thread and 16 connections: the same
    32 connections in all as `wrk`), summed: what several servers serve together."""
    runs = [
        subprocess.Popen(
            ["wrk", "-t1", "-c16", "-d", duration, f"http://127.0.0.1:{port}{path}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for port in ports
    ]
    total = 0.0
    for run in runs:
        out, _ = run.communicate()
        if run.returncode:
            sys.exit(f"{path}: wrk failed")
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if non2xx:
            sys.exit(f"{path}: {non2xx.group(1)} error responses under load")
        total += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return total
