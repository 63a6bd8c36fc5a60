"""Timings of the county's summary page (使用汇总), run in-process by `bench/run.py` against the bench database.

Adds a county of BENCH_SUMMARY_VILLAGES villages under 20 townships (about 1,000 organizations) with a year of
rollups: every kept metric's figure for every organization and every week, month, quarter and year of 2026 up to
the bench's day (own figures at the villages, totals up the tree, as `analytics.rollups` keeps them; about one
figure in three is 0 and, as in the rollups, not stored). The page reads only these figures, never the records
they count, so the number of feedback cases or other records behind them does not change its cost; the size of the
figures table does. Asks for the county's summary page as its organization administrator through the whole
Django stack, each request for another period and group (nothing is cached for the console anyway), and rolls
everything back. Prints `name value unit` lines: the page's median and p95 (wall clock and CPU), its queries.
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

from dangjian.accounts.models import Role, RoleGrant, User  # noqa: E402
from dangjian.analytics import periods, queries, summary  # noqa: E402
from dangjian.analytics.models import Figure  # noqa: E402
from dangjian.organizations.models import PATH_STEP, Organization  # noqa: E402

VILLAGES = int(os.environ.get("BENCH_SUMMARY_VILLAGES", "1000"))
TOWNSHIPS = 20
RUNS = int(os.environ.get("BENCH_SUMMARY_RUNS", "40"))
TODAY = datetime.date(2026, 11, 26)


class Rollback(Exception):
    pass


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(int(round(p / 100 * (len(ordered) - 1))), len(ordered) - 1)]


def organizations() -> tuple[Organization, list[Organization], list[Organization]]:
    county = Organization.objects.create(name="汇总基准县委员会", short_name="汇总县", kind=Organization.Kind.COUNTY)
    townships = [
        Organization.objects.create(
            name=f"汇总县第{t + 1}镇委员会", short_name=f"第{t + 1}镇", kind=Organization.Kind.TOWNSHIP, parent=county
        )
        for t in range(TOWNSHIPS)
    ]
    villages = [
        Organization(
            name=f"第{index % TOWNSHIPS + 1}镇第{index // TOWNSHIPS + 1}村党支部委员会",
            short_name=f"第{index // TOWNSHIPS + 1}村",
            kind=Organization.Kind.VILLAGE,
            parent=townships[index % TOWNSHIPS],
            path=f"bench-summary-{index}",
            depth=2,
            sort_order=index,
        )
        for index in range(VILLAGES)
    ]
    Organization.objects.bulk_create(villages, batch_size=500)
    for village in villages:
        village.path = f"{village.parent.path}{village.pk:0{PATH_STEP}d}/"
    Organization.objects.bulk_update(villages, ["path"], batch_size=500)
    return county, townships, villages


def figures(county, villages, rng: random.Random) -> int:
    """A year of figures: villages' own, and the totals of their townships and the county."""
    keys = [metric.key for metric in queries.metrics()]
    starts = [
        (kind, start)
        for kind in periods.KINDS
        for start in periods.starts_between(kind, datetime.date(2026, 1, 1), TODAY)
    ]
    above: dict[tuple[int, str, str, datetime.date], int] = defaultdict(int)
    paths = {county.pk: county.path}
    made = 0
    batch: list[Figure] = []
    for village in villages:
        paths[village.parent_id] = village.parent.path
        for key in keys:
            for kind, start in starts:
                value = 0 if rng.random() < 1 / 3 else rng.randint(1, {"w": 5, "m": 20, "q": 60, "y": 240}[kind])
                if not value:
                    continue
                batch.append(
                    Figure(
                        organization_id=village.pk,
                        path=village.path,
                        metric=key,
                        kind=kind,
                        start=start,
                        own=value,
                        total=value,
                    )
                )
                above[(village.parent_id, key, kind, start)] += value
                above[(county.pk, key, kind, start)] += value
        if len(batch) > 20000:
            Figure.objects.bulk_create(batch, batch_size=2000)
            made += len(batch)
            batch = []
    batch.extend(
        Figure(organization_id=pk, path=paths[pk], metric=key, kind=kind, start=start, own=0, total=value)
        for (pk, key, kind, start), value in above.items()
    )
    Figure.objects.bulk_create(batch, batch_size=2000)
    return made + len(batch)


def main():
    rng = random.Random(16)
    try:
        with transaction.atomic():
            started = time.perf_counter()
            county, _townships, villages = organizations()
            made = figures(county, villages, rng)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for model in (Organization, Figure):
                        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            admin = User.objects.create_user("bench_summary_admin", full_name="基准组织管理员")
            RoleGrant.objects.create(user=admin, organization=county, role=Role.ORG_ADMIN)
            print(
                f"# summary: {1 + TOWNSHIPS + len(villages)} organizations, {made} figures of "
                f"{len(queries.metrics())} kept metrics in 2026 "
                f"(built in {time.perf_counter() - started:.0f} s, rolled back afterwards)",
                flush=True,
            )
            client = Client()
            client.force_login(admin)
            base = reverse("console:summary", args=[county.pk])
            groups = [group.key for group in summary.groups()]
            months = [f"2026-{month:02d}" for month in range(1, 12)]
            urls = [f"{base}?period={months[i % len(months)]}&group={groups[i % len(groups)]}" for i in range(RUNS)]
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
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
