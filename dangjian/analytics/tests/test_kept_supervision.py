"""Supervision's usage metrics kept in the rollups: reports received, time-limited steps taken and those taken
within their limit (and the rate), through the officers' own steps over two months. Counts only: no figure of
supervision has a rows page."""

import datetime

import pytest
import time_machine

from dangjian.accounts.models import Role
from dangjian.analytics import queries
from dangjian.analytics.periods import Period
from dangjian.core.registry import UsageMetric, registry
from dangjian.supervision import actions, keys
from dangjian.supervision.models import Report
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD

from .kept import assert_kept, at

pytestmark = pytest.mark.django_db

KEYS = ["supervision.reports_received", "supervision.handled", "supervision.handled_in_time"]


class Units:
    """Discipline officers with keys at 东城镇, 西山乡 and the county (as supervision's own tests set them up)."""

    def __init__(self, county):
        self.a = f.staff("a_officer", Role.DISCIPLINE, county.town_a, full_name="周纪检")
        self.b = county.town_b_discipline
        self.top = f.staff("county_officer", Role.DISCIPLINE, county.county, full_name="郑纪委")
        self.keys = {user.pk: keys.ensure_user_keypair(user, PASSWORD) for user in (self.a, self.b, self.top)}
        for user, unit in ((self.a, county.town_a), (self.b, county.town_b), (self.top, county.county)):
            keys.create_unit_key(user, unit, self.keys[user.pk])

    def open(self, user, report):
        return actions.open_as_officer(user, self.keys[user.pk], report.pk)


def _report(reported_org):
    receipt = actions.submit_report(
        reported_org=reported_org,
        person="王大海",
        post="村委会主任",
        discipline="integrity",
        subcategory="收受礼品礼金",
        what="王大海在办理低保时收受村民现金两千元。",
    )
    return Report.objects.order_by("-pk").first(), receipt


def test_supervision_figures_kept_equal_the_records_and_the_counts(county):
    units = Units(county)
    with time_machine.travel(at(2026, 3, 2)):
        followed, _ = _report(county.village_a1)  # to 东城镇: accepted in time, its result fed back late
    with time_machine.travel(at(2026, 3, 3)):
        accepted_late, _ = _report(county.village_b1)  # to 西山乡
    with time_machine.travel(at(2026, 3, 4)):
        refused, _ = _report(county.village_a2)  # to 东城镇
    with time_machine.travel(at(2026, 3, 5)):
        actions.accept_report(units.a, units.open(units.a, followed))
    with time_machine.travel(at(2026, 3, 6)):
        actions.not_accept_report(units.a, units.open(units.a, refused), text="反映内容不属于受理范围。")
        actions.dispose_report(units.a, units.open(units.a, followed), disposal="verify")
    with time_machine.travel(at(2026, 3, 9)):
        forwarded, _ = _report(county.town_a)  # to the county, which forwards it to 西山乡
    with time_machine.travel(at(2026, 3, 10)):
        actions.conclude_report(units.a, units.open(units.a, followed), text="经核实，反映问题属实。")  # due 31 March
        actions.forward_report(units.top, units.open(units.top, forwarded), lower_unit=county.town_b)
    with time_machine.travel(at(2026, 3, 12)):
        actions.register_report(units.b, units.open(units.b, forwarded))
        assert_kept(KEYS, [county.county, county.town_a, county.town_b], [datetime.date(2026, 3, 12)])
    with time_machine.travel(at(2026, 4, 1)):
        actions.accept_report(units.b, units.open(units.b, accepted_late))  # due 24 March
    with time_machine.travel(at(2026, 4, 20)):
        actions.feed_back_report(units.a, units.open(units.a, followed))  # due 31 March
        days = [datetime.date(2026, 3, 2), datetime.date(2026, 3, 31), datetime.date(2026, 4, 20)]
        organizations = [county.county, county.town_a, county.town_b, county.village_a1]
        totals = assert_kept(KEYS, organizations, days)
        values = queries.figures([county.county.pk], Period.holding("q", datetime.date(2026, 4, 20)))[county.county.pk]

    assert totals[("supervision.reports_received", "测试县", "m", "2026-03")] == 4
    assert totals[("supervision.reports_received", "东城镇", "m", "2026-03")] == 2
    assert totals[("supervision.reports_received", "西山乡", "m", "2026-03")] == 2  # one forwarded there
    # Accepted, not accepted, forwarded and registered in March, all in time; accepted and fed back late in April.
    assert totals[("supervision.handled", "测试县", "m", "2026-03")] == 4
    assert totals[("supervision.handled_in_time", "测试县", "m", "2026-03")] == 4
    assert totals[("supervision.handled", "东城镇", "m", "2026-03")] == 2
    assert totals[("supervision.handled", "测试县", "m", "2026-04")] == 2
    assert totals[("supervision.handled_in_time", "测试县", "m", "2026-04")] == 0
    assert totals[("supervision.handled_in_time", "西山乡", "y", "2026")] == 2  # the forward and the registration
    rate = queries.rate_values(values)["supervision.handled_in_time_rate"]
    assert (rate.numerator, rate.denominator) == (0, 2)


def test_supervision_figures_have_no_rows_page():
    for key in KEYS:
        counted = registry.get(UsageMetric, key).counted
        assert counted is not None
        assert (counted.capability, counted.label, counted.link) == (None, None, None), key
