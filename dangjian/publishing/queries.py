"""Staff-side reads of articles, scoped to what the person may see (the portal's reads are portal_queries.py).

A staff member sees the articles of the organizations where they hold WRITE_ARTICLES, REVIEW_ARTICLES or
APPROVE_ARTICLES (their grants' subtrees); everything else is a 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.accounts.permissions import (
    APPROVE_ARTICLES,
    REVIEW_ARTICLES,
    WRITE_ARTICLES,
    has_capability,
    scope_paths,
)

from .models import Article
from .workflow import ARTICLES, step_capability, why_not_reviewer

CAPABILITIES = (WRITE_ARTICLES, REVIEW_ARTICLES, APPROVE_ARTICLES)


def is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def may_use_articles(user) -> bool:
    """Whether the person holds any article capability somewhere (the menu entry)."""
    return is_superuser(user) or any(scope_paths(user, capability) for capability in CAPABILITIES)


def may_see(user, organization) -> bool:
    return any(has_capability(user, capability, organization) for capability in CAPABILITIES)


def visible_articles(user) -> QuerySet[Article]:
    if is_superuser(user):
        return Article.objects.all()
    paths = sorted({path for capability in CAPABILITIES for path in scope_paths(user, capability)})
    if not paths:
        return Article.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(organization__path__startswith=path)
    return Article.objects.filter(condition)


def get_article_for_user(user, article_id: int) -> Article:
    article = (
        visible_articles(user).select_related("organization", "column", "created_by").filter(pk=article_id).first()
    )
    if article is None:
        raise Http404
    return article


def _step_scope(user, capability: str) -> Q | None:
    if is_superuser(user):
        return Q()
    paths = scope_paths(user, capability)
    if not paths:
        return None
    condition = Q()
    for path in paths:
        condition |= Q(organization__path__startswith=path)
    return condition


def waiting_for(user, base: QuerySet[Article] | None = None) -> list[Article]:
    """The articles in review whose current step this person may take now: their role covers the step on the
    article's organization, they did not write it and passed no step of this round."""
    base = Article.objects.all() if base is None else base
    reviewing = base.filter(state=Article.State.REVIEWING).select_related("organization", "column", "created_by")
    review, approve = _step_scope(user, REVIEW_ARTICLES), _step_scope(user, APPROVE_ARTICLES)
    parts = Q(pk__in=[])
    from django.db.models import F

    if review is not None:
        parts |= review & Q(steps_passed__lt=F("review_steps") - 1)
    if approve is not None:
        parts |= approve & Q(steps_passed=F("review_steps") - 1)
    candidates = reviewing.filter(parts).exclude(created_by=user).order_by("pk")
    return [
        article
        for article in candidates
        if not why_not_reviewer(user, article)
        and has_capability(user, step_capability(article.steps_passed + 1, article.review_steps), article.organization)
    ]


def waiting_count(user) -> int | None:
    """The to-do line's number: None when reviewing is not this person's work at all."""
    if not is_superuser(user) and not (scope_paths(user, REVIEW_ARTICLES) or scope_paths(user, APPROVE_ARTICLES)):
        return None
    return len(waiting_for(user))


def steps_for(user, article: Article) -> list[str]:
    return ARTICLES.available_steps(user, article)
