"""Timings of the supervision module, run in-process by `bench/run.py` against the bench database.

Prints `name value unit` lines: submitting a report (two Argon2id derivations, encryption, the
writes), an officer unlocking their key at sign-in (Argon2id), an officer opening a report (unsealing
the unit key and the report key, decrypting, writing the audit entry) and a reporter opening it with
the receipt (Argon2id twice).
"""

import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
django.setup()

from django.conf import settings  # noqa: E402

from dangjian.accounts.models import Role, RoleGrant, User  # noqa: E402
from dangjian.organizations.models import Organization  # noqa: E402
from dangjian.supervision import actions, keys  # noqa: E402
from dangjian.supervision.models import UnitKey  # noqa: E402

RUNS = int(os.environ.get("BENCH_SUPERVISION_RUNS", "30"))
PASSWORD = "bench officer passphrase 2026"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(int(round(p / 100 * (len(ordered) - 1))), len(ordered) - 1)]


def report_line(name, values):
    print(f"{name}-p50 {statistics.median(values):.1f} ms")
    print(f"{name}-p95 {percentile(values, 95):.1f} ms", flush=True)


def officer_with_access(county):
    """The demo's county officer when the demo made the county's keys, else an officer of our own."""
    from dangjian.demo.context import DEMO_PASSWORD

    unit_key = UnitKey.objects.filter(organization=county).first()
    demo = User.objects.filter(username="county_discipline").first()
    if unit_key is not None and demo is not None:
        private = keys.ensure_user_keypair(demo, DEMO_PASSWORD)
        if keys.unit_private_key(demo, unit_key, private) is not None:
            return demo, DEMO_PASSWORD
    officer, _created = User.objects.get_or_create(username="bench_officer", defaults={"full_name": "基准纪检"})
    officer.set_password(PASSWORD)
    officer.save()
    RoleGrant.objects.get_or_create(user=officer, organization=county, role=Role.DISCIPLINE)
    private = keys.ensure_user_keypair(officer, PASSWORD)
    if unit_key is None:
        keys.create_unit_key(officer, county, private)
    elif keys.unit_private_key(officer, unit_key, private) is None:
        raise SystemExit("the county's keys exist but no officer known to the bench has access")
    return officer, PASSWORD


def main():
    county = Organization.objects.get(parent__isnull=True)
    officer, password = officer_with_access(county)
    village = Organization.objects.filter(depth=2).order_by("pk").first()
    ops, mem = settings.SUPERVISION_ARGON2
    print(f"# supervision Argon2id: opslimit {ops}, memlimit {mem // (1024 * 1024)} MiB (libsodium argon2id13)")

    submit, opened, unlock, receipt_open = [], [], [], []
    for index in range(RUNS):
        started = time.perf_counter()
        report, receipt = actions.submit_report(
            reported_org=village,
            person=f"测试人{index}",
            post="村委会主任",
            discipline="integrity",
            subcategory="吃拿卡要",
            what="办理业务时索要好处费。" * 20,
        )
        submit.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        key = keys.ensure_user_keypair(officer, password)
        unlock.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        actions.open_as_officer(officer, key, report.pk)
        opened.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        actions.open_with_receipt(receipt)
        receipt_open.append((time.perf_counter() - started) * 1000)
    report_line("supervision-submit", submit)
    report_line("supervision-open", opened)
    report_line("supervision-unlock", unlock)
    report_line("supervision-receipt-open", receipt_open)


if __name__ == "__main__":
    main()
