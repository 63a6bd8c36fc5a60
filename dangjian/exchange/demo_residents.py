"""The demo county's residents (see demo.py): a few verified residents with nicknames in the village room that
demo_rooms made (read from the database), and the demo resident's sign-in. Real residents have no password (they
sign in with an SMS code); the demo resident also gets the demo password so the demo can be tried without reading
var/sms."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import pgettext

from dangjian.accounts.models import User
from dangjian.core import fieldcrypt

from .models import Membership, Resident, Room

DEMO_RESIDENT = "13800000008"
# (mobile, nickname, days since verified); the first is the demo resident's sign-in.
RESIDENTS = [
    (DEMO_RESIDENT, "王庄老李", 40),
    ("13800000081", "秀兰阿姨", 120),
    ("13800000082", "返乡创业小赵", 2),  # a new account: in the slower lane
    ("13800000083", "村东头张叔", 300),
]


def village_room() -> Room | None:
    return (
        Room.objects.filter(kind=Room.Kind.VILLAGE, audience=Room.Audience.RESIDENTS, closed_at=None)
        .select_related("organization")
        .order_by("pk")
        .first()
    )


def load(ctx) -> list[str]:
    if User.objects.filter(username=DEMO_RESIDENT).exists():
        return []
    room = village_room()
    now = timezone.now()
    for mobile, nickname, days in RESIDENTS:
        since = now - datetime.timedelta(days=days)
        user = User(username=mobile, mobile=mobile, date_joined=since)
        if mobile == DEMO_RESIDENT:
            user.set_password(ctx.password)
        else:
            user.set_unusable_password()
        user.save()
        Resident.objects.create(
            user=user, real_name=fieldcrypt.encrypt(ctx.person_name()), verified_at=since, created_at=since
        )
        if room is not None and not Membership.objects.filter(room=room, nickname=nickname, left_at=None).exists():
            Membership.objects.create(room=room, user=user, nickname=nickname, joined_at=since)
    ctx.add_sign_in(
        DEMO_RESIDENT,
        DEMO_RESIDENT,
        pgettext("demo sign-in", "Resident (signs in with an SMS code; the demo password also works)"),
        room.organization.name if room is not None else "—",
    )
    return []
