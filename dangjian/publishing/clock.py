"""Publishing's periodic work: articles whose time has come are published (written with the review workflow)."""

from __future__ import annotations


def publish_due_articles() -> dict:
    raise NotImplementedError("written with the review workflow")
