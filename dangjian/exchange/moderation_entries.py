"""What the moderation area adds to the shared pages (core/registry.py): the menu entry of the queue, the to-do
lines (held messages, reported messages, held questions: each counts exactly what its link lists), and the held-message notice
hooked into post_message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


def _held_text(n: int) -> str:
    return ngettext(
        "%(n)s message in your rooms waits for review", "%(n)s messages in your rooms wait for review", n
    ) % {"n": n}


def _reported_text(n: int) -> str:
    return ngettext("%(n)s reported message waits for you", "%(n)s reported messages wait for you", n) % {"n": n}


def _questions_text(n: int) -> str:
    return ngettext(
        "%(n)s question asked of your organizations waits for review",
        "%(n)s questions asked of your organizations wait for review",
        n,
    ) % {"n": n}


def _held_questions(request) -> int | None:
    from . import questions

    return questions.held_for(request.user).count()


def _count(request, which) -> int | None:
    from . import moderation

    if not moderation.rooms_moderated_by(request.user).exists():
        return None
    return which(request.user).count()


def register() -> None:
    from dangjian.core.registry import MenuItem, ToDo, register

    from . import moderation

    moderation.install_hooks()
    register(
        MenuItem(
            "moderation",
            _("Room moderation"),
            "console:moderation",
            order=58,
            visible=lambda request: moderation.may_see_queue(request.user),
        ),
        ToDo(
            "exchange.held_messages",
            _held_text,
            lambda request: _count(request, moderation.held_messages),
            "console:moderation",
            query="show=held",
            order=58,
        ),
        ToDo(
            "exchange.reported_messages",
            _reported_text,
            lambda request: _count(request, moderation.reported_messages),
            "console:moderation",
            query="show=reports",
            order=59,
        ),
        ToDo(
            "exchange.held_questions",
            _questions_text,
            _held_questions,
            "console:moderation",
            query="show=questions",
            order=59,
        ),
    )
