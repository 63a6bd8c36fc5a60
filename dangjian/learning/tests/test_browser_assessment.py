"""Issue 14, staff assessment, in a real browser on a 390 px phone in both text sizes and on a desktop: a new-media
officer hands in the practical task, a grader of the township grades it from the to-do with the rubric, and the
township's administrator sees the results per competency."""

from __future__ import annotations

import pytest

from dangjian.accounts.models import Role
from dangjian.conftest import assert_accessible
from dangjian.learning.models import Assessment
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, open_as, submit

from .assessment_support import Setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, width: int) -> None:
    assert_accessible(page)
    assert_fits(page, width)


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_an_officer_hands_in_a_grader_grades_and_the_township_sees_results_per_competency(
    browser, live_server, county, width, large
):
    s = Setup(county)
    for exam in s.exams:
        s.sit(s.officer, exam, passed=True)
    f.staff("town_a_secretary", Role.SECRETARY, county.town_a, full_name="钱书记")

    # The officer opens their assessment from the console menu and hands the news item in.
    officer, page = open_as(browser, live_server, s.officer.username, width=width, large=large)
    submit(page, page.get_by_role("link", name="我的考核", exact=True))
    assert page.get_by_test_id("exam-passed").count() == 2
    check(page, width)
    submit(page, page.get_by_role("link", name="打开实践任务"))
    page.get_by_label("您的作品").fill("东城镇开展主题党日活动\n本月5日，镇党委组织全体党员重温入党誓词。")
    check(page, width)
    submit(page, page.get_by_role("button", name="提交实践任务"))
    assert "实践任务已提交" in page.locator(".messages").inner_text()
    assert Assessment.objects.get(pk=s.assessment(s.officer).pk).state == Assessment.State.SUBMITTED
    officer.close()

    # A grader of the township opens it from the to-do and grades it with the rubric.
    grader, page = open_as(browser, live_server, "town_a_secretary", width=width, large=large)
    submit(page, page.get_by_role("link", name="有 1 份实践任务待您评分"))
    check(page, width)
    submit(page, page.get_by_role("link", name=str(s.officer)))
    assert "重温入党誓词" in page.get_by_test_id("task-text").inner_text()
    page.get_by_label("导语交代清楚时间地点人物（0至40分）").fill("35")
    page.get_by_label("内容准确（0至40分）").fill("30")
    page.get_by_label("语言简洁（0至20分）").fill("15")
    page.get_by_label("评语").fill("要素齐全，语言简洁。")
    check(page, width)
    submit(page, page.get_by_role("button", name="保存评分"))
    assert "已评分：实践任务合格" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("task-score").inner_text() == "80 / 100"
    check(page, width)
    grader.close()

    # The township's administrator sees the counts per organization and per competency.
    admin, page = open_as(browser, live_server, county.town_a_admin.username, width=width, large=large)
    submit(page, page.get_by_role("link", name="人员考核", exact=True))
    submit(page, page.get_by_role("link", name="2026年度新媒体工作人员考核"))
    table = page.get_by_test_id("figures")
    assert "写作编辑" in table.inner_text() and "政策理论" in table.inner_text()
    first = page.get_by_test_id("figure-row").first.inner_text().split()
    assert first[:5] == ["东城镇", "2", "1", "1", "1"] and first[5:] == ["1", "/", "1", "1", "/", "1"]
    check(page, width)
    admin.close()
