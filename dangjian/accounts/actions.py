from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.core.history import ActionError, delete_tracked, save_tracked

from .models import RoleGrant
from .permissions import MANAGE_ROLES, require


def grant_role(actor, user, organization, role: str) -> RoleGrant:
    """Grant `role` on `organization` to `user`; the actor must manage roles there."""
    require(actor, MANAGE_ROLES, organization)
    if not user.is_active:
        raise ActionError(_("This account is disabled."))
    grant = RoleGrant(user=user, organization=organization, role=role, granted_by=actor)
    try:
        with transaction.atomic():
            save_tracked(actor, grant, organization)
    except IntegrityError:
        raise ActionError(_("%(user)s already holds this role here.") % {"user": user}) from None
    return grant


def revoke_role(actor, grant: RoleGrant) -> None:
    require(actor, MANAGE_ROLES, grant.organization)
    if grant.user_id == actor.pk and not actor.is_superuser:
        raise ActionError(_("You cannot revoke your own role; ask another administrator."))
    delete_tracked(actor, grant, grant.organization)
