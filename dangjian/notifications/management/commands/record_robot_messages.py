"""`manage.py record_robot_messages --port 8091`: a local stand-in for the group robots' webhooks (WeCom, DingTalk,
Feishu) for the demo (`make run` starts it): every message received is one JSON line in var/robots/received.jsonl,
DingTalk's and Feishu's signatures checked with `--secret`. The demo's robots point at it, e.g.
http://127.0.0.1:8091/dingtalk/send?access_token=demo."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from dangjian.notifications.recorder import DEMO_SECRET, RobotServer


class Command(BaseCommand):
    help = "Record the messages sent to group robots on a local port (the demo's stand-in for WeCom, DingTalk, Feishu)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8091)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--secret", default=DEMO_SECRET, help="the signing secret of the demo's robots")
        parser.add_argument("--output", default="", help="default: var/robots/received.jsonl")

    def handle(self, *args, **options):
        output = Path(options["output"] or Path(settings.VAR_DIR) / "robots" / "received.jsonl")
        server = RobotServer(secret=options["secret"], port=options["port"], host=options["host"], log_path=output)
        self.stdout.write(f"Recording group robot messages on http://{options['host']}:{server.port}/ into {output}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server._server.server_close()
