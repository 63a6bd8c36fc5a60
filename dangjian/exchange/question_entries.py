"""What the question area adds to the shared pages (core/registry.py): the portal's 问政 section and its block of the
latest official answers, the console's 问政 menu entry and to-do line for those who answer, and the questions answered
per organization."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from dangjian.accounts.permissions import ANSWER_QUESTIONS, held_paths, scope_paths
from dangjian.core.registry import (
    Counted,
    MenuItem,
    PortalBlock,
    PortalSection,
    ToDo,
    UsageMetric,
    UsageRate,
    period_bounds,
)

from .models import PublicQuestion

PORTAL_ANSWERS = 3


def questions_answered(organization, start, end) -> int:
    """Questions asked of an organization of the subtree and answered officially in the period."""
    since, until = period_bounds(start, end)
    return PublicQuestion.objects.filter(
        organization__path__startswith=organization.path, answered_at__gte=since, answered_at__lt=until
    ).count()


def _received_questions():
    """Questions that reached the organization: neither waiting for review nor removed by a moderator."""
    return PublicQuestion.objects.exclude(state__in=[PublicQuestion.State.HELD, PublicQuestion.State.REMOVED])


def questions_received(organization, start, end) -> int:
    """Questions asked of an organization of the subtree in the period, except those held or removed."""
    since, until = period_bounds(start, end)
    return (
        _received_questions()
        .filter(organization__path__startswith=organization.path, created_at__gte=since, created_at__lt=until)
        .count()
    )


def _question_counted(rows, date: str) -> Counted:
    return Counted(
        rows=rows,
        organization="organization",
        date=date,
        moves=True,
        capability=ANSWER_QUESTIONS,
        label=lambda question: question.title,
        link=lambda question: reverse("console:public_question", args=[question.pk]),
    )


def portal_answers_block(organization) -> dict | None:
    answered = list(
        PublicQuestion.objects.filter(
            organization__path__startswith=organization.path, state=PublicQuestion.State.ANSWERED
        )
        .select_related("answered_as")
        .order_by("-answered_at", "-pk")[:PORTAL_ANSWERS]
    )
    return {"answered_questions": answered} if answered else None


def answers_questions(request) -> bool:
    user = request.user
    return bool(user.is_superuser and user.is_active) or bool(scope_paths(user, ANSWER_QUESTIONS))


def waiting_count(request) -> int | None:
    if not held_paths(request.user, ANSWER_QUESTIONS):
        return None
    from .question_views import waiting_for

    return waiting_for(request.user).count()


def _waiting_text(n: int) -> str:
    return ngettext("%(n)s question waits for your answer", "%(n)s questions wait for your answer", n) % {"n": n}


def register() -> None:
    from dangjian.core import registry

    registry.register(
        PortalSection("questions", pgettext_lazy("portal section", "Questions"), "exchange:questions", order=42),
        PortalBlock("questions", "exchange/_question_portal_block.html", portal_answers_block, order=35),
        MenuItem(
            "public_questions",
            pgettext_lazy("console menu", "Questions"),
            "console:public_questions",
            order=42,
            visible=answers_questions,
        ),
        ToDo(
            "exchange.questions_waiting",
            _waiting_text,
            waiting_count,
            "console:public_questions",
            query="todo=answer",
            order=42,
        ),
        UsageMetric(
            "exchange.questions_answered",
            _("Questions answered officially"),
            questions_answered,
            order=80,
            counted=_question_counted(PublicQuestion.objects.all, "answered_at"),
            group="interaction",
            definition=_(
                "Public questions asked of the subtree's organizations that received their official answer during "
                "the period, whenever they were asked."
            ),
        ),
        UsageMetric(
            "exchange.questions_received",
            _("Questions received"),
            questions_received,
            order=79,
            counted=_question_counted(_received_questions, "created_at"),
            group="interaction",
            definition=_(
                "Public questions asked of the subtree's organizations during the period, in rooms or on the portal, "
                "except those still waiting for review or removed by a moderator."
            ),
        ),
        UsageRate(
            "exchange.questions_answered_rate",
            _("Questions answered, of those received"),
            "exchange.questions_answered",
            "exchange.questions_received",
            group="interaction",
            definition=_(
                "Questions answered during the period divided by the questions received during the period (an "
                "answer may come in a later period than its question)."
            ),
            order=80,
        ),
    )
