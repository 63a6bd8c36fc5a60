"""Issue 14, courses, in a real browser: a township's media officer writes a course with an article lesson (the
rich-text editor) and submits it; the township's administrator opens it from the to-do line and publishes it. On a
390 px phone in standard and large text, and on a desktop: axe finds nothing serious and nothing is wider than the
screen at each stage."""

import pytest

from dangjian.conftest import assert_accessible
from dangjian.learning.models import Course
from dangjian.tests_support.browser import assert_fits, open_as, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, width: int) -> None:
    assert_accessible(page)
    assert_fits(page, width)


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_write_a_course_submit_it_and_a_second_person_publishes_it(browser, live_server, county, width, large):
    context, page = open_as(browser, live_server, "town_a_media", width=width, large=large)
    page.goto("/console/learning/courses/")
    _check(page, width)
    submit(page, page.get_by_role("link", name="新建课程"))
    page.get_by_label("标题").fill("学习新修订的纪律处分条例")
    page.get_by_label("摘要").fill("逐条讲解条例的主要修改。")
    _check(page, width)
    submit(page, page.get_by_role("button", name="保存"))
    assert page.get_by_text("课程已保存。请添加课时，然后提交审核。").is_visible()
    _check(page, width)

    submit(page, page.get_by_role("link", name="文章", exact=True))
    editor = page.locator("trix-editor")
    editor.wait_for()
    page.get_by_label("标题").fill("第一课 修订的背景")
    editor.click()
    page.keyboard.type("条例修订坚持")
    page.get_by_role("button", name="加粗").click()
    page.keyboard.type("问题导向")
    page.get_by_role("button", name="加粗").click()
    page.keyboard.type("。")
    _check(page, width)
    submit(page, page.get_by_role("button", name="保存"))
    assert page.get_by_text("课时“第一课 修订的背景”已保存。").is_visible()
    assert page.get_by_role("heading", name="1. 第一课 修订的背景").is_visible()
    _check(page, width)
    submit(page, page.get_by_role("button", name="提交审核"))
    assert page.get_by_test_id("course-state").inner_text() == "审核中"
    _check(page, width)
    context.close()

    course = Course.objects.get()
    lesson = course.lessons.get()
    assert "<strong>问题导向</strong>" in lesson.body and lesson.body_text == "条例修订坚持问题导向。"

    # The township's administrator, from the to-do line.
    context, page = open_as(browser, live_server, "town_a_admin", width=width, large=large)
    page.goto("/console/")
    submit(page, page.get_by_role("link", name="您有 1 门课程待审核"))
    _check(page, width)
    submit(page, page.get_by_role("link", name="学习新修订的纪律处分条例"))
    assert page.get_by_role("heading", name="您的审核").is_visible()
    page.get_by_text("阅读正文").click()
    assert page.locator(".rich-text strong").inner_text() == "问题导向"
    _check(page, width)
    submit(page, page.get_by_role("button", name="发布课程"))
    assert page.get_by_text("课程已发布。").is_visible()
    assert page.get_by_test_id("course-state").inner_text() == "已发布"
    _check(page, width)
    context.close()
    course.refresh_from_db()
    assert course.state == Course.State.PUBLISHED and "问题" in course.search_text
