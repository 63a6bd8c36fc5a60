"""Sending queued robot deliveries (push.py): to be written with the adapters (WeCom, DingTalk, Feishu)."""

from __future__ import annotations


def deliver_due() -> dict:
    raise NotImplementedError("push_delivery.deliver_due is written with the robot adapters")
