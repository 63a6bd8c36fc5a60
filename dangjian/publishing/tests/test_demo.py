"""The demo county's publishing: a believable year of reviewed articles, something for the freshness checks to
find, a scheduled article, 信息报送, notices with partial sign-off, robots that post to the local recorder."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.db.models import Max, Q
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.permissions import (
    ADOPT_SUBMISSIONS,
    APPROVE_ARTICLES,
    MANAGE_ROBOTS,
    REVIEW_ARTICLES,
    SEND_NOTICES,
    SIGN_NOTICES,
    WRITE_ARTICLES,
    has_capability,
    held_paths,
)
from dangjian.core import fieldcrypt, sensitive
from dangjian.core.models import SensitiveWord
from dangjian.demo.context import DemoContext
from dangjian.notifications.models import Delivery, Robot
from dangjian.notifications.recorder import DEMO_SECRET
from dangjian.organizations.models import Organization
from dangjian.publishing import demo as publishing_demo
from dangjian.publishing.models import (
    Article,
    ArticleEvent,
    Column,
    Notice,
    NoticeRecipient,
    NoticeReply,
    Submission,
)

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _load(**options) -> str:
    from dangjian.conftest import ensure_reference_data

    ensure_reference_data()
    out = io.StringIO()
    call_command("load_demo", townships=2, policies=4, cases=4, today=None, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo() -> str:
    return _load()


def _user(username: str) -> User:
    return User.objects.get(username=username)


def test_every_organization_has_its_columns_and_a_few_have_their_own(demo):
    for org in Organization.objects.exclude(kind="group"):
        keys = set(Column.objects.filter(organization=org).exclude(key="").values_list("key", flat=True))
        expected = {"news", "notices", "party"} | ({"village"} if org.kind in ("village", "community") else set())
        assert keys == expected, org
    own = set(Column.objects.filter(key="").values_list("organization__short_name", "name"))
    assert {("清源县", "乡村振兴"), ("城关镇", "便民服务"), ("清河镇", "乡村振兴")} <= own


def test_a_year_of_articles_each_through_its_columns_review_by_demo_accounts(demo):
    now, today = timezone.now(), timezone.localdate()
    published = Article.objects.filter(state="published").select_related("column", "organization", "created_by")
    county = Organization.objects.get(depth=0)
    assert published.filter(organization=county).count() > 50
    assert published.filter(organization__depth=1).count() > 100
    assert published.filter(organization__depth=2).values("organization").distinct().count() >= 4
    oldest = published.order_by("published_at").first()
    assert today - timezone.localdate(oldest.published_at) > datetime.timedelta(days=300)
    assert not published.filter(published_at__gt=now).exists()
    assert not published.filter(published_at__lt=now - datetime.timedelta(days=366)).exists()
    assert published.filter(organization=county, show_below=True).count() in range(1, 7)
    assert not published.exclude(organization=county).filter(show_below=True).exists()
    events: dict[int, list[ArticleEvent]] = {}
    for event in ArticleEvent.objects.filter(article__state="published").select_related("actor"):
        events.setdefault(event.article_id, []).append(event)
    for article in published:
        org, steps = article.organization, article.column.review_steps
        assert article.column.organization_id == org.pk
        assert article.review_steps == article.steps_passed == steps >= 1
        assert article.title and article.summary and article.source and article.author
        assert article.body.startswith("<div>") and "<strong>" in article.body and "<li>" in article.body
        assert "<" not in article.body_text and article.body_text.split("\n")[0] in article.body
        assert has_capability(article.created_by, WRITE_ARTICLES, org)
        kinds = [(e.kind, e.step) for e in sorted(events[article.pk], key=lambda e: (e.at, e.pk))]
        assert kinds == [
            ("created", None),
            ("submitted", None),
            *[("approved", step) for step in range(1, steps + 1)],
            ("published", None),
        ]
        for event in events[article.pk]:
            if event.kind == "approved":
                needed = APPROVE_ARTICLES if event.step == steps else REVIEW_ARTICLES
                assert event.of_steps == steps and has_capability(event.actor, needed, org)
                # The system administrator only in the county, whose own three people already took a part.
                assert not event.actor.is_superuser or org.depth == 0
        assert events[article.pk][-1].at == article.published_at
    # The first township's articles (its media officer writes): the county's media officer's first step, its administrator's 终审.
    town = Organization.objects.get(short_name="城关镇")
    actors = set(
        ArticleEvent.objects.filter(article__organization=town, kind="approved").values_list("step", "actor__username")
    )
    assert actors == {(1, "county_media"), (2, "town_admin")}
    words = [hit.word for article in published for hit in sensitive.find(article.body_text)]
    assert words == []  # the demo's own articles trip none of the demo's sensitive words


def test_no_author_reviews_their_own_article_and_no_one_passes_two_steps(demo):
    approvals: dict[int, list[int]] = {}
    for article_id, actor_id in ArticleEvent.objects.filter(kind__in=["approved", "returned"]).values_list(
        "article_id", "actor_id"
    ):
        approvals.setdefault(article_id, []).append(actor_id)
    authors = dict(Article.objects.values_list("pk", "created_by_id"))
    assert approvals
    for article_id, actors in approvals.items():
        assert authors[article_id] not in actors, article_id
        assert len(actors) == len(set(actors)), article_id


def test_some_columns_are_stale_beyond_their_rule_and_the_rest_fresh(demo):
    today = timezone.localdate()
    stale, fresh = [], 0
    latest = Column.objects.annotate(last=Max("articles__published_at", filter=Q(articles__state="published")))
    for column in latest.filter(last__isnull=False, update_days__isnull=False).select_related("organization"):
        age = (today - timezone.localdate(column.last)).days
        if age > column.update_days:
            stale.append((column.organization.short_name, column.key, age))
        else:
            fresh += 1
    villages = Organization.objects.get(short_name="城关镇").children.filter(kind__in=["village", "community"])
    second_village = villages.order_by("path")[1].short_name
    places = publishing_demo._places()
    idle = {village.short_name for village in places.idle_villages}
    attention = [
        (village.short_name, "village", days)
        for village, days in zip(places.attention_villages, publishing_demo.ATTENTION_VILLAGE_DAYS, strict=False)
    ]
    planned = [("清河镇", "news", 40), (second_village, "village", 150), *attention]
    assert len(idle) == 3 and len(attention) == 2
    assert sorted(row for row in stale if row[0] not in idle) == sorted(planned)
    # The villages left 形同摆设 published nothing for weeks: their 工作动态 (a 14-day rule) is overdue.
    assert {row[0] for row in stale if row[1] == "news" and row[0] in idle} == idle
    assert fresh > 20


def test_the_to_dos_have_articles_waiting_and_a_township_article_is_scheduled_for_eight_tomorrow(demo):
    town_media, town_admin, county_admin = _user("town_media"), _user("town_admin"), _user("county_admin")
    town = Organization.objects.get(path=held_paths(town_media, WRITE_ARTICLES)[0])
    scheduled = Article.objects.get(state="scheduled")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert scheduled.organization == town
    assert scheduled.publish_at == datetime.datetime.combine(tomorrow, datetime.time(8, 0), tzinfo=SHANGHAI)
    assert scheduled.published_at is None and scheduled.steps_passed == scheduled.review_steps == 2
    assert list(scheduled.events.values_list("kind", "step", "actor__username")) == [
        ("created", None, "town_media"),
        ("submitted", None, "town_media"),
        ("approved", 1, "county_media"),
        ("approved", 2, "town_admin"),
        ("scheduled", None, "town_admin"),
    ]
    assert scheduled.events.last().at < timezone.now()
    # Waiting for the township administrator's 终审, and for the county administrator's first step.
    waiting = Article.objects.get(state="reviewing", organization=town)
    assert waiting.steps_passed == waiting.review_steps - 1
    assert has_capability(town_admin, APPROVE_ARTICLES, town) and town.path in held_paths(town_admin, APPROVE_ARTICLES)
    county_waiting = Article.objects.get(state="reviewing", organization__depth=0)
    assert county_waiting.steps_passed == 0 and county_waiting.review_steps == 3
    assert county_waiting.organization.path in held_paths(county_admin, REVIEW_ARTICLES)
    returned = Article.objects.get(state="returned")
    assert returned.return_reason
    assert returned.events.filter(kind="returned", step=1, note=returned.return_reason).exists()
    withdrawn = Article.objects.get(state="withdrawn")
    assert withdrawn.withdraw_reason and withdrawn.withdrawn_at > withdrawn.published_at
    assert set(Article.objects.filter(state="draft").values_list("created_by__username", flat=True)) == {
        "county_media",
        "town_media",
        "village_secretary",
    }
    assert "publishes at " in demo and f"{tomorrow:%Y-%m-%d} 08:00" in demo


def test_villages_items_are_adopted_returned_and_waiting_in_the_township(demo):
    submissions = Submission.objects.select_related("article__organization", "to_organization", "column")
    assert {s.state for s in submissions} == {"adopted", "returned", "submitted"}
    for submission in submissions:
        assert submission.article.state == "published"
        assert submission.to_organization_id == submission.article.organization.parent_id
        assert has_capability(submission.submitted_by, WRITE_ARTICLES, submission.article.organization)
        if submission.state == "submitted":
            assert submission.decided_by is None and submission.decided_at is None
            continue
        assert has_capability(submission.decided_by, ADOPT_SUBMISSIONS, submission.to_organization)
        assert submission.decided_by.role_grants.filter(organization=submission.to_organization).exists()
        assert submission.decided_at > submission.submitted_at > submission.article.published_at
    adopted = submissions.filter(state="adopted")
    assert adopted.count() >= 3
    assert all(s.column.organization_id == s.to_organization_id and s.column.key == "news" for s in adopted)
    returned = submissions.get(state="returned")
    assert returned.reason and returned.column is None
    assert submissions.filter(state="submitted").count() == 1


def test_notices_are_partly_signed_one_is_overdue_and_two_have_replies(demo):
    today = timezone.localdate()
    county = Organization.objects.get(depth=0)
    notices = Notice.objects.filter(organization=county, state="sent")
    assert notices.count() == 3
    townships = set(county.children.values_list("pk", flat=True))
    for notice in notices:
        assert set(notice.recipients.values_list("organization", flat=True)) == townships
        assert notice.reply_by and notice.sent_at < timezone.now()
        assert has_capability(notice.created_by, SEND_NOTICES, county)
    recipients = NoticeRecipient.objects.select_related("organization", "signed_by", "notice")
    for recipient in recipients.filter(signed_at__isnull=False):
        assert recipient.read_at <= recipient.signed_at and recipient.signed_at > recipient.notice.sent_at
        if recipient.signed_by is not None:  # an account that signs for exactly this organization
            assert recipient.organization.path in held_paths(recipient.signed_by, SIGN_NOTICES)
    assert recipients.filter(signed_by__username="town_admin").exists()
    partly = [n for n in Notice.objects.all() if n.recipients.filter(signed_at__isnull=True).exists()]
    assert len(partly) == 3 and all(n.recipients.filter(signed_at__isnull=False).exists() for n in partly)
    assert all(n.recipients.filter(signed_at__isnull=False).count() * 2 >= n.recipients.count() for n in partly)
    overdue = notices.filter(reply_by__lt=today, recipients__signed_at__isnull=True).distinct()
    assert overdue.count() == 1
    assert not overdue.get().recipients.filter(signed_at__isnull=True, reminders=0).exists()
    # The township's notice reaches its villages; the demo village secretary still has it to sign.
    town_notice = Notice.objects.get(organization__short_name="城关镇")
    village = Organization.objects.get(path=held_paths(_user("village_secretary"), SIGN_NOTICES)[0])
    assert town_notice.recipients.get(organization=village).signed_at is None
    replies = NoticeReply.objects.select_related("recipient")
    assert replies.count() == 2 and all(reply.text and reply.author for reply in replies)


def test_robots_post_to_the_local_recorder_with_a_record_of_past_deliveries(demo):
    town, county = Organization.objects.get(short_name="城关镇"), Organization.objects.get(depth=0)
    dingtalk, wecom = Robot.objects.get(organization=town), Robot.objects.get(organization=county)
    assert dingtalk.kind == "dingtalk" and wecom.kind == "wecom"
    assert fieldcrypt.decrypt(dingtalk.webhook_encrypted) == (
        "http://127.0.0.1:8091/dingtalk/robot/send?access_token=demo-township"
    )
    assert (
        fieldcrypt.decrypt(wecom.webhook_encrypted)
        == "http://127.0.0.1:8091/wecom/cgi-bin/webhook/send?key=demo-county"
    )
    assert fieldcrypt.decrypt(dingtalk.secret_encrypted) == DEMO_SECRET  # what the recorder of make run checks
    assert bytes(wecom.secret_encrypted) == b""
    assert dingtalk.webhook_hint == "127.0.0.1:8091 …ship" and "demo-township" not in dingtalk.webhook_hint
    assert has_capability(dingtalk.created_by, MANAGE_ROBOTS, town)
    for robot in (dingtalk, wecom):
        deliveries = robot.deliveries.all()
        assert deliveries.filter(state="sent", topic="article").count() >= 3
        assert deliveries.filter(state="sent", topic="notice").exists()
        failed = deliveries.get(state="failed")
        assert failed.last_error and failed.sent_at is None
        assert robot.active and robot.flagged_at is None and robot.consecutive_failures == 0
        assert robot.last_success_at == deliveries.filter(state="sent").aggregate(Max("sent_at"))["sent_at__max"]
        for delivery in deliveries.filter(topic="article"):
            article = Article.objects.get(pk=delivery.key.split(":")[1])
            assert delivery.message["title"] == article.title
            assert delivery.message["url"].endswith(
                f"/o/{town.pk if robot == dingtalk else county.pk}/articles/{article.pk}/"
            )
    assert not Delivery.objects.filter(state="pending").exists()


def test_the_sensitive_word_list_refuses_illegal_advertising(demo):
    levels = dict(SensitiveWord.objects.values_list("word", "level"))
    assert {
        "代开发票": "block",
        "网络赌博": "block",
        "高利贷": "block",
        "刷单": "flag",
        "内部消息": "flag",
    }.items() <= (levels.items())
    hits = sensitive.find("专业代开发票，另有刷单兼职")
    assert sensitive.blocking(hits) == ["代开发票"] and sensitive.flagged(hits) == ["刷单"]


def _fingerprint() -> dict:
    return {
        "articles": sorted(
            Article.objects.values_list(
                "organization_id", "column__key", "column__name", "title", "state", "published_at", "publish_at"
            )
        ),
        "events": ArticleEvent.objects.count(),
        "submissions": sorted(Submission.objects.values_list("article__title", "state", "decided_by")),
        "recipients": sorted(
            NoticeRecipient.objects.values_list("notice__title", "organization_id", "signed_at", "signed_by")
        ),
        "replies": sorted(NoticeReply.objects.values_list("text", flat=True)),
        "deliveries": sorted(Delivery.objects.values_list("robot__kind", "topic", "state", "message__title")),
        "robots": sorted(
            (robot.kind, fieldcrypt.decrypt(robot.secret_encrypted) if robot.secret_encrypted else "")
            for robot in Robot.objects.all()
        ),
        "columns": Column.objects.count(),
        "words": SensitiveWord.objects.count(),
    }


def _clear_publishing() -> None:
    Delivery.objects.all().delete()
    Robot.objects.all().delete()
    Notice.objects.all().delete()
    Submission.objects.all().delete()
    Article.objects.all().delete()
    Column.objects.filter(key="").delete()
    SensitiveWord.objects.all().delete()


def test_the_same_seed_and_day_build_the_same_content(demo):
    counts = (Article.objects.count(), ArticleEvent.objects.count(), NoticeRecipient.objects.count())
    assert f"{Article.objects.filter(state='published').count()} published articles" in demo
    today = timezone.localdate()
    runs = []
    for _ in range(2):
        _clear_publishing()
        ctx = DemoContext(seed=7, today=today)
        publishing_demo.setup(ctx)
        publishing_demo.load(ctx)
        runs.append(_fingerprint())
    assert runs[0] == runs[1]
    assert runs[0]["articles"] and runs[0]["recipients"] and runs[0]["deliveries"]
    assert counts[0] > 0 and counts[2] > 0


def test_adding_policies_to_the_demo_leaves_its_publishing_alone(demo):
    before = _fingerprint()
    out = io.StringIO()
    call_command("load_demo", add_policies=3, today=None, stdout=out)
    assert "Added 3 policies" in out.getvalue()
    assert _fingerprint() == before
