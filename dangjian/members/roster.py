"""Importing a branch's roster from Excel (.xlsx): the template, reading and checking a file, and the write.

The spreadsheet's column names and choice words are the file format the branches fill in (in Chinese, whatever the
page's language); the messages about them go through gettext. The flow:

1. `template_workbook(branch)` is the downloadable template (headers, drop-downs, date and text formats, an
   instructions sheet with an example row).
2. `check_upload(user, branch, upload)` refuses what is not a real .xlsx workbook before parsing it (size, zip
   directory, uncompressed sizes: a zip bomb is refused from the directory), reads the first sheet with a 姓名 and
   身份证号 header (columns by name, in any order; a title row above is fine), converts and checks every row
   (`validation.problems`, the model's own field checks, duplicates within the file and in the installation, the
   branch's party groups, choice words) and keeps the result encrypted in a `RosterImport` (never in the session
   or a file in clear). Uploads older than `EXPIRES_AFTER` are deleted on the next upload.
3. `import_roster(user, organization_id, import_id, keep_good_rows)` writes the checked rows in one transaction,
   once (a second confirmation writes nothing), re-checking duplicates inside it, with a ChangeRecord per member.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import MANAGE_MEMBERS, require
from dangjian.core import fieldcrypt, history
from dangjian.core.cache import bump_content_generation
from dangjian.core.history import ActionError, InvalidInput, NotFound
from dangjian.core.masking import mask_numbers
from dangjian.core.models import ChangeRecord
from dangjian.organizations.models import Organization

from . import idnumbers, validation
from .models import Member, RosterImport, add_years

EXPIRES_AFTER = datetime.timedelta(days=1)
MAX_COLUMNS = 60  # columns read from each row; a roster has 16
HEADER_SEARCH_ROWS = 10  # a title row or two may sit above the header row
# What the uncompressed parts of a workbook may add up to, as a multiple of the upload limit: a real roster's
# sheet compresses about 10 times; a zip bomb claims thousands.
UNCOMPRESSED_FACTOR = 20
SHOWN_ROWS = 500  # rows listed on the preview (the counts are always complete)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

YES = {"是", "Y", "YES", "TRUE", "1", "√", "✓", "✔"}
NO = {"否", "N", "NO", "FALSE", "0", "×", "✗", ""}
SEXES = {"男": Member.Sex.MALE, "女": Member.Sex.FEMALE}
CATEGORIES = {
    "正式党员": Member.Category.FULL,
    "正式": Member.Category.FULL,
    "预备党员": Member.Category.PROBATIONARY,
    "预备": Member.Category.PROBATIONARY,
}
EDUCATIONS = {
    "研究生": Member.Education.POSTGRADUATE,
    "博士": Member.Education.POSTGRADUATE,
    "硕士": Member.Education.POSTGRADUATE,
    "博士研究生": Member.Education.POSTGRADUATE,
    "硕士研究生": Member.Education.POSTGRADUATE,
    "大学本科": Member.Education.UNIVERSITY,
    "本科": Member.Education.UNIVERSITY,
    "大学": Member.Education.UNIVERSITY,
    "大学专科": Member.Education.COLLEGE,
    "大专": Member.Education.COLLEGE,
    "专科": Member.Education.COLLEGE,
    "高中、中专": Member.Education.SECONDARY,
    "高中": Member.Education.SECONDARY,
    "中专": Member.Education.SECONDARY,
    "职高": Member.Education.SECONDARY,
    "技校": Member.Education.SECONDARY,
    "中技": Member.Education.SECONDARY,
    "初中": Member.Education.JUNIOR,
    "小学及以下": Member.Education.PRIMARY,
    "小学": Member.Education.PRIMARY,
}
COMMITTEE_POSTS = {
    "书记": Member.CommitteePost.SECRETARY,
    "支部书记": Member.CommitteePost.SECRETARY,
    "党支部书记": Member.CommitteePost.SECRETARY,
    "副书记": Member.CommitteePost.DEPUTY,
    "支部副书记": Member.CommitteePost.DEPUTY,
    "党支部副书记": Member.CommitteePost.DEPUTY,
    "组织委员": Member.CommitteePost.ORGANIZATION,
    "宣传委员": Member.CommitteePost.PUBLICITY,
    "纪检委员": Member.CommitteePost.DISCIPLINE,
    "纪律检查委员": Member.CommitteePost.DISCIPLINE,
    "委员": Member.CommitteePost.OTHER,
    "支部委员": Member.CommitteePost.OTHER,
    "支委": Member.CommitteePost.OTHER,
    "无": Member.CommitteePost.NONE,
    "非支委": Member.CommitteePost.NONE,
}

CHOICE_TABLES: dict[str, Mapping[str, str]] = {
    "sex": SEXES,
    "education": EDUCATIONS,
    "category": CATEGORIES,
    "post": COMMITTEE_POSTS,
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as in the template
    kind: str  # text, name, sex, date, education, mobile, id, category, group, post, flag
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: int = 12


COLUMNS = (
    Column("name", "姓名", "name", True, ("党员姓名",), 10),
    Column("sex", "性别", "sex", True, (), 6),
    Column("ethnicity", "民族", "text", False, (), 8),
    Column("birth_date", "出生日期", "date", False, ("出生年月日", "出生年月", "出生时间"), 12),
    Column("education", "学历", "education", False, ("文化程度", "最高学历"), 12),
    Column("mobile", "手机号码", "mobile", False, ("手机号", "手机", "联系电话", "联系方式", "电话"), 14),
    Column("id_number", "身份证号", "id", True, ("身份证号码", "公民身份号码", "身份证"), 22),
    Column("joined_on", "入党日期", "date", True, ("入党时间",), 12),
    Column("full_member_on", "转正日期", "date", False, ("转正时间",), 12),
    Column("category", "类别", "category", True, ("党员类别", "人员类别", "类型"), 12),
    Column("party_group", "党小组", "group", False, ("所在党小组",), 14),
    Column("job", "工作岗位或职务", "text", False, ("工作岗位", "职务", "岗位"), 18),
    Column("committee_post", "支委职务", "post", False, ("支部委员会职务",), 12),
    Column("is_floating", "流动党员", "flag", False, ("是否流动党员",), 9),
    Column("in_difficulty", "困难党员", "flag", False, ("是否困难党员",), 9),
    Column("is_veteran", "老党员", "flag", False, ("是否老党员",), 9),
)
TEXT_LIMITS = {"ethnicity": 20, "job": 60}


class RosterError(ActionError):
    """The file as a whole is refused (not a workbook, too big, no header row, a required column missing)."""


# --- The template ---------------------------------------------------------------------------------------


def party_groups(branch: Organization):
    return Organization.objects.filter(parent=branch, kind=Organization.Kind.GROUP, closed_at__isnull=True).order_by(
        "name"
    )


def template_workbook(branch: Organization) -> bytes:
    """The roster template: the header row with drop-downs and formats on the first sheet, and the instructions
    with an example row on the second (so the example is never imported)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "党员名册"
    last_row = settings.ROSTER_MAX_ROWS + 1
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="FDE9D9")
    groups = [g.short_name or g.name for g in party_groups(branch)]
    lists = {
        "sex": ["男", "女"],
        "education": ["研究生", "大学本科", "大学专科", "高中、中专", "初中", "小学及以下"],
        "category": ["正式党员", "预备党员"],
        "post": ["书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员"],
        "flag": ["是", "否"],
        "group": groups,
    }
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
        if column.required:
            cell.comment = Comment("必填", "党建平台")
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        cells = f"{letter}2:{letter}{last_row}"
        if column.kind == "date":
            dimension.number_format = "yyyy-mm-dd"
            check = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
            check.error = "请填写日期，例如 1975-03-08"
            check.errorTitle = column.header
            check.showErrorMessage = True
            check.add(cells)
            sheet.add_data_validation(check)
            for row in range(2, 202):  # cells already formatted as dates where the user types
                sheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
        elif column.kind in ("id", "mobile"):
            dimension.number_format = "@"  # text: an 18-digit number would lose its last digits
            for row in range(2, 202):
                sheet.cell(row=row, column=index).number_format = "@"
        choices = lists.get(column.kind)
        if choices:
            check = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            check.error = "请从下拉列表中选择：" + "、".join(choices)
            check.errorTitle = column.header
            check.showErrorMessage = True
            check.add(cells)
            sheet.add_data_validation(check)
    sheet.freeze_panes = "B2"

    guide = book.create_sheet("填写说明")
    guide.column_dimensions["A"].width = 100
    lines = [
        f"{branch.name} 党员名册导入模板",
        "1. 在“党员名册”工作表中，从第2行起每行填写一名党员；第1行的列名请勿修改（列的顺序可以调整，多余的列不会导入）。",
        "2. 必填：姓名、性别、身份证号、入党日期、类别。出生日期不填时按身份证号填入。",
        "3. 日期可填 1975-03-08、1975/3/8、1975年3月8日 或 19750308。",
        "4. 身份证号、手机号码请按文本填写（模板中这两列已设为文本），否则 Excel 会改掉身份证号的后几位。",
        "5. 性别、学历、类别、支委职务、流动党员、困难党员、老党员请从下拉列表中选择；流动党员等三列填“是”或“否”。",
        "6. 党小组须是本支部已建立的党小组"
        + ("：" + "、".join(groups) if groups else "（本支部尚未建立党小组，请留空）"),
        "7. 上传后会先逐行检查并列出有误的行，确认后才会导入。",
        "",
        "示例（仅供参考，请勿复制到名册）：",
    ]
    for row, text in enumerate(lines, start=1):
        guide.cell(row=row, column=1, value=text)
    guide["A1"].font = Font(bold=True, size=14)
    example_row = len(lines) + 1
    example = {
        "name": "张建国",
        "sex": "男",
        "ethnicity": "汉族",
        "birth_date": datetime.date(1975, 3, 8),
        "education": "高中、中专",
        "mobile": "13812345678",
        "id_number": "34112219750308001" + idnumbers.check_character("34112219750308001"),
        "joined_on": datetime.date(1998, 7, 1),
        "full_member_on": datetime.date(1999, 7, 1),
        "category": "正式党员",
        "party_group": groups[0] if groups else "",
        "job": "村民委员会委员",
        "committee_post": "组织委员",
        "is_floating": "否",
        "in_difficulty": "否",
        "is_veteran": "否",
    }
    example_sheet = book.create_sheet("示例")
    for index, column in enumerate(COLUMNS, start=1):
        example_sheet.cell(row=1, column=index, value=column.header).font = header_font
        example_sheet.column_dimensions[get_column_letter(index)].width = column.width
        value = example[column.key]
        cell = example_sheet.cell(row=2, column=index, value=value)
        if isinstance(value, datetime.date):
            cell.number_format = "yyyy-mm-dd"
        elif column.kind in ("id", "mobile"):
            cell.number_format = "@"
    example_sheet.cell(row=3, column=1, value="以上为示例，请在“党员名册”工作表中填写。").font = Font(italic=True)
    guide.cell(row=example_row, column=1, value="见“示例”工作表。")
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Reading a file ----------------------------------------------------------------------------------------


def _refuse_not_workbook(head: bytes) -> None:
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError(
            _(
                "This is an old-format Excel file (.xls). Open it in Excel or WPS, choose Save As and pick "
                "“Excel Workbook (*.xlsx)”, then upload the new file."
            )
        )
    raise RosterError(
        _("This file is not an Excel workbook (.xlsx). Fill in the roster template and upload it as it was saved.")
    )


def open_workbook(upload):
    """The workbook of an uploaded file, or RosterError: the size, the zip directory and the parts of an .xlsx
    are checked before anything is decompressed or parsed."""
    from openpyxl import load_workbook

    limit = settings.ROSTER_MAX_BYTES
    if upload.size > limit:
        raise RosterError(
            _("The file is %(size)s MB; a roster may be at most %(limit)s MB. Remove pictures or other sheets.")
            % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:.0f}"}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(b"PK\x03\x04"):
        _refuse_not_workbook(head)
    try:
        archive = zipfile.ZipFile(upload)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        _refuse_not_workbook(head)
    names = {entry.filename for entry in entries}
    if "word/document.xml" in names:
        raise RosterError(_("This is a Word document, not an Excel workbook. Fill in the roster template instead."))
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        _refuse_not_workbook(head)
    if sum(entry.file_size for entry in entries) > limit * UNCOMPRESSED_FACTOR or len(entries) > 1000:
        raise RosterError(_("This workbook is far larger inside than a roster can be. Save the roster alone again."))
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise RosterError(
            _("This workbook is protected by a password. Save it without a password and upload it again.")
        )
    upload.seek(0)
    try:
        return load_workbook(upload, read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # noqa: BLE001 - any parsing failure of a damaged file is the user's to fix
        raise RosterError(
            _("The workbook could not be read (it may be damaged). Open it in Excel or WPS, save it again, and retry.")
        ) from error


def _header_key(text: Any) -> str:
    """A header cell reduced to its name: spaces, a required-mark asterisk and a remark in brackets removed."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"[(（\[【].*?[)）\]】]", "", value)
    return re.sub(r"[\s*＊:：]", "", value)


HEADER_NAMES = {_header_key(name): column for column in COLUMNS for name in (column.header, *column.aliases)}


@dataclass
class Sheet:
    columns: dict[str, int]  # column key → index in the row
    header_row: int  # as Excel numbers it
    rows: list[tuple[int, tuple]]  # (Excel row number, values), blank rows left out
    ignored: list[str]  # header names not imported


def read_sheet(book) -> Sheet:
    """The roster's rows from the first sheet that has a header row with 姓名 and 身份证号."""
    max_rows = settings.ROSTER_MAX_ROWS
    for worksheet in book.worksheets:
        if not hasattr(worksheet, "iter_rows"):
            continue
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()  # a declared A1:XFD1048576 must not make every row 16,384 cells wide
        rows = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        header: dict[str, int] | None = None
        ignored: list[str] = []
        found: list[tuple[int, tuple]] = []
        header_row = 0
        for number, values in enumerate(rows, start=1):
            if header is None:
                if number > HEADER_SEARCH_ROWS:
                    break
                keys = [_header_key(value) for value in values]
                columns = {HEADER_NAMES[k].key: i for i, k in reversed(list(enumerate(keys))) if k in HEADER_NAMES}
                if "name" in columns and "id_number" in columns:
                    header, header_row = columns, number
                    ignored = [str(values[i]).strip() for i, k in enumerate(keys) if k and k not in HEADER_NAMES]
                continue
            if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
                continue
            found.append((number, values))
            if len(found) > max_rows:
                raise RosterError(
                    _("The roster has more than %(limit)s rows. Split it into several files of at most %(limit)s rows.")
                    % {"limit": max_rows}
                )
        if header is not None:
            missing = [c.header for c in COLUMNS if c.required and c.key not in header]
            if missing:
                raise RosterError(
                    _("The roster has no column %(names)s. Use the template's column names in the first row.")
                    % {"names": "、".join(f"“{name}”" for name in missing)}
                )
            return Sheet(header, header_row, found, ignored)
    raise RosterError(
        _(
            "No header row with the columns “姓名” and “身份证号” was found in the first rows of any sheet. "
            "Use the template: its first row names the columns."
        )
    )


# --- Converting cells -------------------------------------------------------------------------------------


class CellError(Exception):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _plain(value: Any) -> str:
    """Text with full-width digits, letters and punctuation made ASCII, and every space removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(value)))


def _shown(value: Any) -> str:
    """A cell's value quoted in a reason: shortened, and any ID-card or mobile number in it masked."""
    return mask_numbers(unicodedata.normalize("NFKC", _text(value)))[:30]


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def to_date(value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise CellError
    if isinstance(value, (int, float)):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            value = str(int(value))
        elif 1 <= value < 80000:  # an Excel serial day number in a cell not formatted as a date
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date()
        else:
            raise CellError
    text = _plain(value)
    if not text:
        return None
    text = re.sub(r"(\d)\s*(0{1,2}:0{1,2}(:0{1,2})?)$", r"\1", text)  # "1975-03-08 00:00:00"
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise CellError from None
    raise CellError


def _choice(value: Any, table: Mapping[str, str]) -> str | None:
    text = _plain(value)
    if text in table:
        return table[text]
    return table.get(text.rstrip("。"))


def convert_row(values: tuple, columns: dict[str, int], groups: dict[str, int]) -> tuple[dict, list[str], set[str]]:
    """A row's cells as a member's values (dates as dates), the reasons a cell could not be read, and the keys of
    those cells (their values are left empty, so the record checks do not repeat the reason)."""
    reasons: list[str] = []
    failed: set[str] = set()
    row: dict[str, Any] = {}

    def cell(key: str) -> Any:
        index = columns.get(key)
        return values[index] if index is not None and index < len(values) else None

    headers = {c.key: c.header for c in COLUMNS}
    for column in COLUMNS:
        raw = cell(column.key)
        label = headers[column.key]
        if column.kind == "name":
            name = _text(raw)
            if re.fullmatch(r"[\u3400-\u9fff\s]+", name):
                name = re.sub(r"\s+", "", name)  # "王  芳", spaced to line up with three-character names
            row["name"] = name
        elif column.kind == "text":
            text = _text(raw)
            if column.key == "ethnicity":
                text = text.replace(" ", "") or "汉族"
                if len(text) <= 3 and not text.endswith(("族", "人")):
                    text += "族"
            limit = TEXT_LIMITS[column.key]
            if len(text) > limit:
                reasons.append(_("%(column)s: at most %(limit)s characters.") % {"column": label, "limit": limit})
            row[column.key] = text
        elif column.kind == "date":
            try:
                row[column.key] = to_date(raw)
            except CellError:
                row[column.key] = None
                failed.add(column.key)
                reasons.append(
                    _("%(column)s: “%(value)s” is not a date; write it like 1975-03-08.")
                    % {"column": label, "value": _shown(raw)}
                )
        elif column.kind == "id":
            if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw >= 1e16:
                reasons.append(
                    _(
                        "%(column)s: Excel turned the number into a figure and lost its last digits. Format the "
                        "column as text and type the number again."
                    )
                    % {"column": label}
                )
                row["id_number"] = ""
                failed.add("id_number")
            else:
                row["id_number"] = idnumbers.normalize(_plain(raw))
        elif column.kind == "mobile":
            row["mobile"] = re.sub(r"[-()]", "", _plain(raw)).removeprefix("+86")
        elif column.kind == "flag":
            text = _plain(raw).upper()
            if isinstance(raw, bool):
                row[column.key] = raw
            elif text in YES:
                row[column.key] = True
            elif text in NO:
                row[column.key] = False
            else:
                row[column.key] = False
                reasons.append(
                    _("%(column)s: write 是 or 否 (found “%(value)s”).") % {"column": label, "value": _shown(raw)}
                )
        else:
            table = CHOICE_TABLES.get(column.kind)
            text = _text(raw)
            if column.kind == "group":
                group = groups.get(_plain(raw)) if text else None
                if text and group is None:
                    known = "、".join(sorted(groups)) or _("none yet")
                    reasons.append(
                        _("%(column)s: “%(value)s” is not a party group of this branch (its party groups: %(known)s).")
                        % {"column": label, "value": _shown(raw), "known": known}
                    )
                row["party_group"] = group
                continue
            assert table is not None
            chosen = _choice(raw, table) if text else None
            if text and chosen is None:
                reasons.append(
                    _("%(column)s: “%(value)s” is not one of %(choices)s.")
                    % {
                        "column": label,
                        "value": _shown(raw),
                        "choices": "、".join(dict.fromkeys(k for k in table if len(k) <= 5)),
                    }
                )
            elif not text and column.kind == "sex":
                reasons.append(_("%(column)s: choose %(choices)s.") % {"column": label, "choices": "男、女"})
            elif not text and column.kind == "category":
                reasons.append(
                    _("%(column)s: choose %(choices)s.") % {"column": label, "choices": "正式党员、预备党员"}
                )
            row[column.key] = chosen or ""
    return row, reasons, failed


# --- Checking -----------------------------------------------------------------------------------------


def _member_from(
    row: dict, branch: Organization, groups: dict[int, Organization] | None = None, *, with_id: bool = True
) -> Member:
    group_id = row.get("party_group")
    member = Member(
        organization=branch,
        party_group=(groups or {}).get(group_id) if group_id else None,
        **{key: row[key] for key in Member.RECORD_FIELDS},
    )
    if with_id:  # the check leaves the encryption to the write
        member.set_id_number(row["id_number"])
    if member.category == Member.Category.PROBATIONARY and member.joined_on:
        member.probation_ends_on = add_years(member.joined_on, 1)
    return member


MODEL_CHECK_EXCLUDE = [
    "organization",
    "party_group",
    "user",
    "id_number_encrypted",
    "id_number_hash",
    "id_number_masked",
    "name",
    "birth_date",
    "joined_on",
    "mobile",
]


def mask_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else ""


def registered_in(hashes: list[str]) -> dict[str, str]:
    """Which of these ID-number hashes are already registered, and the name of the branch each is in (the same
    question as `validation.duplicate_of`, asked for a whole file in a few queries)."""
    found: dict[str, str] = {}
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        for digest, name in Member.objects.filter(id_number_hash__in=chunk).values_list(
            "id_number_hash", "organization__name"
        ):
            found[digest] = name
    return found


def check_rows(sheet: Sheet, branch: Organization, *, today: datetime.date | None = None) -> dict:
    """Every row converted and checked: {"good": [rows to write], "bad": [{row, name, reasons}]}."""
    today = today or timezone.localdate()
    groups: dict[str, int] = {}
    for group in party_groups(branch):
        groups[_plain(group.name)] = group.pk
        if group.short_name:
            groups[_plain(group.short_name)] = group.pk
    checked: list[tuple[int, dict, list[str]]] = []
    seen: dict[str, list[int]] = {}
    for number, values in sheet.rows:
        row, reasons, failed = convert_row(values, sheet.columns, groups)
        number_ok = bool(row["id_number"]) and idnumbers.problem(row["id_number"]) is None
        if row["birth_date"] is None and number_ok and "birth_date" not in failed:
            row["birth_date"] = idnumbers.birth_date(row["id_number"])
        for field, messages in validation.problems(row, today=today).items():
            if field not in failed:
                reasons.extend(messages)
        if number_ok and not reasons:
            try:
                history.validate(_member_from(row, branch, with_id=False), exclude=MODEL_CHECK_EXCLUDE)
            except InvalidInput as refused:
                reasons.append(str(refused))
        if number_ok:
            seen.setdefault(row["id_number"], []).append(number)
        checked.append((number, row, reasons))
    hashes = {number: Member.id_hash_of(number) for number in seen}
    registered = registered_in(list(hashes.values()))
    good: list[dict] = []
    bad: list[dict] = []
    for number, row, reasons in checked:
        rows_with_number = seen.get(row["id_number"], [])
        others = [str(n) for n in rows_with_number if n != number]
        if others:
            reasons.append(
                _("The same ID-card number is also on row %(rows)s of this file.") % {"rows": "、".join(others)}
            )
        where = registered.get(hashes.get(row["id_number"], ""))
        if where:
            reasons.append(_("This ID-card number is already registered in %(branch)s.") % {"branch": where})
        if reasons:
            bad.append({"row": number, "name": row["name"][:40], "reasons": reasons})
        else:
            good.append(
                {
                    **{k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in row.items()},
                    "row": number,
                }
            )
    return {"good": good, "bad": bad, "ignored": sheet.ignored}


def check_upload(user, organization_id: int, upload) -> RosterImport:
    """Check an uploaded roster and keep the result (encrypted) for the preview; nothing reaches the registry.
    Refusals of the file as a whole raise RosterError; refusals of rows are in the result."""
    branch = import_branch(user, organization_id)
    RosterImport.objects.filter(created_at__lt=timezone.now() - EXPIRES_AFTER).delete()
    book = open_workbook(upload)
    try:
        sheet = read_sheet(book)
    finally:
        book.close()
    result = check_rows(sheet, branch)
    if not result["good"] and not result["bad"]:
        raise RosterError(_("The roster has a header row but no members below it."))
    return RosterImport.objects.create(
        organization=branch,
        created_by=user,
        file_name=(getattr(upload, "name", "") or "")[:200],
        payload=fieldcrypt.encrypt(json.dumps(result, ensure_ascii=False)),
        good_rows=len(result["good"]),
        bad_rows=len(result["bad"]),
    )


def import_branch(user, organization_id: int) -> Organization:
    """The branch a roster is imported into: open, not a party group, and the user holds MANAGE_MEMBERS there."""
    branch = Organization.objects.filter(pk=organization_id, closed_at__isnull=True).first()
    if branch is None or branch.kind == Organization.Kind.GROUP:
        raise NotFound
    require(user, MANAGE_MEMBERS, branch)
    return branch


def get_import_for_user(user, organization_id: int, import_id: int) -> RosterImport:
    """One's own upload into this branch (another person's, or one of another branch, is NotFound)."""
    found = RosterImport.objects.filter(pk=import_id, organization_id=organization_id, created_by=user).first()
    if found is None or (found.confirmed_at is None and is_expired(found)):
        raise NotFound
    return found


def is_expired(roster: RosterImport) -> bool:
    return roster.created_at < timezone.now() - EXPIRES_AFTER


def checked_rows(roster: RosterImport) -> dict:
    if not roster.payload:
        return {"good": [], "bad": [], "ignored": []}
    return json.loads(fieldcrypt.decrypt(roster.payload))


def preview_rows(roster: RosterImport, limit: int = SHOWN_ROWS) -> dict:
    """What the preview shows: the bad rows with their reasons, the good ones masked (name, ID number, mobile)."""
    result = checked_rows(roster)
    good = [
        {
            "row": row["row"],
            "name": row["name"],
            "id_number": idnumbers.masked(row["id_number"]),
            "mobile": mask_mobile(row["mobile"]),
        }
        for row in result["good"][:limit]
    ]
    return {"good": good, "bad": result["bad"][:limit], "ignored": result.get("ignored", [])}


# --- The write ----------------------------------------------------------------------------------------------


def import_roster(user, organization_id: int, import_id: int, keep_good_rows: bool) -> RosterImport:
    """Write the checked rows of an upload into the branch's registry, once, in one transaction.

    `keep_good_rows` must be given when the file had bad rows (only the good ones are written); a clean file is
    written whole. A second confirmation (double submit, the back button) writes nothing and returns the upload.
    A person registered meanwhile (by someone else) refuses the whole write, naming the rows."""
    branch = import_branch(user, organization_id)
    roster = get_import_for_user(user, branch.pk, import_id)
    if roster.confirmed_at is not None:
        return roster
    if roster.bad_rows and not keep_good_rows:
        raise ActionError(
            ngettext(
                "%(count)s row of the file has problems: correct the file and upload it again, or import only "
                "the rows without problems.",
                "%(count)s rows of the file have problems: correct the file and upload it again, or import only "
                "the rows without problems.",
                roster.bad_rows,
            )
            % {"count": roster.bad_rows}
        )
    if not roster.good_rows:
        raise ActionError(_("No row of the file can be imported. Correct the file and upload it again."))
    rows = checked_rows(roster)["good"]
    now = timezone.now()
    try:
        with transaction.atomic():
            # Claim the upload first: of two confirmations, the second finds it claimed and writes nothing.
            if not RosterImport.objects.filter(pk=roster.pk, confirmed_at__isnull=True).update(confirmed_at=now):
                return RosterImport.objects.get(pk=roster.pk)
            groups = {group.pk: group for group in party_groups(branch)}
            _recheck(rows, branch, groups)
            members = [_member_from(_dates(row), branch, groups) for row in rows]
            Member.objects.bulk_create(members, batch_size=500)
            _record_history(user, members, branch)
            RosterImport.objects.filter(pk=roster.pk).update(written=len(members), payload=b"")
    except IntegrityError:
        raise ActionError(
            _("Someone registered one of these people at the same moment. Upload the file again to see which.")
        ) from None
    roster.refresh_from_db()
    return roster


def _dates(row: dict) -> dict:
    converted = dict(row)
    for key in ("birth_date", "joined_on", "full_member_on"):
        if converted.get(key):
            converted[key] = datetime.date.fromisoformat(converted[key])
    return converted


def _recheck(rows: list[dict], branch: Organization, groups: dict[int, Organization]) -> None:
    """Inside the transaction: nobody registered these people since the check, the party groups still exist."""
    hashes = [Member.id_hash_of(row["id_number"]) for row in rows]
    registered = registered_in(hashes)
    problems: list[str] = []
    for digest, row in zip(hashes, rows, strict=True):
        where = registered.get(digest)
        if where:
            problems.append(
                _("Row %(row)s: this ID-card number is already registered in %(branch)s.")
                % {"row": row["row"], "branch": where}
            )
        if row.get("party_group") and row["party_group"] not in groups:
            problems.append(_("Row %(row)s: the party group no longer exists.") % {"row": row["row"]})
    if problems:
        raise ActionError(
            _("Since the file was checked, things changed; nothing was imported. Upload the file again. %(list)s")
            % {"list": " ".join(problems[:20])}
        )


def _record_history(user, members: list[Member], branch: Organization) -> None:
    """A ChangeRecord per member (created), as `core.history.save_tracked` records it, written in bulk."""
    content_type = ContentType.objects.get_for_model(Member)
    fields = history.tracked_fields(Member())
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                content_type=content_type,
                object_id=member.pk,
                object_repr=str(member)[:300],
                organization=branch,
                actor=user,
                action=ChangeRecord.Action.CREATE,
                changes=history.snapshot(member, fields),
            )
            for member in members
        ],
        batch_size=500,
    )
    bump_content_generation()
