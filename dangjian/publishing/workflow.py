"""The article's review (三审) as a `core.workflow` instance: who may take which step, from which state.

    draft ─submit─▶ reviewing ─approve (each step)…─▶ published (or scheduled, then published by the clock)
      ▲               │ return (a reason)                   │ withdraw (a reason)
      └──edit── returned                      withdrawn ◀───┘

A column asks 0 to 3 review steps (copied to the article when it is submitted): 1 step is 终审; 2 are 初审 and
终审; 3 are 初审, 复审 and 终审. With 0 steps submitting publishes at once (after the sensitive-word check).

Actors:
- "writer": holds WRITE_ARTICLES on the article's organization (a grant on it or above).
- "reviewer": may take the article's current step: REVIEW_ARTICLES for a step before the last, APPROVE_ARTICLES
  for the last (终审), on the article's organization; never its author, and never someone who already passed a
  step of this round (三审 means different people).
- "approver": holds APPROVE_ARTICLES on the article's organization (withdrawing what was published).
The clock publishes scheduled articles (no actor rule: never offered to a person).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.permissions import APPROVE_ARTICLES, REVIEW_ARTICLES, WRITE_ARTICLES, has_capability
from dangjian.core.workflow import Step, Workflow

from .models import Article, ArticleEvent

State = Article.State
EDITABLE = [State.DRAFT, State.RETURNED, State.WITHDRAWN]

FIRST = gettext_lazy("first review")  # 初审
SECOND = gettext_lazy("second review")  # 复审
FINAL = gettext_lazy("final review")  # 终审
STEP_NAMES = {1: [FINAL], 2: [FIRST, FINAL], 3: [FIRST, SECOND, FINAL]}


def step_name(step: int, of: int) -> str:
    """初审 / 复审 / 终审 for step `step` (1-based) of a round of `of` steps."""
    names = STEP_NAMES.get(of)
    if not names or not 1 <= step <= len(names):
        return ""
    return str(names[step - 1])


def step_capability(step: int, of: int) -> str:
    """The last step (终审) publishes and needs APPROVE_ARTICLES; the steps before it REVIEW_ARTICLES."""
    return APPROVE_ARTICLES if step >= of else REVIEW_ARTICLES


def current_step(article: Article) -> int:
    return article.steps_passed + 1


def round_approvers(article: Article) -> set[int]:
    """The people who passed a step of the current review round (since the article was last submitted)."""
    cached = getattr(article, "_round_approvers", None)
    if cached is not None:
        return cached
    submitted = (
        ArticleEvent.objects.filter(article=article, kind=ArticleEvent.Kind.SUBMITTED)
        .order_by("-at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    approvers = set(
        ArticleEvent.objects.filter(article=article, kind=ArticleEvent.Kind.APPROVED, pk__gt=submitted or 0)
        .exclude(actor=None)
        .values_list("actor_id", flat=True)
    )
    article._round_approvers = approvers  # type: ignore[attr-defined]
    return approvers


def why_not_reviewer(user, article: Article) -> str:
    """Why this person may not take the article's current step although their role would allow it ("" when
    nothing stands in the way): the author, or someone who already passed a step of this round."""
    if article.created_by_id is not None and article.created_by_id == getattr(user, "pk", None):
        return _("You wrote this article; someone else must review it.")
    if getattr(user, "pk", None) in round_approvers(article):
        return _("You have already passed a step of this review; the next step must be taken by someone else.")
    return ""


def _writer(user, article: Article):
    return article.organization if has_capability(user, WRITE_ARTICLES, article.organization) else None


def _reviewer(user, article: Article):
    if article.state != State.REVIEWING or article.review_steps < 1:
        return None
    capability = step_capability(current_step(article), article.review_steps)
    if not has_capability(user, capability, article.organization):
        return None
    if why_not_reviewer(user, article):
        return None
    return article.organization


def _approver(user, article: Article):
    return article.organization if has_capability(user, APPROVE_ARTICLES, article.organization) else None


def _column_open(article: Article) -> str:
    if article.column.archived_at is not None:
        return _("This column is archived; choose another column before submitting.")
    return ""


def _refusal(state: str) -> str:
    if state == State.REVIEWING:
        return _("This article is being reviewed; it cannot be changed until it is returned or published.")
    if state == State.PUBLISHED:
        return _("This article is published. Withdraw it first to change it.")
    if state == State.SCHEDULED:
        return _("This article is scheduled for publication. Withdraw it first to change it.")
    if state == State.WITHDRAWN:
        return _("This article was withdrawn.")
    return _("This is not possible for this article now.")


ARTICLES = Workflow(
    [
        Step("edit", EDITABLE, State.DRAFT, "writer"),
        Step("submit", EDITABLE, [State.REVIEWING, State.SCHEDULED, State.PUBLISHED], "writer", _column_open),
        Step("approve", [State.REVIEWING], [State.REVIEWING, State.SCHEDULED, State.PUBLISHED], "reviewer"),
        Step("return", [State.REVIEWING], State.RETURNED, "reviewer"),
        Step("withdraw", [State.PUBLISHED, State.SCHEDULED], State.WITHDRAWN, "approver"),
        Step("publish_due", [State.SCHEDULED], State.PUBLISHED, "clock"),
    ],
    actors={"writer": _writer, "reviewer": _reviewer, "approver": _approver},
    refusal=_refusal,
)
