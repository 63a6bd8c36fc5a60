"""Members' and meetings' usage metrics kept in the rollups: members on the roll and members with an account (stocks,
Reach), meetings held, required meetings settled, held and missing (computed from the compliance rules, not counted
from rows), through the modules' own actions over three months."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.analytics import queries, rollups
from dangjian.analytics.models import Figure
from dangjian.analytics.periods import Period
from dangjian.meetings import actions as meetings
from dangjian.meetings.models import Meeting
from dangjian.members import accounts
from dangjian.members import actions as members
from dangjian.members.models import Member
from dangjian.tests_support import factories as f

from .kept import assert_kept, at

pytestmark = pytest.mark.django_db

MEMBER_KEYS = ["members.on_roll", "members.with_account"]
MEETING_KEYS = ["meetings.held", "meetings.required", "meetings.required_held", "meetings.required_missing"]


@pytest.fixture(autouse=True)
def _two_required_kinds(settings):
    # 支部委员会 monthly and 支部党员大会 quarterly: few enough required meetings to count by hand.
    settings.MEETING_FREQUENCIES = {"committee": "monthly", "general": "quarterly"}


_seed = 100


def _member(user, branch, name, mobile=""):
    global _seed
    _seed += 1
    birth = datetime.date(1975, 1, 1) + datetime.timedelta(days=_seed)
    data = members.MemberInput(
        name=name,
        sex="m",
        birth_date=birth,
        joined_on=datetime.date(2005, 7, 1),
        id_number=f.id_number(_seed, birth, "m"),
        mobile=mobile,
    )
    return members.add_member(user, branch.pk, data)


def _committee(user, branch, host, when):
    return meetings.plan_meeting(
        user,
        branch.pk,
        meetings.MeetingInput(
            kind=Meeting.Kind.COMMITTEE,
            topic="研究本月党员发展工作",
            starts_at=when,
            place="村部会议室",
            host_id=host.pk,
            recorder_id=host.pk,
        ),
    )


def test_member_and_meeting_figures_kept_equal_the_records_and_the_counts(county):
    a1 = county.village_a1_secretary
    a2 = f.staff("a2_secretary", Role.SECRETARY, county.village_a2)
    organizations = [county.county, county.town_a, county.town_b, county.village_a1, county.village_a2]
    with time_machine.travel(at(2026, 3, 2)):
        host = _member(a1, county.village_a1, "王建国", mobile="13800000011")
        leaving = _member(a1, county.village_a1, "王卫东")
        _member(a2, county.village_a2, "李红梅")  # 李湾村 holds no meeting: its required meetings go missing
        meeting = _committee(a1, county.village_a1, host, at(2026, 3, 10, 9))
        invitation = accounts.create_invitation(a1, host.pk)
    with time_machine.travel(at(2026, 3, 6)):
        accounts.join(invitation.token, "Zhibu-2026-mima", "Zhibu-2026-mima")
    with time_machine.travel(at(2026, 3, 10, 11)):
        meetings.record_held(a1, meeting.pk)
        # The month and quarter still run: nothing is missing yet; January and February (before any member
        # joined, but the roll of today counts) are.
        early = assert_kept(MEMBER_KEYS + MEETING_KEYS, organizations, [datetime.date(2026, 3, 10)])
        assert early[("meetings.required_missing", "测试县", "m", "2026-03")] == 0
        assert early[("meetings.required_held", "王庄村", "m", "2026-03")] == 1
    with time_machine.travel(at(2026, 4, 15)):
        # The night after 31 March rebuilt the figures: the periods that ended are settled.
        rollups.rebuild()
        members.change_status(
            a1, leaving.pk, members.StatusInput(status=Member.Status.DECEASED, on=datetime.date(2026, 4, 15))
        )
    with time_machine.travel(at(2026, 5, 10)):
        rollups.rebuild()  # and so every night since
        days = [datetime.date(2026, 1, 15), datetime.date(2026, 3, 10), datetime.date(2026, 4, 14)]
        days += [datetime.date(2026, 4, 15), datetime.date(2026, 5, 10)]
        totals = assert_kept(MEMBER_KEYS + MEETING_KEYS, organizations, days)
        values = queries.figures([county.county.pk], Period.holding("m", datetime.date(2026, 3, 1)))[county.county.pk]

    assert totals[("members.on_roll", "测试县", "m", "2026-03")] == 3
    assert totals[("members.on_roll", "王庄村", "m", "2026-04")] == 1  # one left the roll on 15 April
    assert totals[("members.on_roll", "王庄村", "w", "2026-w16")] == 1  # the week holding 15 April
    assert totals[("members.on_roll", "测试县", "m", "2026-01")] == 0  # registered in March
    assert totals[("members.with_account", "测试县", "m", "2026-03")] == 1
    assert totals[("members.with_account", "东城镇", "m", "2026-05")] == 1
    assert totals[("meetings.held", "王庄村", "m", "2026-03")] == 1
    assert totals[("meetings.held", "测试县", "m", "2026-04")] == 0
    # March: 王庄村 held its committee meeting but no general meeting for the quarter; 李湾村 held neither.
    assert totals[("meetings.required", "测试县", "m", "2026-03")] == 4
    assert totals[("meetings.required_held", "测试县", "m", "2026-03")] == 1
    assert totals[("meetings.required_missing", "测试县", "m", "2026-03")] == 3
    assert totals[("meetings.required_missing", "李湾村", "m", "2026-01")] == 1
    assert totals[("meetings.required_missing", "东城镇", "q", "2026-q1")] == 7  # 3 + 3 committee, 1 general (a2)
    assert totals[("meetings.required_missing", "西山乡", "y", "2026")] == 0  # no branch with members
    rate = queries.rate_values(values)["meetings.required_held_rate"]
    assert (rate.numerator, rate.denominator) == (1, 4)


def test_a_period_ending_moves_a_due_meeting_to_missing_at_the_rebuild(county):
    a1 = county.village_a1_secretary
    with time_machine.travel(at(2026, 3, 2)):
        host = _member(a1, county.village_a1, "王建国")
        meeting = _committee(a1, county.village_a1, host, at(2026, 3, 10, 9))
        rollups.refresh_pending()
    march = Period.holding("m", datetime.date(2026, 3, 1))

    def missing() -> int:
        figure = Figure.objects.filter(
            organization=county.county, metric="meetings.required_missing", kind="m", start=march.start
        ).first()
        return figure.total if figure else 0

    with time_machine.travel(at(2026, 3, 31, 22)):
        rollups.rebuild()  # the night's rebuild (the roll's weeks since 2 March are figures of their own)
        assert missing() == 0  # March's meetings are due, not missing
        meetings.cancel_meeting(a1, meeting.pk, "书记外出学习")
        rollups.refresh_pending()
        assert missing() == 0
        assert rollups.compare() == {}
    with time_machine.travel(at(2026, 4, 1, 2)):
        assert missing() == 0  # nothing was written when March ended
        assert rollups.compare()
        rollups.rebuild()
        assert missing() == 2  # the committee meeting of March and the general meeting of the first quarter
        assert rollups.compare() == {}
    assert timezone.localdate() > datetime.date(2026, 4, 1)  # the real clock is back


def test_a_roster_import_written_without_a_save_is_kept_without_a_rebuild(county):
    """The import writes members with bulk_create (no save signal) and tells the summaries (core.signals)."""
    from dangjian.members import roster
    from dangjian.members.tests.roster_files import person, xlsx

    secretary = county.village_a1_secretary
    checked = roster.check_upload(secretary, county.village_a1.pk, xlsx([person(1), person(2)]))
    assert roster.import_roster(secretary, county.village_a1.pk, checked.pk, False).written == 2
    rollups.refresh_pending()
    today = Period.holding("m", timezone.localdate())
    assert (
        Figure.objects.get(organization=county.county, metric="members.on_roll", kind="m", start=today.start).total == 2
    )
    assert rollups.compare() == {}


def test_the_rows_link_to_member_and_meeting_pages_only_for_their_managers(county):
    from django.test import Client

    from dangjian.core.registry import UsageMetric, registry
    from dangjian.tests_support.factories import PASSWORD

    a1 = county.village_a1_secretary
    with time_machine.travel(at(2026, 3, 2)):
        host = _member(a1, county.village_a1, "王建国")
        meeting = _committee(a1, county.village_a1, host, at(2026, 3, 10, 9))
    with time_machine.travel(at(2026, 3, 10, 11)):
        meetings.record_held(a1, meeting.pk)
    town_b_admin = f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    allowed, refused = Client(), Client()
    assert allowed.login(username=county.town_a_admin.username, password=PASSWORD)
    assert refused.login(username=town_b_admin.username, password=PASSWORD)
    for key, row in (("members.on_roll", host), ("meetings.held", meeting)):
        counted = registry.get(UsageMetric, key).counted
        assert counted is not None and counted.link is not None and counted.label is not None
        assert list(counted.rows()) == [row], key
        link = counted.link(row)
        assert allowed.get(link).status_code == 200, key
        assert refused.get(link).status_code in (403, 404), key
    assert registry.get(UsageMetric, "members.on_roll").counted.label(host) == "王建国"
