"""A question bank in Excel (.xlsx): the downloadable template, reading an upload safely (size, zip directory and
uncompressed sizes checked before openpyxl opens it, formulas read as their text, never run), checking every row
with `bank_actions.check_question` (and duplicates within the file and the bank), and the export, whose columns are
the template's so that an exported bank imports again. The file format is Chinese whatever the page's language."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from dangjian.core import spreadsheets
from dangjian.core.exports import spreadsheet_cell
from dangjian.core.history import ActionError

from . import bank_actions
from .bank_actions import KIND_NAMES, LETTERS, QuestionInput
from .models import Question, QuestionBank

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 30
SHOWN_ROWS = 200  # rows listed on the preview page

OPTION_HEADERS = [f"选项{letter}" for letter in LETTERS]
HEADERS = ["题型", "题目", *OPTION_HEADERS, "答案", "解析", "标签", "能力项"]
KEYS = ["kind", "text", *[f"option{i}" for i in range(len(LETTERS))], "answer", "explanation", "tags", "competency"]
ALIASES = {
    "题型": "kind",
    "类型": "kind",
    "题目类型": "kind",
    "题目": "text",
    "题干": "text",
    "试题": "text",
    "问题": "text",
    "答案": "answer",
    "正确答案": "answer",
    "参考答案": "answer",
    "解析": "explanation",
    "答案解析": "explanation",
    "说明": "explanation",
    "标签": "tags",
    "政策领域": "tags",
    "能力项": "competency",
    "能力": "competency",
    **{header: f"option{i}" for i, header in enumerate(OPTION_HEADERS)},
    **{f"选项{letter.lower()}": f"option{i}" for i, letter in enumerate(LETTERS)},
    **{letter: f"option{i}" for i, letter in enumerate(LETTERS)},
}
EXAMPLES = [
    [
        "单选",
        "党的最高理想和最终目标是什么？",
        "实现共同富裕",
        "实现共产主义",
        "全面建成小康社会",
        "实现四个现代化",
        "",
        "",
        "",
        "",
        "B",
        "党章总纲：党的最高理想和最终目标是实现共产主义。",
        "党章",
        "",  # the competency: filled from the bank's framework (template_examples)
    ],
    [
        "多选",
        "“三会一课”中的“三会”包括哪些？",
        "支部党员大会",
        "支部委员会",
        "党小组会",
        "村民代表大会",
        "",
        "",
        "",
        "",
        "ABC",
        "“三会”指支部党员大会、支部委员会和党小组会，“一课”指党课。",
        "三会一课",
        "",
    ],
    [
        "判断",
        "预备党员的预备期为一年。",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "对",
        "党章第七条：预备党员的预备期为一年。",
        "党章",
        "",
    ],
    [
        "填空",
        "2016年在全体党员中开展的“____”学习教育，即学党章党规、学系列讲话，做合格党员。",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "两学一做|两学一做学习教育",
        "多个可接受的答案用 | 隔开。",
        "党章,党内教育",
        "",
    ],
]


class BankFileError(ActionError):
    """The file as a whole is refused (not a workbook, too big, too many rows, no header row)."""


def _max_bytes() -> int:
    return getattr(settings, "BANK_IMPORT_MAX_BYTES", settings.ROSTER_MAX_BYTES)


def _max_rows() -> int:
    return getattr(settings, "BANK_IMPORT_MAX_ROWS", settings.ROSTER_MAX_ROWS)


def _book_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header(sheet, widths: list[int]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for index, (header, width) in enumerate(zip(HEADERS, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9D9")
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"


WIDTHS = [8, 50, *[18] * len(LETTERS), 14, 40, 16, 14]


def template_examples(bank: QuestionBank) -> list[list[str]]:
    """The template's example rows, their competency taken from the framework that applies to the bank's
    organization (a policy one when there is one, else the first; blank without a framework), so that the template
    imports as it is."""
    names = list(bank_actions.framework_names(bank))
    example = next((name for name in names if "政策" in name), names[0] if names else "")
    rows = [list(row) for row in EXAMPLES]
    rows[0][-1] = example
    return rows


def template_workbook(bank: QuestionBank) -> bytes:
    """The template: the header row and four example rows (one of each kind) on the first sheet, which the user
    overwrites, and the instructions on the second."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "题目"
    _header(sheet, WIDTHS)
    for row in template_examples(bank):
        sheet.append(row)
    check = DataValidation(type="list", formula1='"单选,多选,判断,填空"', allow_blank=True)
    check.error = "请从下拉列表中选择：单选、多选、判断、填空"
    check.errorTitle = "题型"
    check.showErrorMessage = True
    check.add(f"A2:A{_max_rows() + 1}")
    sheet.add_data_validation(check)
    guide = book.create_sheet("填写说明")
    guide.column_dimensions["A"].width = 110
    names = "、".join(c.name for c in bank_actions.competencies.framework_for(bank.organization)) or "（无）"
    lines = [
        f"{bank.name} 题目导入模板",
        "1. 在“题目”工作表中，从第2行起每行填写一道题；第1行的列名请勿修改（列的顺序可以调整）。示例行请替换或删除。",
        "2. 题型：单选、多选、判断、填空。",
        "3. 单选、多选：选项A起按顺序填写，2至8个选项，不要空格；答案填选项字母，如 B；多选填 ACD（至少两个）。",
        "4. 判断：不填选项，答案填“对”或“错”。",
        "5. 填空：不填选项，答案填可接受的答案，多个用 | 隔开，如 两学一做|两学一做学习教育（不区分全角半角和首尾标点）。",
        f"6. 题目最多 {bank_actions.TEXT_MAX} 字，每个选项最多 {bank_actions.OPTION_MAX} 字，解析最多 {bank_actions.EXPLANATION_MAX} 字。",
        "7. 标签：如政策领域（乡村振兴、惠民政策），多个用逗号或顿号隔开。",
        f"8. 能力项（可不填）：{names}。",
        "9. 同一题库中题目不能重复。上传后会逐行检查，全部无误后才能导入；有误的行会列出行号和原因。",
        f"10. 每个文件最多 {_max_rows()} 行。",
    ]
    for number, text in enumerate(lines, start=1):
        guide.cell(row=number, column=1, value=text)
    return _book_bytes(book)


def export_workbook(bank: QuestionBank) -> bytes:
    """The bank's questions (archived ones left out) in the template's columns; a cell that a spreadsheet could run
    as a formula is written as text."""
    from openpyxl import Workbook

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "题目"
    _header(sheet, WIDTHS)
    questions = (
        Question.objects.filter(bank=bank, archived_at=None)
        .select_related("competency")
        .prefetch_related("tags")
        .order_by("pk")
    )
    for q in questions:
        options = list(q.options) + [""] * (len(LETTERS) - len(q.options))
        if q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            answer = "".join(LETTERS[i] for i in q.answer if i < len(LETTERS))
        elif q.kind == Question.Kind.TRUE_FALSE:
            answer = "对" if q.answer and q.answer[0] else "错"
        else:
            answer = "|".join(q.answer)
        row = [
            KIND_NAMES.get(q.kind, q.kind),
            q.text,
            *options[: len(LETTERS)],
            answer,
            q.explanation,
            "、".join(t.name for t in q.tags.all()),
            q.competency.name if q.competency else "",
        ]
        sheet.append([spreadsheet_cell(value) for value in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"
    return _book_bytes(book)


# --- Reading an upload -------------------------------------------------------------------------------------


def _refusal(reason: str, size: int) -> BankFileError:
    """A question file's words for a file core.spreadsheets.open_xlsx refuses."""
    limit = _max_bytes()
    messages = {
        "empty": _("The file is empty. Fill in the question template and upload it again."),
        "xls": _(
            "This is an old-format Excel file (.xls). Open it in Excel or WPS, choose Save As and pick "
            "“Excel Workbook (*.xlsx)”, then upload the new file."
        ),
        "word": _("This is a Word document, not an Excel workbook. Fill in the question template instead."),
        "bomb": _("This workbook is far larger inside than a question file can be. Save the questions alone again."),
        "password": _("This workbook is protected by a password. Save it without a password and upload it again."),
        "damaged": _(
            "The workbook could not be read (it may be damaged). Open it in Excel or WPS, save it again, and retry."
        ),
    }
    if reason == "too_big":
        return BankFileError(
            _("The file is %(size)s MB; a question file may be at most %(limit)s MB.")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:.0f}"}
        )
    return BankFileError(
        messages.get(
            reason,
            _(
                "This file is not an Excel workbook (.xlsx). Fill in the question template and upload it as it was "
                "saved."
            ),
        )
    )


def open_workbook(upload):
    return spreadsheets.open_xlsx(upload, _max_bytes(), lambda reason: _refusal(reason, upload.size))


_header_key = spreadsheets.header_key


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "对" if value else "错"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and len(text) > 1 and text[1] in "=+-@＝＋－＠":
        text = text[1:]  # our own export's guard against formulas
    return text


@dataclass
class Sheet:
    columns: dict[str, int]
    rows: list[tuple[int, tuple]]
    ignored: list[str] = field(default_factory=list)


def read_sheet(book) -> Sheet:
    """The rows of the first sheet with a header row naming 题型, 题目 and 答案."""
    max_rows = _max_rows()
    for worksheet in book.worksheets:
        if not hasattr(worksheet, "iter_rows"):
            continue
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()
        header: dict[str, int] | None = None
        ignored: list[str] = []
        found: list[tuple[int, tuple]] = []
        for number, values in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if header is None:
                if number > HEADER_SEARCH_ROWS:
                    break
                keys = [_header_key(v) for v in values]
                columns = {ALIASES[k]: i for i, k in reversed(list(enumerate(keys))) if k in ALIASES}
                if {"kind", "text", "answer"} <= set(columns):
                    header = columns
                    ignored = [str(values[i]).strip() for i, k in enumerate(keys) if k and k not in ALIASES]
                continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            found.append((number, values))
            if len(found) > max_rows:
                raise BankFileError(
                    _("The file has more than %(limit)s questions. Split it into files of at most %(limit)s rows.")
                    % {"limit": max_rows}
                )
        if header is not None:
            return Sheet(header, found, ignored)
    raise BankFileError(
        _(
            "No header row with the columns “题型”, “题目” and “答案” was found in the first rows of any sheet. "
            "Use the template: its first row names the columns."
        )
    )


def _input(sheet: Sheet, values: tuple) -> QuestionInput:
    def get(key: str) -> str:
        index = sheet.columns.get(key)
        return _cell(values[index]) if index is not None and index < len(values) else ""

    return QuestionInput(
        kind=get("kind"),
        text=get("text"),
        options=[get(f"option{i}") for i in range(len(LETTERS))],
        answer=get("answer"),
        explanation=get("explanation"),
        tags=get("tags"),
        competency=get("competency"),
    )


@dataclass
class CheckedFile:
    file_name: str
    good: list[dict]  # {"row": n, "values": QuestionInput as a dict, "text": ..., "kind": ...}
    bad: list[dict]  # {"row": n, "text": ..., "reasons": [...]}
    ignored: list[str]

    @property
    def clean(self) -> bool:
        return not self.bad and bool(self.good)


def check_upload(user, bank_id: int, upload) -> CheckedFile:
    """Every row of the uploaded file checked: the question's own checks, duplicates within the file (both rows
    named) and in the bank. Nothing is written."""
    bank = bank_actions._bank(user, bank_id)
    book = open_workbook(upload)
    try:
        sheet = read_sheet(book)
    finally:
        book.close()
    framework = bank_actions.framework_names(bank)
    good: list[dict] = []
    bad: list[dict] = []
    first_row: dict[str, int] = {}
    in_bank = bank_actions.duplicate_in_bank(bank, [_input(sheet, values).text for _n, values in sheet.rows])
    for number, values in sheet.rows:
        data = _input(sheet, values)
        checked, errors = bank_actions.check_question(data, framework)
        reasons = [m for messages in errors.values() for m in messages]
        key = bank_actions.text_key(data.text)
        if key:
            if key in first_row:
                reasons.append(_("The same question as row %(row)s of this file.") % {"row": first_row[key]})
            else:
                first_row[key] = number
            if key in in_bank:
                reasons.append(_("The bank already has a question with this text."))
        shown = " ".join(data.text.split())[:60]
        if reasons or checked is None:
            bad.append({"row": number, "text": shown, "reasons": reasons})
        else:
            good.append(
                {
                    "row": number,
                    "text": shown,
                    "kind": KIND_NAMES.get(checked.kind, checked.kind),
                    "values": data.__dict__,
                }
            )
    if not good and not bad:
        raise BankFileError(_("The file has a header row but no questions below it."))
    return CheckedFile(getattr(upload, "name", "") or "", good, bad, sheet.ignored)
