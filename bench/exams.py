"""Exams under load: 100 examinees at once, each starting an attempt, opening the paper, saving every answer as
it is given (one POST per question, as exam.js does) and handing in, over and over for BENCH_DURATION.

Run by `bench/run.py` (`make bench`), or alone: `python -m bench.exams` (the same database as `make bench`:
SQLite under var/bench, or DATABASE_URL). Adds a county with one village, BENCH_EXAMINEES members with accounts
(signed in by sessions made here, not through the rate-limited sign-in), a 60-question bank and an open exam of
20 questions; serves the database with gunicorn (2 sync workers, as `make run`) and drives it from one thread per
examinee over keep-alive connections. Prints:
- `exam-submit-rps`: papers handed in (and graded) per second;
- `exam-page-p95`: the paper page's 95th percentile under that load;
- `exam-answers-lost`: answers the server acknowledged (200) that are not in AttemptAnswer afterwards: must be 0.
Everything it added is deleted afterwards.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = int(os.environ.get("BENCH_EXAMS_PORT", "8029"))
EXAMINEES = int(os.environ.get("BENCH_EXAMINEES", "100"))
DURATION = float(os.environ.get("BENCH_DURATION", "10s").rstrip("s"))
BENCH_DIR = ROOT / "var" / "bench"
MARK = "基准考试县"
QUESTIONS = 20


def _configure() -> None:
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("MEDIA_ROOT", str(BENCH_DIR / "media"))
    if not os.environ.get("DATABASE_URL") and not os.environ.get("SQLITE_PATH"):
        policies = int(os.environ.get("BENCH_POLICIES", "100000"))
        os.environ["SQLITE_PATH"] = str(BENCH_DIR / f"bench-{policies}.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)


_configure()
subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)
subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from dangjian.learning.models import Attempt, AttemptAnswer, Exam, ExamRule, Question, QuestionBank  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.organizations.models import Organization  # noqa: E402

User = get_user_model()
QUESTION_RE = re.compile(r'data-question="(\d+)"')
INPUT_RE = re.compile(r'name="q(\d+)" value="([^"]*)"')


def cleanup() -> None:
    for county in Organization.objects.filter(name=f"{MARK}委员会", parent__isnull=True):
        exams = Exam.objects.filter(organization=county)
        AttemptAnswer.objects.filter(attempt__exam__in=exams).delete()
        from dangjian.learning.models import Certificate

        Certificate.objects.filter(attempt__exam__in=exams).delete()
        Attempt.objects.filter(exam__in=exams).delete()
        exams.delete()
        QuestionBank.objects.filter(organization=county).delete()
        subtree = Organization.objects.filter(path__startswith=county.path)
        Member.objects.filter(organization__in=subtree).delete()
        subtree.filter(depth__gt=county.depth).delete()
        county.delete()
    User.objects.filter(username__startswith="bench-examinee-").delete()


def build() -> tuple[Exam, list]:
    from dangjian.tests_support import factories as f

    county = Organization.objects.create(name=f"{MARK}委员会", short_name=MARK, kind=Organization.Kind.COUNTY)
    village = Organization.objects.create(
        name=f"{MARK}第一村党支部委员会", short_name="第一村", kind=Organization.Kind.VILLAGE, parent=county
    )
    bank = QuestionBank.objects.create(organization=county, name="基准题库")
    Question.objects.bulk_create(
        Question(
            bank=bank,
            kind=Question.Kind.SINGLE,
            text=f"第{n}题：党的根本宗旨是什么？",
            options=["发展经济", "全心全意为人民服务", "改革开放", "依法治国"],
            answer=[1],
            explanation="党章总纲。",
        )
        for n in range(60)
    )
    exam = Exam.objects.create(
        organization=county,
        bank=bank,
        title="基准考试",
        time_limit_minutes=60,
        max_attempts=10_000,
        certifying=True,
        state=Exam.State.OPEN,
    )
    ExamRule.objects.create(exam=exam, count=QUESTIONS, points=5)
    users = []
    for n in range(EXAMINEES):
        user = User.objects.create_user(f"bench-examinee-{n}", password=None, full_name=f"考生{n}")
        f.member(village, f"考生{n}", user=user)
        users.append(user)
    return exam, users


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Examinee(threading.Thread):
    def __init__(self, exam_id: int, session: str, until: float, tally: dict, lock: threading.Lock):
        super().__init__()
        self.exam_id, self.until, self.tally, self.lock = exam_id, until, tally, lock
        csrf = secrets.token_hex(16)
        self.headers = {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        self.acked: list[tuple[int, int]] = []
        self.pages: list[float] = []
        self.submitted = 0
        self.errors = 0

    def request(self, method: str, path: str, body: str = "") -> tuple[int, dict, str]:
        try:
            self.connection.request(method, path, body=body or None, headers=self.headers)
            response = self.connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
            self.errors += 1
            return 0, {}, ""

    def run(self) -> None:
        while time.monotonic() < self.until:
            status, headers, _body = self.request("POST", f"/learning/exams/{self.exam_id}/start/")
            match = re.search(r"/learning/attempts/(\d+)/", headers.get("Location", ""))
            if status != 302 or not match:
                self.errors += 1
                continue
            attempt = int(match.group(1))
            started = time.perf_counter()
            status, _headers, page = self.request("GET", f"/learning/attempts/{attempt}/")
            self.pages.append((time.perf_counter() - started) * 1000)
            questions = QUESTION_RE.findall(page)
            if status != 200 or len(questions) != QUESTIONS:
                self.errors += 1
                continue
            for n, question in enumerate(questions):
                value = n % 4
                status, _headers, body = self.request(
                    "POST", f"/learning/attempts/{attempt}/answer/", f"question={question}&value={value}"
                )
                if status == 200 and '"saved": true' in body:
                    self.acked.append((attempt, int(question)))
                else:
                    self.errors += 1
            status, _headers, _body = self.request("POST", f"/learning/attempts/{attempt}/submit/")
            if status == 302:
                self.submitted += 1
            else:
                self.errors += 1
        self.connection.close()


def main() -> None:
    cleanup()
    exam, users = build()
    sessions = [session_cookie(user) for user in users]
    print(
        f"# exams: {connection.vendor}, {EXAMINEES} examinees at once, {QUESTIONS} questions a paper, "
        f"{DURATION:.0f} s (built here, deleted afterwards)",
        flush=True,
    )
    connection.close()
    server = load.start_server(PORT, dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        tally: dict = {}
        lock = threading.Lock()
        started = time.monotonic()
        examinees = [Examinee(exam.pk, s, started + DURATION, tally, lock) for s in sessions]
        for examinee in examinees:
            examinee.start()
        for examinee in examinees:
            examinee.join()
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    submitted = sum(e.submitted for e in examinees)
    pages = [ms for e in examinees for ms in e.pages]
    acked = {key for e in examinees for key in e.acked}
    stored = set(AttemptAnswer.objects.filter(attempt__exam=exam).values_list("attempt_id", "question_id").iterator())
    lost = len(acked - stored)
    graded = Attempt.objects.filter(exam=exam, state=Attempt.State.GRADED).count()
    print(f"exam-submit-rps {submitted / elapsed:.1f} req/s")
    print(f"exam-page-p95 {load.percentile(pages, 95):.1f} ms" if pages else "exam-page-p95 nan ms")
    print(f"exam-answers-lost {lost} answers")
    print(
        f"# exams: {submitted} papers handed in ({graded} graded), {len(acked)} answers acknowledged "
        f"({len(acked) / elapsed:.0f}/s), paper page p50 {statistics.median(pages) if pages else 0:.1f} ms, "
        f"{sum(e.errors for e in examinees)} errors",
        flush=True,
    )
    cleanup()


if __name__ == "__main__":
    main()
