"""The articles a portal shows: one query per list, ordered by publication, newest first.

An organization's portal shows
- its own published articles,
- the published articles of its ancestors marked `show_below` (a county item on every township and village
  portal under it; in a column, those of the ancestor's column with the same standard key),
- the articles it adopted from below (a `Submission` in state adopted, to this organization; in a column, those
  adopted into that column), shown with their source: the submitting organization.

A withdrawn (or unpublished) article never appears. Each condition is answered by an index (the organization's
or the column's list index, the submission inbox index), so a list is one short query even at 100,000 articles.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Article, Column, Submission


def _adopted_by(organization) -> QuerySet[Submission]:
    return Submission.objects.filter(to_organization=organization, state=Submission.State.ADOPTED)


def visibility(organization) -> Q:
    """Which articles (in any state) belong on the organization's portal: its own, its ancestors' pushed down,
    those it adopted."""
    ancestors = organization.ancestor_ids[:-1]
    condition = Q(organization_id=organization.pk)
    if ancestors:
        condition |= Q(organization_id__in=ancestors, show_below=True)
    condition |= Q(pk__in=_adopted_by(organization).values("article_id"))
    return condition


def _listed(*branches) -> QuerySet[Article]:
    """The published articles whose ids one of the branches gives, newest first. The branches are joined with
    UNION ALL (each answered by its own index: an OR over them would make SQLite scan every published article)."""
    first, *rest = branches
    ids = first.union(*rest, all=True) if rest else first
    # Each branch keeps only published articles; the outer query looks the ids up by primary key (a condition on
    # the state here would make SQLite walk the state index instead).
    return Article.objects.filter(pk__in=ids).select_related("organization", "column").order_by("-published_at", "-pk")


def portal_articles(organization) -> QuerySet[Article]:
    """Every published article the organization's portal shows, newest first (with organization and column)."""
    published = Article.State.PUBLISHED
    branches: list[QuerySet] = [Article.objects.filter(organization_id=organization.pk, state=published).values("pk")]
    ancestors = organization.ancestor_ids[:-1]
    if ancestors:
        branches.append(
            Article.objects.filter(organization_id__in=ancestors, state=published, show_below=True).values("pk")
        )
    branches.append(_adopted_by(organization).filter(article__state=published).values("article_id"))
    return _listed(*branches)


def column_articles(column: Column, organization=None) -> QuerySet[Article]:
    """The published articles of a column of a portal: the column's own, the pushed-down ones of the
    ancestors' column of the same standard key, those adopted into it. (`organization`: the column's, when the
    caller has it at hand.)"""
    organization = organization or column.organization
    published = Article.State.PUBLISHED
    branches: list[QuerySet] = [Article.objects.filter(column_id=column.pk, state=published).values("pk")]
    ancestors = organization.ancestor_ids[:-1]
    if column.key and ancestors:
        above = Column.objects.filter(organization_id__in=ancestors, key=column.key).values("pk")
        branches.append(Article.objects.filter(column_id__in=above, state=published, show_below=True).values("pk"))
    branches.append(
        Submission.objects.filter(
            column=column, to_organization=organization, state=Submission.State.ADOPTED, article__state=published
        ).values("article_id")
    )
    return _listed(*branches)


def published_since(organization, since) -> QuerySet[Article]:
    """What the portal shows that was published after `since` (for the e-mail digests)."""
    articles = portal_articles(organization)
    return articles.filter(published_at__gt=since) if since is not None else articles


def visible_article(organization, article_id: int) -> Article | None:
    """The article `article_id` as the organization's portal shows it (any state: the view says "withdrawn"
    for one that was), or None when it does not belong on this portal."""
    return (
        Article.objects.filter(visibility(organization), pk=article_id).select_related("organization", "column").first()
    )


def is_public(article: Article) -> bool:
    return article.state == Article.State.PUBLISHED and article.published_at is not None


def shown_columns(organization) -> QuerySet[Column]:
    """The columns a portal lists: the organization's own, not archived."""
    return Column.objects.filter(organization=organization, archived_at__isnull=True).order_by("order", "pk")


def source_of(article: Article, organization) -> str:
    """Where an item shown on this portal comes from ("" for the organization's own)."""
    if article.organization_id == organization.pk:
        return article.source
    return article.organization.name
