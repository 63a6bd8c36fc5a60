"""Content metrics kept in the rollups: policies issued and leadership edits, through the modules' own actions over
two months; and the rows behind them link to console pages that only holders of the metric's capability open."""

import datetime

import pytest
import time_machine
from django.test import Client

from dangjian.accounts.models import Role
from dangjian.core.registry import UsageMetric, registry
from dangjian.organizations import actions as organizations
from dangjian.policies import actions as policies
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD

from .kept import assert_kept, at

pytestmark = pytest.mark.django_db

KEYS = ["policies.issued", "organizations.leadership_changes"]


def _policy(user, organization, title, issued_on, published=True):
    data = policies.PolicyInput(
        title=title,
        category_id=f.category().pk,
        issued_on=issued_on,
        effective_on=issued_on,
        body="为进一步做好相关工作，现将有关事项通知如下。",
        is_published=published,
    )
    return policies.save_policy(user, organization.pk, data)


def _term(user, organization):
    data = organizations.TermInput(
        name="第十届", elected_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2028, 12, 31)
    )
    return organizations.save_term(user, organization.pk, data)


def _leader(user, organization, term, name, **kwargs):
    return organizations.save_leader(
        user, organization.pk, organizations.LeaderInput(term_id=term.pk, name=name, post="党支部书记"), **kwargs
    )


def test_content_figures_kept_equal_the_records_and_the_counts(county):
    a1 = county.village_a1_secretary
    with time_machine.travel(at(2026, 3, 9)):
        _policy(county.county_admin, county.county, "关于加强基层党建工作的意见", datetime.date(2026, 3, 6))
        _policy(a1, county.village_a1, "王庄村村规民约", datetime.date(2026, 3, 9))
        _policy(a1, county.village_a1, "王庄村红白理事会章程（草稿）", datetime.date(2026, 3, 9), published=False)
        term = _term(a1, county.village_a1)
        leader = _leader(a1, county.village_a1, term, "赵新民")
        assert_kept(KEYS, [county.county, county.village_a1], [datetime.date(2026, 3, 9)])
    with time_machine.travel(at(2026, 4, 8)):
        # Issued on a date of the last month: counted there, whenever it was entered.
        _policy(county.town_a_admin, county.town_a, "东城镇党员积分管理办法", datetime.date(2026, 3, 30))
        _policy(county.town_a_admin, county.town_a, "东城镇网格化管理办法", datetime.date(2026, 4, 8))
        organizations.save_leader(
            a1,
            county.village_a1.pk,
            organizations.LeaderInput(term_id=term.pk, name="赵新民", post="党支部书记、村委会主任"),
            leader_id=leader.pk,
        )
        organizations.delete_leader(a1, county.village_a1.pk, leader.pk)
        organizations_shown = [county.county, county.town_a, county.town_b, county.village_a1]
        days = [datetime.date(2026, 3, 9), datetime.date(2026, 3, 30), datetime.date(2026, 4, 8)]
        totals = assert_kept(KEYS, organizations_shown, days)

    assert totals[("policies.issued", "测试县", "m", "2026-03")] == 3  # the draft is not issued
    assert totals[("policies.issued", "东城镇", "m", "2026-04")] == 1
    assert totals[("policies.issued", "王庄村", "q", "2026-q1")] == 1
    assert totals[("policies.issued", "西山乡", "y", "2026")] == 0
    # The term and the leader created in March; the leader changed and removed in April.
    assert totals[("organizations.leadership_changes", "测试县", "m", "2026-03")] == 2
    assert totals[("organizations.leadership_changes", "王庄村", "m", "2026-04")] == 2
    assert totals[("organizations.leadership_changes", "东城镇", "y", "2026")] == 4


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_rows_link_to_console_pages_only_the_capability_holders_open(county):
    """Each counted row's link is a page the holders of the metric's capability on that organization open, and a
    staff member of another township is refused there (403 or 404), so a rows page never leads past permissions."""
    a1 = county.village_a1_secretary
    _policy(a1, county.village_a1, "王庄村村规民约", datetime.date(2026, 3, 9))
    _leader(a1, county.village_a1, _term(a1, county.village_a1), "赵新民")
    town_b_admin = f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    for key in KEYS:
        counted = registry.get(UsageMetric, key).counted
        assert counted is not None and counted.capability and counted.label and counted.link
        rows = list(counted.rows())
        assert rows, key
        for row in rows:
            link = counted.link(row)
            assert link and counted.label(row)
            assert _client(county.town_a_admin).get(link).status_code == 200, (key, link)
            assert _client(town_b_admin).get(link).status_code in (403, 404), (key, link)
