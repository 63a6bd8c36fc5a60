"""gunicorn's access log without addresses, user agents or supervision requests.

Start gunicorn with `--logger-class dangjian.gunicorn_logging.PrivateAccessLogger` (scripts/serve.sh
does). Reporters of misconduct must leave no trace: no line is written for /supervision/ paths, and no
line holds a client address or user agent, whatever --access-logformat says. A member's invitation token in a
path (/join/<token>/) is written as "/join/…/": whoever reads the log cannot use it.
"""

import re

from gunicorn.glogging import Logger

PRIVATE_PATH_MARK = "/supervision/"
SAFE_FORMAT = '"%(r)s" %(s)s %(b)s %(M)sms'
SECRET_IN_PATH = re.compile(r"/join/[^/\s?]+")  # members' invitation tokens (members/urls.py)


def without_secrets(text: str) -> str:
    return SECRET_IN_PATH.sub("/join/…", text)


class PrivateAccessLogger(Logger):
    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled or PRIVATE_PATH_MARK in environ.get("PATH_INFO", ""):
            return
        try:
            atoms = self.atoms(resp, req, environ, request_time)
            atoms["r"] = without_secrets(str(atoms["r"]))
            self.access_log.info(SAFE_FORMAT, atoms)
        except Exception:  # noqa: BLE001 - a log line must never break a response
            self.exception("Failed to write the access log line")
