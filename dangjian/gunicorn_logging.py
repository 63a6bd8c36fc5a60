"""gunicorn's access log without addresses, user agents or supervision requests.

Start gunicorn with `--logger-class dangjian.gunicorn_logging.PrivateAccessLogger` (scripts/serve.sh
does). Reporters of misconduct must leave no trace: no line is written for /supervision/ paths, and no
line holds a client address or user agent, whatever --access-logformat says.
"""

from gunicorn.glogging import Logger

PRIVATE_PATH_MARK = "/supervision/"
SAFE_FORMAT = '"%(r)s" %(s)s %(b)s %(M)sms'


class PrivateAccessLogger(Logger):
    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled or PRIVATE_PATH_MARK in environ.get("PATH_INFO", ""):
            return
        try:
            self.access_log.info(SAFE_FORMAT, self.atoms(resp, req, environ, request_time))
        except Exception:  # noqa: BLE001 - a log line must never break a response
            self.exception("Failed to write the access log line")
