"""The notifications the members module sends (registered from MembersConfig.ready()).

Shown in the console and e-mailed to the holders of MANAGE_MEMBERS on the branch. The texts name the member and
the branches, never an ID-card or mobile number. Each links to the member's console page.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.notifications.kinds import CONSOLE, MAIL, Kind, register, register_target_link

BOTH = (CONSOLE, MAIL)
MEMBER_HINT = _("Sign in to the console to see the member's record.")

PROBATION_ENDING = "members.probation_ending"
TRANSFER_INCOMING = "members.transfer_incoming"

KINDS = [
    Kind(
        PROBATION_ENDING,
        _("The probation of %(name)s (%(branch)s) ends on %(ends_on)s: prepare the discussion of full membership."),
        channels=BOTH,
        mail_hint=MEMBER_HINT,
    ),
    Kind(
        TRANSFER_INCOMING,
        _("%(name)s is transferring from %(source)s to %(branch)s: please confirm the arrival."),
        # The target's staff see the transfer in their to-do (the record is the source's until it arrives).
        link=lambda row: reverse("console:members_home") + "?todo=incoming",
        channels=BOTH,
        mail_hint=MEMBER_HINT,
    ),
]


def register_kinds() -> None:
    for kind in KINDS:
        register(kind)
    register_target_link("members.member", lambda pk: reverse("console:member", args=[pk]))
