"""Demo publishing: a year of articles in every column of the county, its townships and a sample of villages, with
their review steps, and a sparser year in the other villages (some left stale on purpose: `Places.idle_villages`
形同摆设, `Places.attention_villages` with one column overdue); 信息报送 from villages to the first township; the county's notices with partial sign-off; the
group robots pointed at the local recording server; a short list of sensitive words.

Part of `manage.py load_demo` (the protocol: dangjian/demo/__init__.py); runs after the tree and the staff
accounts exist. Every step of a review is taken by a demo account of the organization or the nearest one above
that holds the capability. Kept deliberately imperfect for the freshness checks: the second township's 工作动态
was last updated 40 days ago, one village's 村务公开 five months ago. The first township (town_media's) has an
article scheduled for 08:00 tomorrow, one waiting for its administrator's 终审, and one in a draft; the county has
one waiting for its administrator. Built in bulk, in batches, from the run's seeded `rng`.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from dangjian.accounts.models import Role, RoleGrant, User
from dangjian.accounts.permissions import (
    APPROVE_ARTICLES,
    CAPABILITIES,
    REVIEW_ARTICLES,
    SEND_NOTICES,
    SIGN_NOTICES,
    WRITE_ARTICLES,
)
from dangjian.core import fieldcrypt
from dangjian.core.models import SensitiveWord
from dangjian.notifications.models import Delivery, Robot
from dangjian.notifications.recorder import DEMO_SECRET
from dangjian.organizations.models import Organization

from . import columns as standard
from . import demo_texts as texts
from .models import Article, ArticleEvent, Column, Notice, NoticeRecipient, NoticeReply, Submission

if TYPE_CHECKING:
    import random

    from dangjian.demo.context import DemoContext

BATCH = 1000
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
RECORDER = "http://127.0.0.1:8091"  # the recording server `make run` starts
DINGTALK_WEBHOOK = f"{RECORDER}/dingtalk/robot/send?access_token=demo-township"
WECOM_WEBHOOK = f"{RECORDER}/wecom/cgi-bin/webhook/send?key=demo-county"
SAMPLED_FIRST_TOWNSHIP = 4  # villages (and communities) of the first township with articles
SAMPLED_OTHER_TOWNSHIPS = 2
STALE_NEWS_DAYS = 40  # the second township's 工作动态 (rule: 14 days)
STALE_VILLAGE_DAYS = 150  # one village's 村务公开 (rule: 92 days)
# Days between two articles of a standard column, by key (a column of the organization's own: from its rule).
GAPS_UPPER = {standard.NEWS: (2, 9), standard.NOTICES: (25, 70), standard.PARTY: (20, 45)}
GAPS_VILLAGE = {
    standard.NEWS: (4, 12),
    standard.NOTICES: (30, 80),
    standard.PARTY: (20, 45),
    standard.VILLAGE: (15, 35),
}
# The other villages keep their portals too, more sparsely (a year of each column within its rule, fewer rows).
GAPS_LIGHT = {
    standard.NEWS: (7, 13),
    standard.NOTICES: (60, 120),
    standard.PARTY: (40, 80),
    standard.VILLAGE: (40, 80),
}
# Villages deliberately 形同摆设 (the last branches of the tree, Places.idle_villages): nothing published for this many days, so the portal home is stale and the columns run overdue.
IDLE_DAYS = (45, 30, 120)
# Villages that need attention (next to the idle ones, Places.attention_villages): the portal is kept, but one column is overdue
# (村务公开 last updated this many days ago, its rule being 92 days).
ATTENTION_VILLAGE_DAYS = (110, 130)
# Columns some organizations add: (which organization, name, what it publishes, update rule in days).
OWN_COLUMNS = [
    ("county", "乡村振兴", "全县乡村振兴的进展和典型经验", 30),
    ("first_township", "便民服务", "常办事项、办理地点和所需材料", 60),
    ("second_township", "乡村振兴", "本镇特色产业和和美乡村建设", 30),
    ("first_village", "便民服务", "村里能办的事和代办服务", 60),
]


def setup(ctx: DemoContext) -> list[str]:
    """Columns (the standard ones of every organization, a few of their own), the group robots, the sensitive
    words: the structure the content of `load` goes into."""
    # Organizations made with bulk_create get no columns from the signal: make sure every one has them.
    standard.ensure_standard_columns(Organization.objects.all())
    places = _places()
    if places.county is None:
        return []
    _county_reviewers(places.county)
    for which, name, description, days in OWN_COLUMNS:
        org = places.named(which)
        if org is not None:
            Column.objects.create(
                organization=org,
                name=name,
                description=description,
                update_days=days,
                review_steps=settings.PUBLISHING_REVIEW_STEPS.get(org.kind, 2),
                order=50,
            )
    _robots(ctx, places)
    SensitiveWord.objects.bulk_create(
        [SensitiveWord(word=word, level=level, category=category) for word, level, category in texts.SENSITIVE_WORDS],
        ignore_conflicts=True,
    )
    return []


# The county's news desk: with the county's administrator, enough people for its three review steps without the
# author reviewing or anyone passing two steps (its 终审 then falls to the system administrator).
COUNTY_REVIEWERS = [
    ("county_media", "县委宣传部 刘洋", Role.MEDIA_OFFICER),
    ("county_secretary", "县委 周华", Role.SECRETARY),
]


def _county_reviewers(county: Organization) -> None:
    granter = User.objects.filter(is_superuser=True).order_by("pk").first()
    for username, full_name, role in COUNTY_REVIEWERS:
        user, _made = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        if _made:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        RoleGrant.objects.get_or_create(user=user, organization=county, role=role, defaults={"granted_by": granter})


def load(ctx: DemoContext) -> list[str]:
    places = _places()
    if places.county is None:
        return []
    staff = Staff()
    writer = _Writer(ctx, staff, places)
    for org in places.publishing():
        writer.year_of(org)
    sampled = {org.pk for org in places.publishing()}
    idle = {org.pk: days for org, days in zip(places.idle_villages, IDLE_DAYS, strict=False)}
    attention = {org.pk: days for org, days in zip(places.attention_villages, ATTENTION_VILLAGE_DAYS, strict=False)}
    for org in places.branches():
        if org.pk not in sampled:
            writer.year_of(org, light=True, idle_days=idle.get(org.pk), stale_village_days=attention.get(org.pk))
    writer.unpublished()
    writer.flush()
    # The rows' "changed" time is when they were last touched in the story, not when the demo ran.
    Article.objects.update(updated_at=Coalesce(F("withdrawn_at"), F("published_at"), F("created_at")))
    with transaction.atomic():
        _submissions(ctx, staff, places)
        _notices(ctx, staff, places)
        _deliveries(ctx, places)
    lines = []
    scheduled = Article.objects.filter(state=Article.State.SCHEDULED).select_related("organization").first()
    if scheduled is not None:
        at = scheduled.publish_at.astimezone(SHANGHAI) if scheduled.publish_at else None
        lines.append(
            f"A scheduled article of {scheduled.organization.short_name} publishes at {at:%Y-%m-%d %H:%M}; "
            f"the demo's group robots post to the recording server on {RECORDER.removeprefix('http://')}."
        )
    return lines


def summary() -> str:
    articles = Article.objects.filter(state=Article.State.PUBLISHED).count()
    return (
        f"{articles} published articles in {Column.objects.count()} columns, "
        f"{Notice.objects.count()} notices, {Robot.objects.count()} group robots"
    )


# --- Who is where ---------------------------------------------------------------------------------------------


@dataclass
class Places:
    county: Organization | None = None
    townships: list[Organization] = field(default_factory=list)
    villages: dict[int, list[Organization]] = field(default_factory=dict)  # township pk → its branches
    first_village: Organization | None = None

    def named(self, which: str) -> Organization | None:
        if which == "county":
            return self.county
        if which == "first_township":
            return self.townships[0] if self.townships else None
        if which == "second_township":
            return self.townships[1] if len(self.townships) > 1 else None
        return self.first_village

    def sampled_villages(self, township: Organization) -> list[Organization]:
        branches = self.villages.get(township.pk, [])
        first = bool(self.townships) and township.pk == self.townships[0].pk
        return branches[: SAMPLED_FIRST_TOWNSHIP if first else SAMPLED_OTHER_TOWNSHIPS]

    def publishing(self) -> list[Organization]:
        """The organizations with a year of articles, county first, each township followed by its villages."""
        found: list[Organization] = [self.county] if self.county else []
        for township in self.townships:
            found += [township, *self.sampled_villages(township)]
        return found

    def _last_branches(self) -> list[list[Organization]]:
        """The branches the demo leaves to go stale, latest in the tree first (far from the sampled villages and
        from those that issue policies, which are the tree's first): with four townships or more, from the end of
        each of the last three, else from the end of the last."""
        if len(self.townships) >= 4:
            return [self.villages.get(township.pk, [])[::-1] for township in reversed(self.townships[-3:])]
        last = self.villages.get(self.townships[-1].pk, []) if len(self.townships) > 1 else []
        return [last[::-1][index::3] for index in range(3)]

    def _from_end(self, offset: int, count: int) -> list[Organization]:
        """The branch `offset` places from the end in each of the groups of `_last_branches` (up to `count`)."""
        return [group[offset] for group in self._last_branches()[:count] if len(group) > offset]

    @property
    def idle_villages(self) -> list[Organization]:
        """The villages left 形同摆设 on purpose, with IDLE_DAYS."""
        return self._from_end(0, len(IDLE_DAYS))

    @property
    def attention_villages(self) -> list[Organization]:
        """The villages with one overdue column (需关注), with ATTENTION_VILLAGE_DAYS."""
        return self._from_end(1, len(ATTENTION_VILLAGE_DAYS))

    def branches(self) -> list[Organization]:
        """Every village and community of the tree, township by township."""
        return [branch for township in self.townships for branch in self.villages.get(township.pk, [])]

    @property
    def stale_village(self) -> Organization | None:
        sampled = self.sampled_villages(self.townships[0]) if self.townships else []
        return sampled[1] if len(sampled) > 1 else None


def _places() -> Places:
    places = Places(county=Organization.objects.open().filter(depth=0).order_by("path").first())
    places.townships = list(Organization.objects.open().filter(depth=1, kind=Organization.Kind.TOWNSHIP))
    for branch in Organization.objects.open().filter(
        depth=2, kind__in=[Organization.Kind.VILLAGE, Organization.Kind.COMMUNITY]
    ):
        places.villages.setdefault(branch.parent_id, []).append(branch)
    places.first_village = Organization.objects.filter(depth=2).order_by("path").first()  # village_secretary's
    return places


class Staff:
    """The demo accounts and where they hold which roles: a step is taken by the nearest holder of its capability
    (on the organization itself, else on the nearest organization above that has one)."""

    PREFERENCE: dict[str, int] = {Role.MEDIA_OFFICER: 0, Role.SECRETARY: 1, Role.ORG_ADMIN: 2}
    APPROVER_PREFERENCE: dict[str, int] = {Role.SECRETARY: 0, Role.ORG_ADMIN: 1}

    def __init__(self) -> None:
        self.grants = [
            (grant.organization.path, grant.role, grant.user)
            for grant in RoleGrant.objects.select_related("organization", "user").order_by("organization__path", "pk")
            if grant.user.is_active
        ]
        self.admin = User.objects.filter(is_superuser=True).order_by("pk").first()

    def nearest(
        self,
        org: Organization,
        capability: str,
        preference: dict[str, int] | None = None,
        exclude: frozenset[int] = frozenset(),
    ) -> User | None:
        """The nearest holder who is not one of `exclude` (user pks): on the organization, else above it, else the
        system administrator."""
        roles = CAPABILITIES[capability]
        found = [
            (path, role, user)
            for path, role, user in self.grants
            if org.path.startswith(path) and role in roles and user.pk not in exclude
        ]
        if not found:
            return self.admin
        deepest = max(len(path) for path, _role, _user in found)
        order = preference or self.PREFERENCE
        here = sorted((order.get(role, 9), user.pk, user) for path, role, user in found if len(path) == deepest)
        return here[0][2]

    def on(self, org: Organization, capability: str) -> User | None:
        """A holder of the capability on exactly this organization (one who signs for it), or None."""
        roles = CAPABILITIES[capability]
        here = sorted(
            (self.APPROVER_PREFERENCE.get(role, 5), user.pk, user)
            for path, role, user in self.grants
            if path == org.path and role in roles
        )
        return here[0][2] if here else None

    def writer(self, org: Organization) -> User | None:
        return self.nearest(org, WRITE_ARTICLES)

    def step_actor(
        self, org: Organization, step: int, steps: int, exclude: frozenset[int] = frozenset()
    ) -> User | None:
        """Who takes a review step: never one of `exclude` (the author and whoever passed an earlier step, as the
        live system refuses both)."""
        if step == steps:  # 终审: only the organization's head (secretary or administrator)
            return self.nearest(org, APPROVE_ARTICLES, self.APPROVER_PREFERENCE, exclude)
        return self.nearest(org, REVIEW_ARTICLES, exclude=exclude)


# --- Articles ---------------------------------------------------------------------------------------------------


class _Blanks(dict):
    """A story's blanks: the given ones, and any other drawn from `texts.BLANKS` the first time it is used."""

    def __init__(self, rng: random.Random, **given: str):
        super().__init__(given)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        self[key] = self.rng.choice(texts.BLANKS[key])
        return self[key]


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


class _Writer:
    def __init__(self, ctx: DemoContext, staff: Staff, places: Places):
        self.rng: random.Random = ctx.rng
        self.ctx = ctx
        self.today = ctx.today
        self.staff = staff
        self.places = places
        self.columns: dict[int, list[Column]] = {}
        for column in Column.objects.filter(archived_at__isnull=True).order_by("organization_id", "order", "pk"):
            self.columns.setdefault(column.organization_id, []).append(column)
        self.townships = {t.pk: t for t in places.townships}
        self.articles: list[Article] = []
        self.events: list[list[ArticleEvent]] = []

    # A year of published articles of one organization, column by column.
    def year_of(
        self,
        org: Organization,
        *,
        light: bool = False,
        idle_days: int | None = None,
        stale_village_days: int | None = None,
    ) -> None:
        """`light`: fewer articles (GAPS_LIGHT); `idle_days`: nothing published in any column since then;
        `stale_village_days`: the 村务公开 column last updated then."""
        village = org.kind in (Organization.Kind.VILLAGE, Organization.Kind.COMMUNITY)
        gaps = GAPS_LIGHT if light else GAPS_VILLAGE if village else GAPS_UPPER
        oldest = self.today - datetime.timedelta(days=365)
        county_news = 0
        for column in self.columns.get(org.pk, []):
            rule = column.update_days or 60
            low, high = gaps.get(column.key, (max(3, rule // 4), max(5, rule * 2 // 3)))
            latest = self.rng.randint(1, max(1, min(high, rule - 2) // 2 + 1))
            if column.key == standard.NEWS and len(self.places.townships) > 1 and org == self.places.townships[1]:
                latest = STALE_NEWS_DAYS
            if column.key == standard.VILLAGE and org == self.places.stale_village:
                latest = STALE_VILLAGE_DAYS
            if column.key == standard.VILLAGE and stale_village_days is not None:
                latest = stale_village_days
            if idle_days is not None:
                latest = idle_days + self.rng.randint(0, 20)
            day = self.today - datetime.timedelta(days=latest)
            while day > oldest:
                show_below = False
                if org.depth == 0 and column.key in (standard.NEWS, "") and county_news < 6:
                    show_below = self.rng.random() < 0.3
                    county_news += show_below
                self._published(org, column, day, show_below=show_below)
                day -= datetime.timedelta(days=self.rng.randint(low, high))
            if len(self.articles) >= BATCH:
                self.flush()

    def _story(
        self, org: Organization, column: Column, day: datetime.date, pick: int | None = None, **blanks: str
    ) -> dict[str, str]:
        """A believable article for the column: story `pick` of its pool (else one at random), blanks filled."""
        village = org.kind in (Organization.Kind.VILLAGE, Organization.Kind.COMMUNITY)
        if column.key == standard.NEWS:
            pool = texts.NEWS_VILLAGE if village else texts.NEWS_UPPER
        elif column.key == standard.NOTICES:
            pool = texts.NOTICES
        elif column.key == standard.PARTY:
            pool = texts.PARTY
        elif column.key == standard.VILLAGE:
            pool = texts.VILLAGE
        else:
            pool = texts.OWN_COLUMNS.get(column.name, texts.OWN_COLUMNS["乡村振兴"])
        title, summary, lead, heading, points, closing = pool[pick] if pick is not None else self.rng.choice(pool)
        township = self.townships.get(org.parent_id or 0)
        values = _Blanks(
            self.rng,
            org=org.short_name or org.name,
            town=township.short_name if township else "",
            m=str(day.month),
            q="一二三四"[(day.month - 1) // 3],
            **blanks,
        )
        chosen = points if len(points) <= 3 else self.rng.sample(points, 3)
        opening = f"{day.month}月{day.day}日，" + ("" if lead.startswith("{org}") else values["org"])
        words = [
            opening + lead.format_map(values),
            f"{heading}：",
            *[point.format_map(values) for point in chosen],
            closing.format_map(values),
        ]
        body = (
            f"<div>{words[0]}</div><div><strong>{words[1]}</strong></div>"
            f"<ul>{''.join(f'<li>{point}</li>' for point in words[2:-1])}</ul><div>{words[-1]}</div>"
        )
        sources = texts.SOURCES_VILLAGE if village else texts.SOURCES_UPPER
        return {
            "title": title.format_map(values)[:100],
            "summary": summary.format_map(values),
            "body": body,
            "body_text": "\n".join(words),
            "source": self.rng.choice(sources).format_map(values),
            "author": self.ctx.person_name(),
        }

    def _article(self, org: Organization, column: Column, day: datetime.date, **values) -> Article:
        story = self._story(org, column, day, *values.pop("story", ()), **values.pop("blanks", {}))
        return Article(
            organization=org,
            column=column,
            review_steps=column.review_steps,
            created_by=self.staff.writer(org),
            **story,
            **values,
        )

    def _review(
        self, article: Article, org: Organization, start: datetime.datetime, passed: int
    ) -> tuple[list[ArticleEvent], datetime.datetime]:
        """The events of writing an article and `passed` of its review steps from `start`; returns them and when
        the last one happened."""
        steps = article.review_steps
        at = start
        events = [ArticleEvent(kind=ArticleEvent.Kind.CREATED, actor=article.created_by, at=at)]
        if steps:
            at += datetime.timedelta(minutes=self.rng.randint(15, 90))
            events.append(
                ArticleEvent(kind=ArticleEvent.Kind.SUBMITTED, actor=article.created_by, at=at, of_steps=steps)
            )
        # The 终审 is chosen first (the organization's head, unless the author), then the earlier steps from the
        # others, so the author reviews nothing and no one passes two steps (as the live system demands).
        taken = {article.created_by.pk} if article.created_by else set()
        final = self.staff.step_actor(org, steps, steps, frozenset(taken)) if steps else None
        if final is not None:
            taken.add(final.pk)
        for step in range(1, passed + 1):
            at += datetime.timedelta(minutes=self.rng.randint(20, 150))
            actor = final if step == steps else self.staff.step_actor(org, step, steps, frozenset(taken))
            if actor is not None:
                taken.add(actor.pk)
            events.append(ArticleEvent(kind=ArticleEvent.Kind.APPROVED, actor=actor, at=at, step=step, of_steps=steps))
        return events, at

    def _published(
        self, org: Organization, column: Column, day: datetime.date, *, show_below: bool = False, **story
    ) -> None:
        published_at = _aware(day, self.rng.randint(10, 17), self.rng.randint(0, 59))
        created = published_at - datetime.timedelta(hours=self.rng.randint(20, 60))  # moved to fit the review
        article = self._article(
            org,
            column,
            day,
            show_below=show_below,
            state=Article.State.PUBLISHED,
            published_at=published_at,
            created_at=created,
            **story,
        )
        article.steps_passed = article.review_steps
        events, last = self._review(article, org, created, article.review_steps)
        shift = last - published_at  # the last approval (终审) publishes it: at `published_at`
        for event in events:
            event.at -= shift
        article.created_at = events[0].at
        events.append(ArticleEvent(kind=ArticleEvent.Kind.PUBLISHED, actor=events[-1].actor, at=published_at))
        self.add(article, events)

    def add(self, article: Article, events: list[ArticleEvent]) -> None:
        self.articles.append(article)
        self.events.append(events)

    def unpublished(self) -> None:
        """Drafts, a returned article, two in review, the scheduled one, a withdrawn one."""
        town = self.places.named("first_township")
        county = self.places.county
        village = self.places.first_village
        yesterday = self.today - datetime.timedelta(days=1)
        assert county is not None
        for org in [o for o in (county, town, village) if o is not None]:
            column = self._column(org, standard.NEWS)
            created = _aware(yesterday, self.rng.randint(9, 16))
            article = self._article(org, column, self.today, state=Article.State.DRAFT, created_at=created)
            article.review_steps = 0  # set when it is submitted
            self.add(article, self._review(article, org, created, 0)[0][:1])
        if town is not None:
            column = self._column(town, standard.NEWS)
            # Returned at the first step, with the reason.
            created = _aware(self.today - datetime.timedelta(days=3), 10)
            article = self._article(
                town, column, self.today, state=Article.State.RETURNED, created_at=created, return_reason=""
            )
            article.return_reason = texts.RETURN_REASON
            events, at = self._review(article, town, created, 0)
            events.append(
                ArticleEvent(
                    kind=ArticleEvent.Kind.RETURNED,
                    actor=self.staff.step_actor(
                        town, 1, article.review_steps, frozenset({article.created_by.pk} if article.created_by else ())
                    ),
                    at=at + datetime.timedelta(hours=2),
                    step=1,
                    of_steps=article.review_steps,
                    note=texts.RETURN_REASON,
                )
            )
            self.add(article, events)
            # In review, every step but the last passed: waiting for the township's head (终审).
            created = _aware(yesterday, 9)
            article = self._article(town, column, self.today, state=Article.State.REVIEWING, created_at=created)
            article.steps_passed = max(0, article.review_steps - 1)
            self.add(article, self._review(article, town, created, article.steps_passed)[0])
            # Scheduled for 08:00 tomorrow, every step passed.
            created = _aware(yesterday, 14)
            article = self._article(
                town,
                column,
                self.today,
                state=Article.State.SCHEDULED,
                created_at=created,
                publish_at=_aware(self.today + datetime.timedelta(days=1), 8),
                story=(texts.SCHEDULED_STORY,),
                blanks={"task": "近期安全生产和消防安全"},
            )
            article.steps_passed = article.review_steps
            events, at = self._review(article, town, created, article.review_steps)
            events.append(ArticleEvent(kind=ArticleEvent.Kind.SCHEDULED, actor=events[-1].actor, at=at))
            self.add(article, events)
            # Published, then withdrawn with the reason.
            day = self.today - datetime.timedelta(days=50)
            self._published(town, self._column(town, standard.NOTICES), day, story=(0,), blanks=texts.WITHDRAWN_BLANKS)
            withdrawn = self.articles[-1]
            withdrawn.state = Article.State.WITHDRAWN
            assert withdrawn.published_at is not None
            withdrawn.withdrawn_at = withdrawn.published_at + datetime.timedelta(hours=5)
            withdrawn.withdraw_reason = texts.WITHDRAW_REASON
            self.events[-1].append(
                ArticleEvent(
                    kind=ArticleEvent.Kind.WITHDRAWN,
                    actor=self.staff.nearest(town, APPROVE_ARTICLES, Staff.APPROVER_PREFERENCE),
                    at=withdrawn.withdrawn_at,
                    note=texts.WITHDRAW_REASON,
                )
            )
        # The county's: submitted, waiting for its first step.
        column = self._column(county, standard.NEWS)
        created = _aware(yesterday, 15)
        article = self._article(county, column, self.today, state=Article.State.REVIEWING, created_at=created)
        self.add(article, self._review(article, county, created, 0)[0])

    def _column(self, org: Organization, key: str) -> Column:
        return next(column for column in self.columns[org.pk] if column.key == key)

    def flush(self) -> None:
        if not self.articles:
            return
        with transaction.atomic():
            Article.objects.bulk_create(self.articles, batch_size=BATCH)
            rows = []
            for article, events in zip(self.articles, self.events, strict=True):
                for event in events:
                    event.article_id = article.pk
                    rows.append(event)
            ArticleEvent.objects.bulk_create(rows, batch_size=2000)
        self.articles.clear()
        self.events.clear()


# --- 信息报送, notices, robots ---------------------------------------------------------------------------------


def _submissions(ctx: DemoContext, staff: Staff, places: Places) -> None:
    """Villages of the first township send a few published items up: most adopted into the township's 工作动态,
    one returned with the reason, one waiting."""
    town = places.named("first_township")
    if town is None:
        return
    branches = places.sampled_villages(town)
    recent = ctx.today - datetime.timedelta(days=90)
    candidates = list(
        Article.objects.filter(
            organization__in=branches,
            column__key=standard.NEWS,
            state=Article.State.PUBLISHED,
            published_at__date__gte=recent,
        ).order_by("-published_at", "pk")[:24]
    )
    chosen = ctx.rng.sample(candidates, min(7, len(candidates)))
    chosen.sort(key=lambda article: article.published_at or article.created_at)
    news = Column.objects.get(organization=town, key=standard.NEWS)
    deciders = [user for user in (staff.on(town, SIGN_NOTICES), staff.nearest(town, WRITE_ARTICLES)) if user]
    rows = []
    for index, article in enumerate(chosen):
        assert article.published_at is not None
        submitted = article.published_at + datetime.timedelta(hours=ctx.rng.randint(1, 20))
        row = Submission(
            article=article,
            to_organization=town,
            note=ctx.rng.choice(texts.SUBMISSION_NOTES),
            submitted_by=staff.writer(article.organization),
            submitted_at=submitted,
        )
        last = index == len(chosen) - 1
        if last:
            pass  # the latest one waits for a decision
        elif index == len(chosen) - 2:
            row.state, row.reason = Submission.State.RETURNED, texts.SUBMISSION_RETURN_REASON
        else:
            row.state, row.column = Submission.State.ADOPTED, news
        if not last:
            row.decided_by = deciders[index % len(deciders)] if deciders else None
            row.decided_at = submitted + datetime.timedelta(hours=ctx.rng.randint(2, 30))
        rows.append(row)
    Submission.objects.bulk_create(rows)


def _notices(ctx: DemoContext, staff: Staff, places: Places) -> None:
    """The county's three notices to its townships (one open, one overdue with townships still to sign and
    reminded, one signed by all) and the first township's to its villages. The first township signs and answers
    the open one, but not the overdue one (its to-do shows it); the first village has the township's to sign."""
    county = places.county
    assert county is not None
    today, rng = ctx.today, ctx.rng
    town = places.named("first_township")
    first_village = places.first_village
    town_pk = town.pk if town else None
    village_pk = first_village.pk if first_village else None
    plans = [
        # (text, sender, recipients, sent days ago, reply-by in days from today, share signed,
        #  organization that signs and replies, organization left unsigned, the reply)
        (texts.COUNTY_NOTICES[0], county, places.townships, 6, 10, 0.5, town_pk, None, texts.REPLIES[0]),
        (texts.COUNTY_NOTICES[1], county, places.townships, 20, -5, 0.7, None, town_pk, ""),
        (texts.COUNTY_NOTICES[2], county, places.townships, 45, -30, 1.0, town_pk, None, texts.REPLIES[1]),
    ]
    if town is not None:
        villages = places.villages.get(town.pk, [])
        plans.append((texts.TOWNSHIP_NOTICE, town, villages, 3, 4, 0.6, None, village_pk, ""))
    for (title, body, needs_reply), org, receivers, ago, reply_in, share, answers, unsigned, reply in plans:
        if not receivers:
            continue
        sent_at = _aware(today - datetime.timedelta(days=ago), rng.randint(9, 11), rng.randint(0, 59))
        notice = Notice.objects.create(
            organization=org,
            title=title.format(year=today.year),
            body=body.format(org=org.short_name),
            reply_by=today + datetime.timedelta(days=reply_in),
            needs_reply=needs_reply,
            audience=Notice.Audience.CHILDREN,
            state=Notice.State.SENT,
            sent_at=sent_at,
            created_by=staff.nearest(org, SEND_NOTICES, Staff.APPROVER_PREFERENCE),
            created_at=sent_at - datetime.timedelta(hours=2),
        )
        signers = _signers(rng, receivers, share, answers, unsigned)
        recipients = []
        for index, receiver in enumerate(receivers):
            recipient = NoticeRecipient(notice=notice, organization=receiver)
            signs = index in signers
            if signs:
                signed = sent_at + datetime.timedelta(minutes=rng.randint(30, 60 * 24 * min(ago - 1, 4)))
                recipient.read_at = signed - datetime.timedelta(minutes=rng.randint(1, 30))
                # Signed by the demo account of the organization when it has one (a real officer elsewhere).
                recipient.signed_at, recipient.signed_by = signed, staff.on(receiver, SIGN_NOTICES)
            elif rng.random() < 0.4:
                recipient.read_at = sent_at + datetime.timedelta(hours=rng.randint(1, 48))
            if recipient.signed_at is None and reply_in < 0:  # overdue: reminded by the sender, then the clock
                recipient.reminded_at = _aware(today + datetime.timedelta(days=reply_in + 1), 9)
                recipient.reminders = 2
            recipients.append(recipient)
        NoticeRecipient.objects.bulk_create(recipients)
        for recipient in recipients:
            if reply and recipient.organization_id == answers and recipient.signed_at is not None:
                NoticeReply.objects.create(
                    recipient=recipient,
                    text=reply,
                    author=recipient.signed_by,
                    created_at=recipient.signed_at + datetime.timedelta(hours=1),
                )
    Notice.objects.update(updated_at=Coalesce(F("sent_at"), F("created_at")))


def _signers(rng: random.Random, receivers: list[Organization], share: float, answers, unsigned) -> set[int]:
    """Which receivers (by index) signed: about `share` of them, `answers` among them and `unsigned` not; someone
    signed and (unless the share is whole) someone did not."""
    count = len(receivers)
    if share >= 1:
        return set(range(count))
    signed = {i for i, org in enumerate(receivers) if org.pk == answers}
    others = [i for i, org in enumerate(receivers) if org.pk not in (answers, unsigned)]
    wanted = min(max(round(count * share), 1), count - 1)
    return signed | set(rng.sample(others, max(0, min(len(others), wanted - len(signed)))))


def _robots(ctx: DemoContext, places: Places) -> None:
    """A DingTalk robot (signed) for the first township's group and a WeCom robot for the county's, both posting
    to the local recording server."""
    staff = Staff()
    plans = [
        (places.named("first_township"), Robot.Kind.DINGTALK, "镇党建工作群", DINGTALK_WEBHOOK, True),
        (places.county, Robot.Kind.WECOM, "县委组织部工作群", WECOM_WEBHOOK, False),
    ]
    for org, kind, name, webhook, signed in plans:
        if org is None:
            continue
        # The secret the local recorder checks signatures with, so the demo's pushes are accepted there.
        secret = DEMO_SECRET if signed else ""
        Robot.objects.create(
            organization=org,
            kind=kind,
            name=name,
            webhook_encrypted=fieldcrypt.encrypt(webhook),
            webhook_hint=f"{RECORDER.removeprefix('http://')} …{webhook[-4:]}",
            secret_encrypted=fieldcrypt.encrypt(secret) if secret else b"",
            created_by=staff.nearest(org, SIGN_NOTICES, Staff.APPROVER_PREFERENCE),
            created_at=_aware(ctx.today - datetime.timedelta(days=200), 10),
        )


def _deliveries(ctx: DemoContext, places: Places) -> None:
    """The robots' past deliveries: the latest articles and notices sent, one older one failed."""
    site = settings.SITE_URL
    rows = []
    for robot in Robot.objects.select_related("organization").order_by("pk"):
        org = robot.organization
        articles = list(
            Article.objects.filter(organization=org, state=Article.State.PUBLISHED).order_by("-published_at")[:6]
        )
        for index, article in enumerate(reversed(articles)):
            assert article.published_at is not None
            delivery = Delivery(
                robot=robot,
                topic="article",
                key=f"article:{article.pk}",
                message={
                    "title": article.title,
                    "summary": article.summary,
                    "url": f"{site}/o/{org.pk}/articles/{article.pk}/",
                    "image_url": "",
                    "source": org.name,
                },
                created_at=article.published_at,
                next_try_at=article.published_at,
                attempts=1,
                state=Delivery.State.SENT,
                sent_at=article.published_at + datetime.timedelta(seconds=ctx.rng.randint(1, 20)),
            )
            if index == 0:  # the group's robot was removed for a day: retried, then recorded as failed
                delivery.state, delivery.sent_at = Delivery.State.FAILED, None
                delivery.attempts = settings.PUSH_MAX_ATTEMPTS
                delivery.last_error = "HTTP 502: 无法连接到机器人地址（已重试5次）"
                delivery.next_try_at = article.published_at + datetime.timedelta(hours=2)
            rows.append(delivery)
        for notice in Notice.objects.filter(organization=org).order_by("sent_at"):
            assert notice.sent_at is not None
            rows.append(
                Delivery(
                    robot=robot,
                    topic="notice",
                    key=f"notice:{notice.pk}",
                    message={
                        "title": notice.title,
                        "summary": notice.body[:80],
                        "url": f"{site}/console/notices/{notice.pk}/",
                        "image_url": "",
                        "source": org.name,
                    },
                    created_at=notice.sent_at,
                    next_try_at=notice.sent_at,
                    attempts=1,
                    state=Delivery.State.SENT,
                    sent_at=notice.sent_at + datetime.timedelta(seconds=3),
                )
            )
    Delivery.objects.bulk_create(rows)
    for robot in Robot.objects.all():
        last = robot.deliveries.filter(state=Delivery.State.SENT).order_by("-sent_at").first()
        if last is not None:
            Robot.objects.filter(pk=robot.pk).update(last_success_at=last.sent_at)
