"""E-mail digests of an organization's new articles (written with the portal pages)."""

from __future__ import annotations


def send_digests() -> dict:
    raise NotImplementedError("written with the portal pages")
