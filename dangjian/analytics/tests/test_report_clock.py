"""The clock's reports: on the first days of a month (and of a quarter) the period just ended is reported once for
each organization with administrators, generated once, and e-mailed to each administrator with the workbook and
the PDF, which a real SMTP server receives and the test opens."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dangjian.analytics import report_actions
from dangjian.analytics.models import SummaryReport
from dangjian.notifications import mail
from dangjian.notifications.models import Notification
from dangjian.tests_support.mailserver import MailServer

from .report_support import at, cases, column_of, pdf_text, row_of, value, workbook

pytestmark = pytest.mark.django_db

TASK = "dangjian.analytics.report_actions.generate_summary_report"


def _emails(county):
    for user, address in ((county.county_admin, "county@example.org"), (county.town_a_admin, "towna@example.org")):
        user.email = address
        user.save(update_fields=["email"])


def _scheduled(day, capture):
    with time_machine.travel(day, tick=False), capture(execute=True):
        return report_actions.schedule_reports()


def test_two_clocks_make_each_report_once_and_each_admin_gets_one_mail_with_both_files(
    county, settings, django_capture_on_commit_callbacks
):
    cases(county)
    _emails(county)
    assert _scheduled(at(2026, 10, 1), django_capture_on_commit_callbacks) == {"created": 4, "retried": 0}
    assert _scheduled(at(2026, 10, 1), django_capture_on_commit_callbacks) == {"created": 0, "retried": 0}
    reports = list(SummaryReport.objects.order_by("organization_id", "kind"))
    assert {(r.organization_id, r.kind, r.start) for r in reports} == {
        (county.county.pk, "m", datetime.date(2026, 9, 1)),
        (county.county.pk, "q", datetime.date(2026, 7, 1)),
        (county.town_a.pk, "m", datetime.date(2026, 9, 1)),
        (county.town_a.pk, "q", datetime.date(2026, 7, 1)),
    }
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 4
    for report in reports:
        with django_capture_on_commit_callbacks(execute=True):
            assert report_actions.generate(report.pk) is True
            assert report_actions.generate(report.pk) is False  # the second worker finds it taken
    assert set(SummaryReport.objects.values_list("state", flat=True)) == {"done"}
    with MailServer() as server:
        settings.MAILERS = server.mailers()
        assert mail.deliver_pending_mail()["sent"] == 4
        assert mail.deliver_pending_mail()["sent"] == 0
    by_recipient: dict[str, list[dict]] = {}
    for message in server.messages:
        by_recipient.setdefault(message["to"][0], []).append(message)
    assert sorted((to, len(got)) for to, got in by_recipient.items()) == [
        ("county@example.org", 2),
        ("towna@example.org", 2),
    ]
    quarterly = next(m for m in by_recipient["county@example.org"] if "季度" in m["subject"])
    assert "测试县的季度使用情况报告（2026年第3季度）已生成" in quarterly["subject"]
    assert "附件为 Excel 工作簿和 PDF" in quarterly["body"]
    names = sorted(a["filename"] for a in quarterly["attachments"])
    assert names == ["测试县-2026年第3季度-使用情况报告.pdf", "测试县-2026年第3季度-使用情况报告.xlsx"]
    files = {a["filename"].rsplit(".", 1)[1]: a for a in quarterly["attachments"]}
    assert (
        files["xlsx"]["content_type"].endswith("spreadsheetml.sheet")
        and files["pdf"]["content_type"] == "application/pdf"
    )
    children = workbook(files["xlsx"]["content"])["下级组织"]
    column = column_of(children, 5, "收到的群众反馈件数")
    assert value(children, f"{column}{row_of(children, 'A', '合计')}") == 7
    assert any(line.split()[:2] == ["合计", "7"] for line in pdf_text(files["pdf"]["content"]).splitlines())
    town = next(m for m in by_recipient["towna@example.org"] if "季度" in m["subject"])
    town_sheet = workbook(next(a for a in town["attachments"] if a["filename"].endswith(".xlsx"))["content"])
    assert value(town_sheet["下级组织"], f"{column}{row_of(town_sheet['下级组织'], 'A', '合计')}") == 4
    # The console notification links to the report's page.
    notice = Notification.objects.get(user=county.county_admin, kind="analytics.report_ready", params__report_kind="q")
    report = SummaryReport.objects.get(organization=county.county, kind="q")
    assert notice.link == reverse("console:summary_report", args=[report.pk])


def test_only_the_month_is_reported_in_a_month_that_starts_no_quarter_and_nothing_later(
    county, django_capture_on_commit_callbacks
):
    assert _scheduled(at(2026, 11, 1), django_capture_on_commit_callbacks)["created"] == 2
    assert set(SummaryReport.objects.values_list("kind", "start")) == {("m", datetime.date(2026, 10, 1))}
    assert _scheduled(at(2026, 11, 3), django_capture_on_commit_callbacks)["created"] == 0  # made already
    assert _scheduled(at(2026, 11, 15), django_capture_on_commit_callbacks)["created"] == 0
    assert SummaryReport.objects.count() == 2
    assert all(r.requested_by_id is None and r.scheduled for r in SummaryReport.objects.all())


def test_a_clock_stopped_on_the_first_still_makes_the_report_on_the_second(county, django_capture_on_commit_callbacks):
    assert _scheduled(at(2026, 11, 2), django_capture_on_commit_callbacks)["created"] == 2


def test_a_generation_that_died_is_queued_again_by_the_clock_and_finished_once(
    county, django_capture_on_commit_callbacks
):
    _scheduled(at(2026, 11, 1), django_capture_on_commit_callbacks)
    report = SummaryReport.objects.get(organization=county.county)
    SummaryReport.objects.exclude(pk=report.pk).update(created_at=timezone.now())  # the town's: freshly queued
    started = timezone.now() - datetime.timedelta(minutes=5)
    SummaryReport.objects.filter(pk=report.pk).update(state="running", started_at=started, attempts=1)
    assert report_actions.generate(report.pk) is False  # still running elsewhere
    assert report_actions.schedule_reports(datetime.date(2026, 11, 2))["retried"] == 0
    SummaryReport.objects.filter(pk=report.pk).update(started_at=timezone.now() - datetime.timedelta(minutes=31))
    queued = DBTaskResult.objects.filter(task_path=TASK).count()
    assert report_actions.schedule_reports(datetime.date(2026, 11, 2))["retried"] == 1
    assert DBTaskResult.objects.filter(task_path=TASK).count() == queued + 1
    with django_capture_on_commit_callbacks(execute=True):
        assert report_actions.generate(report.pk) is True
    report.refresh_from_db()
    assert (report.state, report.attempts) == ("done", 2) and report.excel and report.pdf
    assert Notification.objects.filter(kind="analytics.report_ready", user=county.county_admin).count() == 1
