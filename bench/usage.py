"""The usage summaries at a county's size (issue 16), run in-process by `bench/run.py` against the bench database.

Builds, in one transaction rolled back at the end (the bench database is left as it was):
- a county of BENCH_USAGE_VILLAGES villages under 20 townships (about 1,000 organizations), each with its
  standard portal columns (publishing's update rules) and its news over the year: 85 % of them every 3-10 days,
  10 % a dozen at most at random, 5 % never (so about one in ten is 形同摆设, as in a county that uses the platform);
- BENCH_USAGE_CASES feedback cases (1,000,000) received over the year at the villages, one in 2,500 still open and
  most of those past their deadline (interaction left unanswered: the status and the "what to do now" lists read
  them from the cases themselves);
- a year of rollup figures of every kept metric (`Figure` rows written directly, as `analytics.rollups` keeps them:
  own figures at random for every organization, week, month, quarter and year of 2026 up to the bench's day, about
  one in three 0 and not stored, totals added up the tree): the modules' year of activity as the pages read it;
- the kept last changes (`freshness.rebuild()`), and an organization administrator of the county.

Then measures, printing `name value unit` lines:
- `summary-county-p50`, `-p95` (wall clock), `-cpu-p95` (this process's CPU, SQLite included) and `-queries`: the
  county's summary page through the whole Django stack, each request for another period and group (nothing of it
  is cached), the process made ready as a web server's (`core.process.ready_to_serve`: dictionaries loaded, the
  loaded heap frozen out of the garbage collector's walks); target p95 ≤ 300 ms;
- `freshness-county-median`, `-p95`, `-cpu-median`, `-queries`: the status of the 1,000 organizations and the
  administrator's "what to do now" lists (part of the page above, here alone);
- `report-excel-seconds`, `report-pdf-seconds` (and `-cpu-seconds`): the county's quarterly report as the worker
  makes it (data from the rollups, then the file), medians of BENCH_USAGE_REPORT_RUNS; target ≤ 10 s each;
- `summary-rebuild-compute-seconds`: recomputing every kept figure from the records (the nightly rebuild's reading
  half, `rollups.computed()`, over the whole bench database with the million cases).
Runnable alone: `python -m bench.usage`.
"""

import datetime
import os
import random
import statistics
import time
from collections import defaultdict

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.county import County  # noqa: E402
from bench.county import build as build_county  # noqa: E402
from bench.load import percentile  # noqa: E402
from dangjian.accounts.models import Role, RoleGrant, User  # noqa: E402
from dangjian.analytics import freshness, periods, queries, report_excel, report_pdf, rollups, summary  # noqa: E402
from dangjian.analytics.models import Figure, LastChange  # noqa: E402
from dangjian.analytics.periods import Period  # noqa: E402
from dangjian.analytics.report_data import report_data  # noqa: E402
from dangjian.core.process import ready_to_serve  # noqa: E402
from dangjian.feedback.models import Case, State  # noqa: E402
from dangjian.organizations.models import Organization  # noqa: E402
from dangjian.publishing.columns import ensure_standard_columns  # noqa: E402
from dangjian.publishing.models import Article, Column  # noqa: E402

VILLAGES = int(os.environ.get("BENCH_USAGE_VILLAGES", "979"))  # with the county and 20 townships: 1,000
CASES = int(os.environ.get("BENCH_USAGE_CASES", "1000000"))
PAGE_RUNS = int(os.environ.get("BENCH_USAGE_PAGE_RUNS", "40"))
FRESHNESS_RUNS = int(os.environ.get("BENCH_USAGE_FRESHNESS_RUNS", "20"))
REPORT_RUNS = int(os.environ.get("BENCH_USAGE_REPORT_RUNS", "3"))
TOWNSHIPS = 20
TODAY = datetime.date(2026, 11, 26)
QUARTER = Period(periods.QUARTER, datetime.date(2026, 7, 1))
MARK = "汇总基准县"


class Rollback(Exception):
    pass


def articles(everyone: list[Organization], now: datetime.datetime, rng: random.Random) -> int:
    news = dict(Column.objects.filter(organization__in=everyone, key="news").values_list("organization_id", "pk"))
    rows = []
    for organization in everyone:
        kind = rng.random()
        if kind < 0.85:  # in use: news every 3-10 days all year
            days, ago = [], rng.randint(0, 10)
            while ago < 365:
                days.append(ago)
                ago += rng.randint(3, 10)
        elif kind < 0.95:  # sparse: a dozen at most, at random
            days = [rng.randint(0, 365) for _ in range(rng.randint(0, 12))]
        else:  # never: 形同摆设
            days = []
        rows += [
            Article(
                organization=organization,
                column_id=news[organization.pk],
                title="工作动态",
                state=Article.State.PUBLISHED,
                published_at=now - datetime.timedelta(days=ago, hours=rng.randint(0, 12)),
            )
            for ago in days
        ]
    Article.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def cases(villages: list[Organization], now: datetime.datetime, rng: random.Random) -> None:
    batch: list[Case] = []
    for index in range(CASES):
        place = villages[index % len(villages)]
        received = now - datetime.timedelta(minutes=rng.randint(60, 365 * 24 * 60))
        still_open = index % 2500 == 0  # a few hundred still waiting; most of them past their deadline
        batch.append(
            Case(
                number=f"FB{index:09d}",
                password_hash="-",
                place=place,
                place_path=place.path,
                category="help",
                title="路灯坏了",
                description="村口路灯坏了。",
                title_public="路灯坏了",
                description_public="村口路灯坏了。",
                state=State.IN_PROGRESS if still_open else State.CLOSED,
                received_at=received,
                accept_deadline=received + datetime.timedelta(days=1),
                answer_deadline=received + datetime.timedelta(days=5),
                closed_at=None if still_open else received + datetime.timedelta(days=4),
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)


def figures(tree: County, rng: random.Random) -> int:
    """A year of figures: every organization's own, and the totals of it and everything below it."""
    keys = [metric.key for metric in queries.metrics()]
    starts = [
        (kind, start)
        for kind in periods.KINDS
        for start in periods.starts_between(kind, datetime.date(2026, 1, 1), TODAY)
    ]
    top = {"w": 5, "m": 20, "q": 60, "y": 240}
    paths = {organization.pk: organization.path for organization in tree.everyone}
    own: dict[tuple[int, str, str, datetime.date], int] = {}
    totals: dict[tuple[int, str, str, datetime.date], int] = defaultdict(int)
    for organization in tree.everyone:
        ancestors = organization.ancestor_ids
        for key in keys:
            for kind, start in starts:
                value = 0 if rng.random() < 1 / 3 else rng.randint(1, top[kind])
                if value:
                    own[(organization.pk, key, kind, start)] = value
                    for ancestor in ancestors:
                        totals[(ancestor, key, kind, start)] += value
    rows = (
        Figure(
            organization_id=pk,
            path=paths[pk],
            metric=key,
            kind=kind,
            start=start,
            own=own.get((pk, key, kind, start), 0),
            total=total,
        )
        for (pk, key, kind, start), total in totals.items()
        if pk in paths
    )
    made = 0
    batch: list[Figure] = []
    for row in rows:
        batch.append(row)
        if len(batch) == 20000:
            Figure.objects.bulk_create(batch, batch_size=2000)
            made += len(batch)
            batch = []
    Figure.objects.bulk_create(batch, batch_size=2000)
    return made + len(batch)


def build(now: datetime.datetime) -> tuple[County, User, int]:
    rng = random.Random(16)
    tree = build_county(MARK, VILLAGES, TOWNSHIPS)
    ensure_standard_columns(tree.everyone)
    made_articles = articles(tree.everyone, now, rng)
    cases(tree.villages, now, rng)
    made_figures = figures(tree, rng)
    freshness.rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Organization, Figure, Case, Article, Column, LastChange):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    admin = User.objects.create_user("bench_usage_admin", full_name="基准组织管理员")
    RoleGrant.objects.create(user=admin, organization=tree.county, role=Role.ORG_ADMIN)
    print(
        f"# usage: {len(tree.everyone)} organizations, {CASES} feedback cases, {made_articles} articles, "
        f"{made_figures} figures of {len(queries.metrics())} kept metrics in 2026 on {connection.vendor}",
        flush=True,
    )
    return tree, admin, made_figures


def page(tree: County, admin: User) -> None:
    client = Client()
    client.force_login(admin)
    base = reverse("console:summary", args=[tree.county.pk])
    groups = [group.key for group in summary.groups()]
    months = [f"2026-{month:02d}" for month in range(1, 12)]
    urls = [f"{base}?period={months[i % len(months)]}&group={groups[i % len(groups)]}" for i in range(PAGE_RUNS)]
    # The process as a web server's is when it serves (dangjian/wsgi.py): dictionaries loaded, the heap of what was
    # loaded (here also of what the bench built) frozen out of the garbage collector's walks.
    ready_to_serve(close_connections=False)
    response = client.get(base + "?period=2026-q3")
    assert response.status_code == 200 and response.content.count(b'data-testid="child-') == TOWNSHIPS
    timings, cpu = [], []
    for url in urls:
        begun, begun_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - begun) * 1000)
        cpu.append((time.process_time() - begun_cpu) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(urls[0])
    print(f"summary-county-p50 {statistics.median(timings):.1f} ms")
    print(f"summary-county-p95 {percentile(timings, 95):.1f} ms")
    print(f"summary-county-cpu-p95 {percentile(cpu, 95):.1f} ms")
    print(f"summary-county-queries {len(captured)} queries", flush=True)


def status(tree: County, admin: User, now: datetime.datetime) -> None:
    timings, cpu, queries_made = [], [], 0
    freshness.todo_now(admin, tree.county, now=now)  # warm: the first reverse() loads every URLconf
    for _ in range(FRESHNESS_RUNS):
        admin = User.objects.get(pk=admin.pk)  # a fresh request's user: grants read again
        with CaptureQueriesContext(connection) as captured:
            began, began_cpu = time.perf_counter(), time.process_time()
            found = freshness.subtree_freshness(tree.county, now=now)
            freshness.todo_now(admin, tree.county, now=now, freshness=found)
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        queries_made = len(captured)
    counts = found.counts()
    print(f"freshness-county-median {statistics.median(timings):.0f} ms")
    print(f"freshness-county-p95 {percentile(timings, 95):.0f} ms")
    print(f"freshness-county-cpu-median {statistics.median(cpu):.0f} ms")
    print(f"freshness-county-queries {queries_made} queries")
    print(
        f"# freshness: {len(found.by_id)} organizations judged, {counts['idle']} idle, {counts['attention']} "
        "needing attention",
        flush=True,
    )


def reports(tree: County) -> None:
    excel, pdf, excel_cpu, pdf_cpu, sizes = [], [], [], [], {}
    for _ in range(REPORT_RUNS):
        begun, begun_cpu = time.perf_counter(), time.process_time()
        content = report_excel.workbook_bytes(report_data(tree.county, QUARTER))
        excel.append(time.perf_counter() - begun)
        excel_cpu.append(time.process_time() - begun_cpu)
        sizes["excel"] = len(content)
        begun, begun_cpu = time.perf_counter(), time.process_time()
        content = report_pdf.pdf_bytes(report_data(tree.county, QUARTER))
        pdf.append(time.perf_counter() - begun)
        pdf_cpu.append(time.process_time() - begun_cpu)
        sizes["pdf"] = len(content)
    print(f"report-excel-seconds {statistics.median(excel):.2f} s")
    print(f"report-pdf-seconds {statistics.median(pdf):.2f} s")
    # This process's CPU time (with SQLite, the database's work included): what a report costs on an idle machine.
    print(f"report-excel-cpu-seconds {statistics.median(excel_cpu):.2f} s")
    print(f"report-pdf-cpu-seconds {statistics.median(pdf_cpu):.2f} s")
    print(f"# report files: Excel {sizes['excel'] // 1024} KiB, PDF {sizes['pdf'] // 1024} KiB", flush=True)


def rebuild_compute() -> None:
    begun = time.perf_counter()
    computed = rollups.computed()
    print(f"summary-rebuild-compute-seconds {time.perf_counter() - begun:.1f} s")
    print(f"# rebuild: {len(computed)} figures recomputed from the records", flush=True)


def main() -> None:
    now = timezone.now()
    try:
        with transaction.atomic():
            started = time.perf_counter()
            tree, admin, _made = build(now)
            print(f"# usage: built in {time.perf_counter() - started:.0f} s, rolled back afterwards", flush=True)
            page(tree, admin)
            status(tree, admin, now)
            reports(tree)
            rebuild_compute()
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
