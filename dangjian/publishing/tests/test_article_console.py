"""The articles' console pages and files over HTTP: writing through the form, pictures from the editor, the review
page, the to-do line and its list, raw POSTs by the wrong people, and files served only when they may be seen."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.models import SensitiveWord
from dangjian.core.registry import UsageMetric, registry
from dangjian.publishing import articles
from dangjian.publishing.models import Article, ArticleAttachment, ArticleImage, Column
from dangjian.tests_support import factories as f

from .articles_support import article_input, jpeg, news, secretary

pytestmark = [pytest.mark.django_db]

State = Article.State


def _form(county, **overrides) -> dict:
    data = {
        "title": "东城镇开展冬季送温暖活动",
        "summary": "走访困难群众 120 户。",
        "column": news(county.town_a).pk,
        "body": "<div>镇党委组织党员干部走访困难群众。</div>",
        "source": "东城镇党委办公室",
        "author": "张明",
        "publish_at": "",
    }
    data.update(overrides)
    return data


def _upload(client, county, upload):
    return client.post(reverse("console:article_image_upload", args=[county.town_a.pk]), {"file": upload})


def test_the_form_is_a_textarea_the_editor_enhances(client, county):
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:article_new", args=[county.town_a.pk])).content.decode()
    assert re.search(r'<textarea name="body"[^>]*data-editor', page)
    assert 'data-lang-bold="加粗"' in page
    assert f'data-image-upload="/console/o/{county.town_a.pk}/articles/images/"' in page
    assert "vendor/trix/trix.umd.min.js" in page and "core/editor.js" in page
    assert "同时在下级组织门户显示" in page


def test_writing_through_the_form_cleans_the_html(client, county):
    client.force_login(county.town_a_media)
    response = client.post(
        reverse("console:article_new", args=[county.town_a.pk]),
        _form(county, body='<div>好<script>alert(1)</script><img src="x" onerror="alert(1)"></div>'),
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("console:article", args=[article.pk])
    assert article.body == "<div>好</div>"
    assert article.created_by == county.town_a_media


def test_a_publication_time_in_the_past_shows_a_clear_message_and_keeps_the_input(client, county):
    client.force_login(county.town_a_media)
    response = client.post(
        reverse("console:article_new", args=[county.town_a.pk]), _form(county, publish_at="2020-01-01T08:00")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "发布时间 2020-01-01 08:00 已经过去" in page
    assert "镇党委组织党员干部走访困难群众" in page
    assert not Article.objects.exists()


def test_a_cover_and_attachments_through_the_form(client, county):
    client.force_login(county.town_a_media)
    pdf = SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    response = client.post(
        reverse("console:article_new", args=[county.town_a.pk]),
        {**_form(county), "cover_upload": jpeg("cover.jpg"), "attachment_uploads": [pdf]},
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.cover.name.endswith(".jpg")
    assert list(article.attachments.values_list("name", flat=True)) == ["方案.pdf"]


def test_a_disguised_attachment_is_refused_by_name(client, county):
    client.force_login(county.town_a_media)
    fake = SimpleUploadedFile("方案.pdf", b"MZ\x90\x00 this is a program")
    response = client.post(
        reverse("console:article_new", args=[county.town_a.pk]), {**_form(county), "attachment_uploads": [fake]}
    )
    assert "方案.pdf" in response.content.decode() and "不符" in response.content.decode()
    assert not Article.objects.exists()


def test_too_many_attachments_are_refused(client, county, settings):
    settings.ARTICLE_MAX_ATTACHMENTS = 1
    article = articles.save_article(
        county.town_a_media,
        county.town_a.pk,
        article_input(county.town_a),
        attachments=[SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    with pytest.raises(articles.InvalidInput, match="最多 1 个附件"):
        articles.save_article(
            county.town_a_media,
            county.town_a.pk,
            article_input(county.town_a),
            article_id=article.pk,
            attachments=[SimpleUploadedFile("b.pdf", b"%PDF-1.4\n%%EOF\n")],
        )
    assert ArticleAttachment.objects.count() == 1


# --- Pictures from the editor ------------------------------------------------------------------------------


def test_a_picture_from_the_editor_is_rebuilt_and_claimed_by_the_article(client, county):
    client.force_login(county.town_a_media)
    answer = _upload(client, county, jpeg(size=(3000, 2000))).json()
    image = ArticleImage.objects.get()
    assert answer["url"] == f"/articles/images/{image.pk}/"
    assert (answer["width"], answer["height"]) == (image.width, image.height) and max(image.width, image.height) <= 1200
    assert image.article is None and image.uploaded_by == county.town_a_media
    assert client.get(answer["url"]).status_code == 200  # its uploader sees it in the editor
    client.force_login(county.town_a_admin)
    assert client.get(answer["url"]).status_code == 404  # nobody else before the article is saved

    body = f'<div>照片：</div><figure data-trix-attachment="{{}}"><img src="{answer["url"]}" width="1200"></figure>'
    article = articles.save_article(county.town_a_media, county.town_a.pk, article_input(county.town_a, body=body))
    image.refresh_from_db()
    assert image.article == article
    assert f'<img src="{answer["url"]}" width="1200">' in article.body


def test_a_30_mb_picture_gets_a_clear_message(client, county):
    client.force_login(county.town_a_media)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (30 * 1024 * 1024), content_type="image/jpeg")
    response = _upload(client, county, big)
    assert response.status_code == 400
    assert response.json()["error"] == "文件大小为 30.0\xa0MB，最大允许 10.0\xa0MB。"
    assert not ArticleImage.objects.exists()


def test_a_disguised_picture_gets_a_clear_message(client, county):
    client.force_login(county.town_a_media)
    response = _upload(client, county, SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>"))
    assert response.status_code == 400
    assert "照片" in response.json()["error"]
    assert not ArticleImage.objects.exists()


def test_another_organizations_staff_may_not_upload_pictures(client, county):
    client.force_login(f.staff("town_b_media", Role.MEDIA_OFFICER, county.town_b))
    assert _upload(client, county, jpeg()).status_code == 403
    assert not ArticleImage.objects.exists()


def test_a_body_may_not_show_a_picture_of_another_article_or_person(client, county):
    other = articles.add_image(county.town_a_admin, county.town_a.pk, jpeg())
    body = f'<div>文字</div><img src="/articles/images/{other.pk}/"><img src="/articles/images/99999/">'
    article = articles.save_article(county.town_a_media, county.town_a.pk, article_input(county.town_a, body=body))
    assert article.body == "<div>文字</div>"
    other.refresh_from_db()
    assert other.article is None


# --- Files on the public side ---------------------------------------------------------------------------


def test_files_are_served_only_once_the_article_is_published(client, county):
    image = articles.add_image(county.town_a_media, county.town_a.pk, jpeg())
    article = articles.save_article(
        county.town_a_media,
        county.town_a.pk,
        article_input(county.town_a, body=f'<div>文</div><img src="/articles/images/{image.pk}/">'),
        cover=jpeg("c.jpg"),
        attachments=[SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    attachment = article.attachments.get()
    urls = [
        reverse("publishing:article_cover", args=[county.town_a.pk, article.pk]),
        reverse("publishing:article_image", args=[image.pk]),
        reverse("publishing:article_attachment", args=[county.town_a.pk, article.pk, attachment.pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(county.town_a_admin)  # a reviewer of the township sees them in the console
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    client.logout()
    articles.submit_for_review(county.town_a_media, article.pk)
    articles.approve_step(secretary(county), article.pk, 1)
    articles.approve_step(county.town_a_admin, article.pk, 2)
    responses = [client.get(url) for url in urls]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0]["Content-Type"] == "image/jpeg" and responses[0]["X-Content-Type-Options"] == "nosniff"
    assert "filename*=utf-8" in responses[2]["Content-Disposition"]
    # Another organization's address for the same article is not a way in.
    assert client.get(reverse("publishing:article_cover", args=[county.town_b.pk, article.pk])).status_code == 404


# --- Review pages and raw POSTs --------------------------------------------------------------------------


def _in_review(county) -> Article:
    article = articles.save_article(county.town_a_media, county.town_a.pk, article_input(county.town_a))
    return articles.submit_for_review(county.town_a_media, article.pk)


def test_the_review_page_offers_the_current_step_and_highlights_flagged_words(client, county):
    SensitiveWord.objects.create(word="内部资料", level=SensitiveWord.Level.FLAG)
    article = articles.save_article(
        county.town_a_media,
        county.town_a.pk,
        article_input(county.town_a, body="<div>会议传达了<strong>内部资料</strong>的要求。</div>"),
    )
    articles.submit_for_review(county.town_a_media, article.pk)
    client.force_login(secretary(county))
    page = client.get(reverse("console:article", args=[article.pk])).content.decode()
    assert '<strong><mark class="flagged">内部资料</mark></strong>' in page
    assert "您的初审" in page and "本步审核通过" in page and "退回作者" in page
    assert 'name="step" value="1"' in page
    client.force_login(county.town_a_media)  # the author sees why, and no buttons
    page = client.get(reverse("console:article", args=[article.pk])).content.decode()
    assert "这篇文章是您写的，须由其他人审核。" in page and "本步审核通过" not in page


def test_a_forged_step_posted_by_hand_changes_nothing(client, county):
    article = _in_review(county)
    client.force_login(county.town_a_admin)
    response = client.post(
        reverse("console:article_approve", args=[article.pk]), {"step": "2", "version": article.version}, follow=True
    )
    assert "不是当前步骤" in response.content.decode()
    stored = Article.objects.get(pk=article.pk)
    assert (stored.state, stored.steps_passed, stored.version) == (State.REVIEWING, 0, article.version)


def test_raw_posts_by_the_wrong_people_change_nothing(client, county):
    article = _in_review(county)
    town_b_admin = f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    for person, status in ((town_b_admin, 404), (county.village_a1_secretary, 404), (county.nobody, 403)):
        client.force_login(person)
        for name in ("console:article_approve", "console:article_return", "console:article_withdraw"):
            response = client.post(reverse(name, args=[article.pk]), {"step": "1", "reason": "不行"})
            assert response.status_code == status, (person, name)
        assert client.get(reverse("console:article", args=[article.pk])).status_code == status
    client.logout()
    response = client.post(reverse("console:article_approve", args=[article.pk]), {"step": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    stored = Article.objects.get(pk=article.pk)
    assert (stored.state, stored.steps_passed, stored.version) == (State.REVIEWING, 0, article.version)


def test_a_lesser_role_posting_the_final_step_is_refused(client, county):
    article = articles.approve_step(secretary(county), _in_review(county).pk, 1)
    client.force_login(f.staff("town_a_media2", Role.MEDIA_OFFICER, county.town_a))
    response = client.post(reverse("console:article_approve", args=[article.pk]), {"step": "2"})
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).steps_passed == 1


def test_two_reviewers_publish_through_the_pages(client, county):
    article = _in_review(county)
    second = secretary(county)
    client.force_login(second)
    client.post(reverse("console:article_approve", args=[article.pk]), {"step": "1", "version": article.version})
    article.refresh_from_db()
    client.force_login(county.town_a_admin)
    response = client.post(
        reverse("console:article_approve", args=[article.pk]), {"step": "2", "version": article.version}, follow=True
    )
    assert "文章已发布。" in response.content.decode()
    page = client.get(reverse("console:article", args=[article.pk])).content.decode()
    assert "初审（第 1 步，共 2 步）通过" in page and "终审（第 2 步，共 2 步）通过" in page
    assert Article.objects.get(pk=article.pk).state == State.PUBLISHED


def test_returning_without_a_reason_is_refused_with_a_message(client, county):
    article = _in_review(county)
    client.force_login(county.town_a_admin)
    response = client.post(
        reverse("console:article_return", args=[article.pk]), {"step": "1", "reason": ""}, follow=True
    )
    assert "请填写退回理由" in response.content.decode()
    assert Article.objects.get(pk=article.pk).state == State.REVIEWING


# --- Menu, to-do line and the list ---------------------------------------------------------------------------


def test_the_to_do_line_counts_exactly_what_its_list_shows(client, county):
    mine = _in_review(county)
    village = articles.save_article(county.village_a1_secretary, county.village_a1.pk, article_input(county.village_a1))
    articles.submit_for_review(county.village_a1_secretary, village.pk)  # 终审 at the village: the township may too
    articles.save_article(county.town_a_media, county.town_a.pk, article_input(county.town_a, title="草稿"))
    second = secretary(county)
    client.force_login(second)
    home = client.get(reverse("console:dashboard")).content.decode()
    assert "有 2 篇文章等待您审核" in home
    assert f'href="{reverse("console:articles")}?todo=review"' in home
    listed = client.get(reverse("console:articles") + "?todo=review").content.decode()
    shown = {int(pk) for pk in re.findall(r'href="/console/articles/(\d+)/"', listed)}
    assert shown == {mine.pk, village.pk}

    client.force_login(county.town_a_media)  # the author has nothing to review (their own article)
    assert "等待您审核" not in client.get(reverse("console:dashboard")).content.decode()
    assert "文章发布" in client.get(reverse("console:dashboard")).content.decode()
    client.force_login(county.town_b_discipline)
    assert "文章发布" not in client.get(reverse("console:dashboard")).content.decode()


def test_the_list_filters_by_state_and_column(client, county):
    draft = articles.save_article(county.town_a_media, county.town_a.pk, article_input(county.town_a, title="草稿一"))
    _in_review(county)
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:article_list", args=[county.town_a.pk]) + "?state=draft").content.decode()
    assert set(re.findall(r'href="/console/articles/(\d+)/"', page)) == {str(draft.pk)}
    other_column = f.column(county.town_a, "专题")
    page = client.get(
        reverse("console:article_list", args=[county.town_a.pk]) + f"?column={other_column.pk}"
    ).content.decode()
    assert not re.findall(r'href="/console/articles/(\d+)/"', page)
    client.force_login(f.staff("town_b_media", Role.MEDIA_OFFICER, county.town_b))
    assert client.get(reverse("console:article_list", args=[county.town_a.pk])).status_code == 403


# --- Registrations: the organization page's link, the usage metric -----------------------------------------


def test_the_organization_page_links_to_its_articles(client, county):
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:organization", args=[county.town_a.pk])).content.decode()
    assert f'href="{reverse("console:article_list", args=[county.town_a.pk])}"' in page


def test_articles_published_are_counted_per_subtree_and_period(county, today):
    metric = registry.get(UsageMetric, "publishing.articles_published")
    f.article(county.village_a1, "村里的")
    f.article(county.town_a, "镇里的")
    f.article(county.town_b, "别的乡")
    f.article(county.town_a, "草稿", state=Article.State.DRAFT)
    f.article(county.town_a, "去年", published_at=timezone.now() - datetime.timedelta(days=400))
    tomorrow = today + datetime.timedelta(days=1)
    assert metric.count(county.town_a, today, tomorrow) == 2
    assert metric.count(county.county, today, tomorrow) == 3
    assert metric.count(county.town_a, today - datetime.timedelta(days=30), today) == 0


def test_saving_again_keeps_the_articles_own_pictures(county):
    image = articles.add_image(county.town_a_media, county.town_a.pk, jpeg())
    body = f'<div>文</div><figure><img src="/articles/images/{image.pk}/" alt="走访"></figure>'
    article = articles.save_article(county.town_a_media, county.town_a.pk, article_input(county.town_a, body=body))
    # Another writer of the township edits it: the picture is the article's now, not only its uploader's.
    article = articles.save_article(
        county.town_a_admin, county.town_a.pk, article_input(county.town_a, body=article.body), article_id=article.pk
    )
    assert f'src="/articles/images/{image.pk}/"' in article.body
    # Taken out of the text, the picture goes.
    articles.save_article(
        county.town_a_admin, county.town_a.pk, article_input(county.town_a, body="<div>文</div>"), article_id=article.pk
    )
    assert not ArticleImage.objects.exists()


def test_a_flagged_word_in_the_summary_is_marked_there(client, county):
    SensitiveWord.objects.create(word="刷单", level=SensitiveWord.Level.FLAG)
    article = articles.save_article(
        county.town_a_media, county.town_a.pk, article_input(county.town_a, summary="揭露刷单骗局。")
    )
    articles.submit_for_review(county.town_a_media, article.pk)
    client.force_login(secretary(county))
    page = client.get(reverse("console:article", args=[article.pk])).content.decode()
    assert '<p class="summary">揭露<mark class="flagged">刷单</mark>骗局。</p>' in page
    assert "需注意的词语（已在标题、摘要或正文中标出）：" in page
    assert "下文中已标出" not in page


def test_a_failed_form_asks_to_choose_the_files_again(client, county):
    client.force_login(county.town_a_media)
    pdf = SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    response = client.post(
        reverse("console:article_new", args=[county.town_a.pk]),
        {
            **_form(county, publish_at="2020-01-01T08:00"),
            "cover_upload": jpeg("cover.jpg"),
            "attachment_uploads": [pdf],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "已经过去" in page
    assert page.count("请重新选择封面和附件") == 1
    # Next to the cover field: its error list sits right before the file input.
    assert re.search(r"请重新选择封面和附件.{0,300}name=\"cover_upload\"", page, re.S)
    assert not Article.objects.exists()
    # Without chosen files the form says nothing of them.
    page = client.post(
        reverse("console:article_new", args=[county.town_a.pk]), _form(county, publish_at="2020-01-01T08:00")
    ).content.decode()
    assert "已经过去" in page and "请重新选择封面和附件" not in page


def test_the_form_explains_the_publication_time_and_the_portals_below(client, county):
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:article_new", args=[county.town_a.pk])).content.decode()
    assert "提交审核前设定；留空则审核通过后立即发布" in page
    assert "勾选后，下级各组织门户的新闻栏目也会显示本文" in page


def test_a_published_article_links_to_its_portal_page(client, county):
    Column.objects.filter(pk=news(county.town_a).pk).update(review_steps=0)
    article = articles.save_article(county.town_a_media, county.town_a.pk, article_input(county.town_a))
    client.force_login(county.town_a_media)
    portal = reverse("publishing:article", args=[county.town_a.pk, article.pk])
    assert portal not in client.get(reverse("console:article", args=[article.pk])).content.decode()
    articles.submit_for_review(county.town_a_media, article.pk)
    page = client.get(reverse("console:article", args=[article.pk])).content.decode()
    assert f'<a href="{portal}">在门户中查看</a>' in page


def test_the_history_shows_the_body_as_words_and_a_resave_is_no_change(client, county):
    from dangjian.core.models import ChangeRecord

    image = articles.add_image(county.town_a_media, county.town_a.pk, jpeg())
    src = f"/articles/images/{image.pk}/"
    # What the editor writes when the picture is inserted, and when it writes the same body again after loading it.
    first = (
        "<div>镇党委走访困难群众。</div>"
        f'<figure data-trix-attachment="{{}}" class="attachment attachment--preview attachment--jpg">'
        f'<img src="{src}" width="640" height="480" alt="走访"><figcaption class="attachment__caption">'
        '<span class="attachment__name">photo.jpg</span> <span class="attachment__size">2.28 KB</span>'
        "</figcaption></figure>"
    )
    again = (
        "<div>镇党委走访困难群众。</div>"
        f'<div><figure data-trix-attachment="{{}}" class="attachment attachment--preview">'
        f'<img src="{src}" width="640" height="480" alt="走访"><figcaption class="attachment__caption"></figcaption>'
        "</figure></div>"
    )
    article = articles.save_article(county.town_a_media, county.town_a.pk, article_input(county.town_a, body=first))
    saved = articles.save_article(
        county.town_a_media, county.town_a.pk, article_input(county.town_a, body=again), article_id=article.pk
    )
    assert saved.version == article.version and saved.body == article.body
    assert not ChangeRecord.objects.filter(object_id=article.pk, action=ChangeRecord.Action.UPDATE).exists()
    changed = article_input(county.town_a, body="<div>镇党委走访困难群众<strong>八十户</strong>。</div>")
    articles.save_article(county.town_a_media, county.town_a.pk, changed, article_id=article.pk)
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:history", args=["article", article.pk])).content.decode()
    assert "镇党委走访困难群众八十户。" in page
    assert "&lt;strong&gt;" not in page and "&lt;div&gt;" not in page and "&lt;figure&gt;" not in page
