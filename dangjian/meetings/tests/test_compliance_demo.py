"""The demo county's members and meetings: believable, valid and showing every state of the compliance grid."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dangjian.demo.context import DEMO_PASSWORD
from dangjian.meetings import compliance
from dangjian.meetings.models import Attendee, Meeting, Minutes
from dangjian.members import idnumbers
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    from dangjian.conftest import ensure_reference_data

    ensure_reference_data()
    out = io.StringIO()
    call_command("load_demo", townships=2, policies=4, cases=4, today=None, stdout=out)
    return out.getvalue()


def test_every_demo_branch_has_members_with_valid_fake_records(demo):
    today = timezone.localdate()
    branches = Organization.objects.filter(kind__in=["village", "community"])
    assert branches.exists()
    for branch in branches:
        assert 10 <= Member.objects.filter(organization=branch).count() <= 25
        assert Member.objects.filter(organization=branch, committee_post="secretary").count() == 1
    for member in Member.objects.all()[:300]:
        number = member.id_number()
        assert idnumbers.problem(number) is None
        assert number.startswith("341122") and idnumbers.birth_date(number) == member.birth_date
        assert member.mobile == "" or (len(member.mobile) == 11 and member.mobile.startswith("1"))
    soon = Member.objects.filter(
        category="probationary", probation_ends_on__gte=today, probation_ends_on__lte=today + datetime.timedelta(31)
    )
    assert soon.exists()
    grouped = Member.objects.filter(party_group__isnull=False)
    assert grouped.exists()
    assert all(m.party_group.parent_id == m.organization_id for m in grouped.select_related("party_group"))


def test_demo_meetings_fill_a_year_with_overdue_months_and_planned_meetings(demo):
    held = Meeting.objects.filter(state="held")
    assert held.exists()
    assert not held.filter(minutes_versions__isnull=True).exists()
    assert Minutes.objects.filter(signed_off_at__isnull=False).count() == held.count()
    assert Attendee.objects.filter(meeting__in=held, attended=True).exists()
    assert Meeting.objects.filter(state="planned", starts_at__gt=timezone.now()).exists()
    assert Meeting.objects.filter(kind="group", party_group__isnull=False).exists()
    county = Organization.objects.get(parent__isnull=True)
    today = timezone.localdate()
    report = compliance.build(county, today.year, today)
    assert len(report.rows) == Organization.objects.filter(kind__in=["village", "community"]).count()
    assert 0 < report.branches_with_missing < len(report.rows)


def test_demo_member_signs_in_with_the_mobile_number(demo, client):
    assert "party_member" in demo and "13800000006" in demo
    assert client.post("/accounts/login/", {"username": "13800000006", "password": DEMO_PASSWORD}).status_code == 302
    member = Member.objects.get(user__username="party_member")
    assert member.committee_post == "" and member.organization.depth == 2


def test_demo_secretary_reads_the_branch_compliance(demo, client):
    client.post("/accounts/login/", {"username": "village_secretary", "password": DEMO_PASSWORD})
    branch = Organization.objects.filter(depth=2).order_by("pk").first()
    response = client.get(reverse("console:meetings_compliance", args=[branch.pk]))
    assert response.status_code == 200
    assert response.context["row"] is not None
    assert "王建国" in Member.objects.filter(organization=branch).values_list("name", flat=True)
