"""The consumer-side normalization of SPEC-ingest §4: the `year` both builders store.

The extractor leaves every value a string and never computes a release year; each consumer
derives one before writing, so that the graph's `year` property and the table's `data->>'year'`
agree. Masters take it from their `year` field, releases from `released`; only the first four
characters count ("2001-05-00" is 2001) and a year outside 1860..current year + 1 is dropped,
because the dumps carry placeholders ("0", "1000", "2050") that would poison year charts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.dumps import DISCOGS_DUMP_TYPES

EARLIEST_YEAR = 1860
"""The first year a recording can carry (phonautograph, 1860); anything earlier is a placeholder."""

_YEAR_SOURCE_FIELD: Mapping[str, str] = {"masters": "year", "releases": "released"}


def plausible_year(value: object, current_year: int) -> int | None:
    """The year a raw dump value stands for, or None when it is missing or implausible.

    A string counts by its first four characters; an int (a record normalized before) is
    checked again, so normalizing twice gives the same result.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, str):
        try:
            year = int(value[:4])
        except ValueError:
            return None
    else:
        return None
    return year if EARLIEST_YEAR <= year <= current_year + 1 else None


def record_year(data_type: str, record: Mapping[str, Any], current_year: int) -> int | None:
    """The consumer-side year of a master (from `year`) or a release (from `released`)."""
    source_field = _YEAR_SOURCE_FIELD.get(data_type)
    if source_field is None:
        return None
    return plausible_year(record.get(source_field), current_year)


def normalize_for_consumers(data_type: str, record: Mapping[str, Any], current_year: int) -> dict[str, Any]:
    """A new top-level dict: masters and releases gain `year` (int or None); others are copied.

    Nested values are shared with the input, not copied. Raises ValueError for a data type
    that is not one of the four Discogs types.
    """
    if data_type not in DISCOGS_DUMP_TYPES:
        raise ValueError(f"not a Discogs data type: {data_type!r} (expected one of {DISCOGS_DUMP_TYPES})")
    normalized = dict(record)
    if data_type in _YEAR_SOURCE_FIELD:
        normalized["year"] = record_year(data_type, record, current_year)
    return normalized
