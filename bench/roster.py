"""Timing of the roster import, run in-process by `bench/run.py` against the bench database.

A generated 5,000-row roster (BENCH_ROSTER_ROWS) of a village branch is checked (read from the .xlsx, every row
checked, duplicates looked up, the result kept encrypted) and confirmed (members and their history written), as the
secretary's two clicks do. Everything happens in one transaction rolled back at the end, so the bench database is
unchanged and the bench can run again. Prints `name value unit` lines.
"""

import datetime
import io
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from dangjian.accounts.models import Role, RoleGrant, User  # noqa: E402
from dangjian.members import roster, spreadsheet  # noqa: E402
from dangjian.members.idnumbers import check_character  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.organizations.models import Organization  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROSTER_ROWS", "5000"))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "建国",
    "秀英",
    "德明",
    "桂兰",
    "志强",
    "淑珍",
    "海军",
    "丽华",
    "国庆",
    "美玲",
    "长林",
    "玉梅",
    "红",
    "军",
    "芳",
]


def roster_file(rows: int) -> SimpleUploadedFile:
    """A roster as a branch fills in the template: dates as Excel dates, ID numbers and mobiles as text."""
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in spreadsheet.COLUMNS])
    for index in range(rows):
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=(index * 7) % 20000)
        first17 = f"990101{birth:%Y%m%d}{index % 1000:03d}"
        sheet.append(
            [
                SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)],
                "男" if index % 2 else "女",
                "汉族",
                birth,
                "高中、中专",
                f"139{index:08d}",
                first17 + check_character(first17),
                birth.replace(year=birth.year + 25, day=1),
                birth.replace(year=birth.year + 26, day=1),
                "正式党员",
                "",
                "村民",
                "",
                "否",
                "否",
                "是" if birth.year < 1950 else "否",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("bench.xlsx", buffer.getvalue())


def main():
    upload = roster_file(ROWS)
    with transaction.atomic():
        village = Organization.objects.filter(kind=Organization.Kind.VILLAGE, closed_at__isnull=True).first()
        if village is None:
            county = Organization.objects.create(name="基准县", kind=Organization.Kind.COUNTY)
            village = Organization.objects.create(name="基准村党支部", kind=Organization.Kind.VILLAGE, parent=county)
        secretary = User.objects.create(username="bench_roster_secretary", full_name="基准书记")
        RoleGrant.objects.create(user=secretary, organization=village, role=Role.SECRETARY)
        before = Member.objects.count()

        started = time.perf_counter()
        checked = roster.check_upload(secretary, village.pk, upload)
        checked_at = time.perf_counter()
        done = roster.import_roster(secretary, village.pk, checked.pk, keep_good_rows=True)
        finished = time.perf_counter()

        written = Member.objects.count() - before
        transaction.set_rollback(True)
    total = finished - started
    print(f"# roster import: {ROWS} rows ({upload.size // 1024} KB), {checked.bad_rows} refused, {written} written")
    if done.written != written or written != ROWS:
        raise SystemExit(f"roster import wrote {written} of {ROWS} rows")
    print(f"roster-import-check-seconds {checked_at - started:.2f} s")
    print(f"roster-import-confirm-seconds {finished - checked_at:.2f} s")
    print(f"roster-import-seconds {total:.2f} s")
    print(f"roster-import-rows-per-s {ROWS / total:.0f} rows/s", flush=True)


if __name__ == "__main__":
    main()
