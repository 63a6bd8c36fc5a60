"""A real HTTP server on loopback standing in for the group robots' webhooks (企业微信, 钉钉, 飞书): it records each
request (path, query, JSON body), checks DingTalk's and Feishu's signatures with a known secret, answers as the
service does, and can be told to fail (an HTTP status, a late answer, the service's own refusal, a redirect, an
answer that is not JSON), like the real one on a bad day.

Which service a request is for comes from its path: the services' own (/cgi-bin/webhook/send, /robot/send,
/open-apis/bot/v2/hook/<id>) or /wecom/..., /dingtalk/..., /feishu/... (the demo's addresses, e.g.
http://127.0.0.1:8091/dingtalk/send?access_token=demo). Used by `manage.py record_robot_messages` (the demo's
recorder, one JSON line per message; `make run` starts it) and by the tests (tests_support/robotserver.py).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SIGN_WINDOW_S = 3600  # both services refuse a timestamp more than an hour away


# The signing secret of the demo county's robots, which the recorder `make run` starts checks by default.
DEMO_SECRET = "SECdemo"


def service_of(path: str) -> str:
    path = path.split("?", 1)[0]
    if path.startswith(("/wecom/", "/cgi-bin/webhook/")):
        return "wecom"
    if path.startswith(("/dingtalk/", "/robot/")):
        return "dingtalk"
    if path.startswith(("/feishu/", "/open-apis/bot/")):
        return "feishu"
    return ""


def _b64_hmac(key: bytes, msg: bytes) -> str:
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


def dingtalk_signature_ok(query: dict, secret: str) -> bool:
    """DingTalk's check: timestamp (ms) within an hour, sign = base64 HMAC-SHA256(secret, "<ts>\\n<secret>")."""
    timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
    if not timestamp.isdigit() or abs(int(timestamp) / 1000 - time.time()) > SIGN_WINDOW_S:
        return False
    expected = _b64_hmac(secret.encode(), f"{timestamp}\n{secret}".encode())
    return hmac.compare_digest(expected, sign)  # parse_qs already URL-decoded it


def feishu_signature_ok(body: dict, secret: str) -> bool:
    """Feishu's check: timestamp (s, a string) within an hour, sign = base64 HMAC-SHA256 keyed "<ts>\\n<secret>"."""
    timestamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
    if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > SIGN_WINDOW_S:
        return False
    expected = _b64_hmac(f"{timestamp}\n{secret}".encode(), b"")
    return hmac.compare_digest(expected, sign)


OK_ANSWERS = {
    "wecom": {"errcode": 0, "errmsg": "ok"},
    "dingtalk": {"errcode": 0, "errmsg": "ok"},
    "feishu": {"code": 0, "msg": "success", "data": {}},
}
SIGN_REFUSALS = {
    "dingtalk": {
        "errcode": 310000,
        "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]",
    },
    "feishu": {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"},
}


class _Handler(BaseHTTPRequestHandler):
    server: RobotServer._Server

    def do_POST(self):  # noqa: N802 - http.server's hook name
        recorder = self.server.recorder
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        split = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(split.query))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        kind = service_of(split.path)
        record = {
            "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "kind": kind,
            "path": split.path,
            "query": query,
            "json": body,
            "signature": recorder.check_signature(kind, query, body),
        }
        if recorder.delay:
            time.sleep(recorder.delay)
        status, answer = recorder.answer_for(kind, record)
        with recorder.lock:
            recorder.requests.append(record)
            if status == 200 and isinstance(answer, dict) and answer in OK_ANSWERS.values():
                recorder.received.append(record)
                recorder.log(record)
        headers = {}
        if 300 <= status < 400:
            headers["Location"] = recorder.redirect_to
        payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if not isinstance(answer, bytes) else "text/html")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up waiting (a timeout test)

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass  # tests do not print


class RobotServer:
    """`with RobotServer(secret="SEC...") as server:` serves on 127.0.0.1:<port> (a free one by default);
    `server.url("dingtalk")` is a webhook address for it. `received` holds the messages taken, `requests` every
    request. Signed messages are checked with `secret` (unsigned ones taken unless `require_signature`). Set
    `status` (e.g. 500), `delay` (seconds), `errcode` (the service's refusal), `redirect_to`, or
    `not_json` to make it fail."""

    class _Server(ThreadingHTTPServer):
        daemon_threads = True
        recorder: RobotServer

    def __init__(self, secret: str = "", port: int = 0, host: str = "127.0.0.1", log_path: Path | None = None):
        self.secret = secret
        self.require_signature = False
        self.received: list[dict] = []
        self.requests: list[dict] = []
        self.status = 200
        self.delay = 0.0
        self.errcode = 0
        self.redirect_to = ""
        self.not_json = False
        self.log_path = log_path
        self.lock = threading.Lock()
        self._server = self._Server((host, port), _Handler)
        self._server.recorder = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, kind: str, token: str = "test-token-0001") -> str:  # noqa: S107 - a test address
        host = str(self._server.server_address[0])
        base = f"http://{host}:{self.port}"
        if kind == "wecom":
            return f"{base}/cgi-bin/webhook/send?key={token}"
        if kind == "dingtalk":
            return f"{base}/robot/send?access_token={token}"
        return f"{base}/open-apis/bot/v2/hook/{token}"

    def check_signature(self, kind: str, query: dict, body) -> str | None:
        """ "valid", "invalid" (refused, as the service does), or None when the message is not signed (a robot
        without 加签; refused too with `require_signature`)."""
        if kind == "dingtalk":
            signed = "sign" in query
        elif kind == "feishu":
            signed = isinstance(body, dict) and "sign" in body
        else:
            return None
        if not signed and not self.require_signature:
            return None
        if kind == "dingtalk":
            ok = bool(self.secret) and dingtalk_signature_ok(query, self.secret)
        else:
            ok = bool(self.secret) and isinstance(body, dict) and feishu_signature_ok(body, self.secret)
        return "valid" if ok else "invalid"

    def answer_for(self, kind: str, record: dict) -> tuple[int, dict | bytes]:
        if self.redirect_to:
            return 302, {}
        if self.status != 200:
            return self.status, {"error": "server busy"}
        if self.not_json:
            return 200, b"<html><body>502 Bad Gateway</body></html>"
        if not kind:
            return 404, {"errcode": 404, "errmsg": "no such robot"}
        if record["signature"] == "invalid":
            return 200, SIGN_REFUSALS[kind]
        if self.errcode:
            if kind == "feishu":
                return 200, {"code": self.errcode, "msg": "robot refused (test)"}
            return 200, {"errcode": self.errcode, "errmsg": "robot refused (test)"}
        return 200, OK_ANSWERS[kind]

    def log(self, record: dict) -> None:
        if self.log_path is None:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

    def start(self) -> RobotServer:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> RobotServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
