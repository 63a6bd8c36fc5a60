"""Meeting compliance: which required meetings each branch held, missed or still has to hold."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.meetings import compliance
from dangjian.meetings.clock import remind_missing_meetings
from dangjian.meetings.models import Meeting
from dangjian.meetings.notices import REQUIRED_MISSING
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db

ONLY_COMMITTEE = {"committee": "monthly"}


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def meeting(branch, kind, day, state=Meeting.State.HELD, group=None) -> Meeting:
    return Meeting.objects.create(
        organization=branch,
        party_group=group,
        kind=kind,
        topic="学习会",
        starts_at=at(day),
        audience=Meeting.Audience.GROUP if group else Meeting.Audience.BRANCH,
        state=state,
        held_at=at(day) if state == Meeting.State.HELD else None,
    )


def statuses(row, kind, group_id=None) -> list[str]:
    return [str(item.status) for item in row.items if item.kind == kind and item.group_id == group_id]


def test_monthly_kind_missing_in_february_is_overdue(county, settings):
    settings.MEETING_FREQUENCIES = ONLY_COMMITTEE
    f.member(county.village_a1)
    meeting(county.village_a1, "committee", datetime.date(2026, 1, 10))
    meeting(county.village_a1, "committee", datetime.date(2026, 3, 31))
    row = compliance.branch_report(county.village_a1, 2026, today=datetime.date(2026, 4, 15))
    assert statuses(row, "committee")[:5] == ["held", "overdue", "held", "due", "upcoming"]
    assert row.missing == 1
    assert row.cells[1].text == "缺1"
    assert "支部委员会" in row.cells[1].label


def test_quarterly_and_yearly_kinds_count_per_quarter_and_year(county, settings):
    settings.MEETING_FREQUENCIES = {"general": "quarterly", "life": "yearly"}
    f.member(county.village_a1)
    meeting(county.village_a1, "general", datetime.date(2026, 2, 1))  # Q1
    meeting(county.village_a1, "general", datetime.date(2026, 9, 30))  # Q3
    meeting(county.village_a1, "life", datetime.date(2026, 1, 20))
    row = compliance.branch_report(county.village_a1, 2026, today=datetime.date(2026, 11, 2))
    assert statuses(row, "general") == ["held", "overdue", "held", "due"]
    assert statuses(row, "life") == ["held"]
    # A quarter is shown in its last month: March held, June missing, December due.
    assert [row.cells[m - 1].state for m in (3, 6, 9, 12)] == ["full", "missing", "full", "due"]
    last_year = compliance.branch_report(county.village_a1, 2025, today=datetime.date(2026, 11, 2))
    assert statuses(last_year, "life") == ["overdue"]


def test_cancelled_or_planned_meetings_do_not_count(county, settings):
    settings.MEETING_FREQUENCIES = ONLY_COMMITTEE
    f.member(county.village_a1)
    meeting(county.village_a1, "committee", datetime.date(2026, 1, 10), state=Meeting.State.CANCELLED)
    meeting(county.village_a1, "committee", datetime.date(2026, 2, 10), state=Meeting.State.PLANNED)
    row = compliance.branch_report(county.village_a1, 2026, today=datetime.date(2026, 3, 5))
    assert statuses(row, "committee")[:3] == ["overdue", "overdue", "due"]
    assert row.items[1].planned == 1


def test_meeting_of_another_kind_or_branch_does_not_count(county, settings):
    settings.MEETING_FREQUENCIES = ONLY_COMMITTEE
    f.member(county.village_a1)
    f.member(county.village_a2)
    meeting(county.village_a1, "lecture", datetime.date(2026, 1, 10))
    meeting(county.village_a2, "committee", datetime.date(2026, 1, 10))
    report = compliance.build(county.town_a, 2026, today=datetime.date(2026, 2, 5))
    assert statuses(report.row_for(county.village_a1.pk), "committee")[0] == "overdue"
    assert statuses(report.row_for(county.village_a2.pk), "committee")[0] == "held"


def test_party_group_meeting_is_required_per_group(county, settings):
    settings.MEETING_FREQUENCIES = {"group": "monthly"}
    first = f.OrganizationFactory(name="第一党小组", short_name="第一党小组", kind="group", parent=county.village_a1)
    second = f.OrganizationFactory(name="第二党小组", short_name="第二党小组", kind="group", parent=county.village_a1)
    f.member(county.village_a1, party_group=first)
    f.member(county.village_a1, party_group=second)
    f.member(county.village_a2)  # no party group: no 党小组会 required
    meeting(county.village_a1, "group", datetime.date(2026, 1, 8), group=first)
    report = compliance.build(county.town_a, 2026, today=datetime.date(2026, 2, 5))
    row = report.row_for(county.village_a1.pk)
    assert statuses(row, "group", first.pk)[0] == "held"
    assert statuses(row, "group", second.pk)[0] == "overdue"
    assert row.cells[0].text == "缺1"
    assert "第二党小组" in row.cells[0].label
    assert report.row_for(county.village_a2.pk).items == []
    # A party group is not a branch of its own.
    assert report.row_for(first.pk) is None


def test_frequencies_come_from_settings(county, settings):
    f.member(county.village_a1)
    settings.MEETING_FREQUENCIES = {"committee": "quarterly", "lecture": "none"}
    row = compliance.branch_report(county.village_a1, 2026, today=datetime.date(2026, 5, 1))
    assert {item.kind for item in row.items} == {"committee"}
    assert len(row.items) == 4


def test_organization_without_members_is_not_a_branch(county):
    f.member(county.village_a1)
    f.member(county.village_a2, status="transferred_out")
    report = compliance.build(county.county, 2026, today=datetime.date(2026, 5, 1))
    assert [row.branch.pk for row in report.rows] == [county.village_a1.pk]
    assert report.rows[0].parent_unit == county.town_a


def test_grid_queries_do_not_grow_with_branches(county, settings):
    settings.MEETING_FREQUENCIES = ONLY_COMMITTEE

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            compliance.build(county.county, 2026, today=datetime.date(2026, 5, 1))
        return len(captured)

    f.member(county.village_a1)
    meeting(county.village_a1, "committee", datetime.date(2026, 1, 10))
    few = queries()
    for index in range(8):
        village = f.OrganizationFactory(name=f"新村{index}", kind="village", parent=county.town_b)
        f.member(village)
        meeting(village, "committee", datetime.date(2026, 2, 10))
    assert queries() == few == 3


# --- Pages --------------------------------------------------------------------------------------


def grid_url(org) -> str:
    return reverse("console:meetings_compliance_grid", args=[org.pk])


def test_township_admin_sees_the_grid_with_text_cells(county, client, settings):
    settings.MEETING_FREQUENCIES = ONLY_COMMITTEE
    f.member(county.village_a1)
    f.member(county.village_a2)
    year = timezone.localdate().year
    meeting(county.village_a1, "committee", datetime.date(year, 1, 10))
    client.force_login(county.town_a_admin)
    response = client.get(grid_url(county.town_a), {"year": year})
    assert response.status_code == 200
    text = response.content.decode()
    assert "王庄村" in text and "李湾村" in text
    assert "齐" in text
    assert reverse("console:meetings_compliance", args=[county.village_a1.pk]) in text
    assert "口径说明" in text


def test_county_grid_groups_branches_under_townships(county, client):
    f.member(county.village_a1)
    f.member(county.village_b1)
    client.force_login(county.county_admin)
    response = client.get(grid_url(county.county))
    groups = response.context["groups"]
    assert [unit.pk for unit, _rows, _html in groups] == [county.town_a.pk, county.town_b.pk]
    assert grid_url(county.town_a) in response.content.decode()


def test_grid_sorted_by_most_missing(county, client, settings):
    settings.MEETING_FREQUENCIES = ONLY_COMMITTEE
    f.member(county.village_a1)
    f.member(county.village_a2)
    year = timezone.localdate().year - 1
    for month in range(1, 13):
        meeting(county.village_a1, "committee", datetime.date(year, month, 5))
    meeting(county.village_a2, "committee", datetime.date(year, 1, 5))
    client.force_login(county.town_a_admin)
    response = client.get(grid_url(county.town_a), {"year": year, "sort": "missing"})
    rows = response.context["groups"][0][1]
    assert [row.branch.pk for row in rows] == [county.village_a2.pk, county.village_a1.pk]
    assert rows[0].missing == 11


def test_invalid_year_is_refused_in_chinese(county, client):
    client.force_login(county.town_a_admin)
    response = client.get(grid_url(county.town_a), {"year": "1800"})
    assert response.status_code == 200
    assert "请选择" in response.content.decode() and "年份" in response.content.decode()
    assert response.context["year"] == timezone.localdate().year
    response = client.get(grid_url(county.town_a), {"year": "abc"})
    assert "四位数字" in response.content.decode()


def test_another_townships_staff_cannot_see_the_grid(county, client):
    other = f.staff("b_admin", Role.ORG_ADMIN, county.town_b)
    client.force_login(other)
    assert client.get(grid_url(county.town_a)).status_code == 403
    assert client.get(reverse("console:meetings_compliance", args=[county.village_a1.pk])).status_code == 403


def test_media_officer_and_member_account_have_no_access(county, client):
    client.force_login(county.town_a_media)
    assert client.get(grid_url(county.town_a)).status_code == 403
    person = f.UserFactory(username="member_wang")
    f.member(county.village_a1, user=person)
    client.force_login(person)
    assert client.get(grid_url(county.town_a)).status_code == 403
    assert client.get(reverse("console:meetings_compliance", args=[county.village_a1.pk])).status_code == 403


def test_branch_page_names_each_period_in_words(county, client, settings):
    settings.MEETING_FREQUENCIES = {"committee": "monthly", "life": "yearly"}
    f.member(county.village_a1)
    year = timezone.localdate().year - 1
    meeting(county.village_a1, "committee", datetime.date(year, 1, 5))
    client.force_login(county.village_a1_secretary)
    response = client.get(reverse("console:meetings_compliance", args=[county.village_a1.pk]), {"year": year})
    text = response.content.decode()
    assert response.status_code == 200
    assert "已召开：1" in text and "未按期召开：12" in text
    assert "1月 已召开" in text and "2月 未按期召开" in text and "全年 未按期召开" in text


def test_organization_page_links_to_the_grid(county, client):
    client.force_login(county.town_a_admin)
    response = client.get(reverse("console:organization", args=[county.town_a.pk]))
    assert grid_url(county.town_a) in response.content.decode()


def test_dashboard_panel_counts_branches_with_overdue_meetings(county, client, settings):
    settings.MEETING_FREQUENCIES = {"life": "yearly"}
    f.member(county.village_a1)
    client.force_login(county.town_a_admin)
    response = client.get(reverse("console:dashboard"))
    assert 'data-testid="compliance-panel"' in response.content.decode()
    assert grid_url(county.town_a) in response.content.decode()


# --- To-do and reminders ------------------------------------------------------------------------


def test_todo_count_equals_its_list(county, client, settings):
    settings.MEETING_FREQUENCIES = {"committee": "monthly", "theme_day": "monthly", "life": "yearly"}
    f.member(county.village_a1)
    today = timezone.localdate()
    meeting(county.village_a1, "committee", today.replace(day=1))
    client.force_login(county.village_a1_secretary)
    home = client.get(reverse("console:dashboard"))
    lines = [line for line in home.context["todo_lines"] if line.key == "meetings.required_due"]
    assert len(lines) == 1
    expected = 2  # the theme day of this month and the organizational life meeting of the year
    listed = client.get(lines[0].url)
    items = listed.context["items"]
    assert lines[0].count == len(items) == expected
    assert f"本期有 {expected} 项必开会议尚未召开" in home.content.decode()
    assert listed.content.decode().count("data-item=") == expected


def test_township_staff_get_no_todo_for_the_villages(county, client):
    f.member(county.village_a1)
    client.force_login(county.town_a_admin)
    home = client.get(reverse("console:dashboard"))
    assert not [line for line in home.context["todo_lines"] if line.key == "meetings.required_due"]


def test_reminder_sent_once_per_branch_kind_and_period(county, settings):
    settings.MEETING_FREQUENCIES = ONLY_COMMITTEE
    settings.MEETING_REMINDER_DAYS = 7
    f.member(county.village_a1)
    assert remind_missing_meetings(datetime.date(2026, 3, 20))["reminded"] == 0  # 12 days left
    assert remind_missing_meetings(datetime.date(2026, 3, 25))["reminded"] == 1
    assert remind_missing_meetings(datetime.date(2026, 3, 26))["reminded"] == 0
    rows = Notification.objects.filter(kind=REQUIRED_MISSING)
    assert [row.user for row in rows] == [county.village_a1_secretary]
    note = rows.get()
    assert "王庄村" in note.text and "支部委员会" in note.text and "2026-03-31" in note.text
    assert note.link == reverse("console:meetings_compliance", args=[county.village_a1.pk])


def test_no_reminder_when_the_meeting_was_held(county, settings):
    settings.MEETING_FREQUENCIES = ONLY_COMMITTEE
    f.member(county.village_a1)
    meeting(county.village_a1, "committee", datetime.date(2026, 3, 3))
    assert remind_missing_meetings(datetime.date(2026, 3, 28))["reminded"] == 0
    assert not Notification.objects.filter(kind=REQUIRED_MISSING).exists()


def test_usage_metrics_count_meetings_held_and_missing(county, settings):
    settings.MEETING_FREQUENCIES = ONLY_COMMITTEE
    f.member(county.village_a1)
    meeting(county.village_a1, "committee", datetime.date(2025, 1, 10))
    meeting(county.village_a1, "committee", datetime.date(2025, 1, 20))
    meeting(county.village_a1, "committee", datetime.date(2025, 2, 10), state=Meeting.State.CANCELLED)
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 4, 1)
    assert compliance.held_between(county.county, start, end) == 2
    assert compliance.missing_between(county.county, start, end) == 2  # February and March
    assert compliance.held_between(county.town_b, start, end) == 0


def test_grid_without_detail_shows_the_same_cells_and_counts(county, settings):
    f.member(county.village_a1)
    f.member(county.village_a2)
    meeting(county.village_a1, "committee", datetime.date(2026, 1, 10))
    meeting(county.village_a1, "life", datetime.date(2026, 3, 10))
    today = datetime.date(2026, 5, 20)
    full = compliance.build(county.county, 2026, today)
    lean = compliance.build(county.county, 2026, today, detail=False)
    for a, b in zip(full.rows, lean.rows, strict=True):
        assert (a.missing, a.due, a.held) == (b.missing, b.due, b.held)
        assert [(c.state, c.text, c.label) for c in a.cells] == [(c.state, c.text, c.label) for c in b.cells]
    assert lean.rows[0].held == 2 and all(item.status != "held" for item in lean.rows[0].items)
