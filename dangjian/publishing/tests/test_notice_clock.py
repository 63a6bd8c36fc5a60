"""The clock's reminders of notices not signed off (notice_clock.remind_overdue_notices), with time-machine."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from dangjian.accounts.models import Role
from dangjian.notifications.models import Notification
from dangjian.publishing import notice_actions as actions
from dangjian.publishing.models import Notice, NoticeRecipient
from dangjian.publishing.notice_clock import remind_overdue_notices
from dangjian.tests_support import factories as f

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def notice(county, settings):
    settings.NOTICE_REMINDER_DAYS = 1
    county.town_a_secretary = f.staff("town_a_secretary", Role.SECRETARY, county.town_a)
    with time_machine.travel(MONDAY, tick=False):
        sent = actions.send_notice(
            county.county_admin,
            county.county.pk,
            actions.NoticeInput(
                title="关于开展主题党日活动的通知",
                body="请各乡镇按要求开展活动。",
                audience=Notice.Audience.CHILDREN,
                reply_by=datetime.date(2026, 3, 5),  # Thursday
            ),
        )
        actions.sign_notice(
            county.town_a_secretary, NoticeRecipient.objects.get(notice=sent, organization=county.town_a).pk
        )
    return sent


def kinds(kind):
    return Notification.objects.filter(kind=kind)


def test_nothing_before_the_reminder_days(county, notice):
    with time_machine.travel(MONDAY + datetime.timedelta(days=1), tick=False):
        assert remind_overdue_notices()["reminded"] == 0
    assert not kinds("publishing.notice_due_soon").exists()


def test_the_day_before_the_unsigned_are_reminded_once_even_by_two_clocks(county, notice):
    with time_machine.travel(datetime.datetime(2026, 3, 4, 8, 0, tzinfo=SHANGHAI), tick=False) as clock:
        assert remind_overdue_notices()["reminded"] == 1
        assert remind_overdue_notices()["reminded"] == 0
        clock.shift(datetime.timedelta(hours=6))
        assert remind_overdue_notices()["reminded"] == 0
    told = kinds("publishing.notice_due_soon")
    # Only the unsigned township's signers (西山乡 has no signer but its new admin below), never the signed one.
    assert not told.filter(user__username__in=["town_a_admin", "town_a_media", "town_a_secretary"]).exists()


def test_overdue_receivers_are_reminded_daily_and_the_sender_gets_one_summary_a_day(county, notice):
    f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    with time_machine.travel(datetime.datetime(2026, 3, 6, 8, 0, tzinfo=SHANGHAI), tick=False) as clock:
        first = remind_overdue_notices()
        assert first == {"reminded": 1, "overdue": 1, "summaries": 1}
        assert remind_overdue_notices() == {"reminded": 0, "overdue": 0, "summaries": 0}
        clock.shift(datetime.timedelta(days=1))
        assert remind_overdue_notices() == {"reminded": 1, "overdue": 1, "summaries": 1}
    assert kinds("publishing.notice_overdue").filter(user__username="town_b_admin").count() == 2
    summaries = kinds("publishing.notice_overdue_summary")
    assert set(summaries.values_list("user__username", flat=True)) == {"county_admin"}
    assert summaries.count() == 2
    assert NoticeRecipient.objects.get(notice=notice, organization=county.town_b).reminders == 2


def test_a_signed_off_or_withdrawn_notice_is_left_alone(county, notice):
    actions.withdraw_notice(county.county_admin, notice.pk, "另行通知")
    with time_machine.travel(datetime.datetime(2026, 3, 6, 8, 0, tzinfo=SHANGHAI), tick=False):
        assert remind_overdue_notices() == {"reminded": 0, "overdue": 0, "summaries": 0}
