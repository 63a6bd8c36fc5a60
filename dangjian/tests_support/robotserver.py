"""The group robots' local recording server for tests: `with RobotServer(secret="SEC...") as server:` and
`server.url("dingtalk")`, `server.received`, `server.status = 500`, ... It is the same server `manage.py
record_robot_messages` runs for the demo, kept in notifications/recorder.py."""

from dangjian.notifications.recorder import (
    OK_ANSWERS,
    SIGN_REFUSALS,
    RobotServer,
    dingtalk_signature_ok,
    feishu_signature_ok,
    service_of,
)

__all__ = [
    "OK_ANSWERS",
    "SIGN_REFUSALS",
    "RobotServer",
    "dingtalk_signature_ok",
    "feishu_signature_ok",
    "service_of",
]
