"""Run programs side by side, start again any that exits, stop them all on Ctrl-C (used by serve.sh).

    supervise.py "NAME=COMMAND" ...

A program that exits, whatever the reason, is started again after a pause that doubles from 1 s
up to 30 s (back to 1 s once it has run for a minute); the others keep running. SIGINT or SIGTERM
stops them all: each gets SIGTERM and up to 30 s to finish, then SIGKILL.
"""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
import time

FIRST_DELAY, MAX_DELAY, STEADY_SECONDS, STOP_SECONDS = 1.0, 30.0, 60.0, 30.0


class Program:
    def __init__(self, name: str, command: list[str]):
        self.name, self.command = name, command
        self.process: subprocess.Popen | None = None
        self.started = 0.0
        self.delay = FIRST_DELAY
        self.restart_at = 0.0

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)  # noqa: S603 - commands come from serve.sh
        self.started = time.monotonic()

    def check(self, now: float) -> None:
        if self.process is None:
            if now >= self.restart_at:
                self.start()
            return
        status = self.process.poll()
        if status is None:
            return
        if now - self.started >= STEADY_SECONDS:
            self.delay = FIRST_DELAY
        print(
            f"serve: {self.name} exited with status {status}; starting it again in {self.delay:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        self.process = None
        self.restart_at = now + self.delay
        self.delay = min(self.delay * 2, MAX_DELAY)


def main(specs: list[str]) -> int:
    programs = []
    for spec in specs:
        name, _, command = spec.partition("=")
        programs.append(Program(name, shlex.split(command)))
    received: list[int] = []

    def stop(signum, frame):
        received.append(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for program in programs:
        program.start()
    while not received:
        now = time.monotonic()
        for program in programs:
            program.check(now)
        time.sleep(0.2)
    running = [p.process for p in programs if p.process is not None and p.process.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return 130 if received[0] == signal.SIGINT else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
