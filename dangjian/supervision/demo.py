"""The demo county's discipline officers, their units' report keys, and a few sample reports.

Part of `manage.py load_demo` (the protocol: dangjian/demo/__init__.py). The discipline role is a
supervision event, so the officers are granted as in real use: the system administrator makes the
county's first officer (no officer exists above to confirm it), who then makes the township's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.management.base import CommandError

from dangjian.accounts.models import User, personal_name_from
from dangjian.core.history import ActionError
from dangjian.organizations.models import Organization
from dangjian.supervision import actions, keys, officers

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

SAMPLE_REPORTS = [
    ("integrity", "收受礼品礼金", "村委会主任", "春节前收受承包户送的购物卡两张，金额约两千元。", True),
    (
        "masses",
        "截留挪用惠民资金",
        "村会计",
        "今年的耕地地力保护补贴有三户没有发放到位，村会计说钱还没到。",
        False,
    ),
    ("work", "形式主义官僚主义", "网格员", "要求群众每天在多个群里打卡截图，老人不会用手机很为难。", False),
    ("integrity", "优亲厚友", "村党支部书记", "低保评议时把自己的亲戚评上了，真正困难的人家没有评上。", False),
]


def setup(ctx: DemoContext) -> list[str]:
    """The officers (listed with the demo's sign-ins) and their units' keys; returns the recovery keys."""
    county = Organization.objects.filter(depth=0).first()
    townships = list(Organization.objects.filter(depth=1)[:2])
    if county is None or not townships:
        raise CommandError("The demo officers need the organization tree (county and townships) built first.")
    plan = [
        ("town_discipline", "13800000004", "清河镇纪委 赵强", townships[1 % len(townships)]),
        ("county_discipline", "13800000005", "县纪委 孙正", county),
    ]
    made = []
    for username, mobile, full_name, unit in plan:
        user = User.objects.create_user(
            username,
            password=ctx.password,
            full_name=full_name,
            personal_name=personal_name_from(full_name),
            mobile=mobile,
        )
        made.append((user, mobile, unit))
    granter = User.objects.filter(is_superuser=True).order_by("pk").first()
    by_depth = sorted(made, key=lambda row: row[2].depth)
    for user, _mobile, unit in by_depth:
        officers.grant_officer(granter, user, unit)
        granter = user
    for user, mobile, unit in made:
        ctx.add_sign_in(user.username, mobile, user.role_grants.get(organization=unit).get_role_display(), unit.name)
    lines = ["Supervision report keys were made for these units; their recovery keys (keep safe):"]
    for user, _mobile, unit in by_depth:
        private = keys.ensure_user_keypair(user, ctx.password)
        lines.append(f"  {unit.name}: {keys.create_unit_key(user, unit, private)}")
    return lines


def load(ctx: DemoContext) -> list[str]:
    """A few reports, encrypted like real ones; returns a receipt to try the reporter's follow-up."""
    lines = ["Discipline officers set up two-factor sign-in (an authenticator app) on first use."]
    villages = list(Organization.objects.filter(depth=2).order_by("pk")[:8])
    receipt = None
    for index, (discipline, kind, post, what, real_name) in enumerate(SAMPLE_REPORTS):
        try:
            _report, code = actions.submit_report(
                reported_org=villages[index * 2 % len(villages)],
                person=ctx.person_name(),
                post=post,
                discipline=discipline,
                subcategory=kind,
                what=what,
                real_name=real_name,
                reporter_name="刘明" if real_name else "",
                reporter_phone="13912340000" if real_name else "",
            )
        except ActionError:  # no unit with keys: the demo simply has no reports
            receipt = None
            break
        receipt = receipt or code
    if receipt:
        lines.append(f"Follow a demo supervision report at /supervision/follow/ with receipt {receipt}.")
    return lines
