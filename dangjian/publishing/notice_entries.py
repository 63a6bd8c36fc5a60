"""What the notices area adds to the shared pages (menu, to-do lines, panels, portal sections and blocks,
usage metrics, tracked models): called from registrations.register_entries()."""

from __future__ import annotations


def register() -> None:
    pass
