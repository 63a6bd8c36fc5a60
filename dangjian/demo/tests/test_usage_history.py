"""The demo county's year of history: the usage summary shows trends over twelve months and every status, with the
villages left 形同摆设 on purpose named in the command's output."""

import io

import pytest
from django.core.management import call_command

from dangjian.analytics import freshness, queries, rollups
from dangjian.analytics.periods import Period
from dangjian.feedback import demo as feedback_demo
from dangjian.organizations.models import Organization
from dangjian.publishing import demo as publishing_demo

pytestmark = pytest.mark.django_db


def test_the_demo_county_has_a_year_of_history_and_every_status():
    from dangjian.conftest import ensure_reference_data

    ensure_reference_data()
    out = io.StringIO()
    call_command("load_demo", townships=2, policies=40, cases=60, today=None, stdout=out)
    output = out.getvalue()
    county = Organization.objects.get(parent__isnull=True)
    found = freshness.subtree_freshness(county)
    statuses = [item.status for item in found.by_id.values()]
    assert {freshness.OK, freshness.ATTENTION, freshness.IDLE} <= set(statuses)
    assert statuses.count(freshness.OK) > len(statuses) // 2  # most of the county is in use

    places = publishing_demo._places()
    idle = places.idle_villages
    assert len(idle) == 3
    for village in idle:
        item = found.by_id[village.pk]
        assert item.status == freshness.IDLE
        home = next(reason for reason in item.reasons if reason.code == "home")
        assert home.idle and item.home_days is not None and item.home_days > 14
        assert f"形同摆设: {village.name}: {home.text}" in output  # where a demo user should look
    idle_ids = {item.organization.pk for item in found.by_id.values() if item.status == freshness.IDLE}
    assert output.count("  形同摆设: ") == len(idle_ids)
    attention = places.attention_villages
    assert len(attention) == 2
    for village in attention:
        item = found.by_id[village.pk]
        assert item.status == freshness.ATTENTION
        assert [column.name for column in item.columns if column.overdue] == ["村务公开"]
        assert item.home_days is not None and item.home_days <= 14

    # One village is 形同摆设 for leaving its residents unanswered, its portal kept.
    unanswering = feedback_demo.unanswering_village()
    assert unanswering is not None and unanswering.pk not in {v.pk for v in [*idle, *attention]}
    item = found.by_id[unanswering.pk]
    reason = next(reason for reason in item.reasons if reason.code == "feedback.overdue")
    assert item.status == freshness.IDLE and reason.idle
    assert item.unanswered["feedback.overdue"] >= feedback_demo.UNANSWERED_CASES
    assert item.home_days is not None and item.home_days <= 14
    assert f"形同摆设: {unanswering.name}: {reason.text}" in output

    months = Period.current("m").recent(12)
    received = [values.get("feedback.received", 0) for _period, values in queries.trend(county.pk, months)]
    assert sum(1 for n in received if n) >= 10, received
    assert rollups.compare() == {}
    assert freshness.compare() == {}
