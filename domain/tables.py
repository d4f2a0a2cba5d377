"""The document tables as the domain sees them: write outcomes, purge rules, search requests and pages.

The table builder stores each Discogs record whole, keyed by id, with its sha256 and the time its
document was last written (SPEC-tables §1); when an unchanged copy was last delivered is kept beside
it, so that a re-run rewrites no row. What counts as a safe stale purge (§2) and what a search asks and
answers (§6) are decided here, so that both table stores (PostgreSQL, SQLite) apply the same rules
and the rules are tested without a database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.schema import ENTITY_TABLES

NAME_FIELDS: dict[str, str] = {"artists": "name", "labels": "name", "masters": "title", "releases": "title"}
"""The document field each entity is searched, autocompleted and listed by (SPEC-tables §6)."""

DEFAULT_MAX_DELETE_FRACTION = 0.90
"""A purge that would delete this share of a table or more is refused (PURGE_MAX_DELETE_FRACTION)."""

SEARCH_COUNT_CAP = 10_000
"""Search totals and facets count at most this many matches per table: an approximate lower bound
that keeps a common word from scanning millions of rows (SPEC-tables §6)."""

GENRE_FACET_SIZE = 20
"""How many genres the genre facet lists, the most frequent first."""


class UnknownDataType(ValueError):
    """A data type that is not one of the four entity tables; names it."""

    def __init__(self, data_type: str) -> None:
        super().__init__(f"not a Discogs data type: {data_type!r} (expected one of {ENTITY_TABLES})")
        self.data_type = data_type


class InvalidRecord(ValueError):
    """A record the tables cannot key or compare: no non-empty string `id` or `sha256`.

    Raised before anything of the batch is written, so the caller can dead-letter this record
    and retry the others.
    """

    def __init__(self, data_type: str, position: int, record_id: object, reason: str) -> None:
        super().__init__(f"{data_type} record #{position} (id {record_id!r}): {reason}")
        self.data_type = data_type
        self.position = position
        self.record_id = record_id
        self.reason = reason


def require_data_type(data_type: str) -> str:
    """The data type itself when it names an entity table; UnknownDataType otherwise.

    Stores interpolate it into SQL as a table name, so nothing else may pass.
    """
    if data_type not in ENTITY_TABLES:
        raise UnknownDataType(data_type)
    return data_type


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    """What one batch did: rows created, rows rewritten because their hash changed, rows only seen.

    A record repeated within a batch counts once (the last copy wins).
    """

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        """Rows whose document was (re)written."""
        return self.inserted + self.updated


class PurgeVeto(StrEnum):
    """Why a stale purge deleted nothing (SPEC-tables §2)."""

    DEAD_LETTERED = "dead_lettered"
    """This run dead-lettered records of the type: their rows look stale but were in the dump."""
    NO_RECORDS_THIS_RUN = "no_records_this_run"
    """The run counted no record of the type (a resumed extraction): every row would look stale."""
    NOTHING_STALE = "nothing_stale"
    """The table is empty or every row was seen this run."""
    TOO_MANY_STALE = "too_many_stale"
    """The stale share reached the maximum delete fraction: more likely a broken run than a shrunk dump."""


@dataclass(frozen=True, slots=True)
class PurgeDecision:
    """What a stale purge did, with the figures to log.

    `total` and `stale` are None when a veto applied before the table was counted.
    """

    data_type: str
    started_at: datetime
    veto: PurgeVeto | None
    total: int | None = None
    stale: int | None = None
    deleted: int = 0
    max_delete_fraction: float = DEFAULT_MAX_DELETE_FRACTION

    @property
    def purged(self) -> bool:
        return self.veto is None


def veto_before_counting(record_count: int, dead_lettered: bool) -> PurgeVeto | None:
    """The vetoes that need no look at the table: dead letters this run, or a type with no records.

    `record_count` is the run's count for the type from `extraction_complete` (0 when absent).
    """
    if dead_lettered:
        return PurgeVeto.DEAD_LETTERED
    if record_count == 0:
        return PurgeVeto.NO_RECORDS_THIS_RUN
    return None


def veto_after_counting(total: int, stale: int, max_delete_fraction: float) -> PurgeVeto | None:
    """The vetoes on the table's figures: nothing to delete, or too large a share to trust."""
    if total == 0 or stale == 0:
        return PurgeVeto.NOTHING_STALE
    if stale / total >= max_delete_fraction:
        return PurgeVeto.TOO_MANY_STALE
    return None


def require_delete_fraction(max_delete_fraction: float) -> float:
    """The fraction itself when it lies in (0, 1]; a fraction outside would veto all or nothing."""
    if not 0 < max_delete_fraction <= 1:
        raise ValueError(f"max_delete_fraction must lie in (0, 1], not {max_delete_fraction}")
    return max_delete_fraction


_WORD = re.compile(r"[^\W_]+")
# Control characters (NUL among them) and lone surrogates cannot travel to either database.
_UNSENDABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def sendable_text(text: str) -> str:
    """User text with what no database accepts (NUL, controls, lone surrogates) turned into spaces."""
    return _UNSENDABLE.sub(" ", text)


def query_words(text: str) -> list[str]:
    """The lower-case words of user text, in order and without repeats: runs of letters and digits.

    Everything else (quotes, operators, punctuation, symbols) separates words, so that no
    character of the text can act as query syntax in any store.
    """
    normalized = unicodedata.normalize("NFC", sendable_text(text)).lower()
    return list(dict.fromkeys(_WORD.findall(normalized)))


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One full-text search (`/api/search`): words to match, which tables, filters and the page.

    Year bounds keep rows without a year; the genre filter keeps rows without genres (artists,
    labels, masters and releases that list none), as in SPEC-tables §6.
    """

    text: str
    data_types: tuple[str, ...] = ENTITY_TABLES
    genres: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    limit: int = 20
    offset: int = 0

    def __post_init__(self) -> None:
        for data_type in self.data_types:
            require_data_type(data_type)
        if not self.data_types or len(set(self.data_types)) != len(self.data_types):
            raise ValueError(f"a search needs distinct data types, at least one, not {self.data_types}")
        if self.limit < 1 or self.offset < 0:
            raise ValueError(f"limit must be ≥ 1 and offset ≥ 0, not {self.limit} and {self.offset}")

    @property
    def filtered(self) -> bool:
        return bool(self.genres) or self.year_min is not None or self.year_max is not None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching entity: its name or title with the matched words in `<b>…</b>`, and metadata.

    `year` is set only for masters and releases, `genres` only for releases (None when not listed).
    `relevance` orders hits within one store; its scale differs between stores.
    """

    data_type: str
    data_id: str
    name: str
    highlight: str
    relevance: float
    year: int | None = None
    genres: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class SearchFacets:
    """Match counts that ignore the year and genre filters, each capped at SEARCH_COUNT_CAP per table.

    `types`: matches per searched data type; `genres`: the most frequent genres among matching
    releases, most frequent first; `decades` ("1990s"): matching masters and releases by decade.
    """

    types: dict[str, int] = field(default_factory=dict)
    genres: dict[str, int] = field(default_factory=dict)
    decades: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits, best first (relevance, then id, then data type), with the (capped) total."""

    hits: tuple[SearchHit, ...]
    total: int
    has_more: bool
    facets: SearchFacets


@dataclass(frozen=True, slots=True)
class NameMatch:
    """An autocomplete suggestion: the entity and how much of its name the typed words cover, in (0, 1]."""

    data_id: str
    name: str
    score: float


def prefix_score(words: list[str], name: str) -> float:
    """The share of the name's letters and digits that the typed words account for.

    An exact name scores 1.0 and longer names score less, which is also the order suggestions
    come in (shortest name first).
    """
    typed = sum(len(word) for word in words)
    named = sum(len(word) for word in _WORD.findall(unicodedata.normalize("NFC", name)))
    return min(1.0, typed / named) if named else 0.0
