"""The table rules without a database: purge vetoes, search words, queries and scores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.sql.search import ENGLISH_STOP_WORDS, SqliteSearch, fts5_string
from domain.tables import (
    PurgeDecision,
    PurgeVeto,
    SearchQuery,
    UnknownDataType,
    UpsertOutcome,
    prefix_score,
    query_words,
    require_data_type,
    require_delete_fraction,
    sendable_text,
    veto_after_counting,
    veto_before_counting,
)


def test_dead_letters_veto_a_purge_before_anything_else() -> None:
    assert veto_before_counting(record_count=0, dead_lettered=True) is PurgeVeto.DEAD_LETTERED
    assert veto_before_counting(record_count=500, dead_lettered=True) is PurgeVeto.DEAD_LETTERED


def test_a_type_without_records_this_run_is_not_purged() -> None:
    assert veto_before_counting(record_count=0, dead_lettered=False) is PurgeVeto.NO_RECORDS_THIS_RUN
    assert veto_before_counting(record_count=1, dead_lettered=False) is None


@pytest.mark.parametrize(
    ("total", "stale", "fraction", "veto"),
    [
        (0, 0, 0.9, PurgeVeto.NOTHING_STALE),
        (10, 0, 0.9, PurgeVeto.NOTHING_STALE),
        (10, 9, 0.9, PurgeVeto.TOO_MANY_STALE),
        (10, 10, 0.9, PurgeVeto.TOO_MANY_STALE),
        (1000, 899, 0.9, None),
        (10, 9, 0.95, None),
        (10, 10, 1.0, PurgeVeto.TOO_MANY_STALE),
    ],
)
def test_the_table_figures_decide_whether_a_purge_may_delete(
    total: int, stale: int, fraction: float, veto: PurgeVeto | None
) -> None:
    assert veto_after_counting(total, stale, fraction) is veto


@pytest.mark.parametrize("fraction", [0.0, -0.5, 1.01])
def test_a_delete_fraction_outside_zero_to_one_is_refused(fraction: float) -> None:
    with pytest.raises(ValueError, match="max_delete_fraction"):
        require_delete_fraction(fraction)


def test_a_purge_decision_says_whether_it_purged() -> None:
    started = datetime(2026, 3, 1, tzinfo=UTC)

    assert PurgeDecision("releases", started, None, 10, 2, 2).purged
    assert not PurgeDecision("releases", started, PurgeVeto.DEAD_LETTERED).purged


def test_only_the_four_entity_tables_are_data_types() -> None:
    assert require_data_type("releases") == "releases"
    with pytest.raises(UnknownDataType):
        require_data_type("releases; DROP TABLE releases")


def test_an_upsert_outcome_counts_written_rows() -> None:
    assert UpsertOutcome(inserted=3, updated=2, unchanged=7).written == 5


def test_query_words_are_letters_and_digits_lower_cased_once_each() -> None:
    assert query_words('"Miles" DAVIS* name:davis (Quintet) & !1959') == [
        "miles",
        "davis",
        "name",
        "quintet",
        "1959",
    ]
    assert query_words("NEAR(a b) foo_bar x\\y") == ["near", "a", "b", "foo", "bar", "x", "y"]
    assert query_words("Björk 東京事変") == ["björk", "東京事変"]
    assert query_words("\"'*:&|!()\\") == []


def test_query_words_compose_decomposed_letters() -> None:
    assert query_words("Bjo\u0308rk") == ["björk"]


def test_text_no_database_accepts_becomes_spaces() -> None:
    assert sendable_text("a\x00b\ud800c\x1fd") == "a b c d"


@given(st.text())
def test_query_words_never_hold_syntax_characters(text: str) -> None:
    for word in query_words(text):
        assert word.isalnum()
        assert not set(word) & set("\"'*:^(){}[]&|!-+\\\x00")


def test_a_search_query_names_known_types_and_a_sane_page() -> None:
    with pytest.raises(UnknownDataType):
        SearchQuery("blue", data_types=("tracks",))
    with pytest.raises(ValueError, match="at least one"):
        SearchQuery("blue", data_types=())
    with pytest.raises(ValueError, match="distinct"):
        SearchQuery("blue", data_types=("artists", "artists"))
    with pytest.raises(ValueError, match="limit"):
        SearchQuery("blue", limit=0)
    with pytest.raises(ValueError, match="offset"):
        SearchQuery("blue", offset=-1)
    assert not SearchQuery("blue").filtered
    assert SearchQuery("blue", year_min=1990).filtered
    assert SearchQuery("blue", genres=("Jazz",)).filtered


def test_a_prefix_score_is_the_share_of_the_name_typed() -> None:
    assert prefix_score(["blue", "note"], "Blue Note") == 1.0
    assert prefix_score(["blu"], "Blue Note") == pytest.approx(3 / 8)
    assert prefix_score(["abc"], "!!!") == 0.0


def test_an_fts5_string_token_doubles_its_quotes() -> None:
    assert fts5_string('say "hi"') == '"say ""hi"""'


def test_the_fts5_query_quotes_every_word_and_drops_english_stop_words() -> None:
    parameters = SqliteSearch().search_parameters(SearchQuery("The Miles AND Davis NOT NEAR"))

    assert parameters is not None
    assert parameters["match"] == '"miles" "davis" "near"'
    assert {"the", "and", "not"} <= ENGLISH_STOP_WORDS
    assert SqliteSearch().search_parameters(SearchQuery("the of and")) is None
