"""The shared sensitive-word matcher: one Aho-Corasick automaton (pyahocorasick) over `SensitiveWord`, built
once per process and rebuilt when the list changes (its count and latest change, one small query). Articles run it before review;
the exchange module runs it on messages.

    from dangjian.core import sensitive

    hits = sensitive.find(text)          # every occurrence, in order
    blocked = sensitive.blocking(hits)   # the distinct words that refuse the text

Matching ignores case and full-width/half-width differences (NFKC), so "ＡＢＣ" matches "abc".
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

import ahocorasick


@dataclass(frozen=True)
class Hit:
    word: str
    level: str
    start: int  # index in the normalized text (NFKC, lower case); the same as in the text for Chinese
    end: int  # exclusive


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


_lock = threading.Lock()
_cached: tuple[tuple, ahocorasick.Automaton | None] | None = None


def _generation() -> tuple:
    """What identifies the word list's current state: a change, an addition or a deletion alters it."""
    from django.db.models import Count, Max

    from .models import SensitiveWord

    state = SensitiveWord.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    return (state["count"], state["latest"])


def _build() -> ahocorasick.Automaton | None:
    from .models import SensitiveWord

    automaton = ahocorasick.Automaton()
    count = 0
    for word, level in SensitiveWord.objects.values_list("word", "level"):
        key = normalize(word).strip()
        if key:
            automaton.add_word(key, (key, level))
            count += 1
    if not count:
        return None
    automaton.make_automaton()
    return automaton


def automaton() -> ahocorasick.Automaton | None:
    """The automaton for the current word list (None when the list is empty)."""
    global _cached
    generation = _generation()
    cached = _cached
    if cached is not None and cached[0] == generation:
        return cached[1]
    with _lock:
        if _cached is None or _cached[0] != generation:
            _cached = (generation, _build())
        return _cached[1]


def find(text: str) -> list[Hit]:
    matcher = automaton()
    if matcher is None or not text:
        return []
    hits = []
    for end, (word, level) in matcher.iter(normalize(text)):
        hits.append(Hit(word=word, level=level, start=end - len(word) + 1, end=end + 1))
    return hits


def blocking(hits: list[Hit]) -> list[str]:
    """The distinct words among `hits` that refuse the text, in the order first found."""
    from .models import SensitiveWord

    return list(dict.fromkeys(hit.word for hit in hits if hit.level == SensitiveWord.Level.BLOCK))


def flagged(hits: list[Hit]) -> list[str]:
    from .models import SensitiveWord

    return list(dict.fromkeys(hit.word for hit in hits if hit.level == SensitiveWord.Level.FLAG))
