"""`make bench`: figures for the portal and the policy search on the demo county at scale.

Builds (once, then reuses) a database of the demo county with 100,000 policies, serves it with
gunicorn as `make run` does, and prints one line per figure: `name value unit`.
Throughput is measured with wrk (2 threads, 32 connections) against the county portal, a
village policy list and a plain "hello" view (/healthz/) served the same way in the same run, and for the
portal and the policy list also with a second server beside the first, the same connections spread over both.
Set DATABASE_URL to benchmark PostgreSQL instead of SQLite; BENCH_POLICIES to change the scale.
The modules' own figures come from bench/supervision.py, roster.py, meetings.py, usage.py, publishing.py,
learning_video.py, exams.py and chat.py (each also
runnable alone with `python -m bench.<name>`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
POLICIES = int(os.environ.get("BENCH_POLICIES", "100000"))
CASES = int(os.environ.get("BENCH_CASES", "200000"))
PORT = int(os.environ.get("BENCH_PORT", "8009"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
BENCH_DIR = ROOT / "var" / "bench"

QUERIES = [
    "养老保险",
    "低保",
    "宅基地",
    "宅基地 审批",
    "医疗保险",
    "生育保险",
    "高龄津贴",
    "危房改造",
    "创业担保贷款",
    "耕地地力保护补贴",
    "义务教育",
    "助学贷款",
    "临时救助",
    "特困供养",
    "公租房",
    "住房公积金",
    "门诊慢特病",
    "异地就医",
    "大病保险",
    "农机购置补贴",
    "种粮大户",
    "集体经济",
    "人居环境",
    "高标准农田",
    "公益性岗位",
    "返乡创业",
    "技能培训",
    "稳岗",
    "失业保险",
    "工伤保险",
    "居家养老",
    "互助养老",
    "探访关爱",
    "医养结合",
    "残疾人",
    "营养改善计划",
    "学前教育",
    "2024年 低保",
    "2023 养老",
    "网格",
    "村务公开",
    "村规民约",
    "发展党员",
    "三会一课",
    "组织关系",
    "防返贫 监测",
    "参保缴费",
    "低保标准",
    "申请 书面",
    "报销比例",
    "补贴 发放",
    "一卡通",
    "公示 7天",
    "家庭医生 签约",
    "城乡居民基本养老保险",
    "核电站",
    "PDF",
    "养老 保险 待遇",
    "社会救助",
    "乡村振兴",
]


def env() -> dict[str, str]:
    variables = dict(os.environ, DJANGO_DEBUG="0", LOG_LEVEL="ERROR", PYTHONPATH=str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        variables["SQLITE_PATH"] = str(BENCH_DIR / f"bench-{POLICIES}.sqlite3")
    variables["MEDIA_ROOT"] = str(BENCH_DIR / "media")
    return variables


def manage(*args: str) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env(), capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stdout + result.stderr)
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def prepare() -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    manage("migrate", "--noinput", "-v0")
    count = manage("shell", "-c", "from dangjian.policies.models import Policy; print(Policy.objects.count())").strip()
    if count == "0" or not count:
        started = time.monotonic()
        manage("load_demo", "--policies", str(POLICIES), "--today", "2026-11-26")
        print(f"# built the demo county with {POLICIES} policies in {time.monotonic() - started:.0f} s", flush=True)
    elif int(count) < POLICIES:
        manage("load_demo", "--add-policies", str(POLICIES - int(count)), "--today", "2026-11-26")
    cases = int(manage("shell", "-c", "from dangjian.feedback.models import Case; print(Case.objects.count())"))
    if cases < CASES:
        started = time.monotonic()
        manage("load_demo", "--add-cases", str(CASES - cases), "--today", "2026-11-26")
        print(f"# added {CASES - cases} feedback cases in {time.monotonic() - started:.0f} s", flush=True)
    manage("collectstatic", "--noinput", "-v0")


def start_server() -> subprocess.Popen:
    return load.start_server(PORT, env())


def get(path: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=10) as response:
        response.read()
        assert response.status == 200
    return (time.perf_counter() - started) * 1000


percentile = load.percentile


def wrk(path: str) -> tuple[float, float]:
    return load.wrk(PORT, path, DURATION)


def case_count() -> int:
    return int(manage("shell", "-c", "from dangjian.feedback.models import Case; print(Case.objects.count())"))


def submit_load(village: str, clients: int = 32) -> dict[str, float]:
    """Citizens submitting cases over 32 concurrent keep-alive connections for DURATION.

    Unlike wrk, every request sent gets its response read before the count is taken (no request
    is left in flight at the end), so successful responses can be compared with cases created.
    """
    import http.client
    import http.cookiejar
    import threading
    import uuid

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    path = f"/o/{village}/feedback/new/"
    page = opener.open(f"http://127.0.0.1:{PORT}{path}", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    fields = {
        "csrfmiddlewaretoken": token,
        "category": "help",
        "place": village,
        "title": "村口路灯坏了",
        "description": "村口的路灯坏了快一个月了，晚上老人孩子出门很不安全，请尽快维修。联系人王秀英，电话13812345678。",
        "contact_phone": "13812345678",
        "is_public": "on",
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"}
    seconds = float(DURATION.rstrip("s"))
    counts = {"ok": 0, "other": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        while time.monotonic() < deadline:
            body = urllib.parse.urlencode({**fields, "client_token": str(uuid.uuid4())})
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                key = "ok" if 200 <= response.status < 300 else "other"
            except (OSError, http.client.HTTPException):
                key = "errors"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            with lock:
                counts[key] += 1
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {**counts, "rps": (counts["ok"] + counts["other"]) / elapsed}


def main() -> None:
    if not shutil.which("wrk"):
        if os.geteuid() == 0:
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
        else:
            sys.exit("make bench needs wrk: sudo apt-get install -y wrk")
    prepare()
    village = manage(
        "shell",
        "-c",
        "from dangjian.organizations.models import Organization; "
        "print(Organization.objects.filter(depth=2).order_by('pk').first().pk)",
    ).strip()
    server = start_server()
    try:
        print(
            f"# database: {'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite'}, "
            f"{POLICIES} policies, gunicorn 2 sync workers, {os.cpu_count()} cores",
            flush=True,
        )
        search_path = f"/o/{village}/policies/?q="
        for query in QUERIES[:5]:
            get(search_path + urllib.parse.quote(query))  # warm up
        timings = [get(search_path + urllib.parse.quote(query)) for query in QUERIES for _ in range(3)]
        print(f"policy-search-queries {len(QUERIES)} queries")
        print(f"policy-search-p50 {statistics.median(timings):.1f} ms")
        print(f"policy-search-p95 {percentile(timings, 95):.1f} ms", flush=True)
        # The same queries with a filter kept (validity): these cannot be ranked by the index alone.
        filtered = [get(search_path + urllib.parse.quote(query) + "&status=in_force") for query in QUERIES]
        print(f"policy-search-filtered-p50 {statistics.median(filtered):.1f} ms")
        print(f"policy-search-filtered-p95 {percentile(filtered, 95):.1f} ms", flush=True)

        figures = {}
        for name, path in [("hello", "/healthz/"), ("portal", "/"), ("policy-list", f"/o/{village}/policies/")]:
            get(path)
            rps, p99 = wrk(path)
            figures[name] = rps
            print(f"{name}-rps {rps:.0f} req/s")
            print(f"{name}-p99 {p99:.1f} ms", flush=True)
        print(f"portal-vs-hello {figures['portal'] / figures['hello']:.2f} ratio")
        print(f"policy-list-vs-hello {figures['policy-list'] / figures['hello']:.2f} ratio", flush=True)
        # A second server beside the first (the same database, and Redis with REDIS_URL), the same 32 connections
        # spread over both: what several application servers serve together, beside one.
        second = load.start_server(PORT + 1, env())
        try:
            for name, path in [("portal", "/"), ("policy-list", f"/o/{village}/policies/")]:
                together = load.wrk_together([PORT, PORT + 1], path, DURATION)
                print(f"{name}-two-servers-rps {together:.0f} req/s")
                print(f"{name}-two-servers-vs-one {together / figures[name]:.2f} ratio", flush=True)
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait()

        # Feedback with 200,000 cases in the county: the public list and the figures page of the
        # county portal (whole-page cache on), then first requests of pages nobody asked for yet.
        county = manage(
            "shell",
            "-c",
            "from dangjian.organizations.models import Organization; "
            "print(Organization.objects.filter(parent__isnull=True).first().pk)",
        ).strip()
        print(f"# feedback cases in the database: {case_count()}", flush=True)
        for name, path in [
            ("feedback-list", f"/o/{county}/feedback/"),
            ("feedback-stats", f"/o/{county}/feedback/figures/"),
        ]:
            get(path)
            rps, p99 = wrk(path)
            print(f"{name}-rps {rps:.0f} req/s")
            print(f"{name}-p99 {p99:.1f} ms")
            print(f"{name}-vs-hello {rps / figures['hello']:.2f} ratio", flush=True)
        organizations = manage(
            "shell",
            "-c",
            "from dangjian.organizations.models import Organization; "
            "print(','.join(str(pk) for pk in Organization.objects.values_list('pk', flat=True)))",
        ).split(",")
        cold_list = [get(f"/o/{county}/feedback/?page={page}") for page in range(2, 62)]
        print(f"feedback-list-uncached-p50 {statistics.median(cold_list):.1f} ms")
        print(f"feedback-list-uncached-p99 {percentile(cold_list, 99):.1f} ms")
        cold_stats = [get(f"/o/{pk}/feedback/figures/") for pk in organizations if pk != county]
        print(f"feedback-stats-uncached-p50 {statistics.median(cold_stats):.1f} ms")
        print(f"feedback-stats-uncached-p99 {percentile(cold_stats, 99):.1f} ms", flush=True)
        # The breakdown by township and village over a period: the county (every case of the year in one
        # aggregate) and each township, each request with another period so that none comes from the cache;
        # compared with the plain "hello" view asked in the same loop.
        townships = manage(
            "shell",
            "-c",
            "from dangjian.organizations.models import Organization; "
            "print(','.join(str(pk) for pk in Organization.objects.filter(depth=1).values_list('pk', flat=True)))",
        ).split(",")
        breakdown, hello = [], []
        for day in range(1, 29):
            for pk in [county, *townships]:
                breakdown.append(get(f"/o/{pk}/feedback/figures/?start=2026-01-{day:02d}&end=2026-11-26"))
                hello.append(get("/healthz/"))
        print(f"feedback-figures-breakdown-p50 {statistics.median(breakdown):.1f} ms")
        print(f"feedback-figures-breakdown-p95 {percentile(breakdown, 95):.1f} ms")
        print(f"hello-p95 {percentile(hello, 95):.1f} ms")
        print(
            f"feedback-figures-breakdown-vs-hello {percentile(breakdown, 95) / percentile(hello, 95):.2f} ratio",
            flush=True,
        )

        before = case_count()
        submitted = submit_load(village)
        created = case_count() - before
        print(f"feedback-submit-rps {submitted['rps']:.0f} req/s")
        print(f"feedback-submit-ok {submitted['ok']} responses")
        print(f"feedback-created {created} cases")
        print(f"# submit: {submitted['other']} non-2xx responses, {submitted['errors']} connection errors", flush=True)
        supervision = subprocess.run(
            [PY, "-m", "bench.supervision"], cwd=ROOT, env=env(), capture_output=True, text=True, check=False
        )
        print(supervision.stdout.strip() or supervision.stderr.strip()[-2000:], flush=True)
        members_roster = subprocess.run(
            [PY, "-m", "bench.roster"], cwd=ROOT, env=env(), capture_output=True, text=True, check=False
        )
        print(members_roster.stdout.strip() or members_roster.stderr.strip()[-2000:], flush=True)
        # The meetings compliance grid of a county of 1,000 branches (built and rolled back by bench/meetings.py).
        meetings = subprocess.run(
            [PY, "-m", "bench.meetings"], cwd=ROOT, env=env(), capture_output=True, text=True, check=False
        )
        print(meetings.stdout.strip() or meetings.stderr.strip()[-2000:], flush=True)
        # The usage summaries at about 1,000 organizations, 1,000,000 feedback cases and a year of rollups (built
        # and rolled back by bench/usage.py): the county's summary page p50/p95 uncached (target p95 <= 300 ms),
        # the status and to-do lists, the quarterly Excel and PDF (target 10 s each), recomputing the figures.
        usage = subprocess.run(
            [PY, "-m", "bench.usage"], cwd=ROOT, env=env(), capture_output=True, text=True, check=False
        )
        print(usage.stdout.strip(), flush=True)
        if usage.returncode != 0:
            print(f"# usage failed (exit {usage.returncode}):", usage.stderr.strip()[-2000:], flush=True)
        # Publishing at 100,000 articles: the article page and a column's list beside hello, and a county article
        # pushed down to 1,000 portals (built, served on its own port and deleted by bench/publishing.py).
        publishing = subprocess.run(
            [PY, "-m", "bench.publishing"], cwd=ROOT, env=env(), capture_output=True, text=True, check=False
        )
        print(publishing.stdout.strip() or publishing.stderr.strip()[-2000:], flush=True)
        # Learning: random 256 KiB ranges of a 20 MB lesson video through the view, beside the same file served
        # as a static file (built, served on its own port and deleted by bench/learning_video.py).
        video = subprocess.run(
            [PY, "-m", "bench.learning_video"], cwd=ROOT, env=env(), capture_output=True, text=True, check=False
        )
        print(video.stdout.strip() or video.stderr.strip()[-2000:], flush=True)
        # Exams: 100 examinees at once saving answers and handing in (built, served on its own port and deleted by
        # bench/exams.py): papers graded per second, the paper page's p95, answers acknowledged but lost (0).
        exams = subprocess.run(
            [PY, "-m", "bench.exams"], cwd=ROOT, env=env(), capture_output=True, text=True, check=False
        )
        print(exams.stdout.strip() or exams.stderr.strip()[-2000:], flush=True)
        # Real-time rooms: 1,000 WebSocket clients in one room on one uvicorn process, then on two sharing a private
        # Redis (built, served on free ports and deleted by bench/chat.py): delivery latency p50/p95/p99, messages
        # sent, stored, delivered and lost (0).
        chat = subprocess.run(
            [PY, "-m", "bench.chat"], cwd=ROOT, env=env(), capture_output=True, text=True, check=False
        )
        if chat.stdout.strip():
            print(chat.stdout.strip(), flush=True)
        if chat.returncode != 0 or not chat.stdout.strip():
            # A failure after the first lines (e.g. in the Redis half) shows its traceback, not only those lines.
            print(f"# chat failed (exit {chat.returncode}):", flush=True)
            print(chat.stderr.strip()[-4000:], flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
