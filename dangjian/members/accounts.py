"""Party members' accounts: invitations, joining, and signing in with a one-time code by SMS.

A member signs in with their mobile number and a password. No SMS gateway is assumed:

1. `create_invitation(user, member_id)`: the secretary (MANAGE_MEMBERS on the member's branch) issues a
   single-use invitation for a member on the roll with a mobile number. Only the token's hash is stored; the link
   and its QR code are shown once. A new invitation withdraws the member's previous open one;
   `withdraw_invitation` withdraws it by hand. It expires after settings.MEMBER_INVITATION_DAYS.
2. `join(token, password1, password2)`: with a live invitation the member chooses a password; an account is made
   (username = the mobile number), linked to the member and the invitation used, in one transaction.
   When an account with that mobile number exists already (a staff member who is also a member keeps one
   account), `link_existing(request, token, password)` links it once its own password is given.
   Every way a token can be wrong (expired, used, withdrawn, forged, the member no longer on the roll) reads the
   same (`invitation_for_token` returns None); guessing is limited per client.
3. `send_sign_in_code(mobile, client)` / `check_sign_in_code(mobile, code, client)`: only where
   `notifications.sms.is_configured()`; a 6-digit code (hashed, 10 minutes, 5 wrong tries, one use) is queued
   only when the number belongs to an active member account without a staff role (staff sign in with their
   password), and the answer reads the same either way. Limited per number and per client.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.accounts.models import User, personal_name_from
from dangjian.accounts.permissions import MANAGE_MEMBERS, can_use_console, has_capability
from dangjian.core.history import ActionError, NotFound, record
from dangjian.core.models import ChangeRecord
from dangjian.core.throttle import Throttle
from dangjian.notifications import sms
from dangjian.notifications.api import queue_sms
from dangjian.notifications.codes import CODE_MINUTES, CodeSent, SmsCodes

from .models import Invitation, Member, SignInCode

# Guessing invitation links: wrong tokens per client.
wrong_tokens_per_client = Throttle("member-join-guess", 20, 15 * 60)
JUST_USED = datetime.timedelta(minutes=5)  # a second submit of the same form within this finds the same account


def masked_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile or "") == 11 else ""


def token_hash(token: str) -> str:
    return hashlib.sha256(f"member-invitation:{token}".encode()).hexdigest()


def _in_site_language(text_function):
    with translation.override(settings.LANGUAGE_CODE):
        return text_function()


# --- Account state, as the secretary's list shows it -------------------------------------------------------------


@dataclass(frozen=True)
class AccountState:
    """已开通 / 已邀请（有效至…） / 未开通."""

    active: bool
    invited_until: datetime.datetime | None = None


def open_invitations(members) -> dict[int, Invitation]:
    """The live invitation of each member (one query)."""
    now = timezone.now()
    rows = Invitation.objects.filter(
        member__in=members, used_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=now
    ).order_by("created_at")
    return {row.member_id: row for row in rows}


def account_states(members) -> dict[int, AccountState]:
    invitations = open_invitations(members)
    states = {}
    for member in members:
        invitation = invitations.get(member.pk)
        states[member.pk] = AccountState(
            active=member.user_id is not None, invited_until=invitation.expires_at if invitation else None
        )
    return states


# --- Invitations --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    """What the secretary's page shows once: the link (with the token) and its invitation."""

    invitation: Invitation
    token: str

    @property
    def path(self) -> str:
        """The link's path; the page shows it on the address the secretary uses (request.build_absolute_uri), so
        it works on whatever host and port the site is served, SITE_URL or not."""
        return reverse("members:join", args=[self.token])


def _member_to_invite(user, member_id: int) -> Member:
    member = Member.objects.select_related("organization").filter(pk=member_id).first()
    if member is None or not has_capability(user, MANAGE_MEMBERS, member.organization):
        raise NotFound
    return member


def create_invitation(user, member_id: int) -> IssuedInvitation:
    """A new single-use invitation for the member (the previous open one withdrawn); the token is returned once."""
    with transaction.atomic():
        member = _member_to_invite(user, member_id)
        member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
        if not member.is_active or member.organization.is_closed:
            raise ActionError(_("Only a member on the roll can be invited."))
        if member.user_id is not None:
            raise ActionError(_("This member already has an account."))
        if not member.mobile:
            raise ActionError(_("Enter the member's mobile number in their record first: they sign in with it."))
        now = timezone.now()
        Invitation.objects.filter(member=member, used_at__isnull=True, withdrawn_at__isnull=True).update(
            withdrawn_at=now
        )
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            member=member,
            token_hash=token_hash(token),
            created_by=user,
            created_at=now,
            expires_at=now + datetime.timedelta(days=settings.MEMBER_INVITATION_DAYS),
        )
        until = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")
        record(
            user,
            member,
            ChangeRecord.Action.UPDATE,
            {"user": ["", _in_site_language(lambda: _("Invited to open an account, valid until %s") % until)]},
            member.organization,
        )
    return IssuedInvitation(invitation, token)


def withdraw_invitation(user, member_id: int) -> int:
    """Withdraw the member's open invitation(s); returns how many were withdrawn."""
    with transaction.atomic():
        member = _member_to_invite(user, member_id)
        withdrawn = Invitation.objects.filter(member=member, used_at__isnull=True, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        if withdrawn:
            record(
                user,
                member,
                ChangeRecord.Action.UPDATE,
                {"user": ["", _in_site_language(lambda: _("Invitation withdrawn"))]},
                member.organization,
            )
    return withdrawn


# --- Joining with an invitation ---------------------------------------------------------------------------------


def _live(invitation: Invitation | None) -> bool:
    if invitation is None or invitation.used_at or invitation.withdrawn_at:
        return False
    member = invitation.member
    return (
        invitation.expires_at > timezone.now()
        and member.is_active
        and bool(member.mobile)
        and member.user_id is None
        and not member.organization.is_closed
    )


def invitation_for_token(token: str, client: str = "") -> Invitation | None:
    """The live invitation of the token, or None whatever is wrong with it (a wrong one counts against the
    client). Raises ActionError when the client has guessed too often."""
    if client and wrong_tokens_per_client.is_locked(client):
        raise ActionError(_("Too many wrong invitation links from this device. Please try again in 15 minutes."))
    token = (token or "")[:100]
    invitation = (
        Invitation.objects.select_related("member", "member__organization", "member__party_group")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if not _live(invitation):
        if client:
            wrong_tokens_per_client.record_failure(client)
        return None
    return invitation


def existing_account(invitation: Invitation) -> User | None:
    """An account that already signs in with the member's mobile number (e.g. a staff member who is a member)."""
    return User.objects.find_by_login(invitation.member.mobile)


class InvalidInvitation(ActionError):
    """Expired, used, withdrawn, forged, or the member no longer on the roll: said the same way."""


def _new_user(member: Member) -> User:
    return User(
        username=member.mobile,
        mobile=member.mobile,
        full_name=member.name,
        personal_name=personal_name_from(member.name),
    )


def password_errors(invitation: Invitation, password: str) -> list[str]:
    """Django's validators (accounts/password_validation.py) on the future account."""
    try:
        validate_password(password, _new_user(invitation.member))
    except ValidationError as error:
        return list(error.messages)
    return []


def _use(invitation: Invitation, user: User, now: datetime.datetime) -> Member:
    """Mark the invitation used and link the member, in the caller's transaction; InvalidInvitation when another
    request got there first (the invitation is used once)."""
    if not Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True, withdrawn_at__isnull=True).update(
        used_at=now
    ):
        raise InvalidInvitation(_("This invitation link cannot be used."))
    member = Member.objects.select_for_update().select_related("organization").get(pk=invitation.member_id)
    if not member.is_active or member.user_id is not None or member.mobile != invitation.member.mobile:
        raise InvalidInvitation(_("This invitation link cannot be used."))
    if Member.objects.filter(user=user).exists():
        raise ActionError(_("This account already belongs to another party member. Please ask your branch secretary."))
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    Invitation.objects.filter(member=member, used_at__isnull=True, withdrawn_at__isnull=True).update(withdrawn_at=now)
    record(user, member, ChangeRecord.Action.UPDATE, {"user": ["", user.username]}, member.organization)
    return member


def join(token: str, password1: str, password2: str) -> User:
    """Make the member's account with the chosen password and use the invitation, in one transaction."""
    invitation = invitation_for_token(token)
    if invitation is None:
        # The same form sent twice (a double tap): the account the first one made, with the same password.
        return _just_joined(token, password1)
    if password1 != password2:
        raise ActionError(_("The two passwords differ. Please enter the same password twice."))
    if existing_account(invitation) is not None:
        raise ActionError(_("An account with your mobile number exists already. Sign in with its password below."))
    errors = password_errors(invitation, password1)
    if errors:
        raise ActionError(" ".join(errors))
    now = timezone.now()
    try:
        with transaction.atomic():
            user = _new_user(invitation.member)
            user.set_password(password1)
            user.save()
            _use(invitation, user, now)
    except IntegrityError:
        return _just_joined(token, password1)
    return user


def _just_joined(token: str, password: str) -> User:
    invitation = (
        Invitation.objects.select_related("member__user")
        .filter(token_hash=token_hash((token or "")[:100]), used_at__gt=timezone.now() - JUST_USED)
        .first()
    )
    user = invitation.member.user if invitation is not None else None
    if user is None or not user.is_active or not user.check_password(password or ""):
        raise InvalidInvitation(_("This invitation link cannot be used."))
    return user


def link_existing(request, token: str, password: str) -> User:
    """Link the account that signs in with the member's mobile number, once its own password is given (counted
    by the sign-in limits like any sign-in)."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise InvalidInvitation(_("This invitation link cannot be used."))
    account = existing_account(invitation)
    if account is None:
        raise ActionError(_("Please choose your password."))
    user = authenticate(request, username=account.username, password=password or "")
    if user is None or user.pk != account.pk:
        raise ActionError(_("The password is wrong. Enter the password you sign in with now."))
    with transaction.atomic():
        _use(invitation, user, timezone.now())
    return user


# --- Signing in with a code by SMS -----------------------------------------------------------------------------

# Codes (notifications.codes, shared with the feedback lookup) over `SignInCode`.
codes = SmsCodes("member", SignInCode)


def code_text(code: str) -> str:
    return _in_site_language(
        lambda: (
            _("Your sign-in code is %(code)s, valid for %(minutes)s minutes. Do not tell it to anyone.")
            % {"code": code, "minutes": CODE_MINUTES}
        )
    )


def sms_account(mobile: str) -> User | None:
    """The active account of a member on the roll signing in with this number, without a staff role."""
    member = (
        Member.objects.filter(
            user__mobile=mobile, user__is_active=True, status=Member.Status.ACTIVE, organization__closed_at__isnull=True
        )
        .select_related("user")
        .first()
    )
    if member is None or member.user is None:
        return None
    user = member.user
    if user.is_superuser or user.is_staff or can_use_console(user):
        return None
    return user


def _deliver(mobile: str, code: str, row_id: int) -> None:
    if sms_account(mobile) is not None:
        queue_sms(mobile, code_text(code), key=f"members.code:{row_id}")


def send_sign_in_code(mobile: str, client: str) -> CodeSent:
    """Issue a code for the number, sent by SMS only when it belongs to a member's account; the answer is the
    same either way. Within a minute of the last live code nothing new is sent. Each new code clears the old
    ones (no periodic task needed)."""
    if not sms.is_configured():
        raise ActionError(_("Signing in with an SMS code is not available here."))
    return codes.send(mobile, client, _deliver)


def check_sign_in_code(mobile: str, code: str, client: str) -> User:
    """The member's account for a right, live code (used up at once)."""
    if not sms.is_configured():
        raise ActionError(_("Signing in with an SMS code is not available here."))
    return codes.check(mobile, code, client, sms_account)


def forget_codes(now: datetime.datetime | None = None) -> int:
    """Codes are kept a day after they expire (for the resend pause), then removed."""
    return codes.forget(now)
