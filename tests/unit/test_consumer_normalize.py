"""The consumer-side year of SPEC-ingest §4: first four characters, kept only in 1860..now + 1."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.consumer_normalize import EARLIEST_YEAR, normalize_for_consumers, plausible_year, record_year

CURRENT_YEAR = 2026

raw_values = st.one_of(
    st.none(), st.text(max_size=12), st.integers(), st.lists(st.text(max_size=4), max_size=2)
)


def test_release_year_comes_from_the_first_four_characters_of_released() -> None:
    release = {"id": "1", "sha256": "x", "released": "2001-05-00", "title": "T"}
    assert normalize_for_consumers("releases", release, CURRENT_YEAR)["year"] == 2001


def test_master_year_comes_from_its_year_field() -> None:
    master = {"id": "9", "sha256": "x", "year": "1974", "title": "T"}
    assert normalize_for_consumers("masters", master, CURRENT_YEAR)["year"] == 1974


def test_release_ignores_a_year_field_and_reads_released() -> None:
    release = {"id": "1", "sha256": "x", "year": "1999"}
    assert normalize_for_consumers("releases", release, CURRENT_YEAR)["year"] is None


@pytest.mark.parametrize("released", ["", "0", "1000", "1859", "2028", "????", "19", None, "abcd-01-01"])
def test_release_with_implausible_or_missing_released_has_no_year(released: str | None) -> None:
    release = {"id": "1", "sha256": "x", "released": released}
    assert normalize_for_consumers("releases", release, CURRENT_YEAR)["year"] is None


def test_year_bounds_are_1860_and_next_year() -> None:
    assert plausible_year("1860", CURRENT_YEAR) == 1860
    assert plausible_year("2027", CURRENT_YEAR) == 2027
    assert plausible_year("1859", CURRENT_YEAR) is None
    assert plausible_year("2028", CURRENT_YEAR) is None


@pytest.mark.parametrize("data_type", ["artists", "labels"])
def test_artists_and_labels_are_copied_unchanged(data_type: str) -> None:
    record = {"id": "5", "sha256": "x", "name": "N", "year": "1999"}
    normalized = normalize_for_consumers(data_type, record, CURRENT_YEAR)
    assert normalized == record
    assert normalized is not record


def test_unknown_data_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="release-groups"):
        normalize_for_consumers("release-groups", {"id": "1"}, CURRENT_YEAR)


@given(value=raw_values, current_year=st.integers(1900, 2200))
def test_a_kept_year_is_always_in_range(value: object, current_year: int) -> None:
    year = plausible_year(value, current_year)
    assert year is None or EARLIEST_YEAR <= year <= current_year + 1


@given(year=st.integers(EARLIEST_YEAR, CURRENT_YEAR + 1), rest=st.text(max_size=8))
def test_any_plausible_four_digit_prefix_is_kept(year: int, rest: str) -> None:
    assert plausible_year(f"{year}{rest}", CURRENT_YEAR) == year


@given(year=st.integers(-999, EARLIEST_YEAR - 1) | st.integers(CURRENT_YEAR + 2, 9999))
def test_year_out_of_range_is_none(year: int) -> None:
    assert plausible_year(str(year), CURRENT_YEAR) is None
    assert plausible_year(year, CURRENT_YEAR) is None


@given(year=st.integers(min_value=CURRENT_YEAR + 2) | st.integers(max_value=EARLIEST_YEAR - 1))
def test_an_int_year_out_of_range_is_none(year: int) -> None:
    assert plausible_year(year, CURRENT_YEAR) is None


@given(
    data_type=st.sampled_from(["masters", "releases"]),
    year=raw_values,
    released=raw_values,
)
def test_normalizing_twice_gives_the_same_record(data_type: str, year: object, released: object) -> None:
    record: dict[str, Any] = {"id": "1", "sha256": "x", "year": year, "released": released}
    once = normalize_for_consumers(data_type, record, CURRENT_YEAR)
    assert normalize_for_consumers(data_type, once, CURRENT_YEAR) == once
    assert once["year"] == record_year(data_type, record, CURRENT_YEAR)


@given(data_type=st.sampled_from(["masters", "releases"]), year=raw_values)
def test_normalizing_never_changes_the_input(data_type: str, year: object) -> None:
    record: dict[str, Any] = {"id": "1", "sha256": "x", "year": year, "released": year}
    snapshot = dict(record)
    normalize_for_consumers(data_type, record, CURRENT_YEAR)
    assert record == snapshot
