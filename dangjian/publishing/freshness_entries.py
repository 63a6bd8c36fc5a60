"""What publishing tells the usage summaries about freshness (core/registry.py): the articles it publishes or
adopts change the portal home (`PortalUpdate`), each column has its update rule (`UpdateRule`), and notices
not signed off past their reply-by date are interaction left unanswered (`Overdue`)."""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import MANAGE_COLUMNS, SIGN_NOTICES, USE_CONSOLE, has_capability, held_paths
from dangjian.core.registry import Overdue, OverdueItem, PortalUpdate, RuledItem, UpdateRule, register

from .column_names import standard_name
from .models import Article, Column, Notice, NoticeRecipient, Submission


def _latest(found: dict, rows) -> None:
    for key, when in rows:
        if when is not None and (key not in found or when > found[key]):
            found[key] = when


def articles_changed(organization_ids) -> dict[int, datetime.datetime]:
    """The last article the organization published, or adopted from below (信息报送), per organization."""
    published = Article.objects.filter(state=Article.State.PUBLISHED, published_at__isnull=False)
    adopted = Submission.objects.filter(state=Submission.State.ADOPTED, decided_at__isnull=False)
    if organization_ids is not None:
        published = published.filter(organization_id__in=organization_ids)
        adopted = adopted.filter(to_organization_id__in=organization_ids)
    found: dict[int, datetime.datetime] = {}
    _latest(
        found,
        published.values("organization_id")
        .annotate(last=Max("published_at"))
        .values_list("organization_id", "last")
        .order_by(),
    )
    _latest(
        found,
        adopted.values("to_organization_id")
        .annotate(last=Max("decided_at"))
        .values_list("to_organization_id", "last")
        .order_by(),
    )
    return found


def columns(root) -> list[RuledItem]:
    """The columns (not archived) of root's subtree with their rules: plain values, the standard names translated
    once per key (a county has 4,000 columns)."""
    bounds = root.subtree_range()
    rows = Column.objects.filter(
        archived_at__isnull=True, organization__path__gte=bounds["gte"], organization__path__lt=bounds["lt"]
    )
    names: dict[str, str] = {}
    found = []
    for pk, organization_id, key, name, update_days, created_at in rows.values_list(
        "pk", "organization_id", "key", "name", "update_days", "created_at"
    ).order_by("organization_id", "order", "pk"):
        if not name:
            name = names.get(key) or names.setdefault(key, str(standard_name(key)))
        found.append(RuledItem(organization_id, str(pk), name, update_days, created_at))
    return found


def columns_changed(organization_ids) -> dict[tuple[int, str], datetime.datetime]:
    """Each column's last item: its own published article, or one adopted into it (as columns.freshness)."""
    published = Article.objects.filter(state=Article.State.PUBLISHED, published_at__isnull=False)
    adopted = Submission.objects.filter(state=Submission.State.ADOPTED, decided_at__isnull=False, column__isnull=False)
    if organization_ids is not None:
        published = published.filter(column__organization_id__in=organization_ids)
        adopted = adopted.filter(column__organization_id__in=organization_ids)
    found: dict = {}
    for rows, when in ((published, "published_at"), (adopted, "decided_at")):
        _latest(
            found,
            (
                ((organization_id, str(column_id)), last)
                for organization_id, column_id, last in rows.values("column__organization_id", "column_id")
                .annotate(last=Max(when))
                .values_list("column__organization_id", "column_id", "last")
                .order_by()
            ),
        )
    return found


def _column_link(organization_id: int, key: str) -> str:
    return reverse("console:column_edit", args=[organization_id, int(key)])


def _unsigned(root, now):
    bounds = root.subtree_range()
    return NoticeRecipient.objects.filter(
        organization__path__gte=bounds["gte"],
        organization__path__lt=bounds["lt"],
        signed_at__isnull=True,
        notice__state=Notice.State.SENT,
        notice__reply_by__lt=timezone.localdate(now),
    )


def unsigned_counts(root, now) -> dict[int, int]:
    from django.db.models import Count

    return dict(
        _unsigned(root, now).values("organization_id").annotate(n=Count("pk")).values_list("organization_id", "n")
    )


def unsigned_items(root, now, limit: int, user) -> tuple[list[OverdueItem], int]:
    rows = _unsigned(root, now)
    own = set(held_paths(user, USE_CONSOLE))
    items = []
    for recipient in rows.select_related("notice__organization", "organization").order_by(
        "notice__reply_by", "organization__path", "pk"
    )[:limit]:
        may_open = has_capability(user, USE_CONSOLE, recipient.notice.organization) or (
            recipient.organization.path in own
        )
        items.append(
            OverdueItem(
                recipient.organization_id,
                recipient.notice.title,
                reverse("console:notice", args=[recipient.notice_id]) if may_open else None,
                recipient.notice.reply_by,
            )
        )
    return items, (len(items) if len(items) < limit else rows.count())


def _unsigned_text(n: int) -> str:
    return ngettext(
        "%(n)s notice not signed off past its reply-by date", "%(n)s notices not signed off past their reply-by date", n
    ) % {"n": n}


def register_entries() -> None:
    register(
        PortalUpdate(
            "publishing.articles",
            _("Articles published"),
            articles_changed,
            pages=("home",),
            watch=(("publishing.Article", "organization"), ("publishing.Submission", "to_organization")),
            order=20,
        ),
        UpdateRule(
            "publishing.columns",
            _("Columns"),
            columns,
            columns_changed,
            MANAGE_COLUMNS,
            _column_link,
            watch=(("publishing.Article", "organization"), ("publishing.Submission", "to_organization")),
            order=20,
        ),
        Overdue(
            "publishing.notices_unsigned",
            _("Notices not signed off"),
            unsigned_items,
            SIGN_NOTICES,
            _unsigned_text,
            unanswered=True,
            counts=unsigned_counts,
            threshold="SUMMARY_UNANSWERED_NOTICES",
            order=30,
        ),
    )
