"""Suggestions for staff, read-only: the lead organization the dispatch catalogue names, and cases
that look like the same problem (offered for merging)."""

from __future__ import annotations

import datetime

from django.db.models import Q

from dangjian.core.text import index_text
from dangjian.organizations.models import Organization

from . import workflow
from .models import Case, DispatchRule, State

MERGE_WINDOW_DAYS = 30


def suggest_lead(case: Case) -> Organization:
    """The lead the dispatch catalogue names for the case's category and place (default: the place)."""
    ancestor_ids = [*case.place.ancestor_ids, case.place_id]
    rules = list(
        DispatchRule.objects.filter(place_id__in=ancestor_ids)
        .filter(Q(category=case.category) | Q(category=""))
        .select_related("lead", "place")
    )
    if not rules:
        return case.place
    rules.sort(key=lambda r: (r.place.depth, r.category != ""), reverse=True)
    return rules[0].lead


def accepts_merge(target: Case) -> bool:
    """Whether a report may be merged into the case: only while it is still being handled. A case answered or
    closed would leave the merged report's citizen without an answer (merge_case refuses it too)."""
    return target.state in workflow.OPEN and not target.merged_into_id


def merge_candidates(case: Case, limit: int = 5) -> list[tuple[Case, float]]:
    """Cases at the same place within 30 days whose words overlap enough to look like the same problem (finished
    ones too, as reference: see `accepts_merge` for those a report may be merged into)."""
    if case.state not in workflow.TRANSITIONS["merge"].sources:
        return []
    window = datetime.timedelta(days=MERGE_WINDOW_DAYS)
    others = (
        Case.objects.filter(
            place_id=case.place_id,
            received_at__gte=case.received_at - window,
            received_at__lte=case.received_at + window,
            merged_into__isnull=True,
        )
        .exclude(pk=case.pk)
        .exclude(state__in=[State.REJECTED, State.MERGED])
        .only("pk", "number", "title", "description", "state", "received_at", "supporters", "category", "merged_into")[
            :300
        ]
    )
    mine = _words(case.title + " " + case.description)
    scored = []
    for other in others:
        theirs = _words(other.title + " " + other.description)
        if not mine or not theirs:
            continue
        score = len(mine & theirs) / len(mine | theirs)
        if other.title.strip() == case.title.strip():
            score = max(score, 1.0)
        if score >= 0.25:
            scored.append((other, round(score, 2)))
    scored.sort(key=lambda item: item[1], reverse=True)
    return scored[:limit]


_STOP = set("的了是在我们你他她它和与及或就都也很还又把被让给请问吗呢吧啊呀")


def _words(text: str) -> set[str]:
    """The words of a text as the policy search cuts them (jieba, search mode, with its dictionary)."""
    return {w for w in index_text(text).split() if len(w) > 1 and not (set(w) <= _STOP)}
