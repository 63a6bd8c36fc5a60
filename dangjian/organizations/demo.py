"""The demo county's tree (county → townships → villages and communities) and its leadership.

Part of `manage.py load_demo` (the protocol: dangjian/demo/__init__.py). Later apps read the tree
back from the database: the county is the root, the townships and villages are in creation order.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from dangjian.core.cache import bump_content_generation

from . import demo_texts as texts
from .models import Leader, Organization, Term

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext


def add_arguments(parser) -> None:
    parser.add_argument("--townships", type=int, default=10)


def existing() -> str | None:
    return "organizations" if Organization.objects.exists() else None


def setup(ctx: DemoContext) -> None:
    county, townships, villages = _build_tree(ctx, ctx.options.get("townships", 10))
    _build_leadership(ctx, [county, *townships, *villages])
    bump_content_generation()


def summary() -> str:
    pair = merge_pair()
    line = f"{Organization.objects.count()} organizations"
    if pair is None:
        return line
    return (
        f"{line}; to try 撤并 as county_admin, merge {pair[0].short_name} into {pair[1].short_name} ({pair[0].parent})"
    )


def merge_pair() -> tuple[Organization, Organization] | None:
    """Two open villages of the first township that the county administrator could merge (撤并村): its last two."""
    township = Organization.objects.open().filter(depth=1).order_by("sort_order", "pk").first()
    if township is None:
        return None
    villages = list(township.children.open().filter(kind=Organization.Kind.VILLAGE).order_by("-sort_order", "-pk")[:2])
    return (villages[0], villages[1]) if len(villages) == 2 else None


def _build_tree(ctx: DemoContext, township_count: int):
    rng = ctx.rng
    county = Organization.objects.create(
        name=texts.COUNTY["name"],
        short_name=texts.COUNTY["short"],
        kind=Organization.Kind.COUNTY,
        intro=texts.COUNTY["intro"],
        address=texts.COUNTY["address"],
        phone=texts.COUNTY["phone"],
    )
    townships, villages = [], []
    used_names: set[str] = set()
    for t_index, (t_name, _kind) in enumerate(texts.TOWNSHIPS[:township_count]):
        township = Organization.objects.create(
            name=f"中共清源县{t_name}委员会",
            short_name=t_name,
            kind=Organization.Kind.TOWNSHIP,
            parent=county,
            sort_order=t_index,
            address=f"清源县{t_name}政府大院",
            phone=f"0571-8602{t_index:02d}10",
            intro=f"{t_name}位于清源县{rng.choice(['东部', '西部', '南部', '北部', '中部'])}，"
            f"辖{rng.randint(10, 20)}个村（社区），以{rng.choice(['茶叶', '水稻', '毛竹', '果蔬', '生态旅游'])}"
            f"为主导产业。{t_name[-1]}党委下设党支部若干，党员约{rng.randint(900, 2200)}名。",
        )
        townships.append(township)
        count = rng.randint(10, 20)
        communities = 2 if t_index == 0 else rng.randint(0, 1)
        for v_index in range(count):
            if v_index < communities:
                base = rng.choice(texts.COMMUNITY_NAMES)
                short, kind = f"{base}社区", Organization.Kind.COMMUNITY
            else:
                while True:
                    base = rng.choice(texts.VILLAGE_FIRST) + rng.choice(texts.VILLAGE_SECOND)
                    if f"{t_name}{base}" not in used_names:
                        break
                short, kind = f"{base}村", Organization.Kind.VILLAGE
            used_names.add(f"{t_name}{base}")
            villages.append(
                Organization.objects.create(
                    name=f"{t_name}{short}党{'总' if kind == Organization.Kind.COMMUNITY else ''}支部委员会",
                    short_name=short,
                    kind=kind,
                    parent=township,
                    sort_order=v_index,
                    address=f"清源县{t_name}{short}党群服务中心",
                    phone=f"0571-86{t_index:02d}{v_index:02d}88",
                    intro=f"{short}共有农户{rng.randint(180, 900)}户，党员{rng.randint(25, 90)}名。"
                    f"近年来坚持党建引领，发展{rng.choice(['特色种植', '乡村民宿', '来料加工', '光伏发电', '物业经济'])}，"
                    f"村级集体经济收入稳步增长。",
                )
            )
    return county, townships, villages


def _build_leadership(ctx: DemoContext, organizations: list[Organization]) -> None:
    rng, today = ctx.rng, ctx.today
    leaders = []
    for org in organizations:
        level = (
            "county"
            if org.kind == Organization.Kind.COUNTY
            else ("township" if org.kind == Organization.Kind.TOWNSHIP else "village")
        )
        roll = rng.random()
        if roll < 0.07:  # current term ends within 90 days
            ends = today + datetime.timedelta(days=rng.randint(5, 88))
        elif roll < 0.09:  # re-election overdue
            ends = today - datetime.timedelta(days=rng.randint(3, 40))
        else:
            ends = today + datetime.timedelta(days=rng.randint(200, 1700))
        elected = (
            ends.replace(year=ends.year - 5)
            if not (ends.month == 2 and ends.day == 29)
            else ends.replace(year=ends.year - 5, day=28)
        )
        number = {"county": 14, "township": 16, "village": 12}[level]
        previous = Term.objects.create(
            organization=org,
            name=f"第{number - 1}届",
            elected_on=elected.replace(year=elected.year - 5),
            ends_on=elected,
        )
        current = Term.objects.create(organization=org, name=f"第{number}届", elected_on=elected, ends_on=ends)
        posts = texts.POSTS[level]
        size = len(posts) if level != "village" else rng.randint(3, len(posts))
        level_word = (org.short_name or org.name)[-1] if level == "township" else ""
        for order, (post, duties) in enumerate(posts[:size]):
            post, duties = post.format(level=level_word), duties.format(level=level_word)
            leaders.append(
                Leader(
                    term=current,
                    organization=org,
                    name=ctx.person_name(),
                    post=post,
                    duties=duties,
                    cv=_cv(ctx, elected),
                    sort_order=order,
                    contact=org.phone,
                )
            )
        leaders.append(
            Leader(
                term=previous,
                organization=org,
                name=ctx.person_name(),
                post=posts[0][0].format(level=level_word),
                duties=posts[0][1].format(level=level_word),
                cv=_cv(ctx, previous.elected_on),
                sort_order=0,
            )
        )
    Leader.objects.bulk_create(leaders, batch_size=1000)


def _cv(ctx: DemoContext, elected: datetime.date) -> str:
    rng = ctx.rng
    born = rng.randint(1965, 1992)
    steps = rng.sample(texts.CV_STEPS, 3)
    first = rng.randint(born + 19, born + 24)
    return (
        f"{rng.choice(['男', '女'])}，汉族，{born}年{rng.randint(1, 12)}月出生，"
        f"{rng.choice(texts.EDUCATION)}，中共党员。\n"
        f"{first}年{steps[0]}；{first + rng.randint(3, 8)}年{steps[1]}；"
        f"{elected.year}年{elected.month}月当选现职前，{steps[2]}。"
    )
