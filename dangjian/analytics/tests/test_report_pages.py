"""The console's usage reports: who may list, ask for and download them (VIEW_SUMMARIES on the organization, staff
above included; anyone else a 404), a double submit making one report, bad periods refused in Chinese, and the
files served only by their record."""

import datetime
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from dangjian.accounts.models import Role
from dangjian.analytics import report_actions
from dangjian.analytics.models import SummaryReport
from dangjian.tests_support import factories as f

from .report_support import cases

pytestmark = pytest.mark.django_db


def _list(org) -> str:
    return reverse("console:summary_reports", args=[org.pk])


def _form(**changes) -> dict:
    data = {"kind": "q", "year": "2026", "number": "3", "client_token": str(uuid.uuid4())}
    data.update(changes)
    return data


def _done_report(county, django_capture_on_commit_callbacks) -> SummaryReport:
    cases(county)
    report = report_actions.request_report(
        county.county_admin, county.county.pk, report_actions.Period("q", datetime.date(2026, 7, 1)), str(uuid.uuid4())
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert report_actions.generate(report.pk)
    report.refresh_from_db()
    return report


def test_staff_with_the_capability_on_the_organization_or_above_see_its_reports(county, client):
    for user, org, status in [
        (county.county_admin, county.county, 200),
        (county.county_admin, county.village_b1, 200),  # staff above
        (county.town_a_media, county.town_a, 200),
        (county.town_a_media, county.village_a1, 200),
        (county.town_a_media, county.county, 404),  # above one's own
        (county.town_a_media, county.town_b, 404),  # a sibling's
        (county.village_a1_secretary, county.village_a2, 404),
        (county.town_b_discipline, county.town_b, 404),  # a role without VIEW_SUMMARIES
        (county.nobody, county.village_a1, 404),
    ]:
        client.force_login(user)
        assert client.get(_list(org)).status_code == status, (user.username, org.short_name)
    client.force_login(county.county_admin)
    assert client.get("/console/o/999999/summary-reports/").status_code == 404
    client.logout()
    assert client.get(_list(county.county)).status_code == 302  # to sign in


def test_a_report_asked_for_twice_with_one_form_is_made_once_and_shown_when_ready(
    county, client, django_capture_on_commit_callbacks
):
    cases(county)
    client.force_login(county.town_a_media)
    form = _form()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_list(county.town_a), form)
        second = client.post(_list(county.town_a), form)
    report = SummaryReport.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("console:summary_report", args=[report.pk])
    assert (report.organization, report.kind, report.start.isoformat(), report.requested_by) == (
        county.town_a,
        "q",
        "2026-07-01",
        county.town_a_media,
    )
    assert (
        DBTaskResult.objects.filter(task_path="dangjian.analytics.report_actions.generate_summary_report").count() == 1
    )
    page = client.get(first["Location"]).content.decode()
    assert "等待生成" in page and "下载Excel" not in page
    assert report_actions.generate(report.pk)
    page = client.get(first["Location"]).content.decode()
    assert "已生成" in page and "下载Excel" in page and "下载 PDF" not in page
    listing = client.get(_list(county.town_a)).content.decode()
    assert "季度使用情况报告 · 2026年第3季度" in listing and "按需生成" in listing
    response = client.get(reverse("console:summary_report_file", args=[report.pk, "xlsx"]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["概况", "下级组织", "趋势", "指标说明"]
    pdf = client.get(reverse("console:summary_report_file", args=[report.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"number": "13", "kind": "m"}, "请填写 1 到 12 之间的数字。"),
        ({"number": "5"}, "请填写 1 到 4 之间的数字。"),
        ({"number": "", "kind": "m"}, "请填写是第几个月、季度或周。"),
        ({"kind": "x"}, "请选择报告类型。"),
        ({"year": "1999"}, "年份应在 2000 到"),
        ({"year": "二〇二六"}, "请用数字填写年份，例如 2026。"),
        ({"kind": "w", "year": "2025", "number": "53"}, "2025 年没有第 53 周。"),
        ({"client_token": ""}, "页面已过期，请重新提交。"),
        ({"client_token": "not-a-token"}, "页面已过期，请重新提交。"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_makes_nothing(county, client, changes, message):
    client.force_login(county.county_admin)
    response = client.post(_list(county.county), _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SummaryReport.objects.exists()


def test_a_period_that_has_not_begun_is_refused(county, client):
    client.force_login(county.county_admin)
    today = timezone.localdate()
    next_month = (today.replace(day=28) + datetime.timedelta(days=5)).replace(day=1)
    response = client.post(
        _list(county.county), _form(kind="m", year=str(next_month.year), number=str(next_month.month))
    )
    if next_month.year > today.year:  # in December, next month's year is refused as a year
        assert "年份应在 2000 到" in response.content.decode()
    else:
        assert "该期间尚未开始，请选择今天或以前的期间。" in response.content.decode()
    assert response.status_code == 400 and not SummaryReport.objects.exists()
    # The running month may be reported (the days so far).
    response = client.post(_list(county.county), _form(kind="m", year=str(today.year), number=str(today.month)))
    assert response.status_code == 302 and SummaryReport.objects.get().start == today.replace(day=1)


def test_another_organizations_staff_get_404_for_the_report_and_its_files(
    county, client, django_capture_on_commit_callbacks
):
    report = _done_report(county, django_capture_on_commit_callbacks)
    b_admin = f.staff("b_admin", Role.ORG_ADMIN, county.town_b)
    urls = [
        reverse("console:summary_report", args=[report.pk]),
        reverse("console:summary_report_file", args=[report.pk, "xlsx"]),
        reverse("console:summary_report_file", args=[report.pk, "pdf"]),
    ]
    for user in (b_admin, county.town_a_admin, county.town_b_discipline, county.nobody):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
    client.force_login(county.county_admin)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    assert client.get(reverse("console:summary_report_file", args=[report.pk, "csv"])).status_code == 404
    assert client.get(reverse("console:summary_report", args=[report.pk + 1000])).status_code == 404
    # The stored files are never served by their path, to anyone.
    assert report.excel.name.startswith("analytics/reports/")
    for name in (report.excel.name, report.pdf.name):
        assert client.get(f"/media/{name}").status_code == 404
        assert client.__class__().get(f"/media/{name}").status_code == 404


def test_the_report_list_is_linked_from_the_organizations_console_page(county, client):
    client.force_login(county.county_admin)
    page = client.get(reverse("console:organization", args=[county.town_b.pk])).content.decode()
    assert _list(county.town_b) in page
    client.force_login(county.town_b_discipline)
    page = client.get(reverse("console:organization", args=[county.town_b.pk])).content.decode()
    assert _list(county.town_b) not in page
