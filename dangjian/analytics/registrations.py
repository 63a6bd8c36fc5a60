"""What the usage summaries add to the shared pages (core.registry)."""

from dangjian.core.registry import PathColumn, register

from . import report_entries


def register_entries() -> None:
    register(PathColumn("analytics.figure.path", "analytics.Figure", "path"))
    report_entries.register_entries()
