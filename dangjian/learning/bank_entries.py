"""What the bank area adds to the shared pages (core/registry.py): the 题库 menu entry for those who keep question
banks (MANAGE_QUESTIONS somewhere)."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from dangjian.accounts.permissions import MANAGE_QUESTIONS
from dangjian.core import registry
from dangjian.core.registry import MenuItem

from . import queries


def register() -> None:
    registry.register(
        MenuItem(
            "question_banks",
            pgettext_lazy("console menu", "Question banks"),
            "console:question_banks",
            order=62,
            visible=lambda request: queries.may_use(request.user, MANAGE_QUESTIONS),
        ),
    )
