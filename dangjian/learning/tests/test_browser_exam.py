"""Issue 14 (exams and certificates) in a real browser, on a 390 px phone in both text sizes and on a desktop: a
member sits a certifying exam, answers some questions (each saved as it is given), reloads in the middle and finds
the answers kept, hands in, sees the result and the review of the mistake, downloads the certificate PDF and
checks its code on the public verification page."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from dangjian.conftest import assert_accessible
from dangjian.learning.models import AttemptAnswer, Certificate
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, open_as, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RIGHT = "全心全意为人民服务"


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_a_member_sits_an_exam_reloads_passes_and_verifies_the_certificate(
    browser, live_server, county, width, large, tmp_path
):
    bank = f.question_bank(county.county, questions=6)
    course = f.course(county.county, "党章学习专题", offered_to=county.county)
    f.exam(bank, "党章知识结业考试", count=5, course=course, certifying=True, max_attempts=2)
    user = f.UserFactory(username="13700000001", mobile="13700000001", full_name="")
    f.member(county.village_a1, "王秀英", user=user)
    context, page = open_as(browser, live_server, user.username, width=width, large=large)
    try:
        # The console home lists the exam the member may sit.
        submit(page, page.get_by_role("link", name="党章知识结业考试"))
        assert page.get_by_text("共 2 次，已用 0 次").is_visible()
        assert_accessible(page)
        assert_fits(page, width)
        submit(page, page.get_by_role("button", name="开始考试"))

        questions = page.get_by_test_id("exam-question")
        assert questions.count() == 5
        assert re.fullmatch(r"\d+:\d\d", page.get_by_test_id("exam-clock").inner_text())
        assert_accessible(page)
        assert_fits(page, width)
        # The question text sits inside its card (not across the top border), the options have no list bullets,
        # and on a phone the sticky timer bar spans the screen.
        card = questions.first.bounding_box()
        legend = questions.first.locator("legend").bounding_box()
        assert legend["y"] >= card["y"] + 1
        assert questions.first.locator("li").first.evaluate("li => getComputedStyle(li).listStyleType") == "none"
        if width < 600:
            bar = page.get_by_test_id("exam-bar").bounding_box()
            screen = page.evaluate("document.documentElement.clientWidth")
            assert bar["x"] <= 1 and bar["width"] >= screen - 1
        assert page.get_by_test_id("exam-count").inner_text() == "已答 0 题，共 5 题"
        for n in range(3):  # three right answers, each saved as it is given
            question = questions.nth(n)
            question.get_by_text(RIGHT).click()
            question.get_by_text("已保存").wait_for()
        assert AttemptAnswer.objects.count() == 3

        page.reload()  # a dropped connection, the phone restarted: the answers are still there
        questions = page.get_by_test_id("exam-question")
        for n in range(3):
            assert questions.nth(n).get_by_role("radio", name=RIGHT).is_checked()
        assert not questions.nth(3).get_by_role("radio", name=RIGHT).is_checked()
        questions.nth(3).get_by_text(RIGHT).click()
        questions.nth(3).get_by_text("已保存").wait_for()
        assert page.get_by_test_id("exam-count").inner_text() == "已答 4 题，共 5 题"  # counted as they are given
        submit(page, page.get_by_role("button", name="交卷"))  # one left empty: asked again, nothing graded
        assert "还有 1 题未作答" in page.get_by_test_id("exam-unanswered").inner_text()
        assert_accessible(page)
        assert_fits(page, width)
        questions = page.get_by_test_id("exam-question")
        questions.nth(4).get_by_text("发展经济").click()  # one mistake
        questions.nth(4).get_by_text("已保存").wait_for()
        submit(page, page.get_by_role("button", name="交卷"))

        assert page.get_by_test_id("exam-score").inner_text() == "5 分中得 4 分"
        assert page.get_by_test_id("exam-verdict").inner_text() == "通过"
        mistakes = page.get_by_test_id("exam-mistake")
        assert mistakes.count() == 1
        assert "发展经济" in mistakes.inner_text() and RIGHT in mistakes.inner_text()
        assert_accessible(page)
        assert_fits(page, width)

        certificate = Certificate.objects.get(user=user)
        with page.expect_download() as download:
            page.get_by_role("link", name="下载证书（PDF）").click()
        pdf = Path(download.value.path())
        assert pdf.read_bytes().startswith(b"%PDF")
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "王秀英" in text and certificate.code in text

        submit(page, page.get_by_role("link", name="在证书查验页面核对"))
        assert page.get_by_test_id("verify-name").inner_text() == "王秀英"
        # Typing the code (as someone holding the paper certificate would), and a forged one.
        page.get_by_label("证书编号").fill("ABCDEFGH2345")
        submit(page, page.get_by_role("button", name="查验"))
        assert "证书编号不存在" in page.get_by_test_id("verify-error").inner_text()
        page.get_by_label("证书编号").fill(certificate.code.lower())
        submit(page, page.get_by_role("button", name="查验"))
        assert page.get_by_role("heading", name="该证书真实有效").is_visible()
        assert_accessible(page)
        assert_fits(page, width)
    finally:
        context.close()
