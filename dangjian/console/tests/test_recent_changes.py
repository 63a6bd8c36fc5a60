"""The dashboard's 最近修改 line names a changed organization once, and a leader with their organization."""

import pytest
from django.utils.html import strip_tags

from dangjian.core import history
from dangjian.core.models import ChangeRecord
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def _recent(client, user) -> list[str]:
    client.force_login(user)
    page = client.get("/console/").content.decode()
    panel = page.split('id="recent-h"', 1)[1].split("</section>", 1)[0]
    return [" ".join(strip_tags(item).split()) for item in panel.split("<li>")[1:]]


def test_a_changed_organization_is_named_once_and_a_leader_with_its_organization(client, county):
    village = county.village_a1
    history.record(county.county_admin, village, ChangeRecord.Action.CREATE, {}, village)
    leader = f.LeaderFactory(term=f.TermFactory(organization=village), name="欧阳秀英")
    history.record(county.county_admin, leader, ChangeRecord.Action.CREATE, {}, village)
    lines = _recent(client, county.county_admin)
    own = next(line for line in lines if village.name in line and "欧阳秀英" not in line)
    assert own.count(village.name) == 1 and f"({village.name})" not in own
    assert any("欧阳秀英" in line and f"({village.name})" in line for line in lines), lines
