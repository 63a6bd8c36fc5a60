"""The staff inbox's one search box: a tracking number, a citizen's mobile number, or Chinese words.

- 12 digits (spaces and dashes tolerated): the case with that tracking number (`Case.number`, unique index).
- 11 digits starting with 1 (spaces and dashes tolerated): the cases whose `contact_phone` is that number
  (an index on `contact_phone`; the public form stores the number without spaces).
- Anything else: words cut by the shared tokenizer (core/text.py, as policies/search.py does); every word must
  occur in the title or description. The words of both are stored in `Case.search_tokens` (written by
  records.insert_case, the one path every new case takes; title and description never change afterwards) and
  indexed by the database, as the policies are:
  - SQLite: an FTS5 table with external content on `feedback_case`, kept in step by triggers;
  - PostgreSQL: a tsvector('simple') column kept by a trigger, with a GIN index.
  Both are (re)created after every `migrate` by `ensure_search_schema`.

The search only ever narrows a queryset it is given (the caller passes `visible_cases(user)`), so a case
outside the user's scope is never found, even by its exact number. User input never reaches the query
syntax: only word characters are kept and each word is quoted. The query is never logged (it may be a
phone number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from dangjian.core import text as words_of
from dangjian.core.fulltext import sqlite_objects_present

MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 12
NUMBER_RE = re.compile(r"\d{12}")
MOBILE_RE = re.compile(r"1\d{10}")
SEPARATORS_RE = re.compile(r"[\s\-‐‑–—]+")

FTS_TABLE = "feedback_case_fts"
PG_VECTOR = "feedback_case.search_vector"


@dataclass(frozen=True)
class InboxQuery:
    kind: str  # "", "number", "phone" or "words"
    value: str = ""
    terms: tuple[str, ...] = ()


def parse(raw: str) -> InboxQuery:
    text = (raw or "")[:MAX_QUERY_CHARS].strip()
    if not text:
        return InboxQuery("")
    compact = SEPARATORS_RE.sub("", text)
    if NUMBER_RE.fullmatch(compact):
        return InboxQuery("number", compact)
    if MOBILE_RE.fullmatch(compact):
        return InboxQuery("phone", compact)
    words = list(dict.fromkeys(words_of.words(text, search_mode=False)))[:MAX_QUERY_WORDS]
    # A single Chinese character inside a longer query is almost always a particle (的, 和); it does not have to match.
    terms = [w for w in words if not (len(w) == 1 and words_of.HAN_RE.match(w))] or words
    return InboxQuery("words", text, tuple(terms))


def narrow(queryset, query: InboxQuery):
    """The cases of `queryset` that match `query` (all of them for an empty query)."""
    if query.kind == "":
        return queryset
    if query.kind == "number":
        return queryset.filter(number=query.value)
    if query.kind == "phone":
        return queryset.filter(contact_phone=query.value)
    if not query.terms:  # only punctuation: nothing can match
        return queryset.none()
    if len(query.terms) == 1 and len(query.terms[0]) == 1:
        # A lone character is not a word the index holds: matched as a substring of title or description.
        term = query.terms[0]
        return queryset.filter(Q(title__contains=term) | Q(description__contains=term))
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"'{term}'" for term in query.terms)
        return queryset.extra(  # noqa: S610 - constant SQL; the query goes in as a parameter
            where=[f"{PG_VECTOR} @@ to_tsquery('simple', %s)"], params=[tsquery]
        )
    match = "search_tokens : (" + " AND ".join(f'"{term}"' for term in query.terms) + ")"
    return queryset.extra(  # noqa: S610 - constant SQL; the query goes in as a parameter
        where=[f"feedback_case.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"],  # noqa: S608
        params=[match],
    )


def case_tokens(title: str, description: str) -> str:
    return words_of.index_text(f"{title}\n{description}")


# --- Index maintenance ----------------------------------------------------------------------

PG_SCHEMA = [
    "ALTER TABLE feedback_case ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "CREATE OR REPLACE FUNCTION feedback_case_search_vector() RETURNS trigger AS $$ BEGIN "
    "NEW.search_vector := to_tsvector('simple'::regconfig, coalesce(NEW.search_tokens, '')); RETURN NEW; END $$ "
    "LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS feedback_case_search_vector_trg ON feedback_case",
    "CREATE TRIGGER feedback_case_search_vector_trg BEFORE INSERT OR UPDATE OF search_tokens "
    "ON feedback_case FOR EACH ROW EXECUTE FUNCTION feedback_case_search_vector()",
    "UPDATE feedback_case SET search_vector = to_tsvector('simple'::regconfig, coalesce(search_tokens, '')) "
    "WHERE search_vector IS NULL",
    "CREATE INDEX IF NOT EXISTS feedback_case_search_vector_gin ON feedback_case USING GIN (search_vector)",
]

SQLITE_SCHEMA = [  # noqa: S608 - constant table names
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_tokens, content='feedback_case', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER IF NOT EXISTS feedback_case_fts_ai AFTER INSERT ON feedback_case BEGIN "  # noqa: S608
    f"INSERT INTO {FTS_TABLE}(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    f"CREATE TRIGGER IF NOT EXISTS feedback_case_fts_ad AFTER DELETE ON feedback_case BEGIN "  # noqa: S608
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); END",
    f"CREATE TRIGGER IF NOT EXISTS feedback_case_fts_au AFTER UPDATE OF search_tokens ON feedback_case BEGIN "  # noqa: S608
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
]
SQLITE_OBJECTS = {FTS_TABLE, "feedback_case_fts_ai", "feedback_case_fts_ad", "feedback_case_fts_au"}


def ensure_search_schema(using: str = "default", **kwargs) -> None:
    """Create the full-text index of cases if it is missing (after every migrate).

    On SQLite a table rebuild by a later migration drops triggers; recreating them here and
    rebuilding the index keeps search correct whatever migrations do.
    """
    from django.db import connections

    conn = connections[using]
    if "feedback_case" not in conn.introspection.table_names():
        return
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            present = sqlite_objects_present(cursor, SQLITE_OBJECTS)
            if present != SQLITE_OBJECTS:
                for statement in SQLITE_SCHEMA:
                    cursor.execute(statement)
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
        elif conn.vendor == "postgresql":
            for statement in PG_SCHEMA:
                cursor.execute(statement)
