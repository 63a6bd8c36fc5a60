"""A real SMTP server on loopback that records what it receives (the mail server is outside the platform).

Each message is recorded as {"to", "subject", "body", "attachments"}; an attachment is {"filename",
"content_type", "content" (bytes)}, so a test can open a received workbook or PDF.
"""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.content, policy=policy.default)
        attachments = [
            {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "content": part.get_payload(decode=True),
            }
            for part in message.iter_attachments()
        ]
        body = message.get_body(preferencelist=("plain",))
        self.messages.append(
            {
                "to": list(envelope.rcpt_tos),
                "subject": message["subject"],
                "body": body.get_content() if body is not None else "",
                "attachments": attachments,
            }
        )
        return "250 OK"


class MailServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self._recorder = _Recorder()
        self._controller = Controller(self._recorder, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[dict]:
        return self._recorder.messages

    def __enter__(self) -> MailServer:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()

    def mailers(self) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }
