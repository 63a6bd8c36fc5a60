"""What the publishing module adds to the shared pages (core/registry.py). Each area registers its own entries
from its own module; this file registers what belongs to the module as a whole (what a merge moves)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.core.registry import OrganizationData, register

from . import article_entries, column_entries, freshness_entries, notice_entries, submission_entries
from .models import Article, Column, DigestSubscription, Notice, NoticeRecipient, Submission


def _merge_columns(source, target) -> None:
    """The merged organization's articles move to the survivor: into its standard column of the same key, or
    (a column of its own) with the column itself."""
    by_key = {c.key: c for c in Column.objects.filter(organization=target).exclude(key="")}
    for column in Column.objects.filter(organization=source):
        survivor = by_key.get(column.key) if column.key else None
        if survivor is not None:
            Article.objects.filter(column=column).update(column=survivor, organization=target)
            Submission.objects.filter(column=column).update(column=survivor)
            column.delete()
        else:
            column.key = ""
            column.name = str(column.title)
            column.organization = target
            column.save(update_fields=["key", "name", "organization"])
    Article.objects.filter(organization=source).update(organization=target)


def _merge_notices(source, target) -> None:
    Notice.objects.filter(organization=source).update(organization=target)
    # A notice both received: the survivor keeps its own receipt; the merged one's goes with the history.
    taken = set(NoticeRecipient.objects.filter(organization=target).values_list("notice_id", flat=True))
    NoticeRecipient.objects.filter(organization=source).exclude(notice_id__in=taken).update(organization=target)


def _merge_submissions(source, target) -> None:
    Submission.objects.filter(to_organization=source).update(to_organization=target)


def _merge_subscriptions(source, target) -> None:
    taken = set(DigestSubscription.objects.filter(organization=target).values_list("email", flat=True))
    DigestSubscription.objects.filter(organization=source).exclude(email__in=taken).update(organization=target)
    DigestSubscription.objects.filter(organization=source).delete()


def register_entries() -> None:
    register(
        OrganizationData(
            key="publishing.articles",
            label=_("Columns and articles"),
            count=lambda org: Article.objects.filter(organization=org).count(),
            merge=_merge_columns,
            order=60,
        )
    )
    register(
        OrganizationData(
            key="publishing.notices",
            label=_("Notices sent and received"),
            count=lambda org: (
                Notice.objects.filter(organization=org).count()
                + NoticeRecipient.objects.filter(organization=org).count()
            ),
            merge=_merge_notices,
            order=61,
        )
    )
    register(
        OrganizationData(
            key="publishing.submissions",
            label=_("Items sent up to it (信息报送)"),
            count=lambda org: Submission.objects.filter(to_organization=org).count(),
            merge=_merge_submissions,
            order=62,
        )
    )
    register(
        OrganizationData(
            key="publishing.subscriptions",
            label=_("E-mail digest subscriptions"),
            count=lambda org: DigestSubscription.objects.filter(organization=org).count(),
            merge=_merge_subscriptions,
            order=63,
        )
    )
    article_entries.register()
    column_entries.register()
    submission_entries.register()
    notice_entries.register()
    freshness_entries.register_entries()
