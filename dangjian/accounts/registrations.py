"""What the accounts module adds to the shared pages (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.core.registry import OrganizationLink, TrackedModel, register

from .permissions import MANAGE_ROLES, has_capability


def may_manage_roles(user, organization) -> bool:
    return has_capability(user, MANAGE_ROLES, organization)


def register_entries() -> None:
    register(
        OrganizationLink("roles", _("Roles"), "console:roles", may_manage_roles, order=30),
        TrackedModel("rolegrant", "accounts", MANAGE_ROLES),
        # Accounts made by an administrator (accounts.actions.create_account_with_role): who made whose, when.
        TrackedModel("user", "accounts", MANAGE_ROLES),
    )
