"""The exams console: making an exam and its draw rules (checked against the bank), opening it, its results; staff
of another organization and roles without MANAGE_QUESTIONS refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from dangjian.accounts.models import Role
from dangjian.core.models import ChangeRecord
from dangjian.learning import exam_actions
from dangjian.learning.models import Exam, ExamRule, Question
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def exam_form(bank, **values) -> dict:
    return {
        "title": "东城镇党员应知应会考试",
        "instructions": "闭卷，独立完成。",
        "bank": bank.pk,
        "time_limit_minutes": 30,
        "pass_percent": 60,
        "max_attempts": 2,
        **values,
    }


def test_a_township_makes_an_exam_on_the_county_bank_adds_rules_and_opens_it(client, county):
    bank = f.question_bank(county.county, "县委题库", questions=8)
    client.force_login(county.town_a_admin)
    response = client.post(f"/console/o/{county.town_a.pk}/learning/exams/new/", exam_form(bank, certifying="on"))
    exam = Exam.objects.get()
    assert response.url == f"/console/learning/exams/{exam.pk}/"
    assert exam.organization == county.town_a and exam.certifying and exam.state == Exam.State.DRAFT
    # A rule asking more than the bank has: the bank's count in the message, nothing saved.
    response = client.post(
        f"/console/learning/exams/{exam.pk}/rules/", {"count": 10, "kind": "single", "points": 5, "tag": ""}
    )
    assert response.status_code == 400
    assert "题库中只有 8 道单选题" in response.content.decode()
    assert not ExamRule.objects.exists()
    # Opening without a rule is refused too.
    page = client.post(f"/console/learning/exams/{exam.pk}/state/", {"state": "open"}, follow=True)
    assert "请至少添加一条抽题规则" in page.content.decode()
    client.post(f"/console/learning/exams/{exam.pk}/rules/", {"count": 6, "kind": "single", "points": 5, "tag": ""})
    assert ExamRule.objects.get().count == 6
    page = client.post(f"/console/learning/exams/{exam.pk}/state/", {"state": "open"}, follow=True)
    exam.refresh_from_db()
    assert exam.state == Exam.State.OPEN
    assert "试卷满分 30 分" in page.content.decode()
    assert ChangeRecord.objects.filter(object_id=exam.pk).count() >= 3


def test_a_bank_shrinking_below_a_rule_stops_the_exam_from_opening(client, county):
    bank = f.question_bank(county.county, questions=5)
    exam = f.exam(bank, count=5, state=Exam.State.DRAFT)
    Question.objects.filter(pk=bank.questions.first().pk).update(archived_at="2026-01-01T00:00Z")
    client.force_login(county.county_admin)
    page = client.post(f"/console/learning/exams/{exam.pk}/state/", {"state": "open"}, follow=True)
    assert "题库中只有 4 道题（不限题型）" in page.content.decode()
    exam.refresh_from_db()
    assert exam.state == Exam.State.DRAFT


def test_a_bank_of_a_sibling_or_below_cannot_be_used(client, county):
    other = f.question_bank(county.town_b, "西山乡题库", questions=5)
    client.force_login(county.town_a_admin)
    response = client.post(f"/console/o/{county.town_a.pk}/learning/exams/new/", exam_form(other))
    assert response.status_code == 200 and not Exam.objects.exists()


def test_staff_of_another_organization_are_refused_on_every_console_page(client, county):
    bank = f.question_bank(county.town_a, questions=5)
    exam = f.exam(bank, count=5)
    outsider = f.staff("b_admin", Role.ORG_ADMIN, county.town_b)
    client.force_login(outsider)
    assert client.get(f"/console/learning/exams/{exam.pk}/").status_code == 404
    assert client.post(f"/console/learning/exams/{exam.pk}/", exam_form(bank)).status_code == 404
    assert client.post(f"/console/learning/exams/{exam.pk}/rules/", {"count": 1, "points": 1}).status_code == 404
    assert client.post(f"/console/learning/exams/{exam.pk}/state/", {"state": "closed"}).status_code == 404
    rule = exam.rules.get()
    assert client.post(f"/console/learning/exams/{exam.pk}/rules/{rule.pk}/remove/").status_code == 404
    assert client.get(f"/console/o/{county.town_a.pk}/learning/exams/new/").status_code == 403
    assert exam.title not in client.get("/console/learning/exams/").content.decode()
    exam.refresh_from_db()
    assert exam.state == Exam.State.OPEN and exam.rules.count() == 1
    # A discipline officer (no MANAGE_QUESTIONS) of the county's own township neither.
    client.force_login(county.town_b_discipline)
    assert client.get(f"/console/learning/exams/{exam.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        exam_actions.set_state(outsider, exam.pk, Exam.State.CLOSED)


def test_results_show_each_attempt_to_the_examiners_and_per_organization_counts_without_ranking(client, county):
    bank = f.question_bank(county.county, questions=5)
    exam = f.exam(bank, count=5)
    for name, org, right in [
        ("王秀英", county.village_a1, 5),
        ("李建国", county.village_a1, 1),
        ("赵红", county.village_b1, 4),
    ]:
        user = f.UserFactory()
        f.member(org, name, user=user)
        attempt = exam_actions.start_attempt(user, exam.pk)
        for item in attempt.paper[:right]:
            q = Question.objects.get(pk=item["q"])
            exam_actions.save_answer(user, attempt.pk, q.pk, [str(item["order"].index(q.answer[0]))])
        exam_actions.submit(user, attempt.pk)
    client.force_login(county.county_admin)
    page = client.get(f"/console/learning/exams/{exam.pk}/").content.decode()
    assert "王秀英" in page and "5 / 5" in page and "1 / 5" in page
    assert '<td>王秀英</td><td class="nowrap">第 1 次</td>' in page  # the attempt never runs into the name
    by_org = page[page.index('data-testid="by-org"') :]
    assert "<td>王庄村" not in by_org  # full names of organizations
    assert "<td>东城镇王庄村党支部委员会</td><td>2</td><td>1</td>" in by_org
    assert "<td>西山乡石桥村党支部委员会</td><td>1</td><td>1</td>" in by_org
    # A village secretary elsewhere sees none of it.
    client.force_login(county.village_a1_secretary)
    assert client.get(f"/console/learning/exams/{exam.pk}/").status_code == 404
