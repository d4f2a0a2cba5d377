"""TableStore's contract: PostgreSQL and SQLite store, skip, purge and search Discogs records alike.

Records are built here from small literal dicts shaped like SPEC-ingest §4 (all values strings,
lists or objects, `id` and `sha256` at top level), plus a hypothesis strategy for arbitrary ones.
Search expectations are written so that both stores must give them: where FTS5 and PostgreSQL
rank differently (English stems, stop words inside names, tables of different sizes) the data
stays clear of it, and ties are broken by id.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.consumer_normalize import normalize_for_consumers
from domain.dedup import content_sha256
from domain.ports import TableStore
from domain.tables import (
    InvalidRecord,
    PurgeVeto,
    SearchQuery,
    UnknownDataType,
    UpsertOutcome,
)

FIRST_RUN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECOND_RUN_START = FIRST_RUN + timedelta(days=30)
SECOND_RUN = SECOND_RUN_START + timedelta(minutes=5)


def hashed(fields: dict[str, Any]) -> dict[str, Any]:
    """A record as the extractor sends it: its fields plus the sha256 of their canonical JSON."""
    return {**fields, "sha256": content_sha256(fields)}


def artist(artist_id: str, name: str, **fields: Any) -> dict[str, Any]:
    return hashed({"id": artist_id, "name": name, "data_quality": "Correct", **fields})


def label(label_id: str, name: str, **fields: Any) -> dict[str, Any]:
    return hashed({"id": label_id, "name": name, **fields})


def master(master_id: str, title: str, year: str | None = None, **fields: Any) -> dict[str, Any]:
    extra = {"year": year} if year is not None else {}
    return hashed({"id": master_id, "title": title, "main_release": "1", **extra, **fields})


def release(
    release_id: str, title: str, released: str | None = None, genres: list[str] | None = None, **fields: Any
) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if released is not None:
        extra["released"] = released
    if genres is not None:
        extra["genres"] = genres
    return hashed({"id": release_id, "status": "Accepted", "title": title, **extra, **fields})


KIND_OF_BLUE = release(
    "1",
    "Kind of Blue",
    "1959-08-17",
    ["Jazz"],
    country="US",
    artists=[{"id": "23755", "name": "Miles Davis", "anv": None, "join": None}],
    labels=[{"id": "681", "name": "Columbia", "catno": "CL 1355"}],
    formats=[{"name": "Vinyl", "qty": "1", "descriptions": {"description": ["LP", "Album", "Mono"]}}],
    styles=["Modal", "Cool Jazz"],
    master_id="5460",
    tracklist={"track": [{"position": "A1", "title": "So What", "duration": "9:22"}]},
)


def ten_releases() -> list[dict[str, Any]]:
    return [release(str(number), f"Release {number}", "2001") for number in range(1, 11)]


async def load(store: TableStore, batches: Mapping[str, list[dict[str, Any]]], seen_at: datetime) -> None:
    await store.ensure_schema()
    for data_type, records in batches.items():
        await store.upsert_batch(data_type, records, seen_at)


# --- upsert -------------------------------------------------------------------------------------


async def test_first_load_stores_each_record_whole_with_its_consumer_year(table_store: TableStore) -> None:
    await table_store.ensure_schema()
    undated = release("2", "Untitled", "0")

    outcome = await table_store.upsert_batch("releases", [KIND_OF_BLUE, undated], FIRST_RUN)

    assert outcome == UpsertOutcome(inserted=2, updated=0, unchanged=0)
    assert await table_store.count("releases") == 2
    stored = await table_store.get("releases", "1")
    assert stored == normalize_for_consumers("releases", KIND_OF_BLUE, FIRST_RUN.year)
    assert stored is not None
    assert stored["year"] == 1959
    assert stored["sha256"] == KIND_OF_BLUE["sha256"]
    assert (await table_store.get("releases", "2") or {})["year"] is None


async def test_each_type_has_its_own_table(table_store: TableStore) -> None:
    await load(
        table_store,
        {
            "artists": [artist("1", "Miles Davis")],
            "labels": [label("1", "Columbia"), label("2", "Blue Note")],
            "masters": [master("1", "Kind of Blue", "1959")],
            "releases": [],
        },
        FIRST_RUN,
    )

    assert [await table_store.count(t) for t in ("artists", "labels", "masters", "releases")] == [1, 2, 1, 0]
    assert (await table_store.get("artists", "1") or {})["name"] == "Miles Davis"
    assert "year" not in (await table_store.get("artists", "1") or {})
    assert (await table_store.get("masters", "1") or {})["year"] == 1959
    assert await table_store.get("masters", "2") is None


async def test_unchanged_rerun_rewrites_no_document(table_store: TableStore) -> None:
    batch = [KIND_OF_BLUE, release("2", "Blue Train", "1957")]
    await load(table_store, {"releases": batch}, FIRST_RUN)
    before = await table_store.get("releases", "1")

    outcome = await table_store.upsert_batch("releases", batch, SECOND_RUN)

    assert outcome == UpsertOutcome(inserted=0, updated=0, unchanged=2)
    assert outcome.written == 0
    assert await table_store.get("releases", "1") == before


async def test_changed_hash_rewrites_the_document(table_store: TableStore) -> None:
    await load(table_store, {"releases": [KIND_OF_BLUE, release("2", "Blue Train", "1957")]}, FIRST_RUN)
    remastered = release("1", "Kind of Blue (Legacy Edition)", "1997", ["Jazz"])

    outcome = await table_store.upsert_batch(
        "releases", [remastered, release("2", "Blue Train", "1957")], SECOND_RUN
    )

    assert outcome == UpsertOutcome(inserted=0, updated=1, unchanged=1)
    assert await table_store.get("releases", "1") == normalize_for_consumers("releases", remastered, 2026)


async def test_redelivered_batch_changes_nothing(table_store: TableStore) -> None:
    batch = [KIND_OF_BLUE, release("2", "Blue Train", "1957")]
    await load(table_store, {"releases": batch}, FIRST_RUN)

    outcome = await table_store.upsert_batch("releases", batch, FIRST_RUN)

    assert outcome == UpsertOutcome(unchanged=2)
    assert await table_store.count("releases") == 2


async def test_a_late_redelivery_does_not_move_the_seen_mark_back(table_store: TableStore) -> None:
    batch = [KIND_OF_BLUE]
    await load(table_store, {"releases": batch}, SECOND_RUN)

    await table_store.upsert_batch("releases", batch, FIRST_RUN)
    decision = await table_store.purge_stale("releases", SECOND_RUN_START, 1, dead_lettered=False)

    assert decision.veto is PurgeVeto.NOTHING_STALE
    assert decision.stale == 0


async def test_a_record_repeated_in_a_batch_counts_once_and_its_last_copy_wins(
    table_store: TableStore,
) -> None:
    await table_store.ensure_schema()
    first, last = release("7", "Take One"), release("7", "Take Two")

    outcome = await table_store.upsert_batch("releases", [first, last], FIRST_RUN)

    assert outcome == UpsertOutcome(inserted=1)
    assert (await table_store.get("releases", "7") or {})["title"] == "Take Two"


async def test_a_batch_that_fails_part_way_leaves_no_trace(table_store: TableStore) -> None:
    await load(table_store, {"releases": ten_releases()}, FIRST_RUN)
    unserializable = {"id": "11", "sha256": "1" * 64, "title": "Not JSON", "formats": {"LP", "CD"}}

    with pytest.raises(TypeError):
        await table_store.upsert_batch("releases", [*ten_releases(), unserializable], SECOND_RUN)
    decision = await table_store.purge_stale(
        "releases", SECOND_RUN_START, 10, dead_lettered=False, max_delete_fraction=1.0
    )

    assert await table_store.get("releases", "11") is None
    assert (decision.total, decision.stale) == (10, 10)


@pytest.mark.parametrize(
    "bad_record",
    [
        {"title": "no id", "sha256": "0" * 64},
        {"id": "", "title": "empty id", "sha256": "0" * 64},
        {"id": 8, "title": "numeric id", "sha256": "0" * 64},
        {"id": "8", "title": "no hash"},
    ],
)
async def test_an_invalid_record_refuses_the_whole_batch_before_writing(
    table_store: TableStore, bad_record: dict[str, Any]
) -> None:
    await table_store.ensure_schema()

    with pytest.raises(InvalidRecord) as refused:
        await table_store.upsert_batch("releases", [KIND_OF_BLUE, bad_record], FIRST_RUN)

    assert refused.value.position == 1
    assert await table_store.count("releases") == 0


async def test_an_unknown_data_type_is_refused_everywhere(table_store: TableStore) -> None:
    await table_store.ensure_schema()

    with pytest.raises(UnknownDataType):
        await table_store.upsert_batch("releases; DROP TABLE releases", [KIND_OF_BLUE], FIRST_RUN)
    with pytest.raises(UnknownDataType):
        await table_store.count("users")
    with pytest.raises(UnknownDataType):
        await table_store.search(SearchQuery("blue", data_types=("tracks",)))
    assert await table_store.count("releases") == 0


async def test_a_seen_time_without_time_zone_is_refused(table_store: TableStore) -> None:
    await table_store.ensure_schema()

    with pytest.raises(ValueError, match="time zone"):
        await table_store.upsert_batch("releases", [KIND_OF_BLUE], datetime(2026, 3, 1))


_example_ids = itertools.count()
_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)
_json_value = st.recursive(
    st.none() | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=12,
)
_record_fields = st.dictionaries(
    _text.filter(lambda key: key not in ("id", "sha256")), _json_value, max_size=6
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data_type=st.sampled_from(["artists", "labels", "masters", "releases"]),
    fields=_record_fields,
    name=_text,
    released=st.none() | _text,
)
async def test_any_record_comes_back_as_normalized_and_a_rerun_leaves_it(
    table_store: TableStore, data_type: str, fields: dict[str, Any], name: str, released: str | None
) -> None:
    await table_store.ensure_schema()
    name_field = "name" if data_type in ("artists", "labels") else "title"
    source_field = {"masters": "year", "releases": "released"}.get(data_type)
    record_fields = {**fields, "id": f"h{next(_example_ids)}", name_field: name}
    if source_field and released is not None:
        record_fields[source_field] = released
    record = hashed(record_fields)

    first = await table_store.upsert_batch(data_type, [record], FIRST_RUN)
    again = await table_store.upsert_batch(data_type, [record], SECOND_RUN)

    assert first == UpsertOutcome(inserted=1)
    assert again == UpsertOutcome(unchanged=1)
    expected = normalize_for_consumers(data_type, record, FIRST_RUN.year)
    assert await table_store.get(data_type, record["id"]) == expected


# --- stale purge ----------------------------------------------------------------------------------


async def test_purge_after_a_second_run_removes_exactly_the_records_that_left(
    table_store: TableStore,
) -> None:
    await load(table_store, {"releases": ten_releases()}, FIRST_RUN)
    second_run = [*ten_releases()[:8], release("11", "Newcomer", "2026")]
    second_run[0] = release("1", "Release 1 (corrected)", "2001")
    await table_store.upsert_batch("releases", second_run, SECOND_RUN)

    decision = await table_store.purge_stale(
        "releases", SECOND_RUN_START, len(second_run), dead_lettered=False
    )

    assert decision.purged
    assert (decision.total, decision.stale, decision.deleted) == (11, 2, 2)
    assert await table_store.count("releases") == 9
    assert await table_store.get("releases", "9") is None
    assert await table_store.get("releases", "10") is None
    assert await table_store.get("releases", "11") is not None


async def test_purges_over_three_runs_keep_what_each_run_delivered(table_store: TableStore) -> None:
    third_run_start = SECOND_RUN + timedelta(days=30)
    await load(table_store, {"releases": ten_releases()}, FIRST_RUN)
    await table_store.upsert_batch("releases", ten_releases(), SECOND_RUN)
    after_second = await table_store.purge_stale("releases", SECOND_RUN_START, 10, dead_lettered=False)
    await table_store.upsert_batch("releases", ten_releases()[:8], third_run_start + timedelta(minutes=1))

    after_third = await table_store.purge_stale("releases", third_run_start, 8, dead_lettered=False)

    assert (after_second.veto, after_second.stale) == (PurgeVeto.NOTHING_STALE, 0)
    assert (after_third.total, after_third.stale, after_third.deleted) == (10, 2, 2)
    assert await table_store.count("releases") == 8
    assert await table_store.get("releases", "9") is None


async def test_purge_is_skipped_when_the_run_dead_lettered_records_of_the_type(
    table_store: TableStore,
) -> None:
    await load(table_store, {"releases": ten_releases()}, FIRST_RUN)
    await table_store.upsert_batch("releases", ten_releases()[:8], SECOND_RUN)

    decision = await table_store.purge_stale("releases", SECOND_RUN_START, 10, dead_lettered=True)

    assert decision.veto is PurgeVeto.DEAD_LETTERED
    assert (decision.total, decision.stale, decision.deleted) == (None, None, 0)
    assert await table_store.count("releases") == 10


async def test_purge_is_skipped_for_a_type_the_run_counted_no_records_of(table_store: TableStore) -> None:
    await load(table_store, {"releases": ten_releases()}, FIRST_RUN)

    decision = await table_store.purge_stale("releases", SECOND_RUN_START, 0, dead_lettered=False)

    assert decision.veto is PurgeVeto.NO_RECORDS_THIS_RUN
    assert decision.deleted == 0
    assert await table_store.count("releases") == 10


async def test_purge_refuses_to_delete_ninety_percent_of_a_table(table_store: TableStore) -> None:
    await load(table_store, {"releases": ten_releases()}, FIRST_RUN)
    await table_store.upsert_batch("releases", ten_releases()[:1], SECOND_RUN)

    decision = await table_store.purge_stale("releases", SECOND_RUN_START, 1, dead_lettered=False)

    assert decision.veto is PurgeVeto.TOO_MANY_STALE
    assert (decision.total, decision.stale, decision.deleted) == (10, 9, 0)
    assert await table_store.count("releases") == 10


async def test_purge_follows_a_configured_delete_fraction(table_store: TableStore) -> None:
    await load(table_store, {"releases": ten_releases()}, FIRST_RUN)
    await table_store.upsert_batch("releases", ten_releases()[:1], SECOND_RUN)

    decision = await table_store.purge_stale(
        "releases", SECOND_RUN_START, 1, dead_lettered=False, max_delete_fraction=0.95
    )

    assert decision.purged
    assert decision.deleted == 9
    assert await table_store.count("releases") == 1


async def test_purge_of_an_empty_or_fully_seen_table_deletes_nothing(table_store: TableStore) -> None:
    await table_store.ensure_schema()
    empty = await table_store.purge_stale("releases", SECOND_RUN_START, 5, dead_lettered=False)
    await table_store.upsert_batch("releases", ten_releases(), SECOND_RUN)
    fresh = await table_store.purge_stale("releases", SECOND_RUN_START, 10, dead_lettered=False)

    assert (empty.veto, empty.total, empty.stale) == (PurgeVeto.NOTHING_STALE, 0, 0)
    assert (fresh.veto, fresh.total, fresh.stale, fresh.deleted) == (PurgeVeto.NOTHING_STALE, 10, 0, 0)
    assert await table_store.count("releases") == 10


async def test_an_unchanged_rerun_keeps_every_record_from_the_purge(table_store: TableStore) -> None:
    await load(table_store, {"releases": ten_releases()}, FIRST_RUN)
    await table_store.upsert_batch("releases", ten_releases(), SECOND_RUN)

    decision = await table_store.purge_stale("releases", SECOND_RUN_START, 10, dead_lettered=False)

    assert (decision.veto, decision.stale) == (PurgeVeto.NOTHING_STALE, 0)


# --- search ---------------------------------------------------------------------------------------

CATALOGUE: dict[str, list[dict[str, Any]]] = {
    "artists": [
        artist("10", "Miles Davis"),
        artist("11", "Miles Davis Quintet"),
        artist("12", "Spencer Davis"),
        artist("13", "Björk"),
        artist("14", "東京事変"),
        artist("15", "Simon and Garfunkel"),
        artist("16", "AC/DC"),
        artist("17", "Blue Öyster Cult"),
        *(artist(f"2{letter}", f"Echo {letter.upper()}x") for letter in "abcdefg"),
    ],
    "labels": [label("30", "Blue Note"), label("31", "Columbia"), label("32", "Davis Sound")],
    "masters": [
        master("40", "Blue Train", "1957", genres=["Jazz"]),
        master("41", "Blue Monday", "1983", genres=["Electronic"]),
        master("42", "Blue Velvet"),
    ],
    "releases": [
        release("50", "Blue Train", "1957-09-15", ["Jazz"]),
        release("51", "Blue Monday", "1983-03-07", ["Electronic", "Pop"]),
        release("52", "Blue Lines", "1991-04-08", ["Electronic", "Hip Hop"]),
        release("53", "Blue Hawaii", "1961", ["Pop", "Stage & Screen"]),
        release("54", "Blue Prelude"),
        release("55", "Green Onions", "1962", ["Funk / Soul"]),
    ],
}


def ids(page_hits: Any) -> list[tuple[str, str]]:
    return [(hit.data_type, hit.data_id) for hit in page_hits]


@pytest.fixture
async def catalogue(table_store: TableStore) -> TableStore:
    await load(table_store, CATALOGUE, FIRST_RUN)
    return table_store


async def test_search_ranks_shorter_names_first_and_breaks_ties_by_id(catalogue: TableStore) -> None:
    page = await catalogue.search(SearchQuery("davis", data_types=("artists",)))

    assert ids(page.hits) == [("artists", "10"), ("artists", "12"), ("artists", "11")]
    assert page.total == 3
    assert not page.has_more
    assert page.hits[0].relevance > page.hits[2].relevance


async def test_search_needs_every_word(catalogue: TableStore) -> None:
    page = await catalogue.search(SearchQuery("miles davis"))

    assert ids(page.hits) == [("artists", "10"), ("artists", "11")]


async def test_search_returns_names_titles_highlights_and_metadata(catalogue: TableStore) -> None:
    page = await catalogue.search(SearchQuery("train"))

    by_type = {hit.data_type: hit for hit in page.hits}
    assert set(by_type) == {"masters", "releases"}
    assert by_type["releases"].name == "Blue Train"
    assert by_type["releases"].highlight == "Blue <b>Train</b>"
    assert (by_type["releases"].year, by_type["releases"].genres) == (1957, ("Jazz",))
    assert (by_type["masters"].year, by_type["masters"].genres) == (1957, None)


async def test_search_covers_the_requested_types_only(catalogue: TableStore) -> None:
    every = await catalogue.search(SearchQuery("blue", limit=100))
    labels_only = await catalogue.search(SearchQuery("blue", data_types=("labels",)))

    assert {hit.data_type for hit in every.hits} == {"artists", "labels", "masters", "releases"}
    assert every.total == 1 + 1 + 3 + 5
    assert ids(labels_only.hits) == [("labels", "30")]
    assert labels_only.facets.types == {"labels": 1}


async def test_search_year_range_keeps_rows_without_a_year(catalogue: TableStore) -> None:
    page = await catalogue.search(
        SearchQuery("blue", data_types=("masters", "releases"), year_min=1960, year_max=1990, limit=100)
    )

    assert sorted(ids(page.hits)) == [
        ("masters", "41"),
        ("masters", "42"),
        ("releases", "51"),
        ("releases", "53"),
        ("releases", "54"),
    ]
    assert page.total == 5


async def test_search_genre_filter_applies_to_releases_and_keeps_releases_without_genres(
    catalogue: TableStore,
) -> None:
    page = await catalogue.search(SearchQuery("blue", genres=("Pop", "Hip Hop"), limit=100))

    assert sorted(ids(page.hits)) == [
        ("artists", "17"),
        ("labels", "30"),
        ("masters", "40"),
        ("masters", "41"),
        ("masters", "42"),
        ("releases", "51"),
        ("releases", "52"),
        ("releases", "53"),
        ("releases", "54"),
    ]


async def test_search_pages_follow_one_order_and_say_when_more_follow(catalogue: TableStore) -> None:
    everything = await catalogue.search(SearchQuery("echo", data_types=("artists",), limit=100))
    pages = [
        await catalogue.search(SearchQuery("echo", data_types=("artists",), limit=3, offset=offset))
        for offset in (0, 3, 6)
    ]

    assert ids(everything.hits) == [("artists", f"2{letter}") for letter in "abcdefg"]
    assert [ids(page.hits) for page in pages] == [
        ids(everything.hits)[0:3],
        ids(everything.hits)[3:6],
        ids(everything.hits)[6:7],
    ]
    assert [page.has_more for page in pages] == [True, True, False]
    assert {page.total for page in pages} == {7}


async def test_search_facets_count_matches_without_the_filters(catalogue: TableStore) -> None:
    page = await catalogue.search(SearchQuery("blue", genres=("Jazz",), year_min=1950, year_max=1959))

    assert page.facets.types == {"artists": 1, "labels": 1, "masters": 3, "releases": 5}
    assert list(page.facets.genres.items()) == [
        ("Electronic", 2),
        ("Pop", 2),
        ("Hip Hop", 1),
        ("Jazz", 1),
        ("Stage & Screen", 1),
    ]
    assert list(page.facets.decades.items()) == [("1950s", 2), ("1960s", 1), ("1980s", 2), ("1990s", 1)]
    assert page.total == 1 + 1 + 2 + 2


async def test_search_ignores_english_stop_words_alike(catalogue: TableStore) -> None:
    with_stop_words = await catalogue.search(SearchQuery("the simon and the garfunkel"))
    only_stop_words = await catalogue.search(SearchQuery("the and of"))

    assert ids(with_stop_words.hits) == [("artists", "15")]
    assert only_stop_words.hits == ()
    assert only_stop_words.total == 0


# Every entry: hostile text and the hits both stores must give. An operator that got through
# would change them: `name:davis` is an FTS5 column filter, `NOT`, `-`, `OR` are operators.
HOSTILE_SEARCHES: list[tuple[str, set[tuple[str, str]]]] = [
    ('"miles" davis', {("artists", "10"), ("artists", "11")}),
    ("miles davis*", {("artists", "10"), ("artists", "11")}),
    ("mil*", set()),
    ("name:davis", set()),
    ("miles:davis", {("artists", "10"), ("artists", "11")}),
    ("miles & !davis", {("artists", "10"), ("artists", "11")}),
    ("miles | (coltrane)", set()),
    ("davis NOT miles", {("artists", "10"), ("artists", "11")}),
    ("miles -davis", {("artists", "10"), ("artists", "11")}),
    ("miles OR onions", set()),
    ("NEAR(miles davis)", set()),
    ("NEAR/2 spencer", set()),
    ('"', set()),
    ('"""', set()),
    ("'", set()),
    ("miles' OR '1'='1", set()),
    ("\\", set()),
    ("spencer\\ davis\\", {("artists", "12")}),
    ("^spencer", {("artists", "12")}),
    ("spencer +", {("artists", "12")}),
    ("{spencer}", {("artists", "12")}),
    ("spencer\x00davis", {("artists", "12")}),
    ("spencer\ud800", {("artists", "12")}),
    ("Björk", {("artists", "13")}),
    ("東京事変", {("artists", "14")}),
    ("🎸 spencer ♥", {("artists", "12")}),
    ("a" * 10_000, set()),
    ("spencer " * 1_250, {("artists", "12")}),
    ("*", set()),
    (":", set()),
    ("&|!()", set()),
    ("", set()),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE_SEARCHES)
async def test_hostile_search_text_is_taken_as_plain_words(
    catalogue: TableStore, text: str, expected: set[tuple[str, str]]
) -> None:
    page = await catalogue.search(SearchQuery(text, limit=100))

    assert set(ids(page.hits)) == expected
    assert page.total == len(expected)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
async def test_any_search_text_answers_without_error(catalogue: TableStore, text: str) -> None:
    page = await catalogue.search(SearchQuery(text, limit=5))

    stored = {(data_type, record["id"]) for data_type, records in CATALOGUE.items() for record in records}
    assert set(ids(page.hits)) <= stored
    assert len(page.hits) <= 5
    assert [hit.relevance for hit in page.hits] == sorted((hit.relevance for hit in page.hits), reverse=True)


# --- autocomplete ---------------------------------------------------------------------------------


async def test_autocomplete_matches_word_prefixes_shortest_name_first(catalogue: TableStore) -> None:
    davis = await catalogue.autocomplete("artists", "dav", 10)
    miles_d = await catalogue.autocomplete("artists", "Mil Da", 10)
    blue = await catalogue.autocomplete("releases", "blu", 3)

    assert [match.name for match in davis] == ["Miles Davis", "Spencer Davis", "Miles Davis Quintet"]
    assert [match.data_id for match in miles_d] == ["10", "11"]
    assert [match.name for match in blue] == ["Blue Lines", "Blue Train", "Blue Hawaii"]
    assert davis[0].score > davis[2].score


async def test_autocomplete_scores_an_exact_name_one(catalogue: TableStore) -> None:
    exact = await catalogue.autocomplete("labels", "blue note", 5)

    assert [(match.data_id, match.score) for match in exact] == [("30", 1.0)]


HOSTILE_PREFIXES: list[tuple[str, list[str]]] = [
    ('"mil', ["10", "11"]),
    ("mil*", ["10", "11"]),
    ("mil* OR spe*", []),
    ("name:dav", []),
    ("dav NOT miles", []),
    ("miles:dav", ["10", "11"]),
    ("(spe) & !dav", ["12"]),
    ("NEAR(spe dav)", []),
    ("'", []),
    ("\\spe\\", ["12"]),
    ("spe\x00", ["12"]),
    ("blue öy", ["17"]),
    ("東京", ["14"]),
    ("x" * 10_000, []),
    ("e " * 5_000, [f"2{letter}" for letter in "abcdefg"]),
    ("🎸", []),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE_PREFIXES)
async def test_hostile_autocomplete_text_is_taken_as_plain_prefixes(
    catalogue: TableStore, text: str, expected: list[str]
) -> None:
    matches = await catalogue.autocomplete("artists", text, 10)

    assert [match.data_id for match in matches] == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=100), data_type=st.sampled_from(["artists", "labels", "masters", "releases"]))
async def test_any_autocomplete_text_answers_without_error(
    catalogue: TableStore, text: str, data_type: str
) -> None:
    matches = await catalogue.autocomplete(data_type, text, 3)

    assert len(matches) <= 3
    assert all(0 < match.score <= 1 for match in matches)
