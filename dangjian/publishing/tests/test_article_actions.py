"""Articles: writing (the body cleaned), the review (三审: different people, the right roles, the current step only),
publication now or at a set time, returning and withdrawing; every refusal changes nothing."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.history import ActionError, EditConflict, InvalidInput
from dangjian.core.models import ContentGeneration, SensitiveWord
from dangjian.notifications.models import Delivery, Notification, Robot
from dangjian.publishing import articles, clock
from dangjian.publishing.models import Article, ArticleEvent, Column
from dangjian.tests_support import factories as f

from .articles_support import article_input, news, secretary, tomorrow_at

pytestmark = [pytest.mark.django_db]

State = Article.State


def _written(county, **overrides) -> Article:
    return articles.save_article(county.town_a_media, county.town_a.pk, article_input(county.town_a, **overrides))


def _submitted(county, **overrides) -> Article:
    article = _written(county, **overrides)
    return articles.submit_for_review(county.town_a_media, article.pk)


def _unchanged(article: Article) -> None:
    stored = Article.objects.get(pk=article.pk)
    assert (stored.state, stored.steps_passed, stored.version) == (article.state, article.steps_passed, article.version)


# --- Writing -----------------------------------------------------------------------------------------


def test_a_new_article_is_a_draft_with_its_body_cleaned(county):
    article = _written(
        county,
        body='<div onclick="steal()">走访<script>alert(1)</script><strong>群众</strong>'
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">链接</a>'
        '<img src="https://evil.example/x.png"><p style="color:red">红字</p><iframe src="https://e.example"></iframe>'
        '<a href="https://www.gov.cn/">国务院</a></div>',
    )
    stored = Article.objects.get(pk=article.pk)
    assert stored.state == State.DRAFT
    assert stored.created_by == county.town_a_media
    for bad in ("script", "onclick", "onerror", "javascript:", "evil.example", "style=", "iframe", "alert"):
        assert bad not in stored.body
    assert "<strong>群众</strong>" in stored.body
    assert '<a href="https://www.gov.cn/" rel="noopener noreferrer">国务院</a>' in stored.body
    assert "红字" in stored.body
    assert stored.body_text.startswith("走访群众")
    assert list(stored.events.values_list("kind", "actor")) == [(ArticleEvent.Kind.CREATED, county.town_a_media.pk)]


def test_the_editors_automatic_picture_caption_is_dropped_and_a_typed_one_kept(county):
    body = (
        "<div>正文</div>"
        '<figure class="attachment attachment--preview"><figcaption class="attachment__caption">'
        '<span class="attachment__name">pic.png</span> <span class="attachment__size">2.28 KB</span></figcaption>'
        "</figure>"
        '<figure class="attachment attachment--preview">'
        '<figcaption class="attachment__caption attachment__caption--edited">村民代表在会上发言</figcaption></figure>'
    )
    article = _written(county, body=body)
    assert "pic.png" not in article.body and "2.28 KB" not in article.body
    assert "<figcaption>村民代表在会上发言</figcaption>" in article.body


def test_a_body_typed_without_the_editor_keeps_its_lines(county):
    article = _written(county, body="第一段文字。\n第二段 <不是标签\n")
    assert article.body == "<div>第一段文字。</div><div>第二段 &lt;不是标签</div>"


def test_staff_of_another_organization_may_not_write_for_it(county):
    town_b_media = f.staff("town_b_media", Role.MEDIA_OFFICER, county.town_b)
    with pytest.raises(PermissionDenied):
        articles.save_article(town_b_media, county.town_a.pk, article_input(county.town_a))
    with pytest.raises(PermissionDenied):  # a village secretary writes for the village, not the township above
        articles.save_article(county.village_a1_secretary, county.town_a.pk, article_input(county.town_a))
    assert not Article.objects.exists()


def test_a_column_of_another_organization_is_refused(county):
    other = news(county.town_b)
    with pytest.raises(InvalidInput, match="请选择本组织的一个栏目"):
        articles.save_article(county.town_a_media, county.town_a.pk, article_input(county.town_a, column_id=other.pk))
    assert not Article.objects.exists()


def test_an_archived_column_is_refused(county):
    column = news(county.town_a)
    Column.objects.filter(pk=column.pk).update(archived_at=timezone.now())
    with pytest.raises(InvalidInput):
        _written(county)


def test_a_publication_time_in_the_past_is_refused_with_a_clear_message(county):
    past = timezone.now() - datetime.timedelta(hours=1)
    with pytest.raises(InvalidInput, match="已经过去") as refused:
        _written(county, publish_at=past)
    assert "publish_at" in refused.value.errors
    assert not Article.objects.exists()


def test_a_body_over_the_limit_is_refused(county, settings):
    settings.ARTICLE_MAX_HTML = 1000
    with pytest.raises(InvalidInput, match="正文过长"):
        _written(county, body="<div>" + "字" * 1200 + "</div>")
    assert not Article.objects.exists()


def test_an_empty_body_is_refused(county):
    with pytest.raises(InvalidInput, match="请填写文章正文"):
        _written(county, body="<script>alert(1)</script>")


def test_a_stale_edit_is_refused_and_changes_nothing(county):
    article = _written(county)
    seen = article.version
    articles.save_article(
        county.town_a_admin,
        county.town_a.pk,
        article_input(county.town_a, title="管理员改过的标题"),
        article_id=article.pk,
        expected_version=seen,
    )
    with pytest.raises(EditConflict):
        articles.save_article(
            county.town_a_media,
            county.town_a.pk,
            article_input(county.town_a, title="宣传委员的标题"),
            article_id=article.pk,
            expected_version=seen,
        )
    assert Article.objects.get(pk=article.pk).title == "管理员改过的标题"


def test_an_article_in_review_cannot_be_edited(county):
    article = _submitted(county)
    with pytest.raises(ActionError, match="正在审核"):
        articles.save_article(
            county.town_a_media, county.town_a.pk, article_input(county.town_a, title="改"), article_id=article.pk
        )
    assert Article.objects.get(pk=article.pk).title == "东城镇开展冬季送温暖活动"


# --- The sensitive-word check ------------------------------------------------------------------------


def test_a_blocked_word_refuses_the_submission_naming_the_words(county):
    SensitiveWord.objects.create(word="禁用词", level=SensitiveWord.Level.BLOCK)
    SensitiveWord.objects.create(word="另一个", level=SensitiveWord.Level.BLOCK)
    article = _written(county, body="<div>这里有禁用词，还有另一个。</div>")
    with pytest.raises(ActionError) as refused:
        articles.submit_for_review(county.town_a_media, article.pk)
    assert str(refused.value) == "含有不得使用的词语：禁用词、另一个"
    _unchanged(article)
    assert not article.events.filter(kind=ArticleEvent.Kind.SUBMITTED).exists()


def test_a_flagged_word_lets_it_through_and_is_kept_for_the_reviewers(county):
    SensitiveWord.objects.create(word="提示词", level=SensitiveWord.Level.FLAG)
    article = _submitted(county, body="<div>一段含有提示词的文字。</div>")
    assert article.state == State.REVIEWING
    assert article.events.get(kind=ArticleEvent.Kind.SUBMITTED).note == "需注意的词语：提示词"


# --- The review --------------------------------------------------------------------------------------


def test_two_different_people_pass_the_two_steps_and_it_is_published(county, django_capture_on_commit_callbacks):
    second = secretary(county)
    robot = Robot.objects.create(
        organization=county.town_a, kind="dingtalk", name="东城镇工作群", webhook_encrypted=b"x"
    )
    article = _submitted(county)
    assert (article.state, article.review_steps, article.steps_passed) == (State.REVIEWING, 2, 0)
    waiting = Notification.objects.filter(kind="publishing.article_waiting")
    assert {n.user for n in waiting} == {county.town_a_admin, second}  # not the author, though a reviewer too

    article = articles.approve_step(second, article.pk, 1, expected_version=article.version)
    assert (article.state, article.steps_passed) == (State.REVIEWING, 1)
    generation = ContentGeneration.objects.get(pk=1).value
    with pytest.raises(ActionError, match="下一步须由其他人审核"):
        articles.approve_step(second, article.pk, 2)
    with django_capture_on_commit_callbacks(execute=True):
        article = articles.approve_step(county.town_a_admin, article.pk, 2)
    assert ContentGeneration.objects.get(pk=1).value > generation  # cached portal pages change at once
    assert article.state == State.PUBLISHED and article.published_at is not None

    steps = list(article.events.values_list("kind", "step", "of_steps", "actor"))
    assert steps == [
        ("created", None, None, county.town_a_media.pk),
        ("submitted", None, 2, county.town_a_media.pk),
        ("approved", 1, 2, second.pk),
        ("approved", 2, 2, county.town_a_admin.pk),
        ("published", None, None, county.town_a_admin.pk),
    ]
    delivery = Delivery.objects.get(robot=robot)
    assert delivery.key == f"article:{article.pk}" and delivery.message["title"] == article.title
    assert Notification.objects.filter(user=county.town_a_media, kind="publishing.article_published").exists()


def test_the_author_may_not_review_their_own_article(county):
    article = _submitted(county)  # the media officer holds REVIEW_ARTICLES on the township
    with pytest.raises(ActionError, match="这篇文章是您写的"):
        articles.approve_step(county.town_a_media, article.pk, 1)
    _unchanged(article)


def test_a_lesser_role_may_not_take_the_final_step(county):
    reviewer = f.staff("town_a_media2", Role.MEDIA_OFFICER, county.town_a)
    article = articles.approve_step(county.town_a_admin, _submitted(county).pk, 1)
    with pytest.raises(PermissionDenied):  # a media officer reviews (初审) but does not approve (终审)
        articles.approve_step(reviewer, article.pk, 2)
    _unchanged(article)


def test_a_forged_step_changes_nothing(county):
    article = _submitted(county)
    with pytest.raises(ActionError, match="不是当前步骤"):
        articles.approve_step(county.town_a_admin, article.pk, 2)  # skipping 初审
    _unchanged(article)
    article = articles.approve_step(county.town_a_admin, article.pk, 1)
    with pytest.raises(ActionError, match="不是当前步骤"):
        articles.approve_step(secretary(county), article.pk, 1)  # a step already passed
    _unchanged(article)


def test_staff_of_another_organization_may_not_review(county):
    article = _submitted(county)
    town_b_admin = f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    for person in (town_b_admin, county.village_a1_secretary, county.town_b_discipline, county.nobody):
        with pytest.raises(PermissionDenied):
            articles.approve_step(person, article.pk, 1)
        with pytest.raises(PermissionDenied):
            articles.return_article(person, article.pk, 1, "不行")
    _unchanged(article)


def test_a_township_reviewer_may_review_a_villages_article(county):
    village = county.village_a1
    article = articles.save_article(county.village_a1_secretary, village.pk, article_input(village))
    article = articles.submit_for_review(county.village_a1_secretary, article.pk)
    assert article.review_steps == 1  # a village's columns ask one step: 终审
    article = articles.approve_step(county.town_a_admin, article.pk, 1)
    assert article.state == State.PUBLISHED


def test_a_stale_review_is_refused(county):
    article = _submitted(county)
    seen = article.version
    articles.approve_step(secretary(county), article.pk, 1, expected_version=seen)
    with pytest.raises(ActionError):
        articles.approve_step(county.town_a_admin, article.pk, 1, expected_version=seen)


def test_returning_needs_a_reason_and_tells_the_author(county):
    article = _submitted(county)
    with pytest.raises(InvalidInput, match="退回理由"):
        articles.return_article(county.town_a_admin, article.pk, 1, "  ")
    _unchanged(article)
    article = articles.return_article(county.town_a_admin, article.pk, 1, "标题请写具体的村名")
    assert (article.state, article.return_reason) == (State.RETURNED, "标题请写具体的村名")
    told = Notification.objects.get(user=county.town_a_media, kind="publishing.article_returned")
    assert told.params["reason"] == "标题请写具体的村名"
    # The author changes it (a draft again) and submits again: a new round from the first step.
    article = articles.save_article(
        county.town_a_media, county.town_a.pk, article_input(county.town_a, title="王庄村送温暖"), article_id=article.pk
    )
    assert article.state == State.DRAFT
    article = articles.submit_for_review(county.town_a_media, article.pk)
    assert (article.state, article.steps_passed, article.return_reason) == (State.REVIEWING, 0, "")


def test_a_new_round_lets_an_earlier_reviewer_review_again(county):
    second = secretary(county)
    article = articles.approve_step(second, _submitted(county).pk, 1)
    articles.return_article(county.town_a_admin, article.pk, 2, "请补充照片")
    articles.submit_for_review(county.town_a_media, article.pk)
    article = articles.approve_step(second, article.pk, 1)
    assert article.steps_passed == 1


def test_a_column_without_review_publishes_on_submission(county):
    Column.objects.filter(pk=news(county.town_a).pk).update(review_steps=0)
    article = _submitted(county)
    assert article.state == State.PUBLISHED
    assert article.events.filter(kind=ArticleEvent.Kind.PUBLISHED, actor=county.town_a_media).exists()


def test_a_column_without_review_still_checks_the_words(county):
    Column.objects.filter(pk=news(county.town_a).pk).update(review_steps=0)
    SensitiveWord.objects.create(word="禁用词", level=SensitiveWord.Level.BLOCK)
    article = _written(county, body="<div>禁用词</div>")
    with pytest.raises(ActionError, match="含有不得使用的词语：禁用词"):
        articles.submit_for_review(county.town_a_media, article.pk)
    _unchanged(article)


def test_three_steps_need_three_people(county):
    Column.objects.filter(pk=news(county.town_a).pk).update(review_steps=3)
    second = secretary(county)
    third = f.staff("town_a_media2", Role.MEDIA_OFFICER, county.town_a)
    article = articles.approve_step(third, _submitted(county).pk, 1)  # 初审
    with pytest.raises(ActionError):
        articles.approve_step(third, article.pk, 2)  # 复审 by the same person
    article = articles.approve_step(second, article.pk, 2)  # 复审
    with pytest.raises(ActionError):
        articles.approve_step(second, article.pk, 3)
    article = articles.approve_step(county.town_a_admin, article.pk, 3)  # 终审
    assert article.state == State.PUBLISHED


# --- Scheduled publication and withdrawal ----------------------------------------------------------------


def test_passing_the_last_step_with_a_time_schedules_it(county):
    article = _submitted(county, publish_at=tomorrow_at(8))
    article = articles.approve_step(secretary(county), article.pk, 1)
    article = articles.approve_step(county.town_a_admin, article.pk, 2)
    assert article.state == State.SCHEDULED and article.published_at is None
    told = Notification.objects.get(user=county.town_a_media, kind="publishing.article_scheduled")
    assert told.params["time"].endswith("08:00")


def test_the_clock_publishes_at_the_time_set_and_not_before(county):
    robot = Robot.objects.create(organization=county.town_a, kind="feishu", name="群", webhook_encrypted=b"x")
    eight = tomorrow_at(8)
    article = _submitted(county, publish_at=eight)
    articles.approve_step(secretary(county), article.pk, 1)
    articles.approve_step(county.town_a_admin, article.pk, 2)
    with time_machine.travel(eight - datetime.timedelta(minutes=1), tick=False):
        assert clock.publish_due_articles()["published"] == 0
    assert Article.objects.get(pk=article.pk).state == State.SCHEDULED
    assert not Delivery.objects.exists()
    with time_machine.travel(eight, tick=False):
        assert clock.publish_due_articles()["published"] == 1
        assert clock.publish_due_articles()["published"] == 0  # a second run (another clock) finds nothing
    stored = Article.objects.get(pk=article.pk)
    assert (stored.state, stored.published_at) == (State.PUBLISHED, eight)
    published = stored.events.get(kind=ArticleEvent.Kind.PUBLISHED)
    assert published.actor is None  # the clock
    assert Delivery.objects.filter(robot=robot, key=f"article:{article.pk}").count() == 1


def test_a_scheduled_article_withdrawn_before_its_time_is_not_published(county):
    article = _submitted(county, publish_at=tomorrow_at(8))
    articles.approve_step(secretary(county), article.pk, 1)
    articles.approve_step(county.town_a_admin, article.pk, 2)
    articles.withdraw_article(county.town_a_admin, article.pk, "活动延期")
    with time_machine.travel(tomorrow_at(9), tick=False):
        assert clock.publish_due_articles()["published"] == 0
    assert Article.objects.get(pk=article.pk).state == State.WITHDRAWN


def test_withdrawing_needs_a_reason_and_the_approvers_role(county):
    Column.objects.filter(pk=news(county.town_a).pk).update(review_steps=0)
    article = _submitted(county)
    with pytest.raises(InvalidInput):
        articles.withdraw_article(county.town_a_admin, article.pk, "")
    with pytest.raises(PermissionDenied):
        articles.withdraw_article(county.town_a_media, article.pk, "写错了")
    with pytest.raises(PermissionDenied):
        articles.withdraw_article(f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b), article.pk, "写错了")
    _unchanged(article)
    article = articles.withdraw_article(county.town_a_admin, article.pk, "数据有误")
    assert (article.state, article.withdraw_reason) == (State.WITHDRAWN, "数据有误")
    assert article.events.filter(kind=ArticleEvent.Kind.WITHDRAWN, note="数据有误").exists()
    # A withdrawn article can be corrected and sent through review again.
    article = articles.save_article(
        county.town_a_media, county.town_a.pk, article_input(county.town_a), article_id=article.pk
    )
    assert article.state == State.DRAFT


def test_withdrawing_tells_the_author_why(county):
    from django.urls import reverse
    from django.utils import translation

    Column.objects.filter(pk=news(county.town_a).pk).update(review_steps=0)
    article = _submitted(county)
    articles.withdraw_article(county.town_a_admin, article.pk, "数据有误")
    told = Notification.objects.get(user=county.town_a_media, kind="publishing.article_withdrawn")
    assert told.params["reason"] == "数据有误"
    with translation.override("zh-hans"):
        assert told.text == f"您的文章《{article.title}》已被撤回：数据有误"
    assert told.link == reverse("console:article", args=[article.pk])


def test_a_publication_time_that_passed_while_waiting_is_refused_at_submission(county):
    article = _written(county, publish_at=timezone.now() + datetime.timedelta(minutes=5))
    later = timezone.now() + datetime.timedelta(minutes=10)
    with time_machine.travel(later, tick=False), pytest.raises(InvalidInput, match="已经过去"):
        articles.submit_for_review(county.town_a_media, article.pk)
    _unchanged(article)
