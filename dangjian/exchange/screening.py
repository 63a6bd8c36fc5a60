"""The sensitive-word check of what people write in the exchange (messages, nicknames, questions), over the shared
matcher (core/sensitive.py): a word at the BLOCK level refuses the text, naming the words; a word at the FLAG level
lets it through to a moderator first (the message or question is held). The moderation area owns this file."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dangjian.core import sensitive
from dangjian.core.history import InvalidInput


@dataclass(frozen=True)
class Screening:
    flagged: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return bool(self.flagged)


def screen(text: str, *, field_name: str = "body", strict: bool = False) -> Screening:
    """Refuse `text` with InvalidInput when it holds a blocked word; otherwise say which flagged words it holds.
    `strict` (nicknames: nothing can hold a name for review) refuses flagged words too."""
    hits = sensitive.find(text)
    blocked = sensitive.blocking(hits)
    if strict:
        blocked = list(dict.fromkeys([*blocked, *sensitive.flagged(hits)]))
    if blocked:
        message = _("Please rephrase: it contains words that may not be posted (%(words)s).") % {
            "words": "、".join(blocked[:5])
        }
        raise InvalidInput({field_name: [message]}, message)
    return Screening(flagged=sensitive.flagged(hits))
