"""The data-quality rules of SPEC-ingest §8 on raw records: skip, filter, flag, and the rules document."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.quality_rules import (
    FieldPath,
    NullifyOutsideRange,
    RemoveMatching,
    Required,
    Rule,
    RuleSetError,
    Severity,
    SkipRule,
    TypeRules,
    format_location,
    numeric_value,
    parse_rule_set,
    screen,
)
from domain.records import DataType, make_record

NUMERIC = re.compile(r"^\d+$")


def remove_numeric(field: str) -> RemoveMatching:
    return RemoveMatching(FieldPath(field), NUMERIC, "numeric")


def nullify(field: str, below: float | None = 1860, above: float | None = 2027) -> NullifyOutsideRange:
    return NullifyOutsideRange(FieldPath(field), below, above, "impossible year")


def rules_of(document: dict[str, Any], data_type: DataType = DataType.RELEASES) -> TypeRules:
    return parse_rule_set(document, "test").for_type(data_type)


def rule(field: str, condition: dict[str, Any], severity: str = "error", name: str = "r") -> dict[str, Any]:
    return {"name": name, "field": field, "condition": condition, "severity": severity}


# --- skip_records --------------------------------------------------------------------------------

DO_NOT_USE = SkipRule(FieldPath("profile"), "DO NOT USE", "junk")
# Letters whose upper and lower case fold alike (not the Turkish dotless i, U+0131, whose upper case is I).
letters = st.text(
    st.characters(categories=("Ll", "Lu"), max_codepoint=0x24F).filter(
        lambda letter: letter.upper().casefold() == letter.lower().casefold()
    ),
    max_size=8,
)


@given(
    prefix=letters,
    phrase=letters.filter(bool),
    suffix=letters,
    text_case=st.sampled_from(["upper", "lower", "swapcase"]),
)
def test_skip_matches_a_phrase_inside_the_field_whatever_the_case(
    prefix: str, phrase: str, suffix: str, text_case: str
) -> None:
    profile = getattr(prefix + phrase + suffix, text_case)()
    skip_rule = SkipRule(FieldPath("profile"), phrase, "junk")

    screening = screen(TypeRules(skip_records=(skip_rule,)), {"id": "1", "profile": profile})

    assert screening.record is None
    assert screening.skip is not None
    assert screening.skip.field_value == profile


@given(profile=st.text(alphabet="abc XYZ[]", max_size=30))
def test_skip_leaves_a_record_whose_field_lacks_the_phrase(profile: str) -> None:
    screening = screen(TypeRules(skip_records=(DO_NOT_USE,)), {"id": "1", "profile": profile})

    assert screening.skip is None
    assert screening.record == {"id": "1", "profile": profile}


def test_a_skipped_record_is_neither_checked_nor_filtered() -> None:
    rules = TypeRules(
        skip_records=(DO_NOT_USE,),
        filters=(remove_numeric("genres.genre"),),
        rules=(Rule("missing-name", FieldPath("name"), Required(), Severity.ERROR),),
    )

    screening = screen(rules, {"id": "7", "profile": "[b]Do Not Use.[/b]", "genres": {"genre": "13"}})

    assert screening.record is None
    assert screening.violations == ()
    assert screening.changes == ()
    assert screening.skip is not None
    assert screening.skip.reason == "junk"


def test_skip_reads_the_text_of_an_element_with_attributes() -> None:
    raw = {"id": "1", "profile": {"@lang": "en", "#text": "please do not use"}}

    assert screen(TypeRules(skip_records=(DO_NOT_USE,)), raw).record is None


# --- filters -------------------------------------------------------------------------------------

KEYS = ("a", "b", "genre", "@id", "#text")
json_leaf = st.one_of(st.none(), st.text(alphabet="0123456789-aZ", max_size=12))
json_value = st.recursive(
    json_leaf,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=4),
    ),
    max_leaves=25,
)
raw_records = st.dictionaries(st.sampled_from(KEYS), json_value, max_size=5)
paths = st.lists(st.sampled_from(KEYS), min_size=1, max_size=3).map(".".join)
any_filter = st.one_of(
    paths.map(remove_numeric),
    st.tuples(paths, st.integers(0, 3000), st.integers(0, 3000)).map(
        lambda args: nullify(args[0], min(args[1:]), max(args[1:]))
    ),
)


def leaves(value: Any) -> Iterator[Any]:
    """Every scalar in a JSON value (strings and nulls), and every key, as (kind, value) pairs."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield ("key", key)
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    elif value is not None:
        yield ("text", value)


@given(raw=raw_records, record_filter=any_filter)
def test_a_filter_never_adds_an_element_a_key_or_a_text(raw: dict[str, Any], record_filter: Any) -> None:
    before = copy.deepcopy(raw)

    filtered, changed = record_filter.apply(raw)

    assert raw == before, "the raw record itself is never changed"
    assert not Counter(leaves(filtered)) - Counter(leaves(raw))
    assert (filtered == raw) == (changed == 0)


def test_removing_a_numeric_genre_keeps_the_others() -> None:
    raw = {"@id": "1", "genres": {"genre": ["Rock", "13", "Jazz"]}}

    filtered, changed = remove_numeric("genres.genre").apply(raw)

    assert changed == 1
    assert filtered == {"@id": "1", "genres": {"genre": ["Rock", "Jazz"]}}


def test_removing_all_but_one_genre_leaves_it_as_the_reader_gives_a_single_child() -> None:
    filtered, _ = remove_numeric("genres.genre").apply({"@id": "1", "genres": {"genre": ["13", "Rock"]}})

    assert filtered == {"@id": "1", "genres": {"genre": "Rock"}}


def test_removing_the_only_genre_leaves_an_empty_genres_element_and_no_genres_after_normalization() -> None:
    filtered, changed = remove_numeric("genres.genre").apply(
        {"@id": "1", "title": "t", "genres": {"genre": "13"}}
    )

    assert changed == 1
    assert filtered == {"@id": "1", "title": "t", "genres": None}
    record = make_record(DataType.RELEASES, filtered)
    assert record is not None
    assert "genres" not in record.document


def test_a_filter_reaches_every_repeated_element_on_its_path() -> None:
    raw = {"tracklist": {"track": [{"title": "1"}, {"title": "Intro"}, {"title": "22"}]}}

    filtered, changed = remove_numeric("tracklist.track.title").apply(raw)

    assert changed == 2
    assert filtered == {"tracklist": {"track": [None, {"title": "Intro"}, None]}}


@given(year=st.integers(0, 9999), below=st.integers(1000, 2000), span=st.integers(0, 200))
def test_nullify_when_range_is_strict(year: int, below: int, span: int) -> None:
    above = below + span

    filtered, _ = nullify("year", below, above).apply({"year": str(year)})

    outside = year < below or year > above
    assert filtered == ({"year": None} if outside else {"year": str(year)})


@given(year=st.integers(0, 9999), month=st.integers(0, 12), day=st.integers(0, 31), with_day=st.booleans())
def test_nullify_when_reads_a_date_by_its_leading_year(
    year: int, month: int, day: int, with_day: bool
) -> None:
    released = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if with_day else "")

    filtered, _ = nullify("released").apply({"released": released})

    assert filtered == ({"released": None} if year < 1860 or year > 2027 else {"released": released})


@given(text=st.text(st.characters(exclude_characters="0123456789"), max_size=20))
def test_nullify_when_leaves_text_that_is_not_a_number_alone(text: str) -> None:
    raw = {"released": text}

    filtered, changed = nullify("released", 1860, 1860).apply(raw)

    assert changed == 0
    assert filtered is raw


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1969", 1969),
        (" 1969 ", 1969),
        ("0", 0),
        ("-5", -5),
        ("2.5", 2.5),
        ("1969-09-26", 1969),
        ("0000-00-00", 0),
    ],
)
def test_numeric_value_reads_numbers_and_leading_years(text: str, number: float) -> None:
    assert numeric_value(text) == number


@pytest.mark.parametrize("text", ["", "unknown", "197?", "1969s", "c. 1970", "-", "1969-", "١٩٦٩"])
def test_numeric_value_is_none_for_other_text(text: str) -> None:
    assert numeric_value(text) is None


# --- rules ---------------------------------------------------------------------------------------


def test_rules_see_the_record_before_the_filters_clean_it() -> None:
    rules = rules_of(
        {
            "filters": {"releases": [{"field": "genres.genre", "remove_matching": r"^\d+$"}]},
            "rules": {
                "releases": [rule("genres.genre", {"type": "regex", "pattern": r"^\d+$"}, name="numeric")]
            },
        }
    )

    screening = screen(rules, {"@id": "1", "genres": {"genre": ["Rock", "13"]}})

    assert [(v.rule, v.field_value) for v in screening.violations] == [("numeric", "13")]
    assert screening.record == {"@id": "1", "genres": {"genre": "Rock"}}
    assert screening.keeps_record


def findings(condition: dict[str, Any], raw: dict[str, Any], field: str = "f") -> list[str]:
    rules = rules_of({"rules": {"releases": [rule(field, condition)]}})
    return [violation.field_value for violation in screen(rules, raw).violations]


def test_required_flags_a_missing_field_and_each_empty_element() -> None:
    assert findings({"type": "required"}, {"id": "1"}) == [""]
    assert findings({"type": "required"}, {"f": None}) == [""]
    assert findings({"type": "required"}, {"f": ["x", None, ""]}) == ["", ""]
    assert findings({"type": "required"}, {"f": "x"}) == []
    assert findings({"type": "required"}, {"f": {"@id": "3"}}) == [], "an element with attributes is there"


def test_range_flags_numbers_and_dates_outside_and_ignores_other_text() -> None:
    condition = {"type": "range", "min": 1860, "max": 2027}

    assert findings(condition, {"f": ["1859", "1860", "2027", "2028", "0000-00-00", "1999-01-01", "?"]}) == [
        "1859",
        "2028",
        "0000-00-00",
    ]


def test_regex_flags_a_text_the_pattern_finds_a_match_in() -> None:
    assert findings({"type": "regex", "pattern": r"\d"}, {"f": ["Rock", "Rock 2", "7"]}) == ["Rock 2", "7"]


def test_enum_flags_a_text_outside_the_list_and_leaves_empty_elements_to_required() -> None:
    condition = {"type": "enum", "values": ["Rock", "Folk, World, & Country"]}

    assert findings(condition, {"f": ["Rock", "Folk, World, & Country", "rock", None]}) == ["rock"]


def test_length_counts_characters() -> None:
    condition = {"type": "length", "min": 2, "max": 3}

    assert findings(condition, {"f": ["a", "ab", "äöü", "abcd"]}) == ["a", "abcd"]


def test_a_finding_reads_the_text_of_an_element_with_attributes() -> None:
    assert findings({"type": "regex", "pattern": "x"}, {"f": {"@id": "1", "#text": "x"}}) == ["x"]


def test_info_findings_keep_no_copy_of_the_record() -> None:
    rules = rules_of({"rules": {"releases": [rule("f", {"type": "required"}, severity="info")]}})

    screening = screen(rules, {"id": "1"})

    assert screening.violations[0].severity is Severity.INFO
    assert not screening.keeps_record


# --- the rules document --------------------------------------------------------------------------


def test_a_document_with_every_kind_of_entry_parses_into_rules_per_data_type() -> None:
    rule_set = parse_rule_set(
        {
            "skip_records": {"artists": [{"field": "profile", "contains": "DO NOT USE", "reason": "junk"}]},
            "filters": {
                "masters": [
                    {"field": "genres.genre", "remove_matching": r"^\d+$", "reason": "ids"},
                    {"field": "year", "nullify_when": {"type": "range", "below": 1860, "above": 2027}},
                ]
            },
            "rules": {
                "masters": [
                    rule("year", {"type": "range", "min": 1860}, "warning", "a"),
                    rule("title", {"type": "required"}, "error", "b"),
                    rule("genres.genre", {"type": "enum", "values": ["Rock"]}, "warning", "c"),
                    rule("genres.genre", {"type": "regex", "pattern": "x"}, "info", "d"),
                    rule("title", {"type": "length", "max": 300}, "info", "e"),
                ],
                "labels": None,
            },
        },
        "rules.yaml",
    )

    assert rule_set.source == "rules.yaml"
    assert set(rule_set.by_type) == {DataType.ARTISTS, DataType.MASTERS, DataType.LABELS}
    assert len(rule_set.for_type(DataType.MASTERS).filters) == 2
    assert [r.name for r in rule_set.for_type(DataType.MASTERS).rules] == ["a", "b", "c", "d", "e"]
    assert rule_set.for_type(DataType.RELEASES) == TypeRules()


@pytest.mark.parametrize(
    ("document", "where", "what"),
    [
        (None, "(top level)", "expected a mapping"),
        ({"rule": {}}, "rule", "unknown key 'rule'"),
        ({"rules": {"tracks": []}}, "rules.tracks", "unknown data type 'tracks'"),
        ({"rules": {"releases": {"name": "x"}}}, "rules.releases", "expected a list"),
        (
            {"rules": {"releases": [rule("f", {"type": "regex"})]}},
            "rules.releases[0].condition",
            "missing 'pattern'",
        ),
        (
            {"rules": {"releases": [rule("f", {"type": "regex", "pattern": "("})]}},
            "pattern",
            "invalid regular",
        ),
        (
            {"rules": {"releases": [rule("f", {"type": "between"})]}},
            "condition.type",
            "unknown condition type",
        ),
        ({"rules": {"releases": [rule("f", {"type": "required"}, "fatal")]}}, "severity", "unknown severity"),
        ({"rules": {"releases": [rule("f", {"type": "range"})]}}, "condition", "give 'min', 'max' or both"),
        (
            {"rules": {"releases": [rule("f", {"type": "range", "min": "1860"})]}},
            "condition.min",
            "expected a number",
        ),
        (
            {"rules": {"releases": [rule("f", {"type": "range", "min": 5, "max": 1})]}},
            "condition.min",
            "is above",
        ),
        ({"rules": {"releases": [rule("f", {"type": "enum", "values": [1, 2]})]}}, "values", "quote numbers"),
        (
            {"rules": {"releases": [rule("f", {"type": "length", "min": 1.5})]}},
            "condition.min",
            "whole number",
        ),
        (
            {"rules": {"releases": [rule("a..b", {"type": "required"})]}},
            "rules.releases[0].field",
            "empty segment",
        ),
        (
            {"rules": {"releases": [rule("f", {"type": "required"}), rule("g", {"type": "required"})]}},
            "rules.releases[1].name",
            "a second rule named 'r'",
        ),
        ({"filters": {"releases": [{"field": "f"}]}}, "filters.releases[0]", "exactly one of"),
        (
            {"filters": {"releases": [{"field": "f", "nullify_when": {"type": "set"}}]}},
            "nullify_when.type",
            "unknown nullify_when type",
        ),
        (
            {"skip_records": {"artists": [{"field": "p", "contains": "", "reason": "r"}]}},
            "contains",
            "every record",
        ),
        (
            {"skip_records": {"artists": [{"field": "p", "contains": "x"}]}},
            "skip_records.artists[0]",
            "'reason'",
        ),
    ],
)
def test_a_wrong_document_is_refused_naming_where_and_what(document: Any, where: str, what: str) -> None:
    with pytest.raises(RuleSetError) as caught:
        parse_rule_set(document, "test")

    assert where in format_location(caught.value.location)
    assert what in caught.value.reason


def test_format_location_reads_like_the_document() -> None:
    assert (
        format_location(("rules", "releases", 2, "condition", "type")) == "rules.releases[2].condition.type"
    )
