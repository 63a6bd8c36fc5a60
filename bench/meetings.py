"""Timings of the meetings compliance grid, run in-process by `bench/run.py` against the bench database.

Adds a county of BENCH_BRANCHES branches (under 20 townships) with BENCH_MEMBERS members and a year of the
required meetings (about one period in twelve missed) with bulk_create, asks for the county's grid page as its
organization administrator through the whole Django stack, and rolls everything back, so the bench database and
the other figures are unchanged. Prints `name value unit` lines: the grid page's median and p95 (wall clock and this
process's CPU time), its queries.
"""

import datetime
import os
import random
import statistics
import time

import django

from bench.county import build as build_county

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.accounts.models import Role, RoleGrant, User  # noqa: E402
from dangjian.meetings import compliance  # noqa: E402
from dangjian.meetings.models import Meeting  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.organizations.models import Organization  # noqa: E402

BRANCHES = int(os.environ.get("BENCH_BRANCHES", "1000"))
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "30000"))
TOWNSHIPS = 20
RUNS = int(os.environ.get("BENCH_MEETINGS_RUNS", "30"))
YEAR = 2026
TODAY = datetime.date(YEAR, 11, 26)


class Rollback(Exception):
    pass


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(int(round(p / 100 * (len(ordered) - 1))), len(ordered) - 1)]


def organizations() -> Organization:
    return build_county("基准县", BRANCHES, TOWNSHIPS).county


def members(branch_ids: list[int]) -> None:
    rows = []
    for index in range(MEMBERS):
        member = Member(
            organization_id=branch_ids[index % len(branch_ids)],
            name=f"党员{index}",
            sex=Member.Sex.MALE,
            birth_date=datetime.date(1970, 1, 1),
            joined_on=datetime.date(1995, 7, 1),
            id_number_encrypted=b"-",
            id_number_hash=f"bench-meetings-{index}",
            id_number_masked="341*************0X",
        )
        rows.append(member)
    Member.objects.bulk_create(rows, batch_size=2000)


def meetings(branch_ids: list[int], rng: random.Random) -> int:
    zone = timezone.get_current_timezone()
    rows = []
    for branch_id in branch_ids:
        for kind, frequency in compliance.frequencies().items():
            if kind == Meeting.Kind.GROUP:
                continue  # the bench branches have no party groups
            for period in compliance.periods(frequency, YEAR):
                if period.start > TODAY or rng.random() < 1 / 12:
                    continue
                day = period.start + datetime.timedelta(days=rng.randint(0, 27))
                starts = datetime.datetime.combine(min(day, TODAY), datetime.time(9), tzinfo=zone)
                rows.append(
                    Meeting(
                        organization_id=branch_id,
                        kind=kind,
                        topic="基准会议",
                        starts_at=starts,
                        audience=Meeting.Audience.BRANCH,
                        state=Meeting.State.HELD,
                        held_at=starts,
                    )
                )
    Meeting.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def main():
    rng = random.Random(12)
    try:
        with transaction.atomic():
            started = time.perf_counter()
            county = organizations()
            branch_ids = list(
                Organization.objects.filter(path__startswith=county.path, depth=2).values_list("pk", flat=True)
            )
            members(branch_ids)
            made = meetings(branch_ids, rng)
            if connection.vendor == "postgresql":  # statistics for the new rows, as autovacuum would gather them
                with connection.cursor() as cursor:
                    for model in (Organization, Member, Meeting):
                        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            admin = User.objects.create_user("bench_meetings_admin", full_name="基准组织管理员")
            RoleGrant.objects.create(user=admin, organization=county, role=Role.ORG_ADMIN)
            print(
                f"# meetings: {len(branch_ids)} branches, {MEMBERS} members, {made} meetings held in {YEAR} "
                f"(built in {time.perf_counter() - started:.0f} s, rolled back afterwards)",
                flush=True,
            )
            client = Client()
            client.force_login(admin)
            url = reverse("console:meetings_compliance_grid", args=[county.pk]) + f"?year={YEAR}"
            response = client.get(url)
            assert response.status_code == 200 and response.content.count(b"data-branch=") == len(branch_ids)
            timings, cpu = [], []
            for _ in range(RUNS):
                begun, begun_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                timings.append((time.perf_counter() - begun) * 1000)
                cpu.append((time.process_time() - begun_cpu) * 1000)
                assert response.status_code == 200
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                profile = cProfile.Profile()
                profile.enable()
                client.get(url)
                profile.disable()
                pstats.Stats(profile).sort_stats("tottime").print_stats(25)
            with CaptureQueriesContext(connection) as captured:
                begun = time.perf_counter()
                compliance.build(county, YEAR, TODAY, detail=False)
                built = (time.perf_counter() - begun) * 1000
            print(f"meetings-compliance-p50 {statistics.median(timings):.1f} ms")
            print(f"meetings-compliance-p95 {percentile(timings, 95):.1f} ms")
            # The CPU time of this process per request (with SQLite, the database's work included): what the page
            # costs on an idle machine, whatever else the machine is doing.
            print(f"meetings-compliance-cpu-p50 {statistics.median(cpu):.1f} ms")
            print(f"meetings-compliance-cpu-p95 {percentile(cpu, 95):.1f} ms")
            print(f"meetings-compliance-queries {len(captured)} queries")
            print(f"meetings-compliance-build {built:.1f} ms", flush=True)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
