"""The demo county's policies (with interpretations), issued by the county, its townships and some villages.

Part of `manage.py load_demo` (the protocol: dangjian/demo/__init__.py); runs after the tree exists.
Built in bulk for speed (100,000 policies for `make bench`): the search tokens are cut here, each
recurring paragraph once, in batches of their own transactions.
"""

from __future__ import annotations

import datetime
import time
from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from dangjian.core.cache import bump_content_generation
from dangjian.core.text import index_text
from dangjian.organizations.models import Organization

from . import demo_texts as texts
from .models import Policy, PolicyCategory, PolicyInterpretation

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext


def add_arguments(parser) -> None:
    parser.add_argument("--policies", type=int, default=2000, help="number of policies (100000 for benchmarks)")
    parser.add_argument("--add-policies", type=int, default=0, help="add this many policies to an existing demo county")


def load(ctx: DemoContext) -> None:
    count = ctx.options.get("policies", 2000)
    revised = min(3, count // 20)  # the revisions are among the policies asked for
    _build(ctx, count - revised)
    _amend_some(ctx, revised)
    _dated_as_issued()


def _dated_as_issued() -> None:
    """The policies' created and changed times are their issue day (at 10:00), not when the demo ran: the portal's
    freshness counts from them."""
    zone = timezone.get_current_timezone()
    rows = list(Policy.objects.only("pk", "issued_on"))
    for policy in rows:
        policy.created_at = policy.updated_at = datetime.datetime.combine(
            policy.issued_on, datetime.time(10), tzinfo=zone
        )
    with transaction.atomic():
        Policy.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)


def _amend_some(ctx: DemoContext, count: int) -> None:
    """A few county policies revised this year: the revision replaces the old version (its history)."""
    old_ones = Policy.objects.filter(
        issuer__parent__isnull=True,
        expires_on__isnull=True,
        effective_on__lt=ctx.today - datetime.timedelta(days=200),
        superseded=False,
        replaced_by__isnull=True,
    ).order_by("-effective_on", "-id")[:count]
    for old in list(old_ones):
        effective = ctx.today - datetime.timedelta(days=ctx.rng.randint(10, 90))
        Policy.objects.create(
            issuer=old.issuer,
            title=f"{old.title}（{effective.year}年修订）",
            doc_number=f"{old.doc_number}修" if old.doc_number else "",
            category=old.category,
            issued_on=effective,
            effective_on=effective,
            body=f"{old.body}\n\n本办法自施行之日起执行，原《{old.title}》同时废止。",
            replaces=old,
        )
        old.expires_on = effective - datetime.timedelta(days=1)
        old.superseded = True
        old.save(update_fields=["expires_on", "superseded"])


def extend(ctx: DemoContext) -> list[str] | None:
    count = ctx.options.get("add_policies") or 0
    if not count:
        return None
    ctx.reseed(Policy.objects.count())
    started = time.monotonic()
    added = _build(ctx, count)
    return [f"Added {added} policies in {time.monotonic() - started:.1f} s ({Policy.objects.count()} in all)."]


def summary() -> str:
    return f"{Policy.objects.count()} policies"


def _build(ctx: DemoContext, count: int, batch_size: int = 2000) -> int:
    county = Organization.objects.filter(parent__isnull=True).first()
    if county is None:
        raise CommandError("Load the demo county first.")
    townships = list(county.children.all())
    villages = list(Organization.objects.filter(depth=2))
    builder = _PolicyBuilder(ctx)
    created = builder.build(county, townships, villages, count, batch_size)
    bump_content_generation()
    return created


class _PolicyBuilder:
    def __init__(self, ctx: DemoContext):
        self.rng = ctx.rng
        self.today = ctx.today
        self._paragraph_tokens: dict[str, str] = {}

    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def _tokens(self, paragraph: str) -> str:
        # Paragraphs recur across policies: cut each once. jieba never joins words across a
        # line break, so the tokens of a body are the tokens of its paragraphs in order.
        cached = self._paragraph_tokens.get(paragraph)
        if cached is None:
            cached = self._paragraph_tokens[paragraph] = index_text(paragraph)
        return cached

    def build(self, county, townships, villages, count: int, batch_size: int) -> int:
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
                doc_number = f"{place[:1]}{prefix}〔{year}〕{number}号"  # 清源县 → 清农发〔2025〕3号
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
