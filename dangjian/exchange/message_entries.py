"""What the message area adds to the shared pages (core/registry.py) and to the module's hooks: a posted message
tells the people it mentions (mentions.after_post in actions.POSTED_HOOKS)."""

from __future__ import annotations


def register() -> None:
    from . import actions, mentions

    if mentions.after_post not in actions.POSTED_HOOKS:
        actions.POSTED_HOOKS.append(mentions.after_post)
