"""The probation reminder (clock) and the members-on-the-roll usage figure."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from dangjian.core.registry import UsageMetric, entries
from dangjian.members import clock
from dangjian.members.models import Member, add_years
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def probationary(org, name, ends_on: datetime.date) -> Member:
    return f.member(
        org, name, category=Member.Category.PROBATIONARY, full_member_on=None, joined_on=add_years(ends_on, -1)
    )


def test_the_branch_is_reminded_once_a_month_before_the_probation_ends(county, today):
    county.village_a1_secretary.email = "a1@example.cn"
    county.village_a1_secretary.save()
    soon = probationary(county.village_a1, "孙丽", today + datetime.timedelta(days=settings.PROBATION_REMINDER_DAYS))
    probationary(county.village_a1, "周强", today + datetime.timedelta(days=settings.PROBATION_REMINDER_DAYS + 5))
    f.member(county.village_a1, "李建国", mobile="13812345678")
    assert clock.remind_probations(today)["reminded"] == 1
    notice = Notification.objects.get()
    assert notice.user == county.village_a1_secretary and notice.target_id == soon.pk
    assert "孙丽" in notice.text and soon.probation_ends_on.isoformat() in notice.text
    assert soon.id_number_masked[:3] not in notice.text.replace(soon.probation_ends_on.isoformat(), "")
    # The next day's run (and a second run the same day) tells no one again.
    assert clock.remind_probations(today)["reminded"] == 0
    assert clock.remind_probations(today + datetime.timedelta(days=1))["reminded"] == 0
    assert Notification.objects.count() == 1


def test_a_branch_without_a_secretary_is_reminded_through_the_township(county, today):
    probationary(county.village_a2, "孙丽", today + datetime.timedelta(days=3))
    clock.remind_probations(today)
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["town_a_admin"]


def test_the_reminder_mail_names_no_id_or_mobile(county, today, django_capture_on_commit_callbacks):
    county.village_a1_secretary.email = "a1@example.cn"
    county.village_a1_secretary.save()
    member = probationary(county.village_a1, "孙丽", today + datetime.timedelta(days=3))
    Member.objects.filter(pk=member.pk).update(mobile="13812345678")
    with django_capture_on_commit_callbacks(execute=True):
        clock.remind_probations(today)
    notice = Notification.objects.get()
    assert notice.mail_state == Notification.Mail.PENDING
    for value in ("13812345678", member.id_number(), member.id_number_masked):
        assert value not in notice.text and value not in str(notice.params)
    assert not [m for m in mail.outbox if "13812345678" in m.body]


def test_suspended_or_full_members_are_not_reminded(county, today):
    member = probationary(county.village_a1, "孙丽", today + datetime.timedelta(days=3))
    Member.objects.filter(pk=member.pk).update(status=Member.Status.SUSPENDED)
    assert clock.remind_probations(today)["reminded"] == 0


def test_the_clock_runs_it_daily():
    assert settings.PERIODIC_TASKS["dangjian.members.tasks.remind_probations"] == 24 * 3600


def test_members_on_the_roll_at_the_period_end(county, today):
    metric = next(m for m in entries(UsageMetric) if m.key == "members.on_roll")
    f.member(county.village_a1, "李建国")
    f.member(county.village_a2, "孙丽")
    f.member(county.village_b1, "赵六")
    f.member(county.village_a1, "周强", status=Member.Status.DECEASED, status_changed_on=today)
    Member.objects.update(created_at=timezone.now() - datetime.timedelta(days=10))
    f.member(county.village_a1, "新党员")  # registered today
    start = today - datetime.timedelta(days=30)
    tomorrow = today + datetime.timedelta(days=1)
    assert metric.count(county.town_a, start, tomorrow) == 3
    assert metric.count(county.county, start, tomorrow) == 4
    # Until today (the end is not part of a period) the deceased member was on the roll, the new one not yet.
    assert metric.count(county.town_a, start, today) == 3
    assert metric.count(county.town_a, start, today - datetime.timedelta(days=20)) == 0
