"""Timings of the usage reports, run in-process by `bench/run.py` against the bench database.

Adds a county of BENCH_REPORT_ORGANIZATIONS organizations (the county, 20 townships, villages under them) and a
year of rollup figures of every kept metric for each (`Figure` rows written directly, own figures drawn at random
and the totals added up the tree, as the rollups keep them), then generates the county's quarterly report as the
worker does (`report_data` from the rollups, then the workbook, then the PDF) and rolls everything back, so the
bench database and the other figures are unchanged. Prints `name value unit` lines: `report-excel-seconds` (data
and workbook) and `report-pdf-seconds` (data and PDF), each the median of BENCH_REPORT_RUNS runs; target ≤ 10 s.
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

from dangjian.analytics import periods, report_excel, report_pdf  # noqa: E402
from dangjian.analytics.models import Figure  # noqa: E402
from dangjian.analytics.periods import Period  # noqa: E402
from dangjian.analytics.queries import metrics  # noqa: E402
from dangjian.analytics.report_data import report_data  # noqa: E402
from dangjian.organizations.models import PATH_STEP, Organization  # noqa: E402

ORGANIZATIONS = int(os.environ.get("BENCH_REPORT_ORGANIZATIONS", "1000"))
RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "3"))
TOWNSHIPS = 20
QUARTER = Period(periods.QUARTER, datetime.date(2026, 7, 1))
FIRST_MONTH = datetime.date(2025, 12, 1)  # a year of months up to November 2026


class Rollback(Exception):
    pass


def organizations() -> tuple[Organization, list[Organization]]:
    county = Organization.objects.create(
        name="报告基准县委员会", short_name="报告基准县", kind=Organization.Kind.COUNTY
    )
    townships = [
        Organization.objects.create(
            name=f"报告基准县第{t + 1}镇委员会",
            short_name=f"第{t + 1}镇",
            kind=Organization.Kind.TOWNSHIP,
            parent=county,
        )
        for t in range(TOWNSHIPS)
    ]
    villages = [
        Organization(
            name=f"第{index % TOWNSHIPS + 1}镇第{index // TOWNSHIPS + 1}村党支部委员会",
            short_name=f"第{index // TOWNSHIPS + 1}村",
            kind=Organization.Kind.VILLAGE,
            parent=townships[index % TOWNSHIPS],
            path=f"bench-report-{index}",
            depth=2,
            sort_order=index,
        )
        for index in range(ORGANIZATIONS - 1 - TOWNSHIPS)
    ]
    Organization.objects.bulk_create(villages, batch_size=500)
    for village in villages:
        village.path = f"{village.parent.path}{village.pk:0{PATH_STEP}d}/"
    Organization.objects.bulk_update(villages, ["path"], batch_size=500)
    return county, [county, *townships, *villages]


def figures(everyone: list[Organization], rng: random.Random) -> int:
    """Own figures at random for each organization, metric and month; quarters and totals added up from them."""
    keys = [metric.key for metric in metrics()]
    months = list(periods.starts_between(periods.MONTH, FIRST_MONTH, datetime.date(2026, 11, 30)))
    own: dict[tuple[int, str, str, datetime.date], int] = {}
    for organization in everyone:
        for key in keys:
            if rng.random() < 0.3:
                continue  # not every organization uses every module
            for start in months:
                value = rng.randint(0, 12)
                if value:
                    own[(organization.pk, key, periods.MONTH, start)] = value
                    quarter = periods.start_of(periods.QUARTER, start)
                    own[(organization.pk, key, periods.QUARTER, quarter)] = (
                        own.get((organization.pk, key, periods.QUARTER, quarter), 0) + value
                    )
    paths = {o.pk: o.path for o in everyone}
    totals: dict[tuple[int, str, str, datetime.date], int] = {}
    for (organization_id, key, kind, start), value in own.items():
        for part in paths[organization_id].strip("/").split("/"):
            ancestor = int(part)
            totals[(ancestor, key, kind, start)] = totals.get((ancestor, key, kind, start), 0) + value
    rows = [
        Figure(
            organization_id=organization_id,
            path=paths[organization_id],
            metric=key,
            kind=kind,
            start=start,
            own=own.get((organization_id, key, kind, start), 0),
            total=total,
        )
        for (organization_id, key, kind, start), total in totals.items()
    ]
    Figure.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def main():
    rng = random.Random(16)
    try:
        with transaction.atomic():
            started = time.perf_counter()
            county, everyone = organizations()
            made = figures(everyone, rng)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for model in (Organization, Figure):
                        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            print(
                f"# reports: {len(everyone)} organizations, {made} rollup figures of {len(metrics())} metrics "
                f"(built in {time.perf_counter() - started:.0f} s, rolled back afterwards)",
                flush=True,
            )
            excel, pdf, excel_cpu, pdf_cpu, sizes = [], [], [], [], {}
            for _ in range(RUNS):
                begun, begun_cpu = time.perf_counter(), time.process_time()
                content = report_excel.workbook_bytes(report_data(county, QUARTER))
                excel.append(time.perf_counter() - begun)
                excel_cpu.append(time.process_time() - begun_cpu)
                sizes["excel"] = len(content)
                begun, begun_cpu = time.perf_counter(), time.process_time()
                content = report_pdf.pdf_bytes(report_data(county, QUARTER))
                pdf.append(time.perf_counter() - begun)
                pdf_cpu.append(time.process_time() - begun_cpu)
                sizes["pdf"] = len(content)
            print(f"report-excel-seconds {statistics.median(excel):.2f} s")
            print(f"report-pdf-seconds {statistics.median(pdf):.2f} s")
            # This process's CPU time (with SQLite, the database's work included): what a report costs on an idle
            # machine, whatever else the machine is doing.
            print(f"report-excel-cpu-seconds {statistics.median(excel_cpu):.2f} s")
            print(f"report-pdf-cpu-seconds {statistics.median(pdf_cpu):.2f} s")
            print(f"# report files: Excel {sizes['excel'] // 1024} KiB, PDF {sizes['pdf'] // 1024} KiB", flush=True)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
