"""The local recorder the tests and the demo use (tests_support/robotserver.py): it keeps what a robot would show
(one JSON line per message for `manage.py record_robot_messages`) and refuses what the service would refuse."""

import json
import time
import urllib.parse
import urllib.request

from dangjian.notifications.robots import dingtalk_sign, feishu_sign
from dangjian.tests_support.robotserver import RobotServer


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - the local recorder
        return json.loads(response.read())


def test_each_message_taken_is_one_json_line(tmp_path):
    log = tmp_path / "robots" / "received.jsonl"
    with RobotServer(secret="SECdemo", log_path=log) as server:
        ms = int(time.time() * 1000)
        sign = urllib.parse.quote_plus(dingtalk_sign("SECdemo", ms))
        url = f"http://127.0.0.1:{server.port}/dingtalk/send?access_token=demo&timestamp={ms}&sign={sign}"
        assert post(url, {"msgtype": "actionCard", "actionCard": {"title": "测试"}}) == {"errcode": 0, "errmsg": "ok"}
        assert post(f"http://127.0.0.1:{server.port}/wecom/send?key=demo", {"msgtype": "news"})["errcode"] == 0
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(x["kind"], x["signature"]) for x in lines] == [("dingtalk", "valid"), ("wecom", None)]
    assert lines[0]["json"]["actionCard"]["title"] == "测试"


def test_a_bad_or_missing_signature_is_refused_as_the_service_does():
    with RobotServer(secret="SECdemo") as server:
        seconds = int(time.time())
        stale = {"timestamp": str(seconds - 7200), "sign": feishu_sign("SECdemo", seconds - 7200)}
        assert post(server.url("feishu"), {"msg_type": "text", **stale})["code"] == 19021
        server.require_signature = True
        assert post(server.url("dingtalk"), {"msgtype": "text"})["errcode"] == 310000
        fresh = {"timestamp": str(seconds), "sign": feishu_sign("SECdemo", seconds)}
        assert post(server.url("feishu"), {"msg_type": "text", **fresh})["code"] == 0
    assert [r["signature"] for r in server.requests] == ["invalid", "invalid", "valid"]
    assert len(server.received) == 1
