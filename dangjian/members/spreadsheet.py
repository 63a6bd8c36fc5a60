"""The roster spreadsheet (.xlsx) of the member import: its columns and choice words (the file format branches fill
in, in Chinese whatever the page's language), the downloadable template, reading a workbook safely (size, zip
directory and uncompressed sizes checked before openpyxl opens it) and converting its cells to a member's values.
`members/roster.py` checks the converted rows and writes them."""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from dangjian.core import spreadsheets
from dangjian.core.history import ActionError
from dangjian.core.masking import mask_numbers
from dangjian.organizations.models import Organization

from . import idnumbers
from .models import Member

MAX_COLUMNS = 60  # columns read from each row; a roster has 16
HEADER_SEARCH_ROWS = 10  # a title row or two may sit above the header row
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


def _refusal(reason: str, size: int) -> RosterError:
    """The roster's words for a file core.spreadsheets.open_xlsx refuses."""
    limit = settings.ROSTER_MAX_BYTES
    if reason == "too_big":
        return RosterError(
            _("The file is %(size)s MB; a roster may be at most %(limit)s MB. Remove pictures or other sheets.")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:.0f}"}
        )
    if reason == "xls":
        return RosterError(
            _(
                "This is an old-format Excel file (.xls). Open it in Excel or WPS, choose Save As and pick "
                "“Excel Workbook (*.xlsx)”, then upload the new file."
            )
        )
    if reason == "word":
        return RosterError(_("This is a Word document, not an Excel workbook. Fill in the roster template instead."))
    if reason == "bomb":
        return RosterError(_("This workbook is far larger inside than a roster can be. Save the roster alone again."))
    if reason == "password":
        return RosterError(
            _("This workbook is protected by a password. Save it without a password and upload it again.")
        )
    if reason == "damaged":
        return RosterError(
            _("The workbook could not be read (it may be damaged). Open it in Excel or WPS, save it again, and retry.")
        )
    return RosterError(  # empty, or not an .xlsx
        _("This file is not an Excel workbook (.xlsx). Fill in the roster template and upload it as it was saved.")
    )


def open_workbook(upload):
    """The workbook of an uploaded file, or RosterError: the size, the zip directory and the parts of an .xlsx
    are checked before anything is decompressed or parsed (core.spreadsheets)."""
    return spreadsheets.open_xlsx(upload, settings.ROSTER_MAX_BYTES, lambda reason: _refusal(reason, upload.size))


_header_key = spreadsheets.header_key


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


def plain_text(value: Any) -> str:
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
    text = plain_text(value)
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
    text = plain_text(value)
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
                row["id_number"] = idnumbers.normalize(plain_text(raw))
        elif column.kind == "mobile":
            row["mobile"] = re.sub(r"[-()]", "", plain_text(raw)).removeprefix("+86")
        elif column.kind == "flag":
            text = plain_text(raw).upper()
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
                group = groups.get(plain_text(raw)) if text else None
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
