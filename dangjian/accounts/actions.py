"""Writes to role grants: the acting user, ids and plain values in; permission checked here."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from dangjian.core.history import ActionError, InvalidInput, NotFound, delete_tracked, record, save_tracked
from dangjian.core.models import ChangeRecord
from dangjian.organizations.models import Organization

from .models import Role, RoleGrant, User, mobile_validator, personal_name_from
from .permissions import MANAGE_ROLES, require
from .signals import password_changed

DISCIPLINE_ROLE_MESSAGE = _lazy(
    "The discipline officer role is not granted here: only a discipline officer of the unit above grants or "
    "revokes it (or the system administrator, with an officer of the unit above confirming), on the "
    "supervision pages."
)


def _organization(actor, organization_id: int) -> Organization:
    # No new roles on a closed (or merged) organization.
    organization = Organization.objects.open().filter(pk=organization_id).first()
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


FULL_NAME_MAX = 40  # User.full_name
# Lowercase letters and digits only, read out over the phone without "capital or small?", and none that look or
# sound alike (no 0/o, 1/l/i): 31 signs. Twelve of them (about 59 bits) are stronger than the ten of 55 mixed-case
# signs used before (about 58 bits).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
INITIAL_PASSWORD_LENGTH = 12
PASSWORD_GROUP = 4  # shown in groups of four, for reading aloud


def initial_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _i in range(INITIAL_PASSWORD_LENGTH))


@dataclass(frozen=True)
class NewAccount:
    user: User
    grant: RoleGrant
    password: str  # the one-time initial password, shown once to the administrator and never stored in clear

    @property
    def password_groups(self) -> list[str]:
        return [self.password[i : i + PASSWORD_GROUP] for i in range(0, len(self.password), PASSWORD_GROUP)]


def create_account_with_role(actor, organization_id: int, full_name: str, mobile: str, role: str) -> NewAccount:
    """A new person's account (signing in with their mobile number) and their role on the organization, in one
    step, under the same rules as `grant_role`. The account gets a one-time initial password, returned once for
    the administrator to hand over; the person must choose their own at first sign-in. Both the account and the
    grant are recorded in the organization's history."""
    organization = _organization(actor, organization_id)
    if role == Role.DISCIPLINE:
        raise ActionError(str(DISCIPLINE_ROLE_MESSAGE))
    if role not in Role.values:
        raise ActionError(_("Choose a role from the list."))
    full_name = " ".join((full_name or "").split())
    mobile = (mobile or "").strip()
    errors: dict[str, list[str]] = {}
    if not full_name:
        errors["full_name"] = [_("Enter the person's name.")]
    elif len(full_name) > FULL_NAME_MAX:
        errors["full_name"] = [_("The name is too long.")]
    try:
        mobile_validator(mobile)
    except ValidationError as error:
        errors["mobile"] = list(error.messages)
    if errors:
        raise InvalidInput(errors, " ".join(m for messages in errors.values() for m in messages))
    password = initial_password()
    try:
        with transaction.atomic():
            if User.objects.filter(mobile=mobile).exists() or User.objects.filter(username=mobile).exists():
                raise _Duplicate
            user = User(
                username=mobile,
                full_name=full_name,
                personal_name=personal_name_from(full_name),
                mobile=mobile,
                must_change_password=True,
            )
            user.set_password(password)
            user.save()
            record(actor, user, ChangeRecord.Action.CREATE, {"full_name": full_name}, organization)
            grant = RoleGrant(user=user, organization=organization, role=role, granted_by=actor)
            save_tracked(actor, grant, organization)
    except (_Duplicate, IntegrityError):
        message = _("An account with this mobile number already exists; grant the role to it above.")
        raise InvalidInput({"mobile": [message]}, message) from None
    return NewAccount(user, grant, password)


class _Duplicate(Exception):
    pass


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
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        password_changed.send(
            sender=None, request=request, user=user, old_password=old_password, new_password=new_password
        )
