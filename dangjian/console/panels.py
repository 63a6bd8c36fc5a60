"""The console's own dashboard panel: the organizations the user works on."""

from dangjian.accounts.permissions import USE_CONSOLE, organizations_for
from dangjian.core.registry import DashboardPanel, register

ORGANIZATIONS_SHOWN = 500


def organizations_panel(request) -> dict:
    scope = organizations_for(request.user, USE_CONSOLE)
    return {"organizations": scope.select_related("parent")[:ORGANIZATIONS_SHOWN], "organization_count": scope.count()}


def register_entries() -> None:
    register(DashboardPanel("organizations", "console/_organizations_panel.html", organizations_panel, order=30))
