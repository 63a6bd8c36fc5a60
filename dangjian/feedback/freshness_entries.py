"""What feedback tells the usage summaries about interaction left unanswered (core/registry.py `Overdue`): cases
past their deadline to accept or to answer, counted at the place they were submitted about."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import HANDLE_FEEDBACK
from dangjian.core.registry import Overdue, OverdueItem, register

from .models import Case, State, overdue_condition


def _overdue(root, now):
    bounds = root.subtree_range()
    return Case.objects.filter(overdue_condition(now), place_path__gte=bounds["gte"], place_path__lt=bounds["lt"])


def overdue_counts(root, now) -> dict[int, int]:
    return dict(_overdue(root, now).values("place_id").annotate(n=Count("pk")).values_list("place_id", "n").order_by())


def overdue_items(root, now, limit: int, user) -> tuple[list[OverdueItem], int]:
    """The longest overdue first. Holders of HANDLE_FEEDBACK on the root see every case about a place in it."""
    rows = _overdue(root, now).annotate(
        due=models.Case(models.When(state=State.RECEIVED, then=F("accept_deadline")), default=F("answer_deadline"))
    )
    items = [
        OverdueItem(
            case.place_id,
            f"{case.number} {case.title_public}",
            reverse("console:feedback_case", args=[case.pk]),
            case.due,
        )
        for case in rows.only("pk", "place_id", "number", "title_public", "state").order_by("due", "pk")[:limit]
    ]
    return items, (len(items) if len(items) < limit else rows.count())


def _text(n: int) -> str:
    return ngettext(
        "%(n)s feedback case overdue without an answer", "%(n)s feedback cases overdue without an answer", n
    ) % {"n": n}


def register_entries() -> None:
    register(
        Overdue(
            "feedback.overdue",
            _("Feedback cases overdue"),
            overdue_items,
            HANDLE_FEEDBACK,
            _text,
            unanswered=True,
            counts=overdue_counts,
            threshold="SUMMARY_UNANSWERED_CASES",
            order=10,
        )
    )
