"""What the exchange tells the usage summaries about freshness (core/registry.py): official answers change the
portal home (its block of the latest answers: `PortalUpdate`), and questions left open longer than
`settings.EXCHANGE_QUESTION_ANSWER_DAYS` are interaction left unanswered (`Overdue`)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import ANSWER_QUESTIONS
from dangjian.core.registry import Overdue, OverdueItem, PortalUpdate, register

from .models import PublicQuestion

State = PublicQuestion.State


def answers_changed(organization_ids) -> dict[int, datetime.datetime]:
    rows = PublicQuestion.objects.filter(state=State.ANSWERED, answered_at__isnull=False)
    if organization_ids is not None:
        rows = rows.filter(organization_id__in=organization_ids)
    return dict(
        rows.values("organization_id")
        .annotate(last=Max("answered_at"))
        .values_list("organization_id", "last")
        .order_by()
    )


def _limit() -> datetime.timedelta:
    return datetime.timedelta(days=settings.EXCHANGE_QUESTION_ANSWER_DAYS)


def _unanswered(root, now):
    bounds = root.subtree_range()
    return PublicQuestion.objects.filter(
        organization__path__gte=bounds["gte"],
        organization__path__lt=bounds["lt"],
        state=State.OPEN,
        created_at__lt=now - _limit(),
    )


def unanswered_counts(root, now) -> dict[int, int]:
    return dict(
        _unanswered(root, now).values("organization_id").annotate(n=Count("pk")).values_list("organization_id", "n")
    )


def unanswered_items(root, now, limit: int, user) -> tuple[list[OverdueItem], int]:
    """The longest waiting first; holders of ANSWER_QUESTIONS on the root may open each."""
    rows = _unanswered(root, now)
    items = [
        OverdueItem(
            question.organization_id,
            question.title_public or question.title,
            reverse("console:public_question", args=[question.pk]),
            question.created_at + _limit(),
        )
        for question in rows.only("pk", "organization_id", "title", "title_public", "created_at").order_by(
            "created_at", "pk"
        )[:limit]
    ]
    return items, (len(items) if len(items) < limit else rows.count())


def _text(n: int) -> str:
    return ngettext(
        "%(n)s question unanswered for more than %(days)s days",
        "%(n)s questions unanswered for more than %(days)s days",
        n,
    ) % {"n": n, "days": settings.EXCHANGE_QUESTION_ANSWER_DAYS}


def register_entries() -> None:
    register(
        PortalUpdate(
            "exchange.answers",
            _("Questions answered"),
            answers_changed,
            pages=("home",),
            watch=(("exchange.PublicQuestion", "organization"),),
            order=40,
        ),
        Overdue(
            "exchange.questions_unanswered",
            _("Questions waiting for an answer"),
            unanswered_items,
            ANSWER_QUESTIONS,
            _text,
            unanswered=True,
            counts=unanswered_counts,
            threshold="SUMMARY_UNANSWERED_QUESTIONS",
            order=20,
        ),
    )
