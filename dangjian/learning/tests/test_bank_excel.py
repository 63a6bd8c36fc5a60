"""The bank's Excel template, import (every row checked, nothing written until the whole file is clean) and
export (formula prefixes neutralized; an exported bank imports again)."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangjian.learning import competencies
from dangjian.learning.bank_excel import HEADERS
from dangjian.learning.models import Question
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def _xlsx(rows, headers=HEADERS) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("题目.xlsx", buffer.getvalue())


def _row(kind, text, options=(), answer="", explanation="", tags="", competency=""):
    opts = list(options) + [""] * (8 - len(options))
    return [kind, text, *opts, answer, explanation, tags, competency]


GOOD = [
    _row("单选", "党的根本宗旨是什么？", ["发展经济", "全心全意为人民服务", "改革开放"], "B", "党章总纲。", "党章"),
    _row("多选", "“三会”包括哪些？", ["支部党员大会", "支部委员会", "党小组会", "村民大会"], "ABC", "", "三会一课"),
    _row("判断", "预备党员的预备期为一年。", [], "对", "党章第七条。", "党章"),
    _row("填空", "“____”学习教育", [], "两学一做|两学一做学习教育", "", "党章、党内教育"),
]


@pytest.fixture
def bank(county):
    return f.question_bank(county.town_a, "东城镇题库")


@pytest.fixture
def signed_in(client, county):
    client.force_login(county.town_a_media)
    return client


def _upload(client, bank, file):
    return client.post(reverse("console:question_bank_import", args=[bank.pk]), {"file": file})


def _confirm(client, bank, page: str):
    token = re.search(r'name="checked" value="([^"]+)"', page).group(1)
    return client.post(reverse("console:question_bank_import_confirm", args=[bank.pk]), {"checked": token})


def test_the_template_has_the_header_row_and_an_example_of_each_kind(signed_in, bank):
    response = signed_in.get(reverse("console:question_bank_template", args=[bank.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert {row[0] for row in rows[1:]} == {"单选", "多选", "判断", "填空"}
    assert "两学一做|两学一做学习教育" in {row[10] for row in rows[1:]}


@pytest.mark.parametrize("framework", [True, False])
def test_the_downloaded_template_imports_as_it_is(signed_in, bank, county, framework):
    if framework:
        competencies.create_standard(county.county)
    names = [c.name for c in competencies.framework_for(bank.organization)]
    template = signed_in.get(reverse("console:question_bank_template", args=[bank.pk])).content
    rows = list(load_workbook(io.BytesIO(template)).worksheets[0].iter_rows(values_only=True))
    assert (rows[1][-1] in names) if framework else not rows[1][-1]
    page = _upload(signed_in, bank, SimpleUploadedFile("模板.xlsx", template)).content.decode()
    assert "导入全部4道题" in page
    assert _confirm(signed_in, bank, page).status_code == 302
    assert bank.questions.count() == 4
    if framework:
        assert bank.questions.get(kind="single").competency.name == rows[1][-1]


def test_a_clean_file_is_previewed_then_written_in_one_step(signed_in, bank):
    response = _upload(signed_in, bank, _xlsx(GOOD))
    page = response.content.decode()
    assert response.status_code == 200 and "导入全部4道题" in page
    assert not bank.questions.exists()  # nothing before the confirmation
    assert _confirm(signed_in, bank, page).status_code == 302
    assert bank.questions.count() == 4
    blank = bank.questions.get(kind="blank")
    assert blank.answer == ["两学一做", "两学一做学习教育"]
    assert set(blank.tags.values_list("name", flat=True)) == {"党章", "党内教育"}
    assert bank.questions.get(kind="multiple").answer == [0, 1, 2]
    # The same confirmation again writes nothing more.
    response = _confirm(signed_in, bank, page)
    assert bank.questions.count() == 4


def test_a_row_without_its_answer_is_named_and_nothing_is_written(signed_in, bank):
    rows = [*GOOD, _row("单选", "党的最高理想是什么？", ["共同富裕", "共产主义"], "", "")]
    response = _upload(signed_in, bank, _xlsx(rows))
    page = response.content.decode()
    assert "第6行" in page and "请给出正确答案" in page
    assert 'name="checked"' not in page
    assert not bank.questions.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_row("问答", "什么是党？", [], "党"), "题型“问答”无法识别"),
        (_row("单选", "宗旨？", ["甲", "乙"], "D"), "答案 D 不在选项中"),
        (_row("单选", "长" * 501, ["甲", "乙"], "A"), "题目最多500字"),
        (_row("单选", "第1题：党的根本宗旨是什么？", ["甲", "乙"], "A"), "题库中已有相同的题目"),
        (_row("单选", "宗旨？", ["甲", "甲"], "A"), "选项A和选项B相同"),
        (_row("判断", "对不对？", [], "也许"), "判断题的答案为“对”或“错”"),
        (_row("单选", "宗旨？", ["甲", "乙"], "A", "", "", "不存在的能力"), "不是能力框架中的能力项"),
    ],
)
def test_each_bad_row_is_listed_with_its_reason(signed_in, bank, county, row, message):
    competencies.create_standard(county.county)
    Question.objects.create(
        bank=bank, kind="single", text="第1题：党的根本宗旨是什么？", options=["a", "b"], answer=[1]
    )
    page = _upload(signed_in, bank, _xlsx([GOOD[0], row])).content.decode()
    assert "第3行" in page and message in page
    assert bank.questions.count() == 1


def test_the_same_question_twice_in_a_file_names_the_first_row(signed_in, bank):
    page = _upload(signed_in, bank, _xlsx([GOOD[0], GOOD[1], GOOD[0]])).content.decode()
    assert "第4行" in page and "与本文件第2行的题目重复" in page
    assert not bank.questions.exists()


def test_a_text_file_named_xlsx_is_refused(signed_in, bank):
    response = _upload(signed_in, bank, SimpleUploadedFile("题目.xlsx", "题型,题目\n单选,什么？".encode()))
    assert response.status_code == 400
    assert "这个文件不是 Excel 工作簿" in response.content.decode()
    assert not bank.questions.exists()


def test_an_empty_file_is_refused(signed_in, bank):
    response = _upload(signed_in, bank, SimpleUploadedFile("题目.xlsx", b""))
    assert response.status_code == 400
    assert "文件是空的" in response.content.decode()


def test_a_file_of_20001_rows_is_refused(signed_in, bank):
    rows = [_row("判断", f"第{n}题是对的。", [], "对") for n in range(20_001)]
    response = _upload(signed_in, bank, _xlsx(rows))
    assert response.status_code == 400
    assert "文件超过20000道题" in response.content.decode()
    assert not bank.questions.exists()


def test_a_forged_confirmation_writes_nothing(signed_in, bank):
    response = signed_in.post(
        reverse("console:question_bank_import_confirm", args=[bank.pk]), {"checked": "eyJyb3dzIjpbXX0:forged"}
    )
    assert response.status_code == 302
    assert not bank.questions.exists()


def test_another_banks_confirmation_is_refused(signed_in, bank, county):
    other = f.question_bank(county.town_a, "另一个题库")
    page = _upload(signed_in, bank, _xlsx(GOOD)).content.decode()
    token = re.search(r'name="checked" value="([^"]+)"', page).group(1)
    response = signed_in.post(reverse("console:question_bank_import_confirm", args=[other.pk]), {"checked": token})
    assert response.status_code == 404
    assert not other.questions.exists() and not bank.questions.exists()


def test_another_townships_staff_cannot_import(client, bank, county):
    client.force_login(county.town_b_discipline)
    assert _upload(client, bank, _xlsx(GOOD)).status_code in (403, 404)
    assert not bank.questions.exists()


def test_export_then_import_gives_the_same_questions_and_neutralizes_formulas(signed_in, bank, county):
    rows = [*GOOD, _row("判断", "=1+1 是一个公式吗？", [], "错", "@SUM(A1)", "")]
    _confirm(signed_in, bank, _upload(signed_in, bank, _xlsx(rows)).content.decode())
    exported = signed_in.get(reverse("console:question_bank_export", args=[bank.pk]))
    book = load_workbook(io.BytesIO(exported.content))
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert "'=1+1 是一个公式吗？" in cells and "'@SUM(A1)" in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    copy = f.question_bank(county.town_a, "副本")
    upload = SimpleUploadedFile("导出.xlsx", exported.content)
    page = _upload(signed_in, copy, upload).content.decode()
    assert _confirm(signed_in, copy, page).status_code == 302

    def shape(b):
        return sorted(
            (
                q.kind,
                q.text,
                tuple(q.options),
                str(q.answer),
                q.explanation,
                tuple(sorted(t.name for t in q.tags.all())),
            )
            for q in b.questions.all()
        )

    assert shape(copy) == shape(bank)
    assert copy.questions.get(kind="true_false", answer=[False]).text == "=1+1 是一个公式吗？"
