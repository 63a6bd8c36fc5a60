"""A module plugs into the shared pages through the registry alone (core/registry.py)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dangjian.core.registry import (
    DashboardPanel,
    MenuItem,
    OrganizationLink,
    PortalBlock,
    PortalSection,
    ToDo,
    UsageMetric,
    entries,
    registry,
)
from dangjian.feedback import actions as feedback_actions
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_module():
    """What a new module would register from its AppConfig.ready(), removed again after the test."""
    added = [
        MenuItem("meetings", "三会一课", "console:calendar", order=15, badge=lambda request: 2),
        PortalSection("meetings", "组织生活", "orgs:leadership", order=35),
        PortalBlock("meetings", "organizations/_portal_children.html", lambda org: {"children": [org]}, order=5),
        DashboardPanel("meetings", "organizations/console/_ending_terms_panel.html", lambda r: {"ending_terms": []}, 1),
        OrganizationLink("meetings", "会议安排", "console:roles", lambda user, org: True, order=5),
        ToDo("meetings", lambda n: f"您有 {n} 次会议待记录", lambda request: 4, "console:calendar", "month=1", order=1),
    ]
    registry.register(*added)
    yield
    for entry in added:
        registry.unregister(type(entry), entry.key)


def test_a_new_module_appears_in_menus_portal_and_console_without_editing_them(client, county, extra_module):
    portal = client.get(f"/o/{county.village_a1.pk}/").content.decode()
    assert f'<a href="/o/{county.village_a1.pk}/leaders/">组织生活</a>' in portal
    # The module's block comes first on the portal home (order 5), before the profile.
    assert portal.index('id="children-h"') < portal.index('id="profile-h"')
    client.force_login(county.county_admin)
    console = client.get("/console/").content.decode()
    assert (
        '<a href="/console/calendar/">三会一课 <span class="badge" data-testid="badge-meetings">2</span></a>' in console
    )
    assert console.count('id="warn-h"') == 2  # the module's panel and the leadership terms' panel
    # Its to-do line leads the console home's to-do, linking to its own filtered list.
    assert '<a href="/console/calendar/?month=1" data-todo="meetings">您有 4 次会议待记录</a>' in console
    page = client.get(f"/console/o/{county.town_a.pk}/").content.decode()
    assert f'href="/console/o/{county.town_a.pk}/roles/">会议安排</a>' in page


def test_menus_follow_each_entrys_visibility_rule(client, county):
    client.force_login(county.town_b_discipline)
    menu = client.get("/console/").content.decode()
    # A discipline officer handles no citizens' feedback: no inbox it could never use.
    assert 'href="/console/supervision/"' in menu and 'href="/console/feedback/"' not in menu
    client.force_login(county.village_a1_secretary)
    menu = client.get("/console/").content.decode()
    assert 'href="/console/supervision/"' not in menu and 'href="/console/feedback/"' in menu
    page = client.get(f"/console/o/{county.village_a1.pk}/").content.decode()
    assert "/roles/" not in page and f"/console/o/{county.village_a1.pk}/policies/" in page


def test_a_key_is_registered_once_per_kind():
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(PortalSection("home", "again", "orgs:portal"))


def test_every_module_declares_usage_metrics_that_count_its_subtree_in_the_period(county):
    keys = {metric.key for metric in entries(UsageMetric)}
    assert {"policies.issued", "feedback.received", "feedback.answered_on_time", "supervision.reports_received"} <= keys
    today = timezone.localdate()
    f.PolicyFactory(issuer=county.village_a1, issued_on=today)
    f.PolicyFactory(issuer=county.town_a, issued_on=today - datetime.timedelta(days=40))
    f.PolicyFactory(issuer=county.village_b1, issued_on=today)
    for place in (county.village_a1, county.village_a2, county.village_b1):
        feedback_actions.submit_case(place_id=place.pk, category="help", title="路灯坏了", description="村口路灯坏了")
    metric = {m.key: m for m in entries(UsageMetric)}
    week = (today - datetime.timedelta(days=6), today + datetime.timedelta(days=1))
    assert metric["policies.issued"].count(county.town_a, *week) == 1
    assert metric["policies.issued"].count(county.county, *week) == 2
    assert metric["policies.issued"].count(county.town_a, today - datetime.timedelta(days=60), week[1]) == 2
    assert metric["feedback.received"].count(county.town_a, *week) == 2
    assert metric["feedback.received"].count(county.county, *week) == 3
    assert metric["feedback.received"].count(county.county, week[1], week[1] + datetime.timedelta(days=7)) == 0
    assert metric["feedback.answered"].count(county.county, *week) == 0
