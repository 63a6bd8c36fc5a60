"""Sign-in limits hold across the web workers of `make run` (gunicorn, 2 workers, no Redis).

Each worker is a process of its own: counters kept in a worker's memory would let each of N workers
allow the full number of tries, and tell the owner "wait 15 minutes" on one request and let a guesser
in on the next. The real scripts/serve.sh serves a SQLite database here, as `make run` does.
"""

from __future__ import annotations

import http.client
import http.cookies
import re
import shutil
import tempfile
import urllib.parse
from pathlib import Path

from dangjian.core.tests.test_outage import Site

PASSWORD = "x-Outage-2026"
MOBILE = "13700000009"


def _sign_in(port: int, login: str, password: str) -> tuple[int, str]:
    """One sign-in as a browser makes it: the page (CSRF cookie and token), then the form, each on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    connection.close()
    cookie = http.cookies.SimpleCookie(response.getheader("Set-Cookie"))["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": login, "password": password})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, text


def test_9_4_a_locked_account_stays_locked_whichever_web_worker_answers():
    workdir = Path(tempfile.mkdtemp(prefix="dj-limits-"))
    site = Site(None, workdir)
    try:
        site.env["SQLITE_PATH"] = str(workdir / "site.sqlite3")
        site.env["LIMITS_CACHE_DIR"] = str(workdir / "limits")
        site.prepare()
        site.manage(
            "shell",
            "-c",
            f"from dangjian.accounts.models import User; User.objects.filter(username='secretary').update(mobile='{MOBILE}')",
        )
        site.start()
        answers = [_sign_in(site.port, "secretary", "wrong-password") for _ in range(9)]
        assert all(status == 200 for status, _page in answers)
        assert "分钟后再试" in answers[-1][1]
        # The owner (or the guesser who now has it) types the right password, by mobile number, a few times:
        # whichever worker answers, the account is paused.
        for _ in range(4):
            status, page = _sign_in(site.port, MOBILE, PASSWORD)
            assert status == 200 and "分钟后再试" in page, status
    finally:
        site.kill()
        shutil.rmtree(workdir, ignore_errors=True)
