"""Certificates: issued once for a passed certifying exam, the A4 PDF for its holder (and the examiners), and the
public verification page: what the certificate says and nothing else, a forged code refused, odd input never a
500, guessing slowed down per client."""

from __future__ import annotations

import subprocess

import pytest

from dangjian.learning import certificates, exam_actions
from dangjian.learning.models import Certificate, Question
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(county):
    bank = f.question_bank(county.county, questions=5)
    course = f.course(county.county, "党章学习专题", offered_to=county.county)
    exam = f.exam(bank, "党章知识结业考试", count=5, course=course, certifying=True)
    user = f.UserFactory(username="holder", full_name="账户名", mobile="13912345678")
    f.member(county.village_a1, "王秀英", user=user)
    attempt = exam_actions.start_attempt(user, exam.pk)
    for item in attempt.paper:
        question = Question.objects.get(pk=item["q"])
        exam_actions.save_answer(user, attempt.pk, question.pk, [str(item["order"].index(question.answer[0]))])
    exam_actions.submit(user, attempt.pk)
    return Certificate.objects.get(attempt=attempt)


def test_a_certificate_copies_what_it_says_and_is_issued_once(certificate):
    assert certificate.person_name == "王秀英"
    assert certificate.organization_name == "中共测试县委员会"
    assert certificate.course_title == "党章学习专题" and certificate.exam_title == "党章知识结业考试"
    assert (certificate.score, certificate.max_score) == (5, 5)
    assert certificates.issue(certificate.attempt).pk == certificate.pk
    assert Certificate.objects.count() == 1


def test_a_failed_or_not_certifying_exam_issues_none(county):
    bank = f.question_bank(county.county, questions=5)
    exam = f.exam(bank, count=5, certifying=True)
    user = f.UserFactory()
    f.member(county.village_a1, user=user)
    attempt = exam_actions.start_attempt(user, exam.pk)
    exam_actions.submit(user, attempt.pk)
    assert not Certificate.objects.exists()


def test_the_holder_downloads_an_a4_pdf_with_the_name_the_course_and_the_code(client, certificate, tmp_path, settings):
    settings.SITE_URL = "https://dangjian.example.cn"
    client.force_login(certificate.user)
    response = client.get(f"/learning/certificates/{certificate.code}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "王秀英" in text and certificate.code in text and "党章学习专题" in text and "中共测试县委员会" in text
    assert f"https://dangjian.example.cn/learning/verify/?code={certificate.code}" in text
    assert "13912345678" not in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89" in info  # A4 in points


def test_nobody_else_downloads_it_but_the_examiners_over_the_exam(client, certificate, county):
    url = f"/learning/certificates/{certificate.code}.pdf"
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(county.town_a_admin)
    assert client.get(url).status_code == 404
    client.force_login(county.county_admin)
    assert client.get(url).status_code == 200


def test_the_verification_page_shows_what_the_certificate_says_and_nothing_else(client, certificate):
    page = client.get("/learning/verify/", {"code": certificate.code.lower()}).content.decode()
    assert "该证书真实有效" in page and "王秀英" in page and "党章知识结业考试" in page and "5 / 5" in page
    assert "13912345678" not in page and "账户名" not in page and "holder" not in page


@pytest.mark.parametrize("code", ["ABCDEFGHJKMN", "", "   ", "x" * 5000, "<script>", "\x00", "证书", "-- ;DROP"])
def test_a_forged_or_odd_code_is_a_clear_message_never_an_error(client, certificate, code):
    response = client.get("/learning/verify/", {"code": code})
    assert response.status_code == 200
    page = response.content.decode()
    if code.strip():
        assert "证书编号不存在" in page
    assert "该证书真实有效" not in page


def test_guessing_codes_is_slowed_down_per_client(client, certificate):
    for n in range(20):
        client.get("/learning/verify/", {"code": f"FORGED{n:06d}"})
    response = client.get("/learning/verify/", {"code": certificate.code})
    assert response.status_code == 429 and "查询过于频繁" in response.content.decode()
    # Another client is not held back.
    other = client.get("/learning/verify/", {"code": certificate.code}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200 and "王秀英" in other.content.decode()
