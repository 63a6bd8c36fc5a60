"""The demo county that `make run` loads: everything in it works as a user would try it."""

import io

import pytest
from django.core.management import call_command

from dangjian.accounts.models import User
from dangjian.demo.context import DEMO_PASSWORD
from dangjian.feedback import actions as feedback_actions
from dangjian.feedback.demo import DEMO_QUERY_PASSWORD
from dangjian.feedback.models import Case, CaseStat
from dangjian.feedback.stats import rebuild_stats
from dangjian.organizations.models import Organization
from dangjian.policies.models import Policy
from dangjian.supervision import actions as supervision_actions
from dangjian.supervision import keys
from dangjian.supervision.models import Report

pytestmark = pytest.mark.django_db


def _load(**options) -> str:
    from dangjian.conftest import ensure_reference_data

    ensure_reference_data()
    out = io.StringIO()
    call_command("load_demo", townships=2, policies=40, cases=60, today=None, stdout=out, **options)
    return out.getvalue()


def test_demo_county_has_people_policies_cases_and_reports():
    output = _load()
    assert Organization.objects.filter(parent__isnull=True).count() == 1
    # The 60 cases asked for, and the one a question to the demo village became (exchange, 问政).
    assert Policy.objects.count() == 40 and Case.objects.filter(origin_label="").count() == 60
    assert Case.objects.count() == 61
    assert Policy.objects.filter(replaces__isnull=False).count() == 2  # revised policies, with their history
    assert Policy.objects.filter(superseded=True).count() == 2
    assert "county_discipline" in output and "13800000005" in output
    officer = User.objects.get(username="county_discipline")
    assert officer.check_password(DEMO_PASSWORD)
    private = keys.ensure_user_keypair(officer, DEMO_PASSWORD)
    reports = list(Report.objects.all())
    assert len(reports) == 4
    opened = supervision_actions.open_as_officer(officer, private, reports[0].pk)
    assert opened.payload["what"]
    receipt = output.split("with receipt ")[1].split(".")[0]
    assert supervision_actions.open_with_receipt(receipt)[0] in reports
    # The demo's discipline officers were made through supervision events, in the audit chain.
    from dangjian.supervision.models import AuditEntry

    assert AuditEntry.objects.filter(action="officer_granted").count() == 2
    assert User.objects.get(username="town_discipline").personal_name == "赵强"


def test_demo_cases_can_be_looked_up_and_their_figures_add_up():
    output = _load()
    number = output.split("number ")[1].split(",")[0]
    case = feedback_actions.find_case(number, DEMO_QUERY_PASSWORD)
    assert case.number == number
    before = sorted(CaseStat.objects.values_list("organization_id", "month", "category", "received", "listed"))
    rebuild_stats()
    after = sorted(CaseStat.objects.values_list("organization_id", "month", "category", "received", "listed"))
    assert before == after and sum(row[3] for row in after) == Case.objects.count() == 61


def test_the_demo_county_has_its_usage_figures_computed():
    from dangjian.analytics import rollups
    from dangjian.analytics.models import Figure

    _load()
    county = Organization.objects.get(parent__isnull=True)
    yearly = Figure.objects.filter(organization=county, metric="feedback.received", kind="y")
    assert sum(yearly.values_list("total", flat=True)) == Case.objects.count() == 61
    assert rollups.compare() == {}


DEMO_SIGN_INS = [
    ("admin", "13800000000"),
    ("county_admin", "13800000001"),
    ("town_media", "13800000002"),
    ("village_secretary", "13800000003"),
    ("town_discipline", "13800000004"),
    ("county_discipline", "13800000005"),
    ("party_member", "13800000006"),
    ("town_admin", "13800000007"),
]


@pytest.mark.parametrize(("username", "mobile"), DEMO_SIGN_INS)
def test_every_demo_sign_in_reaches_its_console(client, username, mobile):
    """The README's sign-ins, by username and by mobile number; officers enrol the authenticator and read reports."""
    import base64
    import re

    from django_otp.oath import totp

    _load()
    for login in (mobile, username):
        client.post("/accounts/logout/")
        response = client.post("/accounts/login/", {"username": login, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.content.decode()[:500]
        dashboard = client.get("/console/")
        assert dashboard.status_code == 200
        assert User.objects.get(username=username).full_name in dashboard.content.decode()
    if username == "admin":
        assert client.get("/admin/").status_code == 200
    if username.endswith("_discipline"):
        page = client.get("/console/2fa/")
        secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.content.decode()).group(1)
        code = totp(base64.b32decode(secret.replace(" ", "")))
        assert client.post("/console/2fa/", {"token": f"{code:06d}"}).status_code == 302
        inbox = client.get("/console/supervision/")
        assert inbox.status_code == 200
        if username == "county_discipline":  # the demo's reports are addressed to the county or read from above
            assert len(set(re.findall(r'href="/console/supervision/(\d+)/"', inbox.content.decode()))) == 4


def test_demo_texts_name_the_real_township_not_a_placeholder():
    from dangjian.conftest import ensure_reference_data
    from dangjian.organizations.models import Leader

    ensure_reference_data()
    call_command("load_demo", townships=4, policies=4, cases=4, today=None, stdout=io.StringIO())
    texts = [*Organization.objects.values_list("intro", flat=True)]
    texts += [f"{post} {duties}" for post, duties in Leader.objects.values_list("post", "duties")]
    assert not [text for text in texts if "（乡）" in text or "{" in text]
    xiang = Organization.objects.get(short_name="柳溪乡")
    assert Leader.objects.filter(organization=xiang, post="党委副书记、乡长", duties="主持乡政府全面工作。").exists()
    assert "乡党委下设党支部若干" in xiang.intro
    town = Organization.objects.get(short_name="清河镇")
    assert Leader.objects.filter(organization=town, post="党委副书记、镇长").exists()


def test_the_county_administrator_adds_a_village_with_its_secretary_and_merges_two_villages(client):
    """Issue 11 item 1 on the demo county, through the console pages as the county administrator would."""
    from django.urls import reverse

    from dangjian.accounts.models import RoleGrant
    from dangjian.organizations.demo import merge_pair

    output = _load()
    source, target = merge_pair()
    assert f"merge {source.short_name} into {target.short_name}" in output
    client.post("/accounts/login/", {"username": "13800000001", "password": DEMO_PASSWORD})
    township = source.parent

    response = client.post(
        reverse("console:org_add", args=[township.pk]),
        {"name": f"{township.short_name}新丰村党支部委员会", "short_name": "新丰村", "kind": "village"},
    )
    village = Organization.objects.get(short_name="新丰村", parent=township)
    assert response.url == reverse("console:organization", args=[village.pk])
    response = client.post(
        reverse("console:account_new", args=[village.pk]),
        {"full_name": "周新", "mobile": "13912340001", "role": "secretary"},
    )
    password = response.context["made"].password
    assert RoleGrant.objects.get(user__mobile="13912340001").organization == village

    Policy.objects.filter(pk=Policy.objects.order_by("pk").first().pk).update(issuer=source)
    cases = Case.objects.filter(place=source).count()
    plan = client.post(
        reverse("console:org_close", args=[source.pk]), {"how": "merge", "merge_into": target.pk}
    ).context["plan"]
    assert {line.label: line.count for line in plan.moving}.get("本组织发布的政策") == 1
    assert {line.label: line.count for line in plan.moving}.get("群众反馈", 0) == cases
    response = client.post(
        reverse("console:org_close", args=[source.pk]),
        {"how": "merge", "merge_into": target.pk, "confirm": "1", "version": source.version},
    )
    assert response.url == reverse("console:organization", args=[target.pk])
    source.refresh_from_db()
    assert source.merged_into == target and Case.objects.filter(place=target).count() >= cases
    assert Policy.objects.order_by("pk").first().issuer == target
    assert client.get(f"/o/{source.pk}/").url == f"/o/{target.pk}/?from={source.pk}"

    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"username": "13912340001", "password": password}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:password_change"))
