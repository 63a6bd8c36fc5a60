"""Questions to the organization (问政) in a real browser, on a phone in both text sizes and on a desktop: a
resident asks on the village's portal, the village secretary answers in the console, and the answer shows as
official on the portal, where the search finds it."""

import pytest

from dangjian.conftest import assert_accessible
from dangjian.exchange.models import PublicQuestion
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, open_as, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, width):
    assert_accessible(page)
    assert_fits(page, width)


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_a_resident_asks_staff_answer_and_the_official_answer_is_found_on_the_portal(
    browser, live_server, county, width, large
):
    village = county.village_a1
    resident = f.resident("13700003333", real_name="赵桂兰")
    # The resident asks on the portal's 问政 section.
    context, page = open_as(browser, live_server, resident.username, width=width, large=large)
    page.goto(f"/o/{village.pk}/questions/")
    check(page, width)
    submit(page, page.get_by_role("link", name="我要提问"))
    page.get_by_label("您的问题").fill("今年的低保申请什么时候开始？")
    page.get_by_label("详细说明（可不填）").fill("家里老人住院花了不少钱，电话13812345678。")
    page.get_by_label("显示的称呼").fill("村东老赵")
    check(page, width)
    submit(page, page.get_by_role("button", name="提交问题"))
    question = PublicQuestion.objects.get()
    assert page.locator("h1").inner_text() == "今年的低保申请什么时候开始？"
    assert "138****5678" in page.content() and "13812345678" not in page.content()
    assert "等待组织答复" in page.content()
    check(page, width)
    context.close()

    # The village secretary answers it from the to-do list in the console.
    context, page = open_as(browser, live_server, county.village_a1_secretary.username, width=width, large=large)
    page.goto("/console/exchange/questions/?todo=answer")
    check(page, width)
    submit(page, page.get_by_role("link", name="今年的低保申请什么时候开始？"))
    page.get_by_label("官方答复").fill("低保常年受理，请带户口簿、身份证和住院发票到村委会便民服务点申请。")
    check(page, width)
    submit(page, page.get_by_role("button", name="发布答复"))
    question.refresh_from_db()
    assert question.state == PublicQuestion.State.ANSWERED
    check(page, width)
    context.close()

    # Anyone finds it on the portal by a two-character word, marked as the official answer.
    context, page = open_as(browser, live_server, width=width, large=large)
    page.goto(f"/o/{village.pk}/questions/")
    page.get_by_label("搜索问题和答复").fill("低保")
    submit(page, page.get_by_role("button", name="搜索"))
    item = page.get_by_test_id("question-item")
    assert item.count() == 1 and "官方答复" in item.inner_text()
    check(page, width)
    submit(page, item.get_by_role("link", name="今年的低保申请什么时候开始？"))
    answer = page.get_by_test_id("answer")
    assert "官方答复" in answer.inner_text() and "低保常年受理" in answer.inner_text()
    assert village.name in answer.inner_text()
    check(page, width)
    context.close()
