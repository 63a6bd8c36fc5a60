"""Publishing at scale: the article page and a column's list at 100,000 articles beside "hello", and the time for
a county article pushed down the tree to be visible on 1,000 portals.

Run by `bench/run.py` (`make bench`), or alone: `python -m bench.publishing` (the same database as `make bench`:
SQLite under var/bench, or DATABASE_URL). Adds a county of BENCH_TOWNSHIPS townships and BENCH_VILLAGES villages
with BENCH_ARTICLES articles (bulk_create, spread over three years: the county's, the townships' and the villages',
some pushed down), serves the database with gunicorn (2 sync workers, as `make run`) and measures with wrk
(2 threads, 32 connections) the plain "hello" view (/healthz/), a village's page of an article the county pushed
down, and the village's 工作动态 list (its own items with the county's and the township's pushed down), in the same
run. Then publishes a county article with show_below and fetches each village's news list until it shows
(`article-fanout-s`). Everything it added is deleted afterwards, so the other figures are unchanged.
Prints `name value unit` lines.
"""

from __future__ import annotations

import datetime
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import load
from bench.county import build as build_county

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "100000"))
TOWNSHIPS = int(os.environ.get("BENCH_TOWNSHIPS", "20"))
VILLAGES = int(os.environ.get("BENCH_VILLAGES", "1000"))
PORT = int(os.environ.get("BENCH_PUBLISHING_PORT", "8019"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
BENCH_DIR = ROOT / "var" / "bench"
MARK = "基准发布县"


def _configure() -> None:
    """The same database and settings as bench/run.py (when run alone, set them up the same way)."""
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

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.core.cache import bump_content_generation  # noqa: E402
from dangjian.organizations.models import Organization  # noqa: E402
from dangjian.publishing.columns import ensure_standard_columns  # noqa: E402
from dangjian.publishing.models import Article, Column  # noqa: E402

BODY = (
    "<div>为深入学习贯彻党的二十大精神，扎实推进乡村振兴，{org}召开专题会议，研究部署下一阶段重点工作。</div>"
    "<div>会议强调，要坚持以人民为中心，聚焦群众急难愁盼问题，<strong>抓好村级组织建设</strong>，"
    "推动各项任务落地见效。</div>" * 3
)


def organizations() -> tuple[Organization, list[Organization], list[Organization]]:
    built = build_county(MARK, VILLAGES, TOWNSHIPS)
    ensure_standard_columns(built.everyone)
    return built.county, built.townships, built.villages


def articles(county, townships, villages, rng: random.Random) -> None:
    """A tenth the county's, four tenths the townships', half the villages'; one in ten of the county's and the
    townships' pushed down; over the last three years."""
    columns: dict[int, list[int]] = {}
    for org_id, column_id in Column.objects.filter(
        organization__path__startswith=county.path, archived_at__isnull=True
    ).values_list("organization_id", "pk"):
        columns.setdefault(org_id, []).append(column_id)
    now = timezone.now()
    shares = [(county, ARTICLES // 10)]
    shares += [(t, ARTICLES * 4 // 10 // len(townships)) for t in townships]
    per_village = (ARTICLES - sum(n for _o, n in shares)) // len(villages)
    shares += [(v, per_village) for v in villages]
    batch: list[Article] = []
    for org, count in shares:
        for index in range(count):
            published = now - datetime.timedelta(minutes=rng.randint(60, 3 * 365 * 24 * 60))
            batch.append(
                Article(
                    organization_id=org.pk,
                    column_id=rng.choice(columns[org.pk]),
                    title=f"{org.short_name}工作动态第{index + 1}期：扎实推进乡村振兴",
                    summary="专题会议研究部署下一阶段重点工作。",
                    body=BODY.format(org=org.short_name),
                    body_text="为深入学习贯彻党的二十大精神，扎实推进乡村振兴。",
                    source=f"{org.short_name}党委办",
                    author="宣传委员",
                    show_below=org.depth < 2 and rng.random() < 0.1,
                    state=Article.State.PUBLISHED,
                    published_at=published,
                    created_at=published,
                )
            )
            if len(batch) >= 5000:
                Article.objects.bulk_create(batch)
                batch = []
    Article.objects.bulk_create(batch)


def cleanup() -> None:
    for county in Organization.objects.filter(name=f"{MARK}委员会", parent__isnull=True):
        subtree = Organization.objects.filter(path__startswith=county.path)
        Article.objects.filter(organization__in=subtree).delete()
        Column.objects.filter(organization__in=subtree).delete()
        for depth in (2, 1, 0):
            subtree.filter(depth=county.depth + depth).delete()


def server_env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def start_server() -> subprocess.Popen:
    return load.start_server(PORT, server_env())


def fetch(path: str) -> tuple[float, str]:
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30) as response:
        body = response.read().decode()
        assert response.status == 200
    return (time.perf_counter() - started) * 1000, body


percentile = load.percentile


def wrk(path: str) -> tuple[float, float]:
    return load.wrk(PORT, path, DURATION)


def fanout(county: Organization, villages: list[Organization]) -> float:
    """Publish a county article with show_below (as the publish action does: the row, then the content
    generation after commit) and fetch every village's news list until it shows there; seconds until the last."""
    title = f"{MARK}关于做好冬季森林防火工作的通知{time.time_ns()}"
    column = Column.objects.get(organization=county, key="news")
    started = time.perf_counter()
    with transaction.atomic():
        Article.objects.create(
            organization=county,
            column=column,
            title=title,
            body=BODY.format(org=county.short_name),
            show_below=True,
            state=Article.State.PUBLISHED,
            published_at=timezone.now(),
        )
        bump_content_generation()

    def visible(village: Organization) -> None:
        for _attempt in range(100):
            if title in fetch(f"/o/{village.pk}/news/all/")[1]:
                return
            time.sleep(0.05)
        raise AssertionError(f"not visible on {village.pk}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(visible, villages))
    return time.perf_counter() - started


def main() -> None:
    rng = random.Random(13)
    cleanup()
    started = time.perf_counter()
    county, townships, villages = organizations()
    articles(county, townships, villages, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Organization, Column, Article):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    total = Article.objects.filter(organization__path__startswith=county.path).count()
    print(
        f"# publishing: {connection.vendor}, {total} articles over 1 county, {len(townships)} townships and "
        f"{len(villages)} villages (built in {time.perf_counter() - started:.0f} s, deleted afterwards)",
        flush=True,
    )
    connection.close()  # the server's workers open their own
    server = start_server()
    try:
        village = villages[len(villages) // 2]
        pushed = (
            Article.objects.filter(organization=county, show_below=True, column__key="news")
            .order_by("-published_at")
            .first()
        )
        news = Column.objects.get(organization=village, key="news")
        article_path = f"/o/{village.pk}/articles/{pushed.pk}/"
        column_path = f"/o/{village.pk}/news/columns/{news.pk}/"
        assert pushed.title in fetch(column_path)[1]
        figures = {}
        for name, path in [("hello", "/healthz/"), ("article", article_path), ("column-list", column_path)]:
            fetch(path)
            rps, p99 = wrk(path)
            figures[name] = rps
            print(f"{'publishing-hello' if name == 'hello' else name}-rps {rps:.0f} req/s")
            print(f"{'publishing-hello' if name == 'hello' else name}-p99 {p99:.1f} ms", flush=True)
        print(f"article-vs-hello {figures['article'] / figures['hello']:.2f} ratio")
        print(f"column-list-vs-hello {figures['column-list'] / figures['hello']:.2f} ratio", flush=True)
        # First requests of pages nobody asked for yet (no cached copy): other villages' articles and lists.
        others = rng.sample(villages, min(60, len(villages)))
        ids = list(
            Article.objects.filter(organization__in=others)
            .order_by("organization_id")
            .values_list("organization_id", "pk")[::50][:60]
        )
        cold_articles = [fetch(f"/o/{org_id}/articles/{pk}/")[0] for org_id, pk in ids]
        cold_lists = [
            fetch(f"/o/{v.pk}/news/columns/{Column.objects.get(organization=v, key='news').pk}/?page=2")[0]
            for v in others
        ]
        print(f"article-uncached-p50 {statistics.median(cold_articles):.1f} ms")
        print(f"article-uncached-p95 {percentile(cold_articles, 95):.1f} ms")
        print(f"column-list-uncached-p50 {statistics.median(cold_lists):.1f} ms")
        print(f"column-list-uncached-p95 {percentile(cold_lists, 95):.1f} ms", flush=True)
        seconds = fanout(county, villages)
        print(f"article-fanout-s {seconds:.1f} s")
        print(f"# fan-out: visible on all {len(villages)} village portals' news lists", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        cleanup()


if __name__ == "__main__":
    main()
