"""The console home: the panels the modules registered (core/registry.py: DashboardPanel)."""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from dangjian.accounts.permissions import can_use_console
from dangjian.core.registry import DashboardPanel, entries

from .shell import signed_in_view


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
    if not can_use_console(request.user):
        # No role (any more, e.g. revoked): say so and lead to the notifications that explain it.
        return render(request, "console/no_role.html")
    return render(
        request, "console/dashboard.html", {"panels": render_panels(request, entries(DashboardPanel), request)}
    )
