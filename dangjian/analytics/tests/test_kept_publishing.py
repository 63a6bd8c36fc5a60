"""Publishing's usage metrics kept in the rollups: articles published, items adopted upward and received, notices
received and signed off on time (and their rate), through the module's own actions over three months."""

import datetime

import pytest
import time_machine

from dangjian.accounts.models import Role
from dangjian.analytics import queries, rollups
from dangjian.analytics.models import PendingRollup
from dangjian.analytics.periods import Period
from dangjian.publishing import articles, submissions
from dangjian.publishing import notice_actions as notices
from dangjian.publishing.models import Column, Notice, NoticeRecipient
from dangjian.publishing.tests.articles_support import article_input, news
from dangjian.tests_support import factories as f

from .kept import assert_kept, at

pytestmark = pytest.mark.django_db

KEYS = [
    "publishing.articles_published",
    "publishing.submissions_adopted",
    "publishing.submissions_received",
    "publishing.notices_received",
    "publishing.notices_signed_on_time",
]


def _published(user, organization, title):
    article = articles.save_article(user, organization.pk, article_input(organization, title=title))
    return articles.submit_for_review(user, article.pk)


def _notice(user, organization, reply_by):
    data = notices.NoticeInput(
        title="关于报送党建工作总结的通知",
        body="请于月底前报送。",
        audience=Notice.Audience.CHILDREN,
        reply_by=reply_by,
        needs_reply=False,
    )
    return notices.send_notice(user, organization.pk, data)


def _sign(user, notice, organization):
    return notices.sign_notice(user, NoticeRecipient.objects.get(notice=notice, organization=organization).pk)


def test_publishing_figures_kept_equal_the_records_and_the_counts(county):
    a2_secretary = f.staff("a2_secretary", Role.SECRETARY, county.village_a2)
    b_admin = f.staff("b_admin", Role.ORG_ADMIN, county.town_b)
    # The villages' and 西山乡's news columns publish on submission; 东城镇's has its two review steps.
    Column.objects.filter(organization__in=[county.village_a1, county.village_a2, county.town_b]).update(review_steps=0)
    with time_machine.travel(at(2026, 3, 30)):
        town_item = articles.save_article(county.town_a_media, county.town_a.pk, article_input(county.town_a))
        town_item = articles.submit_for_review(county.town_a_media, town_item.pk)
        second = f.staff("town_a_secretary", Role.SECRETARY, county.town_a)
        articles.approve_step(second, town_item.pk, 1)
        articles.approve_step(county.town_a_admin, town_item.pk, 2)
        village_item = _published(county.village_a1_secretary, county.village_a1, "王庄村开展志愿服务")
        sent_up = submissions.submit_upward(county.village_a1_secretary, village_item.pk, county.town_a.pk)
        to_townships = _notice(county.county_admin, county.county, reply_by=datetime.date(2026, 4, 3))
        _sign(county.town_a_media, to_townships, county.town_a)  # on time
        assert PendingRollup.objects.exists()
        assert_kept(KEYS, [county.county, county.town_a, county.village_a1], [datetime.date(2026, 3, 30)])
    with time_machine.travel(at(2026, 4, 2)):
        submissions.adopt_submission(county.town_a_media, sent_up.pk, news(county.town_a).pk)
        _published(a2_secretary, county.village_a2, "李湾村召开党员大会")
        other = _published(a2_secretary, county.village_a2, "李湾村整治人居环境")
        returned = submissions.submit_upward(a2_secretary, other.pk, county.town_a.pk)
        submissions.return_submission(county.town_a_media, returned.pk, "请补充图片")
        _published(b_admin, county.town_b, "西山乡开展主题党日")
        to_villages = _notice(county.town_a_admin, county.town_a, reply_by=datetime.date(2026, 4, 5))
        rollups.refresh_pending()  # the signature below must mark its own change
        _sign(county.village_a1_secretary, to_villages, county.village_a1)  # on time
    with time_machine.travel(at(2026, 5, 10)):
        _sign(b_admin, to_townships, county.town_b)  # late, counted with March's notices: not on time
        _sign(a2_secretary, to_villages, county.village_a2)  # late
        days = [datetime.date(2026, 3, 30), datetime.date(2026, 4, 2), datetime.date(2026, 5, 10)]
        organizations = [county.county, county.town_a, county.town_b, county.village_a1, county.village_a2]
        totals = assert_kept(KEYS, organizations, days)

    assert totals[("publishing.articles_published", "测试县", "q", "2026-q2")] == 3
    assert totals[("publishing.articles_published", "东城镇", "q", "2026-q1")] == 2
    assert totals[("publishing.submissions_adopted", "王庄村", "m", "2026-04")] == 1  # where the item came from
    assert totals[("publishing.submissions_adopted", "东城镇", "m", "2026-03")] == 0
    assert totals[("publishing.submissions_received", "东城镇", "y", "2026")] == 2
    assert totals[("publishing.notices_received", "测试县", "m", "2026-03")] == 2
    assert totals[("publishing.notices_received", "东城镇", "m", "2026-04")] == 2
    assert totals[("publishing.notices_signed_on_time", "测试县", "y", "2026")] == 2
    assert totals[("publishing.notices_signed_on_time", "西山乡", "y", "2026")] == 0
    values = queries.figures([county.county.pk], Period.holding("y", datetime.date(2026, 4, 2)))[county.county.pk]
    rate = queries.rate_values(values)["publishing.notices_signed_on_time_rate"]
    assert (rate.numerator, rate.denominator) == (2, 4)
