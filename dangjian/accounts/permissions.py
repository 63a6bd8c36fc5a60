"""Who may do what, where. A role granted on an organization holds for its whole subtree.

Every permission check in views, actions and templates goes through these helpers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from dangjian.organizations.models import Organization

from .models import Role

MANAGE_CONTENT = "content.manage"  # profile, leadership, policies
MANAGE_ROLES = "roles.manage"
USE_CONSOLE = "console.use"

CAPABILITIES: dict[str, set[str]] = {
    MANAGE_CONTENT: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    MANAGE_ROLES: {Role.ORG_ADMIN},
    USE_CONSOLE: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER, Role.DISCIPLINE},
}


def _grants(user) -> list[tuple[str, str]]:
    """(organization path, role) pairs of the user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_role_grant_cache", None)
    if cached is None:
        cached = list(user.role_grants.values_list("organization__path", "role"))
        user._role_grant_cache = cached
    return cached


def scope_paths(user, capability: str) -> list[str]:
    roles = CAPABILITIES[capability]
    paths = sorted({path for path, role in _grants(user) if role in roles})
    # Drop paths already covered by an ancestor path.
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def has_capability(user, capability: str, organization: Organization) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(organization.path.startswith(p) for p in scope_paths(user, capability))


def organizations_for(user, capability: str):
    """The organizations on which the user has the capability (their grants' subtrees)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Organization.objects.all()
    paths = scope_paths(user, capability)
    if not paths:
        return Organization.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return Organization.objects.filter(condition)


def require(user, capability: str, organization: Organization) -> None:
    if not has_capability(user, capability, organization):
        raise PermissionDenied


def get_organization_for_user(user, pk: int, capability: str) -> Organization:
    organization = get_object_or_404(Organization, pk=pk)
    require(user, capability, organization)
    return organization


def can_use_console(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or bool(scope_paths(user, USE_CONSOLE))
