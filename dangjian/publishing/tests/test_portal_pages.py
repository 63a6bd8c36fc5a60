"""What citizens see of publishing on a portal: own, pushed-down and adopted items, withdrawn and drafts gone,
the article page with its share metadata, the print view, the portal home's block, caching, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.core.cache import bump_content_generation
from dangjian.publishing import portal_queries
from dangjian.publishing.models import Article, Submission
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def bump(django_capture_on_commit_callbacks):
    """Bump the content generation as the articles' actions do after commit (the cached pages change)."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            bump_content_generation()

    return run


def titles(response) -> list[str]:
    return [entry.article.title for entry in response.context["results"]]


def news_list(client, org, **params):
    response = client.get(reverse("publishing:news_list", args=[org.pk]), params)
    assert response.status_code == 200
    return response


def adopt(article, organization, column_key="news"):
    return Submission.objects.create(
        article=article,
        to_organization=organization,
        column=f.column(organization, column_key),
        state=Submission.State.ADOPTED,
        decided_at=timezone.now(),
    )


def test_village_portal_shows_its_own_pushed_down_and_not_others(client, county):
    f.article(county.county, "县里全县推送", show_below=True)
    f.article(county.county, "县里本级新闻")
    f.article(county.town_a, "镇里推送到村", show_below=True)
    f.article(county.town_b, "西山乡推送", show_below=True)
    f.article(county.village_a1, "王庄村自己的")
    f.article(county.village_a2, "李湾村自己的")
    response = news_list(client, county.village_a1)
    assert sorted(titles(response)) == sorted(["县里全县推送", "镇里推送到村", "王庄村自己的"])
    html = response.content.decode()
    assert "上级推送：中共测试县东城镇委员会" in html
    assert "上级推送：中共测试县委员会" in html


def test_items_are_newest_first_and_paginated(client, county):
    now = timezone.now()
    for day in range(25):
        f.article(county.town_a, f"第{day}天", published_at=now - datetime.timedelta(days=day))
    first = news_list(client, county.town_a)
    assert titles(first)[:3] == ["第0天", "第1天", "第2天"] and len(titles(first)) == 20
    assert titles(news_list(client, county.town_a, page=2)) == [f"第{day}天" for day in range(20, 25)]


def test_adopted_item_appears_on_the_adopting_portal_with_its_source(client, county, bump):
    article = f.article(county.village_a1, "王庄村报送的稿件")
    Submission.objects.create(article=article, to_organization=county.town_a, state=Submission.State.SUBMITTED)
    assert "王庄村报送的稿件" not in titles(news_list(client, county.town_a))
    Submission.objects.filter(article=article).update(
        state=Submission.State.ADOPTED, column=f.column(county.town_a, "news"), decided_at=timezone.now()
    )
    bump()
    response = news_list(client, county.town_a)
    assert "王庄村报送的稿件" in titles(response)
    assert "来源：东城镇王庄村党支部委员会" in response.content.decode()
    column = f.column(county.town_a, "news")
    column_page = client.get(reverse("publishing:column", args=[county.town_a.pk, column.pk]))
    assert "王庄村报送的稿件" in titles(column_page)
    # Not in another column of the township, not on the county's portal.
    party = f.column(county.town_a, "party")
    assert titles(client.get(reverse("publishing:column", args=[county.town_a.pk, party.pk]))) == []
    assert "王庄村报送的稿件" not in titles(news_list(client, county.county))
    page = client.get(reverse("publishing:article", args=[county.town_a.pk, article.pk]))
    assert page.status_code == 200 and "来源：东城镇王庄村党支部委员会" in page.content.decode()


def test_returned_submission_is_not_shown(client, county):
    article = f.article(county.village_a1, "退回的稿件")
    Submission.objects.create(article=article, to_organization=county.town_a, state=Submission.State.RETURNED)
    assert "退回的稿件" not in titles(news_list(client, county.town_a))
    assert client.get(reverse("publishing:article", args=[county.town_a.pk, article.pk])).status_code == 404


def test_pushed_down_item_shows_in_the_village_column_of_the_same_key(client, county):
    f.article(county.county, "县工作动态", key="news", show_below=True)
    f.article(county.county, "县党务公开", key="party", show_below=True)
    news = f.column(county.village_a1, "news")
    response = client.get(reverse("publishing:column", args=[county.village_a1.pk, news.pk]))
    assert titles(response) == ["县工作动态"]


def test_withdrawn_article_is_gone_with_a_clear_message(client, county, bump):
    article = f.article(county.county, "已撤回的通知", show_below=True)
    assert "已撤回的通知" in titles(news_list(client, county.village_a1))
    Article.objects.filter(pk=article.pk).update(state=Article.State.WITHDRAWN, withdrawn_at=timezone.now())
    bump()
    assert "已撤回的通知" not in titles(news_list(client, county.village_a1))
    response = client.get(reverse("publishing:article", args=[county.village_a1.pk, article.pk]))
    assert response.status_code == 410
    assert "此文章已撤回" in response.content.decode()
    feed = client.get(reverse("publishing:feed_rss", args=[county.village_a1.pk]))
    assert "已撤回的通知" not in feed.content.decode()


@pytest.mark.parametrize("state", [Article.State.DRAFT, Article.State.REVIEWING, Article.State.SCHEDULED])
def test_unpublished_article_is_404(client, county, state):
    article = f.article(county.town_a, "未发布的稿件", state=state)
    assert client.get(reverse("publishing:article", args=[county.town_a.pk, article.pk])).status_code == 404
    assert "未发布的稿件" not in titles(news_list(client, county.town_a))


def test_another_organizations_article_under_this_portal_is_404(client, county):
    other = f.article(county.village_a2, "李湾村的稿件")
    not_pushed = f.article(county.town_a, "镇里不下推")
    below = f.article(county.village_a1, "村里的稿件")
    for org, article in [
        (county.village_a1, other),
        (county.village_a1, not_pushed),
        (county.town_a, below),  # an item from below, not adopted
        (county.town_b, f.article(county.town_a, "东城镇推送", show_below=True)),
    ]:
        assert client.get(reverse("publishing:article", args=[org.pk, article.pk])).status_code == 404
    assert client.get(reverse("publishing:article", args=[county.village_a1.pk, 999999])).status_code == 404
    assert client.get(reverse("publishing:article", args=[999999, other.pk])).status_code == 404


def test_article_page_shows_the_article_with_share_metadata(client, county):
    article = f.article(
        county.town_a,
        "东城镇召开主题党日活动",
        summary="全镇党员参加主题党日。",
        source="东城镇党委办",
        author="张明",
        body="<div>活动现场<strong>气氛热烈</strong>。</div><script>alert(1)</script>",
    )
    response = client.get(reverse("publishing:article", args=[county.town_a.pk, article.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>气氛热烈</strong>" in html  # the stored (sanitized) body as HTML
    assert '<meta property="og:title" content="东城镇召开主题党日活动">' in html
    assert '<meta property="og:description" content="全镇党员参加主题党日。">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="http://testserver/o/{county.town_a.pk}/articles/{article.pk}/">' in html
    assert '<meta itemprop="name" content="东城镇召开主题党日活动">' in html
    assert 'property="og:image" content="http://testserver/static/core/share.png"' in html
    assert "来源：东城镇党委办" in html and "作者：张明" in html
    assert reverse("publishing:feed_rss", args=[county.town_a.pk]) in html  # <link rel="alternate">
    printed = client.get(reverse("publishing:article_print", args=[county.town_a.pk, article.pk]))
    assert printed.status_code == 200
    assert "东城镇召开主题党日活动" in printed.content.decode()
    assert 'class="section-nav"' not in printed.content.decode()


def test_news_home_lists_columns_with_their_latest_items(client, county):
    f.article(county.village_a1, "村务公开第一期", key="village")
    f.article(county.town_a, "镇推送", show_below=True)
    response = client.get(reverse("publishing:news", args=[county.village_a1.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    blocks = {str(column.title): [e.article.title for e in entries] for column, entries in response.context["blocks"]}
    assert blocks["村务公开"] == ["村务公开第一期"]
    assert blocks["工作动态"] == ["镇推送"]
    assert [e.article.title for e in response.context["latest"]] == ["镇推送", "村务公开第一期"]
    assert "新闻动态" in html


def test_portal_home_has_a_news_section_and_block(client, county):
    f.article(county.town_a, "镇里的新闻", show_below=True)
    response = client.get(reverse("orgs:portal", args=[county.village_a1.pk]))
    html = response.content.decode()
    assert reverse("publishing:news", args=[county.village_a1.pk]) in html
    assert "镇里的新闻" in html


def test_a_published_article_shows_at_once_on_cached_pages(client, county, bump):
    url = reverse("publishing:news_list", args=[county.village_a1.pk])
    assert titles(client.get(url)) == []
    article = f.article(county.county, "刚发布的", state=Article.State.SCHEDULED, show_below=True)
    assert "刚发布的" not in client.get(url).content.decode()  # served from the cache
    Article.objects.filter(pk=article.pk).update(state=Article.State.PUBLISHED, published_at=timezone.now())
    bump()  # what the articles' publish action does
    assert "刚发布的" in client.get(url).content.decode()


def test_each_list_is_one_query(county, django_assert_max_num_queries):
    for index in range(15):
        f.article(county.county, f"县{index}", show_below=True)
        f.article(county.town_a, f"镇{index}", show_below=index % 2 == 0)
        adopt(f.article(county.village_a2, f"报送{index}"), county.town_a)
    for org in (county.village_a1, county.town_a):
        with CaptureQueriesContext(connection) as queries:
            rows = list(portal_queries.portal_articles(org)[:20])
            [row.organization.name + str(row.column.title) for row in rows]
        assert len(rows) == 20 and len(queries) == 1
        column = f.column(org, "news")
        with CaptureQueriesContext(connection) as queries:
            rows = list(portal_queries.column_articles(column, org)[:20])
            [row.organization.name for row in rows]
        assert len(queries) == 1


def test_page_query_counts_do_not_grow_with_the_items(client, county, bump):
    for index in range(3):
        f.article(county.county, f"县{index}", show_below=True)
    bump()  # both requests below find the generation's token in the shared cache
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("publishing:news_list", args=[county.village_a1.pk]))
    for index in range(3, 20):
        f.article(county.county, f"县{index}", show_below=True)
        adopt(f.article(county.village_a1, f"村{index}"), county.town_a)
    bump()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("publishing:news_list", args=[county.village_a1.pk]))
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as home:
        client.get(reverse("publishing:news", args=[county.town_a.pk]))
    columns = len(portal_queries.shown_columns(county.town_a))
    assert len(home) <= 6 + columns  # generation, organization, ancestors, columns, latest, one per column


def test_archived_column_is_not_listed_but_its_articles_keep_their_address(client, county):
    column = f.column(county.town_a, "乡村振兴")
    article = f.article(county.town_a, "振兴专栏第一期", column=column)
    column.archived_at = timezone.now()
    column.save()
    response = client.get(reverse("publishing:news", args=[county.town_a.pk]))
    assert "乡村振兴" not in [str(c.title) for c, _entries in response.context["blocks"]]
    assert client.get(reverse("publishing:column", args=[county.town_a.pk, column.pk])).status_code == 404
    assert client.get(reverse("publishing:article", args=[county.town_a.pk, article.pk])).status_code == 200


def test_an_adopted_article_withdrawn_by_its_author_leaves_the_adopting_portal(client, county):
    article = f.article(county.village_a1, "被采用后撤回")
    adopt(article, county.town_a)
    Article.objects.filter(pk=article.pk).update(state=Article.State.WITHDRAWN)
    assert "被采用后撤回" not in titles(news_list(client, county.town_a))
    column = f.column(county.town_a, "news")
    assert titles(client.get(reverse("publishing:column", args=[county.town_a.pk, column.pk]))) == []
    assert client.get(reverse("publishing:article", args=[county.town_a.pk, article.pk])).status_code == 410


def test_a_pushed_down_articles_cover_picture_and_file_load_on_a_village_portal(client, county, settings, tmp_path):
    """The village's page of a county article links its cover, body picture and attachment at the county's own
    addresses, and each of them loads for a citizen."""
    from django.core.files.base import ContentFile

    from dangjian.publishing.models import ArticleAttachment, ArticleImage

    from .articles_support import jpeg

    settings.MEDIA_ROOT = tmp_path
    article = f.article(county.county, "全县冬季送温暖", show_below=True)
    article.cover.save("cover.jpg", ContentFile(jpeg().read()))
    image = ArticleImage.objects.create(article=article, organization=county.county)
    image.image.save("body.jpg", ContentFile(jpeg().read()))
    attachment = ArticleAttachment(article=article, name="方案.pdf", content_type="application/pdf")
    attachment.file.save("plan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    page = client.get(reverse("publishing:article", args=[county.village_a1.pk, article.pk])).content.decode()
    cover = reverse("publishing:article_cover", args=[county.county.pk, article.pk])
    file = reverse("publishing:article_attachment", args=[county.county.pk, article.pk, attachment.pk])
    assert cover in page and file in page
    for url in (cover, file):
        assert client.get(url).status_code == 200
    assert client.get(reverse("publishing:article_image", args=[image.pk])).status_code == 200
