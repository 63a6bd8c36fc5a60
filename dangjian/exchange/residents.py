"""Residents' accounts (后台实名、前台自愿): a resident joins a village or community room with a mobile number verified
by a one-time SMS code; the rooms show only the nickname they choose, the real name and mobile number are kept for the
moderators handling a report (`identity_of`, each look audited by the moderation area).

1. `send_code(mobile, client)`: a 6-digit code (notifications/codes.py over `ResidentCode`: hashed, 10 minutes,
   5 wrong tries, one use, limited per number and per client) is queued by SMS to the number; the answer reads the
   same whether or not an account exists for it. Only where `notifications.sms.is_configured()`.
2. `check_code(mobile, code, client)`: the verified number (the code used up). `account_for(mobile)` then says what
   the number is: a resident's account (signed in at once), an account that may not sign in here (`refusal`: staff
   sign in with their password; a closed account), or nobody yet.
3. `become_resident(mobile, real_name, consent)`: a new resident's account (username = mobile, `User.mobile` set,
   no usable password) with the real name encrypted (core/fieldcrypt.py) and the rules accepted; a party member's
   account without a staff role becomes a resident's too (the same person, one account).
4. `delete_account(user)`: the resident leaves (PIPL): their memberships end, their messages keep the nickname
   they were written under, the `Resident` row and the mobile number are removed and the account is closed.
   `forget_inactive(now)` (a daily task) does the same for residents not seen for RESIDENT_INACTIVE_DAYS.

Neither the mobile number nor the real name is ever logged.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.accounts.models import User
from dangjian.accounts.permissions import can_use_console
from dangjian.core import fieldcrypt
from dangjian.core.history import ActionError, InvalidInput
from dangjian.core.signals import rows_written
from dangjian.notifications import sms
from dangjian.notifications.api import queue_sms
from dangjian.notifications.codes import CODE_MINUTES, CodeSent, SmsCodes

from .models import Membership, Resident, ResidentCode, Room

codes = SmsCodes("resident", ResidentCode)

NAME_MIN, NAME_MAX = 2, 20
# Letters of any script, joined by the middle dot of minority names (阿依古丽·买买提); the dots people type for it
# (·•・‧.) are read as one.
NAME_DOTS = "·•・‧.．"
NAME_RE = re.compile(r"^[^\W\d_]+(?:·[^\W\d_]+)*$")


class Identity(NamedTuple):
    """What the moderators handling a report may look up: the verified real name and the mobile number."""

    real_name: str
    mobile: str


def masked_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile or "") == 11 else ""


def not_available() -> ActionError:
    return ActionError(_("Residents cannot join the rooms online here: no SMS service is set up."))


def code_text(code: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Your verification code for the village rooms is %(code)s, valid for %(minutes)s minutes. "
            "Do not tell it to anyone."
        ) % {"code": code, "minutes": CODE_MINUTES}


def _deliver(mobile: str, code: str, row_id: int) -> None:
    # Every number may be a new resident's: the code goes out whether or not an account exists.
    queue_sms(mobile, code_text(code), key=f"exchange.resident-code:{row_id}")


def send_code(mobile: str, client: str) -> CodeSent:
    """Issue a code for the number and queue it by SMS (within a minute of the last live code, nothing new)."""
    if not sms.is_configured():
        raise not_available()
    return codes.send(mobile, client, _deliver)


def check_code(mobile: str, code: str, client: str) -> str:
    """The verified mobile number for a right, live code (used up at once); ActionError otherwise."""
    if not sms.is_configured():
        raise not_available()
    return codes.check(mobile, code, client, lambda verified: verified)


def forget_codes(now: datetime.datetime | None = None) -> int:
    return codes.forget(now)


# --- Accounts ----------------------------------------------------------------------------------------------------


def account_for(mobile: str) -> User | None:
    """The account that signs in with this number (its mobile or its username), if any."""
    return User.objects.filter(Q(mobile=mobile) | Q(username=mobile)).order_by("pk").first()


def is_staff_account(user) -> bool:
    return bool(user.is_superuser or user.is_staff or can_use_console(user))


def refusal(user: User | None) -> str:
    """Why the account of a verified number may not sign in as a resident ("" when it may)."""
    if user is None:
        return ""
    if not user.is_active:
        return _("This account is closed. Please ask your village or community committee.")
    if is_staff_account(user):
        return _(
            "This mobile number belongs to a staff account. Staff sign in with their password on the sign-in page."
        )
    return ""


def is_resident(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Resident.objects.filter(user=user).exists()


def clean_real_name(value: str) -> str:
    name = unicodedata.normalize("NFKC", value or "").strip()
    name = re.sub(f"\\s*[{re.escape(NAME_DOTS)}]\\s*", "·", name)
    if not NAME_MIN <= len(name) <= NAME_MAX or not NAME_RE.match(name):
        message = _("Enter your real name: %(min)s to %(max)s letters (a · may join the parts of a name).") % {
            "min": NAME_MIN,
            "max": NAME_MAX,
        }
        raise InvalidInput({"real_name": [message]}, message)
    return name


def become_resident(mobile: str, real_name: str, consent: bool) -> User:
    """The resident's account for a verified number (the caller has checked the code): a new account, or the
    number's account of a party member without a staff role; the real name encrypted. A second submit of the same
    form finds the account the first one made."""
    mobile = sms.normalized_mobile(mobile)
    if not mobile:
        raise ActionError(_("Enter an 11-digit mobile number, such as 13812345678."))
    name = clean_real_name(real_name)
    if not consent:
        message = _("Please read the rules and agree to them.")
        raise InvalidInput({"consent": [message]}, message)
    try:
        with transaction.atomic():
            user = account_for(mobile)
            reason = refusal(user)
            if reason:
                raise ActionError(reason)
            if user is None:
                user = User(username=mobile, mobile=mobile)
                user.set_unusable_password()
                user.save()
            if not Resident.objects.filter(user=user).exists():
                Resident.objects.create(user=user, real_name=fieldcrypt.encrypt(name))
                _memberships_changed(user)  # a party member's memberships now count as a resident's
    except IntegrityError:
        user = account_for(mobile)
        if user is None or not is_resident(user):
            raise
    return user


def touch_verified(user) -> None:
    """A returning resident verified their number again."""
    Resident.objects.filter(user=user).update(verified_at=timezone.now())


# --- Identity, for the moderators handling a report (后台实名) ---------------------------------------------------


def identity_of(user, *, masked: bool = False) -> Identity:
    """The verified real name and the mobile number of a person in a room: a resident's from `Resident`
    (decrypted), anyone else's from the account. `masked` gives the number as 138****5678. The caller checks the
    permission and records the look (ModerationEntry IDENTITY); nothing here is logged."""
    resident = Resident.objects.filter(user=user).first() if user is not None else None
    if resident is not None and resident.real_name:
        real_name = fieldcrypt.decrypt(resident.real_name)
    else:
        real_name = getattr(user, "full_name", "") or ""
    mobile = (getattr(user, "mobile", "") or "") if user is not None else ""
    return Identity(real_name, masked_mobile(mobile) if masked else mobile)


# --- Leaving: deleting the account, forgetting the inactive --------------------------------------------------------


def _memberships_changed(user) -> None:
    """The person's memberships changed without a save, or they became or stopped being a resident: the usage
    summaries' rollups are told (exchange.residents_in_rooms; core.signals.rows_written)."""

    rows_written(Membership, set(Membership.objects.filter(user=user).values_list("room__organization_id", flat=True)))


def _close(user: User, now: datetime.datetime) -> None:
    """End the memberships, remove the Resident row and the number, close the account (in the caller's
    transaction). Messages keep the nickname they were written under."""
    _memberships_changed(user)
    Membership.objects.filter(user=user, left_at=None).update(left_at=now)
    Resident.objects.filter(user=user).delete()
    user.mobile = None
    user.username = f"closed-resident-{user.pk}"
    user.full_name = ""
    user.personal_name = ""
    user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


def delete_account(user) -> None:
    """The resident deletes their own account (我的居民账号 → 注销)."""
    if not is_resident(user):
        raise ActionError(_("Only a resident's account can be deleted here."))
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        if is_staff_account(account) or _is_party_member(account):
            # A party member's account stays (the branch keeps its roll): only the resident's part goes.
            _leave_as_resident(account, timezone.now())
            return
        _close(account, timezone.now())


def _leave_as_resident(user: User, now: datetime.datetime) -> None:
    """Only the resident's part of an account that stays (a party member's): the residents' rooms and the row."""
    _memberships_changed(user)
    Membership.objects.filter(user=user, left_at=None, room__audience=Room.Audience.RESIDENTS).update(left_at=now)
    Resident.objects.filter(user=user).delete()


def _is_party_member(user) -> bool:
    from dangjian.members.models import Member

    return Member.objects.filter(user=user).exists()


def forget_inactive(now: datetime.datetime | None = None) -> int:
    """Residents not seen (no sign-in, no message) for RESIDENT_INACTIVE_DAYS are forgotten as if they had deleted
    their account themselves. Returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.RESIDENT_INACTIVE_DAYS)
    stale = (
        Resident.objects.filter(created_at__lt=cutoff, verified_at__lt=cutoff)
        .annotate(last_message=Max("user__room_messages__created_at"))
        .filter(Q(user__last_login__isnull=True) | Q(user__last_login__lt=cutoff))
        .filter(Q(last_message__isnull=True) | Q(last_message__lt=cutoff))
        .select_related("user")
    )
    forgotten = 0
    for resident in stale:
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=resident.user_id)
            if _is_party_member(user) or is_staff_account(user):
                _leave_as_resident(user, now)
            else:
                _close(user, now)
        forgotten += 1
    return forgotten
