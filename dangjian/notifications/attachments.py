"""Files an e-mail notification carries: `notify(..., attachments=[MailAttachment(...)])`.

An attachment is a file the sending app has already stored in the default storage (a private file under
MEDIA_ROOT, never served by its path, e.g. a usage report); the notification keeps its shown name, its storage
path, its content type and its size (`Notification.attachments`), and the mail channel reads the file when it
sends (mail.py), so the bytes are not copied into the database once per recipient. The console channel shows
no attachment: the row links to the sender's own permission-checked page, as every notification does.

Limits (settings): at most `MAIL_ATTACHMENTS_MAX_COUNT` files and `MAIL_ATTACHMENTS_MAX_BYTES` in all (10 MiB by
default: base64 makes a mail a third larger than its files, and many mail servers refuse 20 MB and more).
notify() refuses more (ValueError: the sender's mistake; `within_limits` lets it check first and send the
link alone instead). A file gone by the time the mail is sent is left out and the mail says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage

NAME_MAX = 100
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True)
class MailAttachment:
    name: str  # the file name the recipient sees, e.g. "测试县-2026年第3季度-使用情况报告.pdf"
    path: str  # its name in the default storage
    content_type: str = "application/octet-stream"


def safe_name(name: str) -> str:
    """A file name without path separators or control characters, at most NAME_MAX characters."""
    cleaned = _UNSAFE.sub("_", str(name or "")).strip(" .") or "attachment"
    if len(cleaned) > NAME_MAX:
        stem, dot, extension = cleaned.rpartition(".")
        cleaned = (
            (stem[: NAME_MAX - len(extension) - 1] + "." + extension)
            if dot and len(extension) < 10
            else cleaned[:NAME_MAX]
        )
    return cleaned


def max_bytes() -> int:
    return int(getattr(settings, "MAIL_ATTACHMENTS_MAX_BYTES", 10 * 1024 * 1024))


def max_count() -> int:
    return int(getattr(settings, "MAIL_ATTACHMENTS_MAX_COUNT", 5))


def described(attachments: Sequence[MailAttachment]) -> list[dict]:
    """What a notification stores of its attachments; ValueError for a missing file or beyond the limits."""
    if len(attachments) > max_count():
        raise ValueError(f"A notification carries at most {max_count()} attachments.")
    rows: list[dict] = []
    for attachment in attachments:
        if not default_storage.exists(attachment.path):
            raise ValueError(f"The attachment {attachment.path!r} is not in the storage.")
        rows.append(
            {
                "name": safe_name(attachment.name),
                "path": attachment.path,
                "type": attachment.content_type or "application/octet-stream",
                "size": default_storage.size(attachment.path),
            }
        )
    total = sum(int(row["size"]) for row in rows)
    if total > max_bytes():
        raise ValueError(f"The attachments hold {total} bytes; a notification carries at most {max_bytes()}.")
    return rows


def within_limits(attachments: Sequence[MailAttachment]) -> bool:
    """Whether notify() takes these attachments (every file stored, not too many, not too large)."""
    try:
        described(attachments)
    except ValueError:
        return False
    return True
