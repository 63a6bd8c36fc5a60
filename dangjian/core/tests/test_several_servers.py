"""The platform on several servers, as docs/deploy.md lays it out: two gunicorn servers (A and B) sharing a real
PostgreSQL primary with a streaming replica (tests_support/pgpair.py) and a real Redis.

Everything is reached over HTTP as a browser would (cookies, CSRF tokens): what one server writes, the other must
show at once; a session or a sign-in lock made on one holds on the other; reads go to the replica and fall back
to the primary when it stops. Whatever database the rest of the suite uses, this module brings its own.
"""

from __future__ import annotations

import html
import http.cookiejar
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from PIL import Image

from dangjian.tests_support.asgiserver import ROOT, RedisServer
from dangjian.tests_support.mailserver import free_port
from dangjian.tests_support.pgpair import PostgresPair

PASSWORD = "Several-Servers-2026"


class Http:
    """A visitor with its own cookies, talking to any of the servers."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, request: str | urllib.request.Request) -> tuple[int, str, bytes]:
        """Status, content type and body of a request; an error status is an answer too."""
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.read()

    def get(self, url: str) -> tuple[int, str]:
        status, _type, body = self.open(url)
        return status, body.decode(errors="replace")

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def _form(self, form_url: str, fields: dict[str, str]) -> dict[str, str]:
        """The form's hidden fields (the CSRF token, the record's version) read from its page, `fields` over them."""
        _status, page = self.get(form_url)
        hidden = re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
        return {**{html.unescape(name): html.unescape(value) for name, value in hidden}, **fields}

    def _post(self, url: str, body: bytes, content_type: str) -> tuple[int, str]:
        request = urllib.request.Request(
            url, data=body, headers={"Referer": url, "Content-Type": content_type}, method="POST"
        )
        status, _type, answer = self.open(request)
        return status, answer.decode(errors="replace")

    def post_form(self, url: str, fields: dict[str, str], form_url: str | None = None) -> tuple[int, str]:
        """GET the form, then POST it with `fields` filled in."""
        data = self._form(form_url or url, fields)
        return self._post(url, urllib.parse.urlencode(data).encode(), "application/x-www-form-urlencoded")

    def post_multipart(
        self, url: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
    ) -> tuple[int, str]:
        """GET the form, then POST it as multipart/form-data with `fields` and `files` (name: (filename, bytes,
        content type)), as a browser sends an upload."""
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in self._form(url, fields).items():
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content, content_type) in files.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n".encode()
            )
            body.write(content + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        return self._post(url, body.getvalue(), f"multipart/form-data; boundary={boundary}")

    def sign_in(self, server: str, username: str, password: str = PASSWORD) -> tuple[int, str]:
        return self.post_form(f"{server}/accounts/login/", {"username": username, "password": password})


class Cluster:
    def __init__(self, pg: PostgresPair, redis: RedisServer, workdir: Path):
        self.pg, self.redis, self.workdir = pg, redis, workdir
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "SQLITE_TEST_PATH")},
            "DATABASE_URL": pg.primary_url,
            "DATABASE_REPLICA_URL": pg.replica_url,
            "REDIS_URL": redis.url,
            "DANGJIAN_VAR_DIR": str(workdir / "var"),
            "MEDIA_ROOT": str(workdir / "media"),  # the shared path of uploaded files
            "STATIC_ROOT": str(workdir / "static"),
            "DJANGO_SECRET_KEY": "several-servers-secret-key-several-servers-0123456789abcdef",
            "DJANGO_DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "REPLICA_RETRY_SECONDS": "2",
            "LOGIN_FAILURE_LIMIT": "3",
        }
        self.servers: list[subprocess.Popen] = []
        self.urls: list[str] = []

    def manage(self, *args: str) -> str:
        # Set-up, not a measure: migrating takes about 30 s of CPU, more on a busy CI machine.
        result = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.strip()

    def start(self, count: int = 2) -> None:
        for number in range(count):
            port = free_port()
            log = (self.workdir / f"server-{number}.log").open("w")
            self.servers.append(
                subprocess.Popen(  # noqa: S603
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "dangjian.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            self.urls.append(f"http://127.0.0.1:{port}")
        for url, server in zip(self.urls, self.servers, strict=True):
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, self.logs()
                try:
                    urllib.request.urlopen(f"{url}/healthz/", timeout=2).read()
                    break
                except OSError:
                    assert time.monotonic() < deadline, self.logs()
                    time.sleep(0.2)

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in self.workdir.glob("server-*.log"))

    def stop(self) -> None:
        for server in self.servers:
            server.terminate()
        for server in self.servers:
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()

    def primary(self, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(self.pg.primary_url.replace("postgres://", "postgresql://"), autocommit=True) as db:
            return db.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def cluster():
    workdir = Path(tempfile.mkdtemp(prefix="dj-servers-"))
    with PostgresPair() as pg, RedisServer() as redis:
        site = Cluster(pg, redis, workdir)
        site.manage("migrate", "--noinput", "-v0")
        site.manage("collectstatic", "--noinput", "-v0")
        site.village = int(
            site.manage(
                "shell",
                "-c",
                "from dangjian.accounts.models import Role, RoleGrant, User\n"
                "from dangjian.organizations.models import Organization\n"
                "c = Organization.objects.create(name='东湖县委', short_name='东湖县', kind='county')\n"
                "v = Organization.objects.create(name='东城镇王庄村党支部委员会', short_name='王庄村', kind='village', "
                "parent=c, intro='王庄村位于东湖北岸。')\n"
                f"u = User.objects.create_user(username='editor', password='{PASSWORD}', full_name='王编辑')\n"
                "RoleGrant.objects.create(user=u, organization=v, role=Role.ORG_ADMIN)\n"
                "import datetime\n"
                "from dangjian.organizations.models import Term\n"
                "Term.objects.create(organization=v, name='第十二届', elected_on=datetime.date(2025, 1, 1), "
                "ends_on=datetime.date(2029, 12, 31))\n"
                f"User.objects.create_user(username='other', password='{PASSWORD}', full_name='李四')\n"
                "print(v.pk)",
            ).splitlines()[-1]
        )
        site.start()
        try:
            yield site
        finally:
            site.stop()
            shutil.rmtree(workdir, ignore_errors=True)


def _portal(site: Cluster, server: int, visitor: Http | None = None) -> str:
    status, page = (visitor or Http()).get(f"{site.urls[server]}/o/{site.village}/")
    assert status == 200, page[-2000:]
    return page


def test_a_change_saved_through_one_server_shows_on_the_other_at_once(cluster):
    a, b = cluster.urls
    # Both servers have the portal cached as it is.
    for server in (0, 1):
        assert "王庄村位于东湖北岸。" in _portal(cluster, server)
        assert "王庄村位于东湖北岸。" in _portal(cluster, server)
    editor = Http()
    assert editor.sign_in(a, "editor")[0] == 200
    status, page = editor.post_form(
        f"{a}/console/o/{cluster.village}/profile/",
        {
            "name": "东城镇王庄村党支部委员会",
            "short_name": "王庄村",
            "intro": "王庄村新修了村史馆。",
            "address": "",
            "phone": "",
        },
    )
    assert status == 200 and "已保存" in page, page[-3000:]
    # The very next request to B, by someone else, shows the change: B's cached page is void (the content
    # generation is shared in Redis) and B made the new one only from a replica that has the change.
    assert "王庄村新修了村史馆。" in _portal(cluster, 1)
    assert "王庄村新修了村史馆。" in _portal(cluster, 0)


def test_a_session_made_on_one_server_works_on_the_other(cluster):
    a, b = cluster.urls
    editor = Http()
    assert editor.sign_in(a, "editor")[0] == 200
    status, page = editor.get(f"{b}/console/o/{cluster.village}/profile/")
    assert status == 200 and 'name="intro"' in page
    # Signing out on B ends the session on A too.
    status, page = editor.post_form(f"{b}/accounts/logout/", {}, form_url=f"{b}/console/")
    status, page = editor.get(f"{a}/console/o/{cluster.village}/profile/")
    assert 'name="intro"' not in page and 'name="password"' in page


def test_a_sign_in_lock_set_through_one_server_holds_on_the_other(cluster):
    a, b = cluster.urls
    guesser = Http()
    for _ in range(3):  # LOGIN_FAILURE_LIMIT in this cluster
        guesser.sign_in(a, "other", "wrong-password-1")
    # The right password on B is refused while the account is locked, with the wait in Chinese.
    visitor = Http()
    status, page = visitor.sign_in(b, "other")
    assert status == 200 and "该账号密码错误次数过多" in page, page[-2000:]
    assert visitor.cookie("sessionid") is None


def test_public_pages_read_from_the_replica_and_keep_working_when_it_stops(cluster):
    a, b = cluster.urls

    def replica_reads() -> int:
        with psycopg.connect(cluster.pg.replica_url.replace("postgres://", "postgresql://"), autocommit=True) as db:
            return db.execute(
                "SELECT coalesce(sum(idx_scan + seq_scan), 0) FROM pg_stat_user_tables WHERE relname = %s",
                ["organizations_organization"],
            ).fetchone()[0]

    visitor = Http()
    before = replica_reads()
    status, _page = visitor.get(
        f"{b}/find/?q=%E7%8E%8B%E5%BA%84"
    )  # a search result is never cached: computed each time
    assert status == 200
    time.sleep(0.6)  # statistics reach pg_stat views with a short delay
    assert replica_reads() > before  # the public page read the organizations from the replica
    cluster.pg.stop_replica()
    try:
        for server in (0, 1):
            for _ in range(3):
                status, page = visitor.get(f"{cluster.urls[server]}/find/?q=%E7%8E%8B%E5%BA%84")
                assert status == 200 and "王庄村" in page, page[-2000:]
        editor = Http()
        assert editor.sign_in(a, "editor")[0] == 200
        assert editor.get(f"{b}/console/o/{cluster.village}/profile/")[0] == 200
    finally:
        cluster.pg.start_replica()


def test_a_photo_uploaded_through_one_server_is_served_by_the_other(cluster):
    a, b = cluster.urls
    editor = Http()
    assert editor.sign_in(a, "editor")[0] == 200
    term = cluster.primary("SELECT id FROM organizations_term WHERE organization_id = %s", [cluster.village])[0][0]
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 30, 30)).save(photo, "JPEG")
    status, page = editor.post_multipart(
        f"{a}/console/o/{cluster.village}/leaders/new/",
        {"term": str(term), "name": "赵新民", "post": "党支部书记", "duties": "主持全面工作", "cv": "", "contact": "",
         "sort_order": "0"},
        {"photo_upload": ("书记.jpg", photo.getvalue(), "image/jpeg")},
    )  # fmt: skip
    assert status == 200 and "已保存" in page, page[-3000:]
    leader = cluster.primary("SELECT id FROM organizations_leader WHERE name = %s", ["赵新民"])[0][0]
    # The file went to MEDIA_ROOT, the path every server mounts: B serves it to a visitor at once.
    status, content_type, content = Http().open(f"{b}/o/{cluster.village}/leaders/{leader}/photo/")
    assert status == 200 and content_type == "image/jpeg"
    assert Image.open(io.BytesIO(content)).size == (640, 480)
