"""The question-bank console: who may see and change a bank, the question form's checks for each kind, archiving."""

import re

import pytest
from django.urls import reverse

from dangjian.accounts.models import Role
from dangjian.core.models import ChangeRecord
from dangjian.learning import competencies
from dangjian.learning.models import Question, QuestionBank, Tag
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def _form(**values):
    data = {
        "kind": "single",
        "text": "党的根本宗旨是什么？",
        "option_a": "发展经济",
        "option_b": "全心全意为人民服务",
        "option_c": "改革开放",
        "correct": ["B"],
        "explanation": "党章总纲。",
        "tags": "党章、基本知识",
        "competency": "",
    }
    data.update(values)
    return data


def test_the_menu_shows_banks_to_a_media_officer_and_not_to_a_discipline_officer(client, county):
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:question_banks"))
    assert page.status_code == 200
    assert "题库" in page.content.decode()
    client.force_login(county.town_b_discipline)
    assert client.get(reverse("console:question_banks")).status_code == 404
    assert "题库" not in client.get("/console/").content.decode()


def test_a_media_officer_creates_a_bank_on_their_township(client, county):
    client.force_login(county.town_a_media)
    response = client.post(
        reverse("console:question_banks"), {"organization": county.town_a.pk, "name": "东城镇题库", "description": ""}
    )
    bank = QuestionBank.objects.get(name="东城镇题库")
    assert response.status_code == 302 and bank.organization == county.town_a
    assert ChangeRecord.objects.filter(object_id=bank.pk, action="create").exists()


def test_a_bank_cannot_be_created_on_an_organization_outside_ones_scope(client, county):
    client.force_login(county.town_a_media)
    response = client.post(reverse("console:question_banks"), {"organization": county.town_b.pk, "name": "别人的题库"})
    assert response.status_code == 400
    assert not QuestionBank.objects.filter(name="别人的题库").exists()


def test_another_townships_staff_cannot_open_or_change_a_bank(client, county):
    bank = f.question_bank(county.town_a, "东城镇题库", questions=1)
    question = bank.questions.get()
    other = f.staff("b_admin", Role.ORG_ADMIN, county.town_b)
    client.force_login(other)
    assert client.get(reverse("console:question_bank", args=[bank.pk])).status_code == 404
    assert client.get(reverse("console:question_bank_export", args=[bank.pk])).status_code == 404
    response = client.post(reverse("console:question_edit", args=[bank.pk, question.pk]), _form(text="改掉"))
    assert response.status_code == 404
    response = client.post(reverse("console:question_archive", args=[bank.pk, question.pk]))
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.text.startswith("第1题") and question.archived_at is None


def test_a_question_id_of_another_bank_is_refused_through_ones_own_bank(client, county):
    own = f.question_bank(county.town_a, "东城镇题库")
    theirs = f.question_bank(county.town_b, "西山乡题库", questions=1)
    question = theirs.questions.get()
    client.force_login(county.town_a_media)
    response = client.post(reverse("console:question_edit", args=[own.pk, question.pk]), _form(text="伪造"))
    assert response.status_code == 404
    response = client.post(reverse("console:question_archive", args=[own.pk, question.pk]))
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.archived_at is None and question.text.startswith("第1题")


def test_a_village_secretary_cannot_change_the_township_bank(client, county):
    bank = f.question_bank(county.town_a, "东城镇题库")
    client.force_login(county.village_a1_secretary)
    response = client.post(reverse("console:question_new", args=[bank.pk]), _form())
    assert response.status_code == 404
    assert not bank.questions.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client, county):
    bank = f.question_bank(county.town_a)
    response = client.post(reverse("console:question_new", args=[bank.pk]), _form())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not bank.questions.exists()


def test_each_kind_of_question_is_saved_with_its_answer_tags_and_competency(client, county):
    framework = competencies.create_standard(county.county)
    bank = f.question_bank(county.town_a)
    client.force_login(county.town_a_media)
    url = reverse("console:question_new", args=[bank.pk])
    cases = [
        (_form(competency=framework[3].name), [1]),
        (_form(kind="multiple", text="三会包括？", option_d="党小组会", correct=["A", "C", "D"]), [0, 2, 3]),
        (_form(kind="true_false", text="预备期为一年。", truth="对", correct=[]), [True]),
        (
            _form(kind="blank", text="两学____", accepted="两学一做\n两学一做学习教育", correct=[]),
            ["两学一做", "两学一做学习教育"],
        ),
    ]
    for data, answer in cases:
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        question = bank.questions.order_by("-pk").first()
        assert question.answer == answer
    single = bank.questions.get(kind="single")
    assert single.options == ["发展经济", "全心全意为人民服务", "改革开放"]
    assert single.competency == framework[3]
    assert set(single.tags.values_list("name", flat=True)) == {"党章", "基本知识"}
    assert bank.questions.get(kind="true_false").options == []
    assert Tag.objects.filter(name="党章").count() == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"option_a": "", "option_b": "", "option_c": "", "correct": []}, "选择题需要填写选项"),
        ({"correct": ["E"]}, "答案 E 不在选项中"),
        ({"option_c": "发展经济"}, "选项A和选项C相同"),
        ({"correct": ["A", "B"]}, "单选题只有一个正确答案"),
        ({"kind": "multiple", "correct": ["B"]}, "多选题至少要有两个正确答案"),
        ({"option_b": "", "correct": ["A"]}, "选项B为空"),
        ({"text": ""}, "请填写题目"),
        ({"text": "长" * 501}, "题目最多500字"),
        ({"kind": "true_false", "correct": [], "truth": ""}, "请给出正确答案：对或错"),
        ({"kind": "blank", "correct": [], "accepted": ""}, "请填写可接受的答案"),
    ],
)
def test_a_wrong_question_is_refused_with_a_clear_message_and_nothing_saved(client, county, values, message):
    bank = f.question_bank(county.town_a)
    client.force_login(county.town_a_media)
    response = client.post(reverse("console:question_new", args=[bank.pk]), _form(**values))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not bank.questions.exists()


def test_the_same_question_twice_in_a_bank_is_refused(client, county):
    bank = f.question_bank(county.town_a, questions=1)
    client.force_login(county.town_a_media)
    response = client.post(reverse("console:question_new", args=[bank.pk]), _form(text="第1题：党的根本宗旨是什么？"))
    assert response.status_code == 400
    assert "题库中已有相同的题目" in response.content.decode()
    assert bank.questions.count() == 1


def test_editing_keeps_history_and_refuses_a_stale_version(client, county):
    bank = f.question_bank(county.town_a, questions=1)
    question = bank.questions.get()
    client.force_login(county.town_a_media)
    url = reverse("console:question_edit", args=[bank.pk, question.pk])
    assert client.post(url, _form(text="新的题目", seen_version=1)).status_code == 302
    question.refresh_from_db()
    assert question.text == "新的题目" and question.version == 2
    assert ChangeRecord.objects.filter(object_id=question.pk, action="update").exists()
    response = client.post(url, _form(text="又改了", seen_version=1))
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.text == "新的题目"


def test_archiving_keeps_the_question_but_hides_it_from_the_list_and_quizzes(client, county):
    bank = f.question_bank(county.town_a, questions=2)
    first = bank.questions.order_by("pk").first()
    client.force_login(county.town_a_media)
    assert client.post(reverse("console:question_archive", args=[bank.pk, first.pk])).status_code == 302
    first.refresh_from_db()
    assert first.archived_at is not None
    page = client.get(reverse("console:question_bank", args=[bank.pk])).content.decode()
    assert f'id="q{first.pk}"' not in page
    archived = client.get(reverse("console:question_bank", args=[bank.pk]) + "?archived=on").content.decode()
    assert f'id="q{first.pk}"' in archived
    client.post(reverse("console:question_archive", args=[bank.pk, first.pk]), {"restore": "1"})
    first.refresh_from_db()
    assert first.archived_at is None


def test_the_filters_narrow_the_questions(client, county):
    bank = f.question_bank(county.town_a, questions=2, tag="党章")
    Question.objects.create(bank=bank, kind="true_false", text="乡村振兴是国家战略。", answer=[True])
    client.force_login(county.town_a_media)
    url = reverse("console:question_bank", args=[bank.pk])
    page = client.get(url, {"kind": "true_false"}).content.decode()
    assert "乡村振兴是国家战略" in page and "第1题" not in page
    page = client.get(url, {"tag": "党章"}).content.decode()
    assert "第1题" in page and "乡村振兴是国家战略" not in page
    page = client.get(url, {"q": "乡村振兴"}).content.decode()
    assert "乡村振兴是国家战略" in page and "第2题" not in page


def test_the_bank_list_shows_only_the_banks_within_ones_scope(client, county):
    f.question_bank(county.town_a, "东城镇题库")
    f.question_bank(county.town_b, "西山乡题库")
    f.question_bank(county.village_a1, "王庄村题库")
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:question_banks")).content.decode()
    assert "东城镇题库" in page and "王庄村题库" in page and "西山乡题库" not in page


def test_a_revoked_officer_is_refused_at_once(client, county):
    bank = f.question_bank(county.town_a, "东城镇题库")
    client.force_login(county.town_a_media)
    assert client.get(reverse("console:question_bank", args=[bank.pk])).status_code == 200
    county.town_a_media.role_grants.all().delete()
    response = client.post(reverse("console:question_new", args=[bank.pk]), _form())
    assert response.status_code == 403
    assert not bank.questions.exists()


def test_the_edit_form_shows_the_stored_question(client, county):
    bank = f.question_bank(county.town_a)
    question = Question.objects.create(
        bank=bank, kind="multiple", text="三会包括？", options=["党员大会", "支委会", "党小组会"], answer=[0, 2]
    )
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:question_edit", args=[bank.pk, question.pk])).content.decode()
    assert 'value="党小组会"' in page
    ticked = {
        re.search(r'value="([A-H])"', tag).group(1)
        for tag in re.findall(r'<input type="checkbox" name="correct"[^>]*>', page)
        if "checked" in tag
    }
    assert ticked == {"A", "C"}


def test_a_township_reads_the_county_banks_but_cannot_change_them(client, county):
    county_bank = f.question_bank(county.county, "县委题库", questions=2)
    f.question_bank(county.town_a, "东城镇题库")
    neighbour = f.question_bank(county.town_b, "西山乡题库", questions=1)
    question = county_bank.questions.order_by("pk").first()
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:question_banks")).content.decode()
    assert "上级组织的题库（可用于测验和考试，只读）" in page
    above = page.split('data-testid="banks-above"')[1]
    assert "县委题库" in above and "东城镇题库" not in above and "西山乡题库" not in page
    response = client.get(reverse("console:question_bank", args=[county_bank.pk]))
    detail = response.content.decode()
    assert response.status_code == 200 and question.text in detail and 'data-testid="read-only"' in detail
    assert "县委题库" in detail and reverse("console:organization", args=[county.county.pk]) not in detail
    for name in ("console:question_new", "console:question_bank_import", "console:question_bank_export"):
        assert reverse(name, args=[county_bank.pk]) not in detail
    assert reverse("console:question_edit", args=[county_bank.pk, question.pk]) not in detail
    assert reverse("console:question_archive", args=[county_bank.pk, question.pk]) not in detail
    # Raw requests that would change the county's bank are refused, and nothing changes.
    assert client.post(reverse("console:question_new", args=[county_bank.pk]), _form()).status_code == 404
    edit = client.post(reverse("console:question_edit", args=[county_bank.pk, question.pk]), _form(text="改掉"))
    assert edit.status_code == 404
    assert client.post(reverse("console:question_archive", args=[county_bank.pk, question.pk])).status_code == 404
    assert client.get(reverse("console:question_bank_import", args=[county_bank.pk])).status_code == 404
    question.refresh_from_db()
    assert county_bank.questions.count() == 2 and question.archived_at is None and question.text.startswith("第")
    # Another township's bank stays invisible.
    assert client.get(reverse("console:question_bank", args=[neighbour.pk])).status_code == 404
    # The county's own staff still change their bank.
    client.force_login(county.county_admin)
    detail = client.get(reverse("console:question_bank", args=[county_bank.pk])).content.decode()
    assert reverse("console:question_new", args=[county_bank.pk]) in detail and 'data-testid="read-only"' not in detail


def test_an_empty_question_form_names_the_missing_question_and_marks_it_required(client, county):
    bank = f.question_bank(county.town_a)
    client.force_login(county.town_a_media)
    response = client.post(reverse("console:question_new", args=[bank.pk]), {"text": "", "kind": ""})
    page = response.content.decode()
    assert "请填写题目。" in page
    assert 'name="text"' in page and "required" in page[page.index('name="text"') - 200 : page.index('name="text"')]
    assert not bank.questions.exists()
