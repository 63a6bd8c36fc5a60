"""Writes to role grants: the acting user, ids and plain values in; permission checked here."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from dangjian.core.history import ActionError, NotFound, delete_tracked, save_tracked
from dangjian.organizations.models import Organization

from .models import Role, RoleGrant, User
from .permissions import MANAGE_ROLES, require
from .signals import password_changed

DISCIPLINE_ROLE_MESSAGE = _lazy(
    "The discipline officer role is not granted here: only a discipline officer of the unit above grants or "
    "revokes it (or the system administrator, with an officer of the unit above confirming), on the "
    "supervision pages."
)


def _organization(actor, organization_id: int) -> Organization:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise NotFound
    require(actor, MANAGE_ROLES, organization)
    return organization


def grant_role(actor, organization_id: int, user_id: int, role: str) -> RoleGrant:
    """Grant `role` on the organization to the user; the actor must manage roles there. The discipline role
    is a supervision event (supervision.officers), never granted here."""
    organization = _organization(actor, organization_id)
    if role == Role.DISCIPLINE:
        raise ActionError(str(DISCIPLINE_ROLE_MESSAGE))
    if role not in Role.values:
        raise ActionError(_("Choose a role from the list."))
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("No account with this username or mobile number."))
    if not user.is_active:
        raise ActionError(_("This account is disabled."))
    grant = RoleGrant(user=user, organization=organization, role=role, granted_by=actor)
    try:
        with transaction.atomic():
            save_tracked(actor, grant, organization)
    except IntegrityError:
        raise ActionError(_("%(user)s already holds this role here.") % {"user": user}) from None
    return grant


def revoke_role(actor, organization_id: int, grant_id: int) -> None:
    """Revoke a grant on the organization or below it; the actor must manage roles there."""
    organization = _organization(actor, organization_id)
    with transaction.atomic():
        grant = (
            RoleGrant.objects.select_for_update()
            .select_related("organization", "user")
            .filter(pk=grant_id, organization__path__startswith=organization.path)
            .first()
        )
        if grant is None:
            raise NotFound
        require(actor, MANAGE_ROLES, grant.organization)
        if grant.role == Role.DISCIPLINE:
            raise ActionError(str(DISCIPLINE_ROLE_MESSAGE))
        if grant.user_id == actor.pk and not actor.is_superuser:
            raise ActionError(_("You cannot revoke your own role; ask another administrator."))
        delete_tracked(actor, grant, grant.organization)


# --- The discipline role (decided by supervision.officers, which audits it) -----------------------------


def add_supervision_officer(actor, user, organization) -> RoleGrant:
    """Write the discipline officer role of `user` on `organization`. Only supervision.officers calls this,
    inside its own transaction, after its rules decided that `actor` may (the change is in its audit chain)."""
    grant = RoleGrant.objects.create(user=user, organization=organization, role=Role.DISCIPLINE, granted_by=actor)
    _forget_cached_grants(user)
    return grant


def remove_supervision_officer(user, organization) -> None:
    """Delete the discipline officer role of `user` on `organization` (see add_supervision_officer)."""
    RoleGrant.objects.filter(user=user, organization=organization, role=Role.DISCIPLINE).delete()
    _forget_cached_grants(user)


def _forget_cached_grants(user) -> None:
    if hasattr(user, "_role_grant_cache"):
        del user._role_grant_cache


# --- One's own password --------------------------------------------------------------------------------------


def change_own_password(request, old_password: str, new_password: str) -> None:
    """Change the signed-in user's own password. The new password is saved and everything encrypted under the old
    one (supervision's key pair, through the `password_changed` signal) is re-encrypted in one transaction, so a
    failure half-way leaves the old password and the old keys working. The caller's form has checked the second
    factor (a one-time code cannot be checked twice)."""
    user = request.user
    if not user.is_authenticated or not user.check_password(old_password):
        raise ActionError(_("Your old password was entered incorrectly. Please enter it again."))
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ActionError(" ".join(error.messages)) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        password_changed.send(
            sender=None, request=request, user=user, old_password=old_password, new_password=new_password
        )
