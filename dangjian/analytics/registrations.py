"""What the usage summaries add to the shared pages (core.registry)."""

from dangjian.core.registry import PathColumn, register


def register_entries() -> None:
    register(
        PathColumn("analytics.figure.path", "analytics.Figure", "path"),
        PathColumn("analytics.lastchange.path", "analytics.LastChange", "path"),
    )
