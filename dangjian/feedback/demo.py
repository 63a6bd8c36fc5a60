"""Demo cases for the feedback module: a year of a county's problems in every state.

Part of `manage.py load_demo` (the protocol: dangjian/demo/__init__.py); runs after the tree exists.
Built in bulk for speed (200,000 cases for `make bench`): texts come from templates, so their
masked public form is computed from what was filled in rather than by the tagger, and every demo
case shares one query password (DEMO_QUERY_PASSWORD) so that a visitor can try the lookup.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from dangjian.core.cache import bump_content_generation
from dangjian.core.masking import _mask_name, mask_numbers
from dangjian.core.workdays import add_workdays, end_of_day
from dangjian.organizations.models import Organization

from .models import Case, CaseEvent, Category, Rating, State
from .search import case_tokens
from .stats import rebuild_stats

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

DEMO_QUERY_PASSWORD = "20262026"

PROBLEMS = {
    Category.CONSULT: [
        (
            "城乡居民医保怎么缴费",
            "想问一下{year}年城乡居民医保在哪里缴费，家里老人{name}不会用手机，能不能到村委会代缴？",
        ),
        ("低保申请需要什么材料", "我家{name}去年生病失去劳动能力，想申请低保，需要准备哪些材料？联系电话{phone}。"),
        ("高龄补贴什么时候发", "我母亲今年满八十岁了，高龄津贴要去哪里申请，多久能发下来？"),
        ("宅基地审批流程", "准备翻建老房子，宅基地审批要经过哪些程序，要多长时间？"),
    ],
    Category.HELP: [
        ("村口路灯坏了", "{place}村口的路灯坏了快一个月了，晚上老人孩子出门很不安全，请尽快维修。"),
        (
            "自来水停水三天",
            "{place}三组停水已经三天，家里有老人，生活很不方便，请帮忙协调。联系人{name}，电话{phone}。",
        ),
        ("道路塌陷需要修补", "{place}通往镇上的水泥路有一段塌陷，雨天积水，电动车经过很危险。"),
        ("独居老人需要照看", "邻居{name}老人独居，最近身体不好，子女在外地打工，希望村里能定期上门看看。"),
    ],
    Category.COMPLAINT: [
        ("垃圾清运不及时", "{place}垃圾池一周没人清运，气味很大，夏天蚊蝇很多，多次反映没有解决。"),
        ("养殖场气味扰民", "{place}附近的养猪场气味很重，晚上窗户都不能开，希望有关部门管一管。"),
        ("工地夜间施工噪音", "{place}旁边的工地每天晚上十一点以后还在施工，影响休息，我是{name}，电话{phone}。"),
        ("补贴发放有疑问", "今年的耕地地力保护补贴我家没有收到，身份证号{idno}，请核实。"),
    ],
    Category.SUGGESTION: [
        ("建议增设健身器材", "{place}文化广场人很多，健身器材只有三件，建议再增加一些适合老年人的器材。"),
        ("建议开通公交线路", "{place}到县城没有公交，老人看病很不方便，建议开通一条班车。"),
        ("建议设置减速带", "{place}小学门口车速很快，建议设置减速带和警示牌，保障孩子安全。"),
    ],
    Category.PRAISE: [
        ("感谢网格员热心帮助", "网格员{name}帮我家老人办好了医保报销，跑了好几趟，特此表扬。"),
        ("表扬村干部及时排险", "暴雨那天村干部连夜排查危房，把我们转移到安全地方，非常感谢。"),
    ],
}
REPLIES = [
    "您好，您反映的问题已收悉。经核实，我们已安排专人处理，现已解决。感谢您对我们工作的支持。",
    "您好，经与相关部门协调，已于近日完成维修。如仍有问题，请再次反映。",
    "您好，您咨询的事项可携带身份证、户口簿到村便民服务点办理，工作人员会全程帮办。",
    "您好，已将您的建议转交镇相关部门研究，纳入明年工作计划统筹考虑。",
]
WEIGHTS = [
    (Category.CONSULT, 30),
    (Category.HELP, 35),
    (Category.COMPLAINT, 20),
    (Category.SUGGESTION, 10),
    (Category.PRAISE, 5),
]
DAYS = {Category.CONSULT: 3, Category.HELP: 5, Category.SUGGESTION: 5, Category.COMPLAINT: 10, Category.PRAISE: 5}
# The village that leaves problems unanswered (unanswering_village): this many more cases, received between these
# many days ago (past every deadline above), accepted and never answered; at least SUMMARY_UNANSWERED_CASES (3).
UNANSWERED_CASES = 4
UNANSWERED_DAYS = (20, 60)


def add_arguments(parser) -> None:
    parser.add_argument("--cases", type=int, default=1500, help="feedback cases (200000 for benchmarks)")
    parser.add_argument(
        "--add-cases", type=int, default=0, help="add this many feedback cases to an existing demo county"
    )


def load(ctx: DemoContext) -> list[str]:
    _build(ctx, ctx.options.get("cases", 1500), first=True)
    sample = Case.objects.filter(state=Case._meta.get_field("state").default).first() or Case.objects.first()
    if sample is None:
        return []
    return [
        f"Follow a demo case at /feedback/lookup/: number {sample.number}, "
        f"query password {DEMO_QUERY_PASSWORD} (shared by all demo cases)."
    ]


def extend(ctx: DemoContext) -> list[str] | None:
    count = ctx.options.get("add_cases") or 0
    if not count:
        return None
    if not Organization.objects.exists():
        raise CommandError("Load the demo county first.")
    ctx.reseed(Case.objects.count())
    started = time.monotonic()
    added = _build(ctx, count)
    return [f"Added {added} feedback cases in {time.monotonic() - started:.1f} s ({Case.objects.count()} in all)."]


def summary() -> str:
    return f"{Case.objects.count()} feedback cases"


def _build(ctx: DemoContext, count: int, *, first: bool = False) -> int:
    places = list(Organization.objects.filter(kind__in=[Organization.Kind.VILLAGE, Organization.Kind.COMMUNITY]))
    builder = CaseBuilder(ctx.rng, ctx.today, ctx.person_name)
    village = unanswering_village() if first and count >= 10 * UNANSWERED_CASES else None
    unanswered = UNANSWERED_CASES if village is not None else 0  # of the `count`, not beside them
    created = builder.build(places, count - unanswered)
    if village is not None:
        created += builder.build([village], unanswered, days=UNANSWERED_DAYS[1], unanswered_from=UNANSWERED_DAYS[0])
    bump_content_generation()
    return created


def unanswering_village() -> Organization | None:
    """The village that leaves its residents' problems unanswered (形同摆设 for its interaction, while its portal is
    kept): the last of the first township, clear of the villages publishing's demo leaves stale (those of the last
    townships) and of the first villages, which the demo users serve."""
    townships = list(Organization.objects.open().filter(depth=1, kind=Organization.Kind.TOWNSHIP).order_by("path")[:2])
    if len(townships) < 2:
        return None
    villages = list(
        Organization.objects.open()
        .filter(parent=townships[0], kind__in=[Organization.Kind.VILLAGE, Organization.Kind.COMMUNITY])
        .order_by("path")
    )
    return villages[-1] if len(villages) >= 2 else None


def _aware(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class CaseBuilder:
    def __init__(self, rng: random.Random, today: datetime.date, person_name: Callable[[], str]):
        self.rng = rng
        self.today = today
        self.person_name = person_name  # draws from the same rng
        from .passwords import hash_query_password

        self.password_hash = hash_query_password(DEMO_QUERY_PASSWORD)
        self._sequence: dict[str, int] = {}
        for number in Case.objects.filter(number__gt="0").values_list("number", flat=True).iterator():
            if len(number) == 12 and number[6] == "9":  # an earlier demo case
                self._sequence[number[:6]] = max(self._sequence.get(number[:6], 0), int(number[6:]) - 900000)
        self._deadlines: dict[tuple[datetime.date, int], datetime.date] = {}

    def _due(self, day: datetime.date, count: int) -> datetime.datetime:
        key = (day, count)
        if key not in self._deadlines:
            self._deadlines[key] = add_workdays(day, count)
        return end_of_day(self._deadlines[key])

    def _number(self, day: datetime.date) -> str:
        prefix = day.strftime("%y%m%d")
        self._sequence[prefix] = self._sequence.get(prefix, 0) + 1
        return prefix + f"{900000 + self._sequence[prefix]:06d}"

    def _text(self, template: str, place: str) -> tuple[str, str]:
        name = self.person_name()
        phone = f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}"
        idno = f"41{self.rng.randrange(10**4):04d}19{self.rng.randrange(40, 99)}0{self.rng.randrange(1, 9)}1{self.rng.randrange(10, 28)}{self.rng.randrange(100, 999)}X"
        values = {"place": place, "name": name, "phone": phone, "idno": idno, "year": self.today.year}
        text = template.format(**values)
        public = mask_numbers(template.format(**{**values, "name": _mask_name(name)}))
        return text, public

    def build(
        self, places, count: int, days: int = 365, batch_size: int = 2000, unanswered_from: int | None = None
    ) -> int:
        """`count` cases at random places over the last `days` days, each moved along as staff would have; with
        `unanswered_from`, received at least that many days ago and, once accepted, never answered."""
        categories = [c for c, w in WEIGHTS for _ in range(w)]
        created = 0
        batch: list[tuple[Case, list[CaseEvent]]] = []
        now = timezone.now()
        for _index in range(count):
            place = self.rng.choice(places)
            category = self.rng.choice(categories)
            title, template = self.rng.choice(PROBLEMS[category])
            # Spread over the whole year (every month has cases), somewhat more of them lately.
            day = self.today - datetime.timedelta(days=min(days - 1, int(days * self.rng.random() ** 1.3)))
            if unanswered_from is not None:
                day = self.today - datetime.timedelta(days=self.rng.randint(unanswered_from, days))
            received = _aware(day, self.rng.randint(7, 21), self.rng.randint(0, 59))
            if received > now:
                received = now - datetime.timedelta(minutes=self.rng.randint(1, 600))
                day = timezone.localdate(received)
            description, description_public = self._text(template, place.short_name or place.name)
            case = Case(
                number=self._number(day),
                password_hash=self.password_hash,
                client_token=uuid.UUID(int=self.rng.getrandbits(128)),
                place=place,
                place_path=place.path,
                category=category,
                title=title,
                title_public=title,
                description=description,
                description_public=description_public,
                search_tokens=case_tokens(title, description),
                contact_phone=f"139{self.rng.randrange(10**8):08d}" if self.rng.random() < 0.6 else "",
                is_public=self.rng.random() < 0.8,
                received_at=received,
                accept_deadline=self._due(day, 1),
                answer_deadline=self._due(day, DAYS[category]),
            )
            # About half of those who left a mobile asked to be told by SMS (answering one of them in the demo
            # writes the message under var/sms).
            case.sms_consent = case.contact_phone[-1:] in {"0", "2", "4", "6", "8"}
            events = [CaseEvent(kind=CaseEvent.Kind.SUBMIT, to_state=State.RECEIVED, organization=place, at=received)]
            self._advance(case, events, now, unanswered=unanswered_from is not None)
            case.listed = case.should_be_listed()
            batch.append((case, events))
            if len(batch) >= batch_size:
                created += self._flush(batch)
                batch = []
        if batch:
            created += self._flush(batch)
        rebuild_stats()
        return created

    def _advance(self, case: Case, events: list[CaseEvent], now: datetime.datetime, unanswered: bool = False) -> None:
        """Move the case along as a county's staff would have, given how old it is (`unanswered`: accepted and
        left there)."""
        age_days = (now - case.received_at).days
        roll = 0.5 if unanswered else self.rng.random()
        if age_days < 1 and roll < 0.7:
            return  # still waiting for acceptance
        if roll < 0.03:
            case.state = State.REJECTED
            case.reject_reason = "不属于本级受理范围，已告知反映人向相关部门反映。"
            case.closed_at = case.received_at + datetime.timedelta(hours=5)
            case.handling_org = case.place
            events.append(
                CaseEvent(
                    kind=CaseEvent.Kind.REJECT,
                    from_state=State.RECEIVED,
                    to_state=State.REJECTED,
                    organization=case.place,
                    text=case.reject_reason,
                    at=case.closed_at,
                )
            )
            return
        accepted = case.received_at + datetime.timedelta(hours=self.rng.randint(1, 20))
        case.accepted_at = min(accepted, now)
        case.handling_org = case.place.parent or case.place
        case.lead_org = case.place
        case.lead_path = case.place.path
        case.state = State.IN_PROGRESS
        events.append(
            CaseEvent(
                kind=CaseEvent.Kind.ACCEPT,
                from_state=State.RECEIVED,
                to_state=State.ACCEPTED,
                organization=case.handling_org,
                at=case.accepted_at,
            )
        )
        events.append(
            CaseEvent(
                kind=CaseEvent.Kind.DISPATCH,
                from_state=State.ACCEPTED,
                to_state=State.DISPATCHED,
                organization=case.handling_org,
                text=case.place.name,
                at=case.accepted_at,
            )
        )
        late = self.rng.random() < 0.12
        span = (case.answer_deadline - case.received_at).total_seconds()
        answered = case.received_at + datetime.timedelta(
            seconds=span * (self.rng.uniform(1.05, 1.6) if late else self.rng.uniform(0.2, 0.95))
        )
        if answered > now or unanswered:
            if now > case.answer_deadline:
                case.supervised = True
                case.supervised_at = case.answer_deadline + datetime.timedelta(minutes=10)
                case.supervising_org = case.place.parent or case.place
                events.append(
                    CaseEvent(
                        kind=CaseEvent.Kind.SUPERVISE,
                        organization=case.supervising_org,
                        text=case.place.name,
                        at=case.supervised_at,
                    )
                )
            return
        case.state = State.ANSWERED
        case.answered_at = case.first_answered_at = answered
        case.answered_on_time = answered <= case.answer_deadline
        case.reply = case.reply_public = self.rng.choice(REPLIES)
        case.rating_deadline = self._due(timezone.localdate(answered), 20)
        events.append(
            CaseEvent(
                kind=CaseEvent.Kind.PUBLISH,
                from_state=State.IN_PROGRESS,
                to_state=State.ANSWERED,
                organization=case.place,
                at=answered,
            )
        )
        rated = answered + datetime.timedelta(days=self.rng.randint(0, 12))
        if rated > now:
            return
        rating_roll = self.rng.random()
        if rating_roll < 0.2 and case.rating_deadline < now:
            case.rating = Rating.UNRATED
            case.closed_at = case.rating_deadline
        else:
            case.rating = (
                Rating.SATISFIED if rating_roll < 0.75 else Rating.BASIC if rating_roll < 0.92 else (Rating.UNSATISFIED)
            )
            case.rated_at = case.closed_at = rated
            events.append(CaseEvent(kind=CaseEvent.Kind.RATE, text=case.get_rating_display(), at=rated))
        case.state = State.CLOSED
        events.append(
            CaseEvent(kind=CaseEvent.Kind.CLOSE, from_state=State.ANSWERED, to_state=State.CLOSED, at=case.closed_at)
        )

    @staticmethod
    def _flush(batch) -> int:
        """Insert a batch of cases, then their events with one executemany (the ORM's per-row
        compilation would take most of the time at benchmark scale)."""
        table = connection.ops.quote_name(CaseEvent._meta.db_table)
        columns = ("case_id", "kind", "from_state", "to_state", "actor_id", "organization_id", "text", "public", "at")
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - fixed table and columns
            table, ", ".join(connection.ops.quote_name(c) for c in columns), ", ".join(["%s"] * len(columns))
        )
        adapt = connection.ops.adapt_datetimefield_value
        with transaction.atomic():
            Case.objects.bulk_create([case for case, _events in batch])
            rows = [
                (case.pk, e.kind, e.from_state, e.to_state, None, e.organization_id, e.text, True, adapt(e.at))
                for case, events in batch
                for e in events
            ]
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
        return len(batch)
