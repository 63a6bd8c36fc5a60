"""Roster spreadsheets for the import tests (built with openpyxl, as Excel or WPS would save them)."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from dangjian.tests_support import factories as f

HEADERS = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "学历",
    "手机号码",
    "身份证号",
    "入党日期",
    "转正日期",
    "类别",
    "党小组",
    "工作岗位或职务",
    "支委职务",
    "流动党员",
    "困难党员",
    "老党员",
]
NAMES = [
    "张建国",
    "李秀英",
    "王德明",
    "刘桂兰",
    "陈志强",
    "杨淑珍",
    "赵海军",
    "黄丽华",
    "周国庆",
    "吴美玲",
    "徐长林",
    "孙玉梅",
]


def chinese_digits(number: int) -> str:
    """A number written with Chinese digits (a name has no Arabic digits): 12 → 一二."""
    return "".join("零一二三四五六七八九"[int(digit)] for digit in str(number))


def person(seed: int, **overrides) -> dict:
    """A correct roster row (a full member born in the 1960s-70s)."""
    birth = datetime.date(1960 + seed % 15, 1 + seed % 12, 1 + seed % 28)
    row = {
        "姓名": NAMES[seed % len(NAMES)] + ("" if seed < len(NAMES) else chinese_digits(seed)),
        "性别": "男",
        "民族": "汉族",
        "出生日期": birth,
        "学历": "高中、中专",
        "手机号码": f"138{seed:08d}",
        "身份证号": f.id_number(seed + 500, birth),
        "入党日期": datetime.date(1995, 7, 1),
        "转正日期": datetime.date(1996, 7, 1),
        "类别": "正式党员",
        "党小组": "",
        "工作岗位或职务": "村民",
        "支委职务": "",
        "流动党员": "否",
        "困难党员": "否",
        "老党员": "否",
    }
    row.update(overrides)
    return row


def workbook_bytes(rows: list[dict], headers: list[str] | None = None, *, title: str | None = None) -> bytes:
    headers = headers or HEADERS
    book = Workbook()
    sheet = book.active
    sheet.title = "党员名册"
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx(rows: list[dict], headers: list[str] | None = None, name: str = "党员名册.xlsx", **kwargs):
    return SimpleUploadedFile(
        name,
        workbook_bytes(rows, headers, **kwargs),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
