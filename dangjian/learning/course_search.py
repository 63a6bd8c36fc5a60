"""The Chinese search of a portal's courses: the query cut into words by the shared jieba tokenizer
(core.text.words), each word required among the words the course area stored in `Course.search_text`
(core.text.index_text of the title, summary and lessons, filled on publish)."""

from __future__ import annotations

from django.db.models import QuerySet, TextField, Value
from django.db.models.functions import Concat

from dangjian.core.text import words

from .models import Course

MAX_WORDS = 10


def query_words(query: str) -> list[str]:
    """The distinct words of a query, in order (at most MAX_WORDS)."""
    seen: list[str] = []
    for word in words(query[:100], search_mode=False):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_WORDS]


def search(courses: QuerySet[Course], query: str) -> QuerySet[Course]:
    """The courses whose stored words hold every word of the query (all of them when it has none)."""
    found = query_words(query)
    if not found:
        return courses
    courses = courses.annotate(_words=Concat(Value(" "), "search_text", Value(" "), output_field=TextField()))
    for word in found:
        courses = courses.filter(_words__contains=f" {word} ")
    return courses
