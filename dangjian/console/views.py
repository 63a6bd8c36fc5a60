"""The console home: the panels the modules registered (core/registry.py: DashboardPanel)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from dangjian.accounts.permissions import can_use_console, has_capability
from dangjian.core.models import ChangeRecord
from dangjian.core.registry import DashboardPanel, TrackedModel, entries

from .shell import console_view, signed_in_view


def render_panels(request, panels, *args) -> list[SafeString]:
    """Each panel whose context is not None, rendered with its own template."""
    shown = []
    for panel in panels:
        context = panel.context(*args)
        if context is not None:
            shown.append(mark_safe(render_to_string(panel.template, context, request)))  # noqa: S308 - our templates
    return shown


@signed_in_view
def dashboard(request):
    if can_use_console(request.user):
        panels = render_panels(request, entries(DashboardPanel), request)
    else:
        # An account without a staff role sees only the panels meant for everyone (a party member's own), and
        # with none of them (e.g. a revoked officer) the page that says so and leads to the notifications.
        panels = render_panels(request, [p for p in entries(DashboardPanel) if p.everyone], request)
        if not panels:
            return render(request, "console/no_role.html")
    return render(request, "console/dashboard.html", {"panels": panels})


@console_view
def history(request, model: str, object_id: int):
    """The recorded changes of one record, for those holding the capability its module registered for reading them
    (core.registry.TrackedModel) on the record's organization."""
    tracked = next((t for t in entries(TrackedModel) if t.key == model), None)
    if tracked is None:
        raise Http404
    content_type = get_object_or_404(ContentType, app_label=tracked.app_label, model=model)
    records = list(
        ChangeRecord.objects.filter(content_type=content_type, object_id=object_id).select_related(
            "actor", "organization"
        )
    )
    if not records:
        raise Http404
    organization = records[0].organization
    if not has_capability(request.user, tracked.capability, organization):
        raise PermissionDenied
    return render(request, "console/history.html", {"records": records, "org": organization})
