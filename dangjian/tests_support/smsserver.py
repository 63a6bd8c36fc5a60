"""A real HTTP server on loopback standing in for an SMS provider's gateway: it records what it receives and
can be told to fail (an HTTP status) or to answer too late (a delay), like the real one on a bad day."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    server: SmsGateway._Server

    def do_POST(self):  # noqa: N802 - http.server's hook name
        gateway = self.server.gateway
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if gateway.delay:
            time.sleep(gateway.delay)
        record = {"path": self.path, "headers": dict(self.headers.items()), "body": body}
        try:
            record["json"] = json.loads(body)
        except ValueError:
            record["json"] = None
        status = gateway.status
        if status < 300:
            gateway.received.append(record)
        else:
            gateway.refused.append(record)
        payload = json.dumps(gateway.answer if status < 300 else {"ok": False, "code": "BUSY"}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up waiting (a timeout test)

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass  # tests do not print


class SmsGateway:
    """`with SmsGateway() as gateway:` serves on 127.0.0.1:<free port>; `gateway.url` is its address."""

    class _Server(ThreadingHTTPServer):
        daemon_threads = True
        gateway: SmsGateway

    def __init__(self):
        self.received: list[dict] = []  # messages taken (2xx)
        self.refused: list[dict] = []  # requests answered with an error status
        self.status = 200
        self.delay = 0.0
        self.answer: dict = {"ok": True, "id": "m-1"}
        self._server = self._Server(("127.0.0.1", 0), _Handler)
        self._server.gateway = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/sms/send"

    def __enter__(self) -> SmsGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def options(self, **extra) -> dict:
        return {"url": self.url, "api_key": "test-key", "secret": "test-secret", "sign_name": "测试县", **extra}
