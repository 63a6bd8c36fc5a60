"""The demo county's questions to the organization (see demo.py): on the demo village's portal, questions asked by
its residents (from demo_residents; the demo party member when there are none): one answered officially, one about
pensions answered by the township, one turned into a feedback case, one still waiting. All go through the actions,
so they are screened, masked, indexed for search and recorded as in real use."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import Q

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.permissions import ANSWER_QUESTIONS, CAPABILITIES

from . import questions
from .models import PublicQuestion, Resident, Room

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

NICKNAMES = ["村东老李", "小王家长", "张大姐", "退休教师"]

ASKED = [
    # (title, details, what happens: "answer" by the village, "town" answer by the township, "case", "" open)
    (
        "今年的低保申请什么时候开始？需要准备哪些材料？",
        "家里老人今年住院花了不少钱，想问问能不能申请低保，要带什么证明。",
        "answer",
    ),
    ("八十岁以上老人的养老补贴怎么领取？", "我父亲今年满八十岁了，不知道去哪里办。", "town"),
    ("村东头排水沟堵了，一下雨路上就积水", "从上个月开始，下雨后积水到脚踝，孩子上学只能绕路。", "case"),
    ("村里的老年食堂什么时候开放？", "听说村里要办老年食堂，想问问什么时候开、怎么报名。", ""),
]

ANSWERS = {
    "answer": (
        "今年低保申请常年受理，可随时到村委会便民服务点提出。请携带户口簿、身份证、家庭收入情况说明，"
        "因病支出较大的带上住院发票和出院小结。村里收到后5个工作日内入户调查，结果在村务公开栏公示。"
    ),
    "town": (
        "年满80周岁的老人，由本人或家属持身份证、户口簿到镇便民服务中心社保窗口登记，次月起按月发放到社保卡。"
        "行动不便的可联系村委会代办。"
    ),
}


def _askers() -> list[User]:
    residents = list(User.objects.filter(resident__isnull=False, is_active=True).order_by("pk")[:4])
    if residents:
        return residents
    # No residents in the demo: a party member without a staff role asks.
    member_user = (
        User.objects.filter(member__isnull=False, role_grants__isnull=True, is_active=True).order_by("pk").first()
    )
    return [member_user] if member_user is not None else []


def load(ctx: DemoContext) -> list[str]:
    if PublicQuestion.objects.exists():
        return []
    secretary_grant = (
        RoleGrant.objects.filter(organization__depth=2, role__in=CAPABILITIES[ANSWER_QUESTIONS])
        .select_related("organization", "user")
        .order_by("pk")
        .first()
    )
    askers = _askers()
    if secretary_grant is None or not askers:
        return []
    village = secretary_grant.organization
    answerer = secretary_grant.user
    town_answerer = (
        User.objects.filter(
            role_grants__organization=village.parent, role_grants__role__in=CAPABILITIES[ANSWER_QUESTIONS]
        )
        .order_by("pk")
        .first()
    ) or answerer
    room = Room.objects.filter(organization=village, audience=Room.Audience.RESIDENTS).order_by("pk").first()
    lines: list[str] = []
    for n, (title, body, outcome) in enumerate(ASKED):
        asker = askers[n % len(askers)]
        in_room = room if room is not None and room.memberships.filter(user=asker, left_at=None).exists() else None
        nickname = questions.default_nickname(asker, in_room) or NICKNAMES[n % len(NICKNAMES)]
        question = questions.ask_question(
            asker,
            village.pk,
            questions.QuestionInput(
                title=title,
                body=body,
                nickname=nickname,
                client_token=uuid.UUID(int=ctx.rng.getrandbits(128), version=4),
                room_id=in_room.pk if in_room is not None and n == 0 else None,
            ),
            limited=False,  # the demo's askers ask at once what residents ask over weeks
        )
        if outcome == "answer":
            questions.answer_question(answerer, question.pk, ANSWERS["answer"])
        elif outcome == "town":
            questions.answer_question(town_answerer, question.pk, ANSWERS["town"])
        elif outcome == "case":
            question = questions.to_case(answerer, question.pk, "help")
            number = question.case.number if question.case is not None else "?"
            lines.append(f"问政 #{question.pk} → feedback case {number} ({village.short_name})")
    asked = PublicQuestion.objects.filter(organization=village).exclude(Q(state=PublicQuestion.State.REMOVED))
    lines.append(f"{asked.count()} questions to {village.short_name} (问政) by {len(askers)} asker(s).")
    if not Resident.objects.exists():
        lines.append("No residents in the demo: the demo party member asked.")
    return lines
