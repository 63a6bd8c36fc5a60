"""What the live area adds to the shared pages (core/registry.py)."""

from __future__ import annotations


def register() -> None:
    pass
