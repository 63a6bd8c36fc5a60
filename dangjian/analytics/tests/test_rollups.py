"""The rollups kept on commit equal the figures rebuilt from the records, and the modules' own counts."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from dangjian.analytics import periods, rollups
from dangjian.analytics.models import Figure, PendingRollup
from dangjian.analytics.periods import Period
from dangjian.core.registry import UsageMetric, registry
from dangjian.feedback import actions as feedback

pytestmark = pytest.mark.django_db


def _submit(place, title="路灯坏了"):
    case, _password, _created = feedback.submit_case(
        place_id=place.pk, category="help", title=title, description="村口路灯坏了一个月了。"
    )
    return case


def test_a_submitted_case_marks_its_village_and_the_refresh_adds_it_up_the_tree(county):
    PendingRollup.objects.all().delete()  # the marks of the test county's creation (freshness.py's profile source)
    _submit(county.village_a1)
    marks = set(PendingRollup.objects.values_list("organization_id", "metric"))
    # Every feedback metric counting cases or their events is marked for the village, and only for it.
    assert {organization for organization, _metric in marks} == {county.village_a1.pk}
    assert {"feedback.received", "feedback.accepted", "feedback.overdue", "feedback.escalated"} <= {
        metric for _organization, metric in marks
    }
    assert rollups.refresh_pending() == 4  # one own figure per kind of period: only "received" is not 0
    assert not PendingRollup.objects.exists()
    month = Period.current(periods.MONTH)
    figures = {
        f.organization_id: (f.own, f.total)
        for f in Figure.objects.filter(metric="feedback.received", kind="m", start=month.start)
    }
    assert figures == {
        county.village_a1.pk: (1, 1),
        county.town_a.pk: (0, 1),
        county.county.pk: (0, 1),
    }


def test_kept_figures_equal_a_rebuild_from_the_records_after_changes_across_periods(county):
    with time_machine.travel(datetime.datetime(2026, 3, 30, 10, tzinfo=timezone.get_current_timezone())):
        _submit(county.village_a1)
        _submit(county.village_b1)
    with time_machine.travel(datetime.datetime(2026, 4, 2, 10, tzinfo=timezone.get_current_timezone())):
        _submit(county.village_a1)
        _submit(county.town_a)
        rollups.refresh_pending()
        # Compared the same day: by today (later) the unanswered cases are overdue, which only a rebuild sees.
        assert rollups.compare() == {}
    metric = registry.get(UsageMetric, "feedback.received")
    for organization in (county.county, county.town_a, county.village_a1, county.village_b1):
        for kind in periods.KINDS:
            for day in (datetime.date(2026, 3, 30), datetime.date(2026, 4, 2)):
                period = Period.holding(kind, day)
                kept = Figure.objects.filter(
                    organization=organization, metric=metric.key, kind=kind, start=period.start
                ).first()
                assert (kept.total if kept else 0) == metric.count(organization, period.start, period.end), (
                    organization,
                    period,
                )
    # A change the watchers cannot see (a bulk update) is found by the comparison and put right by a rebuild.
    from dangjian.feedback.models import Case

    Case.objects.filter(place=county.village_b1).update(place=county.village_a2)
    assert rollups.compare()
    assert rollups.rebuild() > 0
    assert rollups.compare() == {}
