"""Chinese text cut into words, shared by every module that searches or compares text.

jieba in search mode with our word dictionary (settings.WORD_DICTIONARY: policy and public-service terms such as
生育保险, 宅基地): `index_text` gives the space-separated words stored for a full-text index (a long word also
yields every dictionary word inside it), `words(text, search_mode=False)` the words of a query. Policies search
with it (policies/search.py) and feedback finds similar cases with it (feedback/suggestions.py).
"""

from __future__ import annotations

import functools
import re

import jieba
from django.conf import settings

jieba.setLogLevel(60)  # jieba logs dictionary loading at INFO; keep logs quiet

WORD_RE = re.compile(r"\w+", re.UNICODE)
HAN_RE = re.compile(r"[\u4e00-\u9fff]")


@functools.cache
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(settings.WORD_DICTIONARY))
    return tokenizer


def tokenize_warm_up() -> None:
    """Load the word dictionary now rather than in the first search."""
    _tokenizer().check_initialized()


def dictionary_parts(word: str) -> list[str]:
    """Every dictionary word of two or more characters inside `word`, longest first.

    jieba's own search mode only adds inner words of two and three characters, so
    城乡居民基本养老保险 would not be found by 养老保险.
    """
    freq = _tokenizer().FREQ
    n = len(word)
    return [
        word[i : i + size] for size in range(n - 1, 1, -1) for i in range(n - size + 1) if freq.get(word[i : i + size])
    ]


def words(text: str, search_mode: bool) -> list[str]:
    words = []
    for word in _tokenizer().cut(text):
        for part in WORD_RE.findall(word.lower()):
            words.append(part)
            if search_mode and len(part) > 2:
                words.extend(dictionary_parts(part))
    return words


def index_text(text: str) -> str:
    """The space-separated words stored for indexing."""
    return " ".join(words(text, search_mode=True))
