"""The supervision audit is named for what it is (issue 11 item 14): not a general "操作日志" that an editor would
open looking for who changed a page, and only those who may read it are offered it."""

import pytest

from dangjian.accounts.models import Role
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def test_the_organization_page_names_the_supervision_audit_for_what_it_is(client, county, officers):
    head = f.staff("a_head", Role.SECRETARY, county.town_a)
    client.force_login(head)
    page = client.get(f"/console/o/{county.town_a.pk}/").content.decode()
    assert f'href="/console/supervision/audit/{county.town_a.pk}/">监督举报留痕记录</a>' in page
    assert "操作日志" not in page
    audit = client.get(f"/console/supervision/audit/{county.town_a.pk}/").content.decode()
    assert "<h1>监督举报留痕记录 · " in audit
    assert "记录谁在何时查看、办理了本单位收到的监督举报（不含举报内容）" in audit


def test_an_editor_of_content_is_not_offered_the_supervision_audit(client, county, officers):
    client.force_login(county.town_a_media)
    page = client.get(f"/console/o/{county.town_a.pk}/").content.decode()
    assert "/console/supervision/audit/" not in page and "留痕记录" not in page
    assert client.get(f"/console/supervision/audit/{county.town_a.pk}/").status_code == 403


def test_officers_reach_their_units_audit_from_the_inbox(client, county, officers):
    from .test_console import sign_in_with_code

    sign_in_with_code(client, officers.a_officer)
    page = client.get("/console/supervision/").content.decode()
    assert f'href="/console/supervision/audit/{county.town_a.pk}/">东城镇监督举报留痕记录</a>' in page


def test_an_officer_reads_the_audit_only_after_the_one_time_code(client, county, officers):
    """A discipline officer's password alone opens nothing of supervision, the audit trail included: a stolen
    password must not show who handled which report when."""
    from .test_console import sign_in_with_code

    client.force_login(officers.a_officer)
    response = client.get(f"/console/supervision/audit/{county.town_a.pk}/")
    assert response.status_code == 302 and response.url.startswith("/console/2fa/")
    sign_in_with_code(client, officers.a_officer)
    assert client.get(f"/console/supervision/audit/{county.town_a.pk}/").status_code == 200
