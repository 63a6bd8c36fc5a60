"""Console pages of the roster import: the upload page (with the template), the preview and the confirmation."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangjian.console.shell import console_view
from dangjian.core.history import ActionError, NotFound

from . import roster, spreadsheet
from .models import RosterImport


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + spreadsheet.XLSX_TYPE}),
    )


def _branch(request, org_id: int):
    try:
        return roster.import_branch(request.user, org_id)
    except NotFound:
        raise Http404 from None


def member_list_url(org) -> str:
    return reverse("console:members", args=[org.pk])


@console_view
def upload(request, org_id: int):
    """Choose the file (and download the template); the file is checked and the preview follows."""
    org = _branch(request, org_id)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                checked = roster.check_upload(request.user, org.pk, form.cleaned_data["file"])
            except ActionError as error:
                form.add_error("file", str(error))
            else:
                return redirect("console:roster_preview", org.pk, checked.pk)
        status = 400
    pending = RosterImport.objects.filter(
        organization=org,
        created_by=request.user,
        confirmed_at__isnull=True,
        created_at__gte=timezone.now() - roster.EXPIRES_AFTER,
    ).order_by("-created_at")[:5]
    return render(
        request,
        "members/import/upload.html",
        {
            "org": org,
            "form": form,
            "pending": pending,
            "max_mb": f"{settings.ROSTER_MAX_BYTES / 1024 / 1024:.0f}",
            "max_rows": settings.ROSTER_MAX_ROWS,
            "columns": spreadsheet.COLUMNS,
            "required_columns": "、".join(c.header for c in spreadsheet.COLUMNS if c.required),
        },
        status=status,
    )


@console_view
def template(request, org_id: int):
    """The roster template (.xlsx) for this branch (its party groups in the drop-down)."""
    org = _branch(request, org_id)
    response = HttpResponse(spreadsheet.template_workbook(org), content_type=spreadsheet.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _("Party member roster template") + ".xlsx")
    return response


def _own_import(request, org_id: int, import_id: int) -> RosterImport:
    """One's own upload into this branch; anyone else's, another branch's or an expired one is a 404."""
    try:
        found = roster.get_import_for_user(request.user, org_id, import_id)
    except NotFound:
        raise Http404 from None
    _branch(request, org_id)  # the role may have ended since the upload
    return found


@console_view
def preview(request, org_id: int, import_id: int):
    """The checked file: each bad row with its row number and reasons, the good rows counted and masked; or, once
    confirmed, how many members were written."""
    checked = _own_import(request, org_id, import_id)
    org = checked.organization
    return render(
        request,
        "members/import/preview.html",
        {
            "org": org,
            "checked": checked,
            "rows": roster.preview_rows(checked),
            "shown_limit": roster.SHOWN_ROWS,
            "member_list_url": member_list_url(org),
            "expires_at": checked.created_at + roster.EXPIRES_AFTER,
        },
    )


@require_POST
@console_view
def confirm(request, org_id: int, import_id: int):
    checked = _own_import(request, org_id, import_id)
    try:
        roster.import_roster(request.user, org_id, checked.pk, keep_good_rows=request.POST.get("keep_good_rows") == "1")
    except NotFound:
        raise Http404 from None
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("console:roster_preview", org_id, checked.pk)
