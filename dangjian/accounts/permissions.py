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
HANDLE_FEEDBACK = "feedback.handle"  # accept, dispatch, answer citizens' cases
APPROVE_FEEDBACK = "feedback.approve"  # the organization's head approves replies and extensions
MANAGE_SETTINGS = "settings.manage"  # dispatch catalogue, time limits, calendar
READ_SUPERVISION_AUDIT = "supervision.audit.read"  # who did what with a unit's reports (never their content)

CAPABILITIES: dict[str, set[str]] = {
    MANAGE_CONTENT: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    MANAGE_ROLES: {Role.ORG_ADMIN},
    USE_CONSOLE: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER, Role.DISCIPLINE},
    HANDLE_FEEDBACK: {Role.ORG_ADMIN, Role.SECRETARY},
    APPROVE_FEEDBACK: {Role.SECRETARY},
    MANAGE_SETTINGS: {Role.ORG_ADMIN},
    # The unit's head and those above it (roles hold for the subtree), the discipline officers supervising
    # the unit from above, and the unit's own officers (their own accesses are in it).
    READ_SUPERVISION_AUDIT: {Role.ORG_ADMIN, Role.SECRETARY, Role.DISCIPLINE},
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


def acting_organization(user, organization: Organization, capability: str) -> Organization:
    """The organization the user acts for on `organization`: their deepest grant covering it (or 403)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return organization
    roles = CAPABILITIES[capability]
    paths = [path for path, role in _grants(user) if role in roles and organization.path.startswith(path)]
    if not paths:
        raise PermissionDenied
    return Organization.objects.get(path=max(paths, key=len))


def holders(organization: Organization, capability: str):
    """Active users holding the capability through a grant on exactly this organization."""
    from .models import User

    return User.objects.filter(
        is_active=True,
        role_grants__organization=organization,
        role_grants__role__in=CAPABILITIES[capability],
    ).distinct()


def can_use_console(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or bool(scope_paths(user, USE_CONSOLE))
