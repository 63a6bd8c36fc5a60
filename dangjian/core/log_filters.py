"""Logging filters: keep what would trace a reporter out of the platform's logs.

Django's request logger writes a line with the path for every 4xx/5xx answer ("Bad Request:
/o/3/supervision/new/"), which would record that someone used the reporters' pages, and when. Like the
gunicorn access log (gunicorn_logging.py), the platform's own logs keep no line about those pages.
"""

import logging
import re

SUPERVISION_MARK = "/supervision/"


class NoSupervisionRequests(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", "") or ""
        if SUPERVISION_MARK in path:
            return False
        return SUPERVISION_MARK not in record.getMessage()


class RefusalsWithoutTraceback(logging.Filter):
    """A refusal (403, 404, 400) is the platform working as meant: one line, not a traceback that buries the
    server errors a maintainer must see. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


SECRET_IN_PATH = re.compile(r"/join/[^/\s?]+")  # members' invitation tokens (members/urls.py)


class NoSecretTokens(logging.Filter):
    """A member's invitation link holds a token that sets a password: a log line about it ("Not Found:
    /join/<token>/") says "/join/…/" instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any("/join/" in str(arg) for arg in record.args):
            record.args = tuple(SECRET_IN_PATH.sub("/join/…", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str) and "/join/" in record.msg:
            record.msg = SECRET_IN_PATH.sub("/join/…", record.msg)
        return True
