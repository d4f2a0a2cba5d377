"""Full-text search and autocomplete statements, PostgreSQL and SQLite FTS5 side by side.

Each dialect supplies the fragments that differ (how a table is matched, ranked, highlighted,
where its year and genres live); the statements around them are shared, so that a reader sees
at a glance that both stores answer the same question (SPEC-tables §6).

User text never becomes query syntax. PostgreSQL gets it as a bound parameter of
`plainto_tsquery`, which reads plain words only. FTS5 has no such function, so its query is built
from the words of `domain.tables.query_words`, each a quoted string token, minus PostgreSQL's
English stop words so that both stores ignore the same words. PostgreSQL also stems (English),
FTS5 does not: "beatle" finds "Beatles" on PostgreSQL only. Autocomplete matches word prefixes,
unstemmed, on both (PostgreSQL's `simple` configuration); FTS5 also ignores diacritics there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from domain.tables import (
    GENRE_FACET_SIZE,
    NAME_FIELDS,
    SEARCH_COUNT_CAP,
    SearchQuery,
    query_words,
    sendable_text,
)

# PostgreSQL's english.stop (tsearch_data, the Snowball list): words `plainto_tsquery('english', …)`
# drops, which the FTS5 query must drop too.
ENGLISH_STOP_WORDS = frozenset(
    (
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
    )
)

_DATED = frozenset({"masters", "releases"})
_GENRED = frozenset({"releases"})


class SearchDialect(Protocol):
    """The fragments of the search statements that differ between the two stores."""

    collate: str

    def source(self, table: str) -> str:
        """FROM clause over the table, aliased `t`, with what the match condition needs."""
        ...

    def matches(self, table: str) -> str: ...

    def relevance(self, table: str) -> str:
        """Higher is better."""
        ...

    def highlight(self, table: str) -> str: ...

    def name(self, table: str) -> str: ...

    def year(self) -> str:
        """The document's year when it is a number, else NULL."""
        ...

    def genres(self) -> str:
        """The document's genres as JSON text, or NULL."""
        ...

    def genre_filter(self) -> str: ...

    def lists_genres(self) -> str:
        """True when the document's genres are a JSON array."""
        ...

    def genre_values(self) -> str:
        """FROM-clause fragment naming each genre of a matched row `matched` as `genre`."""
        ...

    def prefix_source(self, table: str) -> str: ...

    def prefix_matches(self, table: str) -> str: ...

    def search_parameters(self, query: SearchQuery) -> dict[str, Any] | None:
        """The bound values for the query text and genres; None when no word is left to match."""
        ...

    def prefix_parameter(self, words: list[str]) -> str: ...


class PostgresqlSearch:
    """tsvector @@ plainto_tsquery on the expression GIN indexes of migration 0001 (and 0002 for prefixes)."""

    collate = ' COLLATE "C"'

    def source(self, table: str) -> str:
        return f"{table} AS t, plainto_tsquery('english', CAST(:text AS text)) AS query"

    def _vector(self, table: str) -> str:
        # Exactly the indexed expression, so that the GIN index answers the match.
        return f"to_tsvector('english', COALESCE(t.data->>'{NAME_FIELDS[table]}', ''))"

    def matches(self, table: str) -> str:
        return f"{self._vector(table)} @@ query"

    def relevance(self, table: str) -> str:
        # Normalization 1 (rank / (1 + log(length))) puts the shorter of two equally matching
        # names first, as FTS5's bm25 does.
        return f"ts_rank({self._vector(table)}, query, 1)"

    def highlight(self, table: str) -> str:
        return f"ts_headline('english', COALESCE(t.data->>'{NAME_FIELDS[table]}', ''), query)"

    def name(self, table: str) -> str:
        return f"t.data->>'{NAME_FIELDS[table]}'"

    def year(self) -> str:
        return "CASE WHEN jsonb_typeof(t.data->'year') = 'number' THEN CAST(t.data->'year' AS integer) END"

    def genres(self) -> str:
        return "CAST(t.data->'genres' AS text)"

    def genre_filter(self) -> str:
        return "(t.data->'genres' IS NULL OR t.data->'genres' ?| CAST(:genres AS text[]))"

    def lists_genres(self) -> str:
        return "jsonb_typeof(t.data->'genres') = 'array'"

    def genre_values(self) -> str:
        return "jsonb_array_elements_text(matched.data->'genres') AS genre (value)"

    def prefix_source(self, table: str) -> str:
        return f"{table} AS t, to_tsquery('simple', CAST(:prefixes AS text)) AS query"

    def prefix_matches(self, table: str) -> str:
        return f"to_tsvector('simple', COALESCE(t.data->>'{NAME_FIELDS[table]}', '')) @@ query"

    def search_parameters(self, query: SearchQuery) -> dict[str, Any] | None:
        if not query_words(query.text):
            return None
        return {"text": sendable_text(query.text), "genres": list(query.genres)}

    def prefix_parameter(self, words: list[str]) -> str:
        # Quoted lexemes with a prefix mark; the words hold only letters and digits, the
        # escaping keeps it so whatever they hold.
        quoted = ("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" for word in words)
        return " & ".join(quoted)


class SqliteSearch:
    """FTS5 MATCH on the `<table>_fts` tables of migration 0001, joined to the entity rows by rowid."""

    collate = ""

    def source(self, table: str) -> str:
        return f"{table}_fts JOIN {table} AS t ON t.rowid = {table}_fts.rowid"

    def matches(self, table: str) -> str:
        return f"{table}_fts MATCH :match"

    def relevance(self, table: str) -> str:
        # bm25() is lower for better matches.
        return f"-bm25({table}_fts)"

    def highlight(self, table: str) -> str:
        return f"highlight({table}_fts, 0, '<b>', '</b>')"

    def name(self, table: str) -> str:
        return f"json_extract(t.data, '$.{NAME_FIELDS[table]}')"

    def year(self) -> str:
        return (
            "CASE WHEN json_type(t.data, '$.year') IN ('integer', 'real') "
            "THEN CAST(json_extract(t.data, '$.year') AS integer) END"
        )

    def genres(self) -> str:
        return "json_extract(t.data, '$.genres')"

    def genre_filter(self) -> str:
        return (
            "(json_type(t.data, '$.genres') IS NULL OR EXISTS ("
            "SELECT 1 FROM json_each(t.data, '$.genres') AS g"
            " WHERE g.value IN (SELECT value FROM json_each(:genres))))"
        )

    def lists_genres(self) -> str:
        return "json_type(t.data, '$.genres') = 'array'"

    def genre_values(self) -> str:
        return "json_each(matched.data, '$.genres') AS genre"

    def prefix_source(self, table: str) -> str:
        return self.source(table)

    def prefix_matches(self, table: str) -> str:
        return f"{table}_fts MATCH :prefixes"

    def search_parameters(self, query: SearchQuery) -> dict[str, Any] | None:
        words = [word for word in query_words(query.text) if word not in ENGLISH_STOP_WORDS]
        if not words:
            return None
        return {
            "match": " ".join(fts5_string(word) for word in words),
            "genres": orjson.dumps(list(query.genres)).decode(),
        }

    def prefix_parameter(self, words: list[str]) -> str:
        return " ".join(fts5_string(word) + "*" for word in words)


def fts5_string(word: str) -> str:
    """An FTS5 string token: inside double quotes nothing is an operator; a quote is doubled."""
    return '"' + word.replace('"', '""') + '"'


@dataclass(frozen=True)
class SearchStatements:
    """The statements of one search, assembled from a dialect's fragments."""

    dialect: SearchDialect
    query: SearchQuery

    def _filters(self, table: str) -> str:
        conditions = []
        year = self.dialect.year()
        if table in _DATED and self.query.year_min is not None:
            conditions.append(f"({year} IS NULL OR {year} >= :year_min)")
        if table in _DATED and self.query.year_max is not None:
            conditions.append(f"({year} IS NULL OR {year} <= :year_max)")
        if table in _GENRED and self.query.genres:
            conditions.append(self.dialect.genre_filter())
        return "".join(f" AND {condition}" for condition in conditions)

    def _matched(self, table: str, filtered: bool) -> str:
        where = self.dialect.matches(table) + (self._filters(table) if filtered else "")
        return f"FROM {self.dialect.source(table)} WHERE {where}"

    def hits(self) -> str:
        """The page: each table's best `window` matches, merged and cut to the page (one row more)."""
        dialect, collate = self.dialect, self.dialect.collate
        windows = []
        for table in self.query.data_types:
            year = dialect.year() if table in _DATED else "CAST(NULL AS integer)"
            genres = dialect.genres() if table in _GENRED else "CAST(NULL AS text)"
            windows.append(
                f"SELECT * FROM (SELECT '{table}' AS data_type, t.data_id AS data_id, "
                f"{dialect.name(table)} AS name, {dialect.highlight(table)} AS highlight, "
                f"{dialect.relevance(table)} AS relevance, {year} AS year, {genres} AS genres "
                f"{self._matched(table, filtered=True)} "
                f"ORDER BY relevance DESC, t.data_id{collate} LIMIT :window) AS {table}_window"
            )
        return (
            "SELECT data_type, data_id, name, highlight, relevance, year, genres "
            f"FROM ({' UNION ALL '.join(windows)}) AS windows "
            f"ORDER BY relevance DESC, data_id{collate}, data_type{collate} "
            "LIMIT :page_rows OFFSET :offset"
        )

    def counts(self, filtered: bool) -> str:
        """Matches per table, each capped, as one row with a column per table."""
        columns = ", ".join(
            f"(SELECT count(*) FROM (SELECT 1 {self._matched(table, filtered)} LIMIT :cap) AS capped) "
            f"AS {table}"
            for table in self.query.data_types
        )
        return f"SELECT {columns}"

    def genre_facet(self) -> str:
        """The most frequent genres among (at most `cap`) matching releases."""
        collate = self.dialect.collate
        return (
            f"SELECT genre.value, count(*) AS genre_count FROM (SELECT t.data AS data "
            f"{self._matched('releases', filtered=False)} AND {self.dialect.lists_genres()} LIMIT :cap) "
            f"AS matched, {self.dialect.genre_values()} "
            f"GROUP BY genre.value ORDER BY genre_count DESC, genre.value{collate} LIMIT {GENRE_FACET_SIZE}"
        )

    def decade_facet(self) -> str:
        """Matching masters and releases (at most `cap` of each) by year // 10 * 10."""
        year = self.dialect.year()
        arms = [
            f"SELECT * FROM (SELECT {year} / 10 * 10 AS decade {self._matched(table, filtered=False)} "
            f"AND {year} IS NOT NULL LIMIT :cap) AS {table}_dated"
            for table in self.query.data_types
            if table in _DATED
        ]
        return (
            f"SELECT decade, count(*) FROM ({' UNION ALL '.join(arms)}) AS dated "
            "GROUP BY decade ORDER BY decade"
        )

    def parameters(self, matching: dict[str, Any]) -> dict[str, Any]:
        query = self.query
        return {
            **matching,
            "year_min": query.year_min,
            "year_max": query.year_max,
            "window": query.offset + query.limit + 1,
            "page_rows": query.limit + 1,
            "offset": query.offset,
            "cap": SEARCH_COUNT_CAP,
        }


def autocomplete_statement(dialect: SearchDialect, table: str) -> str:
    """Rows whose name has a word starting with each typed word, shortest name first, then name and id."""
    name, collate = dialect.name(table), dialect.collate
    return (
        f"SELECT t.data_id, {name} AS name FROM {dialect.prefix_source(table)} "
        f"WHERE {dialect.prefix_matches(table)} "
        f"ORDER BY length({name}), {name}{collate}, t.data_id{collate} LIMIT :limit"
    )
