"""Demo party members: 10–25 in every village and community branch, a few party groups, one member's account.

Part of `manage.py load_demo` (the protocol: dangjian/demo/__init__.py); runs after the tree and the staff
accounts exist. ID-card numbers are fake (region 341122, which the demo county does not use for anything real)
but valid (the check character is computed) and match the date of birth; mobiles are from the 199 0000 range.
Built in bulk (a few thousand rows in batches).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import pgettext

from dangjian.accounts.models import User, personal_name_from
from dangjian.organizations.models import Organization

from .idnumbers import check_character
from .models import Member, add_years

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

REGION = "341122"
MEMBER_USERNAME = "party_member"
MEMBER_MOBILE = "13800000006"
BATCH = 1000
GROUPED_VILLAGES = 3  # villages of the first township that get two party groups each
JOBS = ["务农", "个体经营", "退休", "村医", "教师", "合作社负责人", "外出务工", "家庭农场主", "网格员", "村委会委员"]
EDUCATION = [
    (Member.Education.PRIMARY, 20),
    (Member.Education.JUNIOR, 35),
    (Member.Education.SECONDARY, 25),
    (Member.Education.COLLEGE, 12),
    (Member.Education.UNIVERSITY, 7),
    (Member.Education.POSTGRADUATE, 1),
]
COMMITTEE = [
    Member.CommitteePost.SECRETARY,
    Member.CommitteePost.DEPUTY,
    Member.CommitteePost.ORGANIZATION,
    Member.CommitteePost.PUBLICITY,
    Member.CommitteePost.DISCIPLINE,
]


def branches():
    """The demo's branches: open villages and communities, in the tree's order."""
    return Organization.objects.open().filter(kind__in=[Organization.Kind.VILLAGE, Organization.Kind.COMMUNITY])


def setup(ctx: DemoContext) -> None:
    """Two party groups (党小组) under each of a few villages of the first township (not its last two, which the
    county administrator may try merging)."""
    township = Organization.objects.filter(depth=1).order_by("sort_order", "pk").first()
    if township is None:
        return
    villages = list(township.children.filter(kind=Organization.Kind.VILLAGE).order_by("sort_order", "pk"))
    for village in villages[: max(0, min(GROUPED_VILLAGES, len(villages) - 2))]:
        for order, name in enumerate(["第一党小组", "第二党小组"]):
            Organization.objects.create(
                name=f"{village.short_name}{name}",
                short_name=name,
                kind=Organization.Kind.GROUP,
                parent=village,
                sort_order=order,
            )


def load(ctx: DemoContext) -> list[str]:
    rng, today = ctx.rng, ctx.today
    groups: dict[int, list[int]] = {}
    for group_id, parent_id in Organization.objects.filter(kind=Organization.Kind.GROUP).values_list("pk", "parent_id"):
        groups.setdefault(parent_id, []).append(group_id)
    educations = [value for value, weight in EDUCATION for _ in range(weight)]
    first = Organization.objects.filter(depth=2).order_by("pk").first()
    first_branch_id = first.pk if first else None
    used: set[str] = set()
    batch: list[Member] = []
    sequence = 0
    probation_soon = 0
    for branch in branches().order_by("path"):
        size = rng.randint(10, 25)
        committee_size = rng.randint(3, 5)
        branch_groups = groups.get(branch.pk, [])
        for index in range(size):
            sequence += 1
            sex = Member.Sex.MALE if rng.random() < 0.7 else Member.Sex.FEMALE
            age = rng.randint(22, 88) if index >= committee_size else rng.randint(30, 60)
            birth = today - datetime.timedelta(days=age * 365 + rng.randint(0, 364))
            number = _id_number(birth, sex, sequence, used)
            category = Member.Category.FULL
            if index == size - 1 and probation_soon < 6:  # the last of a few branches: probation ends this month
                joined = add_years(today, -1) + datetime.timedelta(days=rng.randint(3, 28))
                category = Member.Category.PROBATIONARY
                probation_soon += 1
            elif index >= committee_size and rng.random() < 0.04:
                joined = today - datetime.timedelta(days=rng.randint(30, 330))
                category = Member.Category.PROBATIONARY
            else:
                joined = add_years(birth, rng.randint(20, max(20, min(age - 1, 55))))
                joined += datetime.timedelta(days=rng.randint(0, 300))
                if joined > add_years(today, -1):
                    joined = add_years(today, -1) - datetime.timedelta(days=rng.randint(1, 300))
            if category == Member.Category.PROBATIONARY and add_years(birth, 18) > joined:
                birth = add_years(joined, -rng.randint(20, 40))
                number = _id_number(birth, sex, sequence, used)
            member = Member(
                organization=branch,
                party_group_id=branch_groups[index % len(branch_groups)] if branch_groups else None,
                name="王建国" if index == 0 and branch.pk == first_branch_id else ctx.person_name(),
                sex=sex,
                birth_date=birth,
                education=rng.choice(educations),
                mobile=f"199{sequence % 10**8:08d}" if rng.random() < 0.9 else "",
                joined_on=joined,
                full_member_on=add_years(joined, 1) if category == Member.Category.FULL else None,
                category=category,
                job=rng.choice(JOBS),
                committee_post=COMMITTEE[index] if index < committee_size else "",
                is_floating=index >= committee_size and rng.random() < 0.08,
                in_difficulty=index >= committee_size and rng.random() < 0.05,
                is_veteran=joined <= add_years(today, -50) or age >= 80,
            )
            member.set_id_number(number)
            if category == Member.Category.PROBATIONARY:
                member.probation_ends_on = add_years(joined, 1)  # save() is not called by bulk_create
            batch.append(member)
            if len(batch) >= BATCH:
                _flush(batch)
        _flush(batch)
    _flush(batch)
    return _member_account(ctx, first_branch_id)


def summary() -> str:
    return f"{Member.objects.count()} party members"


def _id_number(birth: datetime.date, sex: str, sequence: int, used: set[str]) -> str:
    order = sequence % 500
    while True:
        first17 = f"{REGION}{birth:%Y%m%d}{order * 2 + (1 if sex == Member.Sex.MALE else 0):03d}"
        number = first17 + check_character(first17)
        if number not in used:
            used.add(number)
            return number
        order = (order + 1) % 500


def _flush(batch: list[Member]) -> None:
    if batch:
        with transaction.atomic():
            Member.objects.bulk_create(batch)
        batch.clear()


def _member_account(ctx: DemoContext, branch_id: int | None) -> list[str]:
    """An account for one ordinary member of the first branch: signs in with the mobile number."""
    if branch_id is None:
        return []
    member = (
        Member.objects.filter(organization_id=branch_id, committee_post="", category=Member.Category.FULL)
        .order_by("pk")
        .first()
    )
    if member is None or User.objects.filter(username=MEMBER_USERNAME).exists():
        return []
    user = User.objects.create_user(
        MEMBER_USERNAME,
        password=ctx.password,
        full_name=member.name,
        personal_name=personal_name_from(member.name),
        mobile=MEMBER_MOBILE,
    )
    Member.objects.filter(pk=member.pk).update(user=user, mobile=MEMBER_MOBILE)
    # The branch secretary (王建国, the committee's first member) signs in with the village_secretary account: a
    # secretary is a party member too, and hosts and signs the branch's meetings as one.
    secretary = User.objects.filter(username="village_secretary").first()
    if secretary is not None and not Member.objects.filter(user=secretary).exists():
        Member.objects.filter(organization_id=branch_id, name="王建国", committee_post="secretary").update(
            user=secretary, mobile=secretary.mobile or ""
        )
    ctx.add_sign_in(MEMBER_USERNAME, MEMBER_MOBILE, pgettext("demo sign-in", "Party member"), member.organization.name)
    return []
