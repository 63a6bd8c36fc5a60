"""Builds the demo county: organizations, leadership terms, staff accounts, policies.

Everything is drawn from one random.Random(seed), and every date is counted from `today`
(the day of loading unless given), so the same seed on the same day builds the same county
and the demo always looks current: a few terms end within 90 days, some policies have expired.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import Role, RoleGrant, User
from dangjian.core.cache import bump_content_generation
from dangjian.organizations.models import Leader, Organization, Term
from dangjian.policies.models import Policy, PolicyCategory, PolicyInterpretation
from dangjian.policies.search import index_text

from . import texts

DEMO_PASSWORD = "Dangjian2026!"


@dataclass
class DemoAccount:
    username: str
    mobile: str
    role_label: str
    organization: str


class DemoBuilder:
    def __init__(self, seed: int = 2026, today: datetime.date | None = None, townships: int = 10):
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.township_count = townships
        self._paragraph_tokens: dict[str, str] = {}
        self.used_names: set[str] = set()

    # --- helpers ---------------------------------------------------------------------------
    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def _person_name(self) -> str:
        return self.rng.choice(texts.SURNAMES) + "".join(self.rng.sample(texts.GIVEN, self.rng.choice([1, 2])))

    def _tokens(self, paragraph: str) -> str:
        # Paragraphs recur across policies: cut each once. jieba never joins words across a
        # line break, so the tokens of a body are the tokens of its paragraphs in order.
        cached = self._paragraph_tokens.get(paragraph)
        if cached is None:
            cached = self._paragraph_tokens[paragraph] = index_text(paragraph)
        return cached

    # --- organizations -------------------------------------------------------------------------
    def build_tree(self) -> tuple[Organization, list[Organization], list[Organization]]:
        county = Organization.objects.create(
            name=texts.COUNTY["name"],
            short_name=texts.COUNTY["short"],
            kind=Organization.Kind.COUNTY,
            intro=texts.COUNTY["intro"],
            address=texts.COUNTY["address"],
            phone=texts.COUNTY["phone"],
        )
        townships, villages = [], []
        for t_index, (t_name, _kind) in enumerate(texts.TOWNSHIPS[: self.township_count]):
            township = Organization.objects.create(
                name=f"中共清源县{t_name}委员会",
                short_name=t_name,
                kind=Organization.Kind.TOWNSHIP,
                parent=county,
                sort_order=t_index,
                address=f"清源县{t_name}政府大院",
                phone=f"0571-8602{t_index:02d}10",
                intro=f"{t_name}位于清源县{self.rng.choice(['东部', '西部', '南部', '北部', '中部'])}，"
                f"辖{self.rng.randint(10, 20)}个村（社区），以{self.rng.choice(['茶叶', '水稻', '毛竹', '果蔬', '生态旅游'])}"
                f"为主导产业。镇（乡）党委下设党支部若干，党员约{self.rng.randint(900, 2200)}名。",
            )
            townships.append(township)
            count = self.rng.randint(10, 20)
            communities = 2 if t_index == 0 else self.rng.randint(0, 1)
            for v_index in range(count):
                if v_index < communities:
                    base = self.rng.choice(texts.COMMUNITY_NAMES)
                    short, kind = f"{base}社区", Organization.Kind.COMMUNITY
                else:
                    while True:
                        base = self.rng.choice(texts.VILLAGE_FIRST) + self.rng.choice(texts.VILLAGE_SECOND)
                        if f"{t_name}{base}" not in self.used_names:
                            break
                    short, kind = f"{base}村", Organization.Kind.VILLAGE
                self.used_names.add(f"{t_name}{base}")
                villages.append(
                    Organization.objects.create(
                        name=f"{t_name}{short}党{'总' if kind == Organization.Kind.COMMUNITY else ''}支部委员会",
                        short_name=short,
                        kind=kind,
                        parent=township,
                        sort_order=v_index,
                        address=f"清源县{t_name}{short}党群服务中心",
                        phone=f"0571-86{t_index:02d}{v_index:02d}88",
                        intro=f"{short}共有农户{self.rng.randint(180, 900)}户，党员{self.rng.randint(25, 90)}名。"
                        f"近年来坚持党建引领，发展{self.rng.choice(['特色种植', '乡村民宿', '来料加工', '光伏发电', '物业经济'])}，"
                        f"村级集体经济收入稳步增长。",
                    )
                )
        return county, townships, villages

    def build_leadership(self, organizations: list[Organization]) -> None:
        leaders = []
        for org in organizations:
            level = (
                "county"
                if org.kind == Organization.Kind.COUNTY
                else ("township" if org.kind == Organization.Kind.TOWNSHIP else "village")
            )
            roll = self.rng.random()
            if roll < 0.07:  # current term ends within 90 days
                ends = self.today + datetime.timedelta(days=self.rng.randint(5, 88))
            elif roll < 0.09:  # re-election overdue
                ends = self.today - datetime.timedelta(days=self.rng.randint(3, 40))
            else:
                ends = self.today + datetime.timedelta(days=self.rng.randint(200, 1700))
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
            size = len(posts) if level != "village" else self.rng.randint(3, len(posts))
            for order, (post, duties) in enumerate(posts[:size]):
                leaders.append(
                    Leader(
                        term=current,
                        organization=org,
                        name=self._person_name(),
                        post=post,
                        duties=duties,
                        cv=self._cv(elected),
                        sort_order=order,
                        contact=org.phone,
                    )
                )
            leaders.append(
                Leader(
                    term=previous,
                    organization=org,
                    name=self._person_name(),
                    post=posts[0][0],
                    duties=posts[0][1],
                    cv=self._cv(previous.elected_on),
                    sort_order=0,
                )
            )
        Leader.objects.bulk_create(leaders, batch_size=1000)

    def _cv(self, elected: datetime.date) -> str:
        born = self.rng.randint(1965, 1992)
        steps = self.rng.sample(texts.CV_STEPS, 3)
        first = self.rng.randint(born + 19, born + 24)
        return (
            f"{self.rng.choice(['男', '女'])}，汉族，{born}年{self.rng.randint(1, 12)}月出生，"
            f"{self.rng.choice(texts.EDUCATION)}，中共党员。\n"
            f"{first}年{steps[0]}；{first + self.rng.randint(3, 8)}年{steps[1]}；"
            f"{elected.year}年{elected.month}月当选现职前，{steps[2]}。"
        )

    # --- accounts --------------------------------------------------------------------------------
    def build_accounts(self, county, townships, villages) -> list[DemoAccount]:
        admin = User.objects.create_superuser(
            "admin", password=DEMO_PASSWORD, full_name="系统管理员", mobile="13800000000"
        )
        plan = [
            ("county_admin", "13800000001", "县委组织部 张明", Role.ORG_ADMIN, county),
            ("town_media", "13800000002", "城关镇 李芳", Role.MEDIA_OFFICER, townships[0]),
            ("village_secretary", "13800000003", "王建国", Role.SECRETARY, villages[0]),
            ("town_discipline", "13800000004", "清河镇纪委 赵强", Role.DISCIPLINE, townships[1]),
            ("county_discipline", "13800000005", "县纪委 孙正", Role.DISCIPLINE, county),
        ]
        from dangjian.accounts.models import personal_name_from
        from dangjian.supervision import officers

        accounts = [DemoAccount("admin", "13800000000", _("System administrator"), "—")]
        granter = admin
        for username, mobile, full_name, role, org in plan:
            user = User.objects.create_user(
                username,
                password=DEMO_PASSWORD,
                full_name=full_name,
                personal_name=personal_name_from(full_name),
                mobile=mobile,
            )
            accounts.append(DemoAccount(username, mobile, str(role.label), org.name))
            if role == Role.DISCIPLINE:
                continue  # granted below, as supervision events, the county first
            RoleGrant.objects.create(user=user, organization=org, role=role, granted_by=admin)
        # The discipline role is a supervision event: the administrator makes the county's first officer
        # (no officer exists above to confirm it), who then makes the township's officer.
        for username, _mobile, _name, role, org in sorted(plan, key=lambda row: row[4].depth):
            if role == Role.DISCIPLINE:
                user = User.objects.get(username=username)
                officers.grant_officer(granter, user, org)
                granter = user
        return accounts

    # --- policies --------------------------------------------------------------------------------
    def build_policies(self, county, townships, villages, count: int, batch_size: int = 2000) -> int:
        categories = {c.slug: c for c in PolicyCategory.objects.all()}
        slugs = [slug for slug in texts.CATEGORIES if slug in categories]
        issuers = ([county] * 8) + townships * 2 + villages[: max(len(villages) // 3, 1)]
        counters: dict[tuple[int, int], int] = {}
        created = 0
        batch: list[Policy] = []
        interpretations: list[tuple[int, PolicyInterpretation]] = []
        for index in range(count):
            issuer = self.rng.choice(issuers)
            slug = self.rng.choice(slugs)
            prefix, titles, paragraphs = texts.CATEGORIES[slug]
            issued = self._date_between(
                self.today - datetime.timedelta(days=365 * 8), self.today - datetime.timedelta(days=1)
            )
            year = issued.year
            place = issuer.short_name or issuer.name
            title = self.rng.choice(titles).format(year=year, year3=year + 2, place=place)
            counters[(issuer.pk, year)] = counters.get((issuer.pk, year), 0) + 1
            number = counters[(issuer.pk, year)]
            if issuer.kind == Organization.Kind.COUNTY:
                doc_number = f"{texts.COUNTY['abbr']}{prefix}〔{year}〕{number}号"
            elif issuer.kind == Organization.Kind.TOWNSHIP:
                doc_number = f"{place[:2]}委发〔{year}〕{number}号"
            else:
                doc_number = f"{place}〔{year}〕{number}号" if self.rng.random() < 0.5 else ""
            chosen = self.rng.sample(paragraphs, self.rng.randint(3, min(5, len(paragraphs))))
            body_parts = (
                [self.rng.choice(texts.GENERIC_OPENING)]
                + [p.format(year=year, year3=year + 2) for p in chosen]
                + [self.rng.choice(texts.GENERIC_CLOSING)]
            )
            effective = issued + datetime.timedelta(days=self.rng.choice([0, 0, 10, 30]))
            roll = self.rng.random()
            if roll < 0.18:
                expires = self._date_between(
                    effective + datetime.timedelta(days=30), self.today - datetime.timedelta(days=1)
                )
                expires = max(expires, effective)
            elif roll < 0.5:
                expires = effective + datetime.timedelta(days=365 * 5)
            else:
                expires = None
            if index % 97 == 5:  # a few announced policies not yet in force
                effective = self.today + datetime.timedelta(days=self.rng.randint(5, 60))
                issued = self.today - datetime.timedelta(days=1)
                expires = None
            policy = Policy(
                issuer=issuer,
                title=title,
                doc_number=doc_number,
                category=categories[slug],
                issued_on=issued,
                effective_on=effective,
                expires_on=expires,
                body="\n\n".join(body_parts),
            )
            policy.title_tokens = index_text(f"{title} {doc_number}")
            policy.body_tokens = " ".join(self._tokens(p) for p in body_parts)
            policy.issuer_token = f"i{issuer.pk}"
            batch.append(policy)
            if self.rng.random() < 0.12:
                interpretations.append(
                    (
                        len(batch) - 1,
                        PolicyInterpretation(
                            title=f"《{title}》政策解读",
                            source=f"{place}{self.rng.choice(['党政办', '社会事务办', '农业农村办'])}",
                            published_on=issued + datetime.timedelta(days=self.rng.randint(0, 5)),
                            body="\n\n".join(texts.INTERPRETATION_PARAS),
                        ),
                    )
                )
            if len(batch) >= batch_size:
                created += self._flush(batch, interpretations)
                batch, interpretations = [], []
        if batch:
            created += self._flush(batch, interpretations)
        return created

    @staticmethod
    def _flush(batch: list[Policy], interpretations: list) -> int:
        with transaction.atomic():
            Policy.objects.bulk_create(batch)
            for position, item in interpretations:
                item.policy = batch[position]
            PolicyInterpretation.objects.bulk_create([item for _, item in interpretations])
        return len(batch)

    # --- feedback cases --------------------------------------------------------------------------
    def build_cases(self, count: int) -> int:
        from dangjian.feedback.demo import CaseBuilder

        places = list(Organization.objects.filter(kind__in=[Organization.Kind.VILLAGE, Organization.Kind.COMMUNITY]))
        builder = CaseBuilder(self.rng, self.today, texts.SURNAMES, texts.GIVEN)
        return builder.build(places, count)

    # --- supervision keys ------------------------------------------------------------------------
    def build_supervision_keys(self) -> dict[str, str]:
        """Unit keys for the demo's discipline officers' units; returns {unit name: recovery key}."""
        from dangjian.supervision import keys

        recovery = {}
        for grant in RoleGrant.objects.filter(role=Role.DISCIPLINE).select_related("user", "organization"):
            private = keys.ensure_user_keypair(grant.user, DEMO_PASSWORD)
            recovery[grant.organization.name] = keys.create_unit_key(grant.user, grant.organization, private)
        return recovery

    def build_reports(self) -> str | None:
        """A few supervision reports (encrypted like real ones); returns one receipt to try the follow-up."""
        from dangjian.core.history import ActionError
        from dangjian.supervision import actions

        samples = [
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
        villages = list(Organization.objects.filter(depth=2).order_by("pk")[:8])
        receipt = None
        for index, (discipline, kind, post, what, real_name) in enumerate(samples):
            try:
                _report, code = actions.submit_report(
                    reported_org=villages[index * 2 % len(villages)],
                    person=self._person_name(),
                    post=post,
                    discipline=discipline,
                    subcategory=kind,
                    what=what,
                    real_name=real_name,
                    reporter_name="刘明" if real_name else "",
                    reporter_phone="13912340000" if real_name else "",
                )
            except ActionError:  # no unit with keys: the demo simply has no reports
                return None
            receipt = receipt or code
        return receipt

    def build(self, policies: int = 2000, cases: int = 1500) -> list[DemoAccount]:
        with transaction.atomic():
            county, townships, villages = self.build_tree()
            self.build_leadership([county, *townships, *villages])
            accounts = self.build_accounts(county, townships, villages)
            self.recovery_keys = self.build_supervision_keys()
        self.build_policies(county, townships, villages, policies)
        self.build_cases(cases)
        self.demo_receipt = self.build_reports()
        bump_content_generation()
        return accounts
