"""Issue 13 in a real browser: a township's media officer writes an article with the editor (text, a bold word, a
picture through the editor's own button), sets it to appear at 8:00 the next morning and submits it; two other
people pass 初审 and 终审 and it is scheduled. On a 390 px phone in standard and large text, and on a desktop:
axe finds nothing serious and nothing is wider than the screen at each stage."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from dangjian.conftest import assert_accessible
from dangjian.publishing.models import Article, ArticleImage
from dangjian.tests_support.browser import assert_fits, open_as, submit

from .articles_support import secretary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, width: int) -> None:
    assert_accessible(page)
    assert_fits(page, width)


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_write_review_and_schedule_an_article(browser, live_server, county, tmp_path, width, large):
    second = secretary(county)
    photo = tmp_path / "走访.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 80, 60)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    # The media officer writes.
    context, page = open_as(browser, live_server, "town_a_media", width=width, large=large)
    page.goto("/console/articles/")
    _check(page, width)
    submit(page, page.get_by_role("link", name="撰写文章"))
    editor = page.locator("trix-editor")
    editor.wait_for()
    assert not page.locator("textarea[data-editor]").is_visible()  # the plain textarea is the fallback only
    page.get_by_label("标题").fill("东城镇开展冬季送温暖活动")
    page.get_by_label("摘要").fill("走访困难群众 120 户。")
    editor.click()
    page.keyboard.type("镇党委组织党员干部走访困难群众，送去")
    page.get_by_role("button", name="加粗").click()
    page.keyboard.type("米面油")
    page.get_by_role("button", name="加粗").click()
    page.keyboard.type("等慰问品。")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="插入图片").click()
    chooser.value.set_files(str(photo))
    page.locator("trix-editor figure img[src^='/articles/images/']").wait_for()
    page.get_by_label("发布时间").fill(f"{tomorrow:%Y-%m-%d}T08:00")
    page.get_by_label("同时在下级组织门户显示").check()
    _check(page, width)
    submit(page, page.get_by_role("button", name="保存"))
    assert page.get_by_text("文章已保存。").is_visible()
    _check(page, width)
    submit(page, page.get_by_role("button", name="提交审核"))
    assert page.get_by_test_id("article-state").inner_text() == "审核中"
    context.close()

    article = Article.objects.get()
    assert "<strong>米面油</strong>" in article.body
    image = ArticleImage.objects.get()
    assert image.article_id == article.pk and f'src="/articles/images/{image.pk}/"' in article.body
    assert article.show_below and timezone.localtime(article.publish_at).strftime("%H:%M") == "08:00"

    # 初审 by the township's secretary, from the to-do line.
    context, page = open_as(browser, live_server, second.username, width=width, large=large)
    page.goto("/console/")
    submit(page, page.get_by_role("link", name="有 1 篇文章等待您审核"))
    _check(page, width)
    submit(page, page.get_by_role("link", name="东城镇开展冬季送温暖活动"))
    assert page.get_by_role("heading", name="您的初审").is_visible()
    assert page.locator(".rich-text strong").inner_text() == "米面油"
    assert page.locator(".rich-text img").evaluate("img => img.complete && img.naturalWidth > 0")
    _check(page, width)
    submit(page, page.get_by_role("button", name="本步审核通过"))
    assert page.get_by_text("本步审核已通过。").is_visible()
    _check(page, width)
    context.close()

    # 终审 by the township's administrator: the article is scheduled for 8:00 tomorrow.
    context, page = open_as(browser, live_server, "town_a_admin", width=width, large=large)
    page.goto(f"/console/articles/{article.pk}/")
    assert page.get_by_role("heading", name="您的终审").is_visible()
    _check(page, width)
    submit(page, page.get_by_role("button", name="审核通过并发布"))
    assert page.get_by_text("文章将在设定的时间发布。").is_visible()
    assert page.get_by_test_id("article-state").inner_text() == "定时发布"
    steps = page.locator(".article-events").inner_text()
    assert "初审（第 1 步，共 2 步）通过" in steps and "终审（第 2 步，共 2 步）通过" in steps
    _check(page, width)
    context.close()

    article.refresh_from_db()
    assert article.state == Article.State.SCHEDULED
    assert timezone.localtime(article.publish_at) == datetime.datetime.combine(
        tomorrow, datetime.time(8, 0), tzinfo=timezone.get_current_timezone()
    )
