"""The columns console (MANAGE_COLUMNS): the organization's columns with their rules and freshness, add, edit,
archive and restore."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import MANAGE_COLUMNS, get_organization_for_user
from dangjian.console.shell import console_view, form_page
from dangjian.core.history import ActionError

from . import columns
from .column_forms import ColumnForm
from .models import Column


@console_view
def column_list(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_COLUMNS)
    rows = columns.freshness(org)
    archived = Column.objects.filter(organization=org, archived_at__isnull=False).order_by("order", "pk")
    return render(
        request,
        "publishing/console/column_list.html",
        {"org": org, "rows": rows, "archived": archived, "today": None},
    )


@console_view
def column_edit(request, org_id: int, column_id: int | None = None):
    org = get_organization_for_user(request.user, org_id, MANAGE_COLUMNS)
    column = (
        get_object_or_404(Column, pk=column_id, organization=org)
        if column_id
        else Column(organization=org, update_days=30, review_steps=2)
    )

    def save(form):
        form.instance = columns.save_column(
            request.user, org.pk, form.to_input(), column_id=column_id, expected_version=form.expected_version
        )

    return form_page(
        request,
        ColumnForm(request.POST or None, instance=column),
        save,
        success_url=reverse("console:column_list", args=[org.pk]),
        success_message=_("The column was saved."),
        org=org,
        title=_("Edit column: %(name)s") % {"name": column.title} if column_id else _("New column"),
        template="publishing/console/column_edit.html",
        column=column,
    )


@console_view
@require_POST
def column_archive(request, org_id: int, column_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_COLUMNS)
    column = get_object_or_404(Column, pk=column_id, organization=org)
    try:
        if request.POST.get("restore"):
            columns.restore_column(request.user, org.pk, column.pk)
            messages.success(request, _("The column is back on the portal."))
        elif columns.archive_column(request.user, org.pk, column.pk) is None:
            messages.success(request, _("The column had no articles and was deleted."))
        else:
            messages.success(request, _("The column was archived: its articles keep their addresses."))
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("console:column_list", org.pk)
