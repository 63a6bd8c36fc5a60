"""What the full-text indexes of several modules share (policies/search.py, feedback/search.py)."""

from __future__ import annotations


def sqlite_objects_present(cursor, names: set[str]) -> set[str]:
    """Which of the named tables and triggers exist in the SQLite database (a later table rebuild drops them)."""
    placeholders = ",".join("%s" for _ in names)
    cursor.execute(f"SELECT name FROM sqlite_master WHERE name IN ({placeholders})", list(names))  # noqa: S608
    return {row[0] for row in cursor.fetchall()}
