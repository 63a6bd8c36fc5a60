"""The demo county's rooms (see demo.py), read from the tree and the accounts the earlier apps made: for the
village of the village secretary (13800000003) its residents' room (RESIDENTS) and its branch room (MEMBERS); the
township's room of new-media officers (STAFF); and a topic room of the township about this winter's heating
subsidy; the demo staff and the village's party members with accounts in them under nicknames; a short
announcement in the village room. Residents, messages, questions and moderation come after (other parts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.utils import timezone

from dangjian.accounts.models import Role, RoleGrant
from dangjian.members.models import Member

from . import room_actions
from .models import Membership, Room

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

ANNOUNCEMENT = "本群用于村务通知和村民交流。请文明发言，不发广告，不传谣言。有问题可以直接@村党支部书记。"


def _join(room: Room, user, nickname: str, *, admin: bool = False) -> None:
    if Membership.objects.filter(room=room, user=user).exists():
        return
    taken = set(Membership.objects.filter(room=room).values_list("nickname", flat=True))
    shown, n = nickname[:20], 2
    while shown in taken:
        shown, n = f"{nickname[:18]}{n}", n + 1
    Membership.objects.create(
        room=room,
        user=user,
        nickname=shown,
        role=Membership.Role.ADMIN if admin else Membership.Role.MEMBER,
        last_read_rev=room.last_rev,
    )


def _room(organization, kind: str, name: str, description: str, audience: str, creator) -> Room:
    room, _made = Room.objects.get_or_create(
        organization=organization,
        name=name,
        defaults={
            "kind": kind,
            "description": description,
            "audience": audience,
            "created_by": creator,
            "created_at": timezone.now(),
        },
    )
    return room


def load(ctx: DemoContext) -> list[str]:
    User = get_user_model()
    secretary = User.objects.filter(username="village_secretary").first()
    grant = RoleGrant.objects.filter(user=secretary, role=Role.SECRETARY).select_related("organization").first()
    if secretary is None or grant is None:
        return []
    village = grant.organization
    township = village.parent
    town_media = User.objects.filter(username="town_media").first()
    town_admin = User.objects.filter(username="town_admin").first()
    short = village.short_name or village.name
    town_short = (township.short_name or township.name) if township else ""

    village_room = _room(
        village,
        Room.Kind.VILLAGE,
        f"{short}村民群",
        "村务公开、通知提醒、村民有事说事。",
        Room.Audience.RESIDENTS,
        secretary,
    )
    branch_room = _room(
        village,
        Room.Kind.BRANCH,
        f"{short}党员群",
        "党支部通知、学习交流、三会一课安排。",
        Room.Audience.MEMBERS,
        secretary,
    )
    _join(village_room, secretary, f"{short}党支部书记", admin=True)
    _join(branch_room, secretary, f"{short}党支部书记", admin=True)
    members = (
        Member.objects.filter(organization=village, status=Member.Status.ACTIVE, user__isnull=False)
        .exclude(user=secretary)
        .select_related("user")
        .order_by("pk")
    )
    for member in members[:20]:
        _join(branch_room, member.user, f"党员{member.name[:1]}同志")
        _join(
            village_room,
            member.user,
            f"{member.name[:1]}大哥" if member.sex == Member.Sex.MALE else f"{member.name[:1]}大姐",
        )
    lines = [f"exchange: {village_room.name}, {branch_room.name}"]

    if township is not None:
        staff_room = _room(
            township,
            Room.Kind.STAFF,
            f"{town_short}新媒体工作群",
            "各村新媒体专员交流稿件、图片和推送安排。",
            Room.Audience.STAFF,
            town_media,
        )
        if town_media is not None:
            _join(staff_room, town_media, f"{town_short}宣传李芳", admin=True)
        if town_admin is not None:
            _join(staff_room, town_admin, f"{town_short}组织委员")
        _join(staff_room, secretary, f"{short}王书记")
        officers = RoleGrant.objects.filter(role=Role.MEDIA_OFFICER, organization__parent=township).select_related(
            "user", "organization"
        )
        for officer in officers[:12]:
            place = officer.organization.short_name or officer.organization.name
            _join(staff_room, officer.user, f"{place}新媒体")
        topic_room = _room(
            township,
            Room.Kind.TOPIC,
            "冬季取暖补贴答疑",
            "今年冬季取暖补贴的申请条件、材料和进度，在这里集中答疑。",
            Room.Audience.RESIDENTS,
            town_admin or town_media,
        )
        if town_admin is not None:
            _join(topic_room, town_admin, f"{town_short}民政办", admin=True)
        if town_media is not None:
            _join(topic_room, town_media, f"{town_short}宣传李芳", admin=True)
        _join(topic_room, secretary, f"{short}王书记")
        lines.append(f"exchange: {staff_room.name}, {topic_room.name}")

    if not village_room.announcement:
        room_actions.set_announcement(secretary, village_room.pk, ANNOUNCEMENT)
    return lines
