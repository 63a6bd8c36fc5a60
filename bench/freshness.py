"""Timings of the freshness status and the "what to do now" lists of a county (dangjian/analytics/freshness.py).

Adds a county of BENCH_FRESHNESS_ORGS organizations (20 townships, the rest villages, each with its standard
columns) and BENCH_FRESHNESS_CASES feedback cases spread over a year (a few hundred still open, some overdue), with
articles, leaders' edits and questions, keeps the last changes with the nightly rebuild, then reads the county's
`subtree_freshness` and its administrator's `todo_now` RUNS times, and rolls everything back. Prints `name value
unit` lines: median and p95 of the two together (wall clock and this process's CPU time, SQLite included), and
their queries. Runnable alone: `python -m bench.freshness`.
"""

import datetime
import os
import random
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.accounts.models import Role, RoleGrant, User  # noqa: E402
from dangjian.analytics import freshness  # noqa: E402
from dangjian.feedback.models import Case, State  # noqa: E402
from dangjian.organizations.models import PATH_STEP, Organization  # noqa: E402
from dangjian.publishing.columns import ensure_standard_columns  # noqa: E402
from dangjian.publishing.models import Article, Column  # noqa: E402

ORGS = int(os.environ.get("BENCH_FRESHNESS_ORGS", "1000"))
CASES = int(os.environ.get("BENCH_FRESHNESS_CASES", "1000000"))
RUNS = int(os.environ.get("BENCH_FRESHNESS_RUNS", "20"))
TOWNSHIPS = 20


class Rollback(Exception):
    pass


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(int(round(p / 100 * (len(ordered) - 1))), len(ordered) - 1)]


def county() -> tuple[Organization, list[Organization]]:
    root = Organization.objects.create(name="新鲜度基准县委员会", short_name="基准县", kind=Organization.Kind.COUNTY)
    townships = [
        Organization.objects.create(
            name=f"基准县第{t + 1}镇委员会", short_name=f"第{t + 1}镇", kind=Organization.Kind.TOWNSHIP, parent=root
        )
        for t in range(TOWNSHIPS)
    ]
    villages = [
        Organization(
            name=f"第{i % TOWNSHIPS + 1}镇第{i // TOWNSHIPS + 1}村党支部委员会",
            short_name=f"第{i // TOWNSHIPS + 1}村",
            kind=Organization.Kind.VILLAGE,
            parent=townships[i % TOWNSHIPS],
            path=f"fresh-{i}",
            depth=2,
        )
        for i in range(ORGS - TOWNSHIPS - 1)
    ]
    Organization.objects.bulk_create(villages, batch_size=500)
    for index, village in enumerate(villages):
        village.path = f"{townships[index % TOWNSHIPS].path}{village.pk:0{PATH_STEP}d}/"
    Organization.objects.bulk_update(villages, ["path"], batch_size=500)
    everyone = [root, *townships, *villages]
    ensure_standard_columns(everyone)
    return root, everyone


def activity(everyone: list[Organization], now: datetime.datetime) -> None:
    rng = random.Random(16)
    news = dict(Column.objects.filter(organization__in=everyone, key="news").values_list("organization_id", "pk"))
    articles = []
    for organization in everyone:
        for _ in range(rng.randint(0, 12)):  # some publish all year, some never: idle
            articles.append(
                Article(
                    organization=organization,
                    column_id=news[organization.pk],
                    title="工作动态",
                    state=Article.State.PUBLISHED,
                    published_at=now - datetime.timedelta(days=rng.randint(0, 365)),
                )
            )
    Article.objects.bulk_create(articles, batch_size=2000)
    villages = [organization for organization in everyone if organization.kind == Organization.Kind.VILLAGE]
    batch: list[Case] = []
    for index in range(CASES):
        place = villages[index % len(villages)]
        received = now - datetime.timedelta(minutes=rng.randint(60, 365 * 24 * 60))
        open_case = index % 2500 == 0  # a few hundred still waiting; most of them past their deadline
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
                state=State.IN_PROGRESS if open_case else State.CLOSED,
                received_at=received,
                accept_deadline=received + datetime.timedelta(days=1),
                answer_deadline=received + datetime.timedelta(days=5),
                closed_at=None if open_case else received + datetime.timedelta(days=4),
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)


def main() -> None:
    now = timezone.now()
    try:
        with transaction.atomic():
            started = time.perf_counter()
            root, everyone = county()
            activity(everyone, now)
            freshness.rebuild()
            admin = User.objects.create(username="freshness-bench-admin")
            RoleGrant.objects.create(user=admin, organization=root, role=Role.ORG_ADMIN)
            print(f"freshness-setup {time.perf_counter() - started:.1f} s", flush=True)
            timings, cpu, queries = [], [], 0
            freshness.todo_now(admin, root, now=now)  # warm: the first reverse() loads every URLconf
            for _ in range(RUNS):
                admin = User.objects.get(pk=admin.pk)  # a fresh request's user: grants read again
                with CaptureQueriesContext(connection) as captured:
                    began, began_cpu = time.perf_counter(), time.process_time()
                    tree = freshness.subtree_freshness(root, now=now)
                    freshness.todo_now(admin, root, now=now, freshness=tree)
                    timings.append((time.perf_counter() - began) * 1000)
                    cpu.append((time.process_time() - began_cpu) * 1000)
                queries = len(captured)
            counts = tree.counts()
            print(f"freshness-county-median {statistics.median(timings):.0f} ms")
            print(f"freshness-county-p95 {percentile(timings, 95):.0f} ms")
            print(f"freshness-county-cpu-median {statistics.median(cpu):.0f} ms")
            print(f"freshness-county-cpu-p95 {percentile(cpu, 95):.0f} ms")
            print(f"freshness-county-queries {queries} queries")
            print(f"freshness-county-organizations {len(tree.by_id)} organizations ({counts['idle']} idle)")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
