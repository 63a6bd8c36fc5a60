"""The console's usage reports of an organization (VIEW_SUMMARIES on it, staff above included; anyone else signed
in gets a 404, whatever their roles): the list with a form to ask for one, a report's page (its state, the two downloads) and the files, served
by the report's record, never by their path."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.console.shell import add_field_errors, signed_in_view
from dangjian.core.history import ActionError, InvalidInput, NotFound

from . import report_actions, report_excel, report_pdf
from .models import SummaryReport
from .periods import Period
from .report_data import kind_label
from .report_forms import ReportForm

PER_PAGE = 30


def _organization(user, org_id: int):
    try:
        return report_actions.viewable_organization(user, org_id)
    except NotFound:
        raise Http404 from None


def _report(user, report_id: int) -> SummaryReport:
    report = SummaryReport.objects.select_related("organization").filter(pk=report_id).first()
    if report is None:
        raise Http404
    _organization(user, report.organization_id)
    return report


def _shown(report: SummaryReport) -> dict:
    return {"report": report, "title": kind_label(report.kind), "period": Period(report.kind, report.start)}


@signed_in_view
def summary_reports(request, org_id: int):
    org = _organization(request.user, org_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = report_actions.request_report(
                request.user, org.pk, form.cleaned_data["period"], str(form.cleaned_data["client_token"])
            )
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The report is being generated; this page shows when it is ready."))
            return redirect("console:summary_report", report_id=report.pk)
    page = Paginator(SummaryReport.objects.filter(organization=org), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "analytics/reports/report_list.html",
        {"org": org, "form": form, "page": page, "rows": [_shown(r) for r in page]},
        status=400 if request.method == "POST" else 200,
    )


@signed_in_view
def summary_report(request, report_id: int):
    report = _report(request.user, report_id)
    return render(request, "analytics/reports/report_detail.html", {"org": report.organization, **_shown(report)})


@signed_in_view
def summary_report_file(request, report_id: int, fmt: str):
    report = _report(request.user, report_id)
    field, content_type = {"xlsx": (report.excel, report_excel.XLSX), "pdf": (report.pdf, report_pdf.PDF)}.get(
        fmt, (None, "")
    )
    if report.state != SummaryReport.State.DONE or not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    org = report.organization
    name = f"{org.short_name or org.name}-{Period(report.kind, report.start)}-{_('usage report')}.{fmt}"
    response = FileResponse(handle, as_attachment=True, filename=name.replace("/", "-"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
