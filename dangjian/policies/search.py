"""Chinese full-text search over policies.

Text is cut into words by the shared tokenizer (core/text.py: jieba in search mode, so a long word also
yields its shorter words and "养老保险" is found by "养老" and by "保险", with a word dictionary so that terms
such as 生育保险 stay whole). The words are stored space-separated beside the text (Policy.title_tokens,
Policy.body_tokens) and indexed by the database:

- SQLite: an FTS5 table (tokenizer unicode61) with external content, kept in step by triggers;
  ranked by bm25 with the title weighted above the body.
- PostgreSQL: a weighted tsvector('simple') column kept by a trigger, with a GIN index; ranked by ts_rank_cd.

A query is cut the same way; every word of it must occur (AND). Punctuation and operators
typed by the user (quotes, *, OR, brackets) are never passed through as syntax.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dangjian.core import text as words_of
from dangjian.core.fulltext import sqlite_objects_present

from .models import DATES_INDEX, status_rank

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import Policy

MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 12

FTS_TABLE = "policies_policy_fts"
# PostgreSQL: the weighted tsvector is stored in a column kept by a trigger (see ensure_search_schema),
# so ranking reads it instead of recomputing it for every matching row.
PG_VECTOR = "policies_policy.search_vector"
PG_VECTOR_EXPRESSION = (
    "setweight(to_tsvector('simple'::regconfig, coalesce({row}title_tokens, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce({row}body_tokens, '')), 'B')"
)
PG_SCHEMA = [
    "ALTER TABLE policies_policy ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "CREATE OR REPLACE FUNCTION policies_policy_search_vector() RETURNS trigger AS $$ BEGIN "
    f"NEW.search_vector := {PG_VECTOR_EXPRESSION.format(row='NEW.')}; RETURN NEW; END $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS policies_policy_search_vector_trg ON policies_policy",
    "CREATE TRIGGER policies_policy_search_vector_trg BEFORE INSERT OR UPDATE OF title_tokens, body_tokens "
    "ON policies_policy FOR EACH ROW EXECUTE FUNCTION policies_policy_search_vector()",
    f"UPDATE policies_policy SET search_vector = {PG_VECTOR_EXPRESSION.format(row='')} WHERE search_vector IS NULL",
    "CREATE INDEX IF NOT EXISTS policies_policy_search_vector_gin ON policies_policy USING GIN (search_vector)",
    "DROP INDEX IF EXISTS policies_policy_search_gin",  # the expression index of an older schema
]


@dataclass
class ParsedQuery:
    terms: list[str]  # words that must all occur
    highlight: list[str]  # words to mark in results (longest first)

    @property
    def is_empty(self) -> bool:
        return not self.terms

    @property
    def is_single_character(self) -> bool:
        """A lone Chinese character: not a word the index holds, so matched as a substring."""
        return len(self.terms) == 1 and len(self.terms[0]) == 1 and bool(words_of.HAN_RE.match(self.terms[0]))


def parse_query(raw: str) -> ParsedQuery:
    text = (raw or "")[:MAX_QUERY_CHARS]
    words = list(dict.fromkeys(words_of.words(text, search_mode=False)))[:MAX_QUERY_WORDS]
    # A single Chinese character inside a longer query is almost always a particle (的, 和, 与);
    # it would also rarely stand alone in the index, so it does not have to match.
    terms = [w for w in words if not (len(w) == 1 and words_of.HAN_RE.match(w))] or words
    parts = {part for word in words if len(word) > 2 for part in words_of.dictionary_parts(word)}
    highlight = sorted(set(words) | parts, key=len, reverse=True)
    return ParsedQuery(terms=terms, highlight=highlight)


def _single_char_fallback(queryset, parsed: ParsedQuery, today: datetime.date | None):
    """A lone Chinese character cannot be looked up as a word; match it as a substring of the title."""
    return queryset.filter(title__contains=parsed.terms[0]).current_first(today)


def search(queryset, parsed: ParsedQuery, issuer_ids: list[int] | None = None, *, today: datetime.date | None = None):
    """Restrict a Policy queryset to matches of the query: policies in force first, then those not yet
    in force, then expired ones, each by relevance.

    `issuer_ids` (the portal's own and ancestor organizations) lets SQLite's index restrict the
    matches itself instead of joining every match of a common word.
    """
    if parsed.is_empty:
        return queryset.none()
    if parsed.is_single_character:
        return _single_char_fallback(queryset, parsed, today)
    queryset = queryset.alias(status_rank=status_rank(today))
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"'{term}'" for term in parsed.terms)
        return queryset.extra(  # noqa: S610 - constant SQL; the query goes in as a parameter
            select={"rank": f"ts_rank_cd({PG_VECTOR}, to_tsquery('simple', %s))"},
            select_params=[tsquery],
            where=[f"{PG_VECTOR} @@ to_tsquery('simple', %s)"],
            params=[tsquery],
        ).order_by("status_rank", "-rank", "-issued_on")
    match = _fts_match(parsed, issuer_ids)
    return queryset.extra(  # noqa: S610 - constant SQL; the query goes in as a parameter
        select={"rank": f"bm25({FTS_TABLE}, 8.0, 1.0, 0.0)"},
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE}.rowid = policies_policy.id", f"{FTS_TABLE} MATCH %s"],
        params=[match],
    ).order_by("status_rank", "rank", "-issued_on")


def _fts_match(parsed: ParsedQuery, issuer_ids: list[int] | None) -> str:
    match = "{title_tokens body_tokens} : (" + " AND ".join(f'"{term}"' for term in parsed.terms) + ")"
    if issuer_ids:
        match += " AND issuer_token : (" + " OR ".join(f'"i{int(pk)}"' for pk in issuer_ids) + ")"
    return match


class IndexRankedMatches:
    """The published policies of some issuers matching a query, counted and ranked by the index alone.

    On SQLite the index carries the issuer of each published policy, so a search without other
    filters needs no join until the page's rows are fetched. Sliced by Django's Paginator (which reads
    `count()` and slices; `__len__`, `__iter__` and an int index complete the sequence it is typed with).
    """

    def __init__(
        self,
        queryset: QuerySet[Policy],
        parsed: ParsedQuery,
        issuer_ids: list[int],
        *,
        today: datetime.date | None = None,
    ):
        self.queryset = queryset
        self.match = _fts_match(parsed, issuer_ids)
        self.today = (today or timezone.localdate()).isoformat()

    @staticmethod
    def usable(parsed: ParsedQuery) -> bool:
        return connection.vendor == "sqlite" and not parsed.is_empty and not parsed.is_single_character

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [self.match])
            return cursor.fetchone()[0]

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Policy]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Policy: ...
    @overload
    def __getitem__(self, index: slice) -> list[Policy]: ...
    def __getitem__(self, index: int | slice) -> Policy | list[Policy]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start = index.start or 0
        with connection.cursor() as cursor:
            # In force first, then not yet in force, then expired (as models.status_rank), each by relevance:
            # the dates of the matches are read from a small covering index, not from their rows.
            cursor.execute(
                f"SELECT {FTS_TABLE}.rowid FROM {FTS_TABLE} "
                f"JOIN policies_policy p INDEXED BY {DATES_INDEX} ON p.id = {FTS_TABLE}.rowid "
                f"WHERE {FTS_TABLE} MATCH %s ORDER BY CASE WHEN p.effective_on > %s THEN 1 "
                "WHEN p.expires_on < %s THEN 2 ELSE 0 END, "
                f"bm25({FTS_TABLE}, 8.0, 1.0, 0.0), {FTS_TABLE}.rowid DESC LIMIT %s OFFSET %s",
                [self.match, self.today, self.today, index.stop - start, start],
            )
            ids = [row[0] for row in cursor.fetchall()]
        by_id = self.queryset.in_bulk(ids)
        return [by_id[pk] for pk in ids if pk in by_id]


def highlight(text: str, parsed: ParsedQuery) -> SafeString:
    """Escape text and wrap the query's words in <mark>."""
    escaped = escape(text)
    if not parsed.highlight:
        return mark_safe(escaped)
    pattern = re.compile("|".join(re.escape(escape(word)) for word in parsed.highlight), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))


def snippet(text: str, parsed: ParsedQuery, width: int = 90) -> SafeString:
    """A short passage around the first match, highlighted."""
    lowered = text.lower()
    positions = [lowered.find(word) for word in parsed.highlight if lowered.find(word) >= 0]
    start = max(min(positions) - width // 3, 0) if positions else 0
    passage = text[start : start + width].replace("\n", " ")
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + highlight(passage, parsed) + suffix)


# --- Index maintenance ----------------------------------------------------------------------

SQLITE_SCHEMA = [  # noqa: S608 - constant table names
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title_tokens, body_tokens, issuer_token, content='policies_policy', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER IF NOT EXISTS policies_policy_fts_ai AFTER INSERT ON policies_policy BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, title_tokens, body_tokens, issuer_token) "
    "VALUES (new.id, new.title_tokens, new.body_tokens, new.issuer_token); END",
    f"CREATE TRIGGER IF NOT EXISTS policies_policy_fts_ad AFTER DELETE ON policies_policy BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_tokens, body_tokens, issuer_token) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.issuer_token); END",
    f"CREATE TRIGGER IF NOT EXISTS policies_policy_fts_au AFTER UPDATE ON policies_policy BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_tokens, body_tokens, issuer_token) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.issuer_token); "
    f"INSERT INTO {FTS_TABLE}(rowid, title_tokens, body_tokens, issuer_token) "
    "VALUES (new.id, new.title_tokens, new.body_tokens, new.issuer_token); END",
]
SQLITE_OBJECTS = {FTS_TABLE, "policies_policy_fts_ai", "policies_policy_fts_ad", "policies_policy_fts_au"}


def ensure_search_schema(using: str = "default", **kwargs) -> None:
    """Create the full-text index if it is missing (after every migrate).

    On SQLite a table rebuild by a later migration drops triggers; recreating them here and
    rebuilding the index keeps search correct whatever migrations do.
    """
    from django.db import connections

    conn = connections[using]
    tables = conn.introspection.table_names()
    if "policies_policy" not in tables:
        return
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            present = sqlite_objects_present(cursor, SQLITE_OBJECTS)
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [FTS_TABLE])
            row = cursor.fetchone()
            if row and "issuer_token" not in row[0]:  # index built by an older schema
                for name in sorted(SQLITE_OBJECTS - {FTS_TABLE}):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"DROP TABLE {FTS_TABLE}")
                present = set()
            if present != SQLITE_OBJECTS:
                for statement in SQLITE_SCHEMA:
                    cursor.execute(statement)
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
        elif conn.vendor == "postgresql":
            for statement in PG_SCHEMA:
                cursor.execute(statement)
            _keep_vectors_in_rows(cursor)


def _keep_vectors_in_rows(cursor) -> None:
    """Keep each policy's tsvector in its row (STORAGE MAIN), compressed with lz4 where the server has it.

    Ranking reads the vector of every match: a common word in a county matches thousands of policies, and vectors
    moved out of line (TOAST, a body's words are a few KB) cost a lookup in the TOAST index and reads of its chunks
    each, five times the pages of the rows themselves, and pglz is slow to decompress. Done once: the vectors
    already stored are rewritten (about a minute for 100,000 policies)."""
    cursor.execute(
        "SELECT attstorage FROM pg_attribute WHERE attrelid = 'policies_policy'::regclass AND attname = 'search_vector'"
    )
    if cursor.fetchone()[0] == "m":
        return
    cursor.execute("ALTER TABLE policies_policy ALTER COLUMN search_vector SET STORAGE MAIN")
    cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
    row = cursor.fetchone()
    if row and row[0]:
        cursor.execute("ALTER TABLE policies_policy ALTER COLUMN search_vector SET COMPRESSION lz4")
    cursor.execute(f"UPDATE policies_policy SET search_vector = {PG_VECTOR_EXPRESSION.format(row='')}")  # noqa: S608
