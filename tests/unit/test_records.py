"""Record ids, normalization (SPEC-ingest §4, §11 rules 10-16) and records, on parsed dicts."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dedup import canonical_json
from domain.dumps import DumpError
from domain.records import (
    FROM_START,
    UNKNOWN_RECORD_ID,
    WHITE_SPACE,
    DataType,
    DumpFileError,
    MalformedRecord,
    ResumePoint,
    item_list,
    make_record,
    normalize,
    record_id,
    strip,
    unwrap,
)


def is_blank(text: str) -> bool:
    return not text.strip(WHITE_SPACE)


def test_blank_text_is_unicode_white_space_as_rust_trims_it() -> None:
    assert is_blank("")
    assert is_blank(" \t\r\n\x0b\x0c\x85")
    assert is_blank("\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000")  # an NBSP-only field too
    assert not is_blank("\x1c\x1d\x1e\x1f")  # Python's isspace() says yes; Rust's trim keeps them
    assert not is_blank("\u200b\u180e\ufeff")  # not White_Space
    assert not is_blank(" x ")


@pytest.mark.parametrize(
    ("name", "data_type"),
    [
        ("releases", DataType.RELEASES),
        ("release", DataType.RELEASES),
        ("label", DataType.LABELS),
        ("x", None),
    ],
)
def test_a_data_type_is_named_by_its_root_or_its_record_element(
    name: str, data_type: DataType | None
) -> None:
    assert DataType.from_element(name) is data_type


def test_record_elements_are_the_singular_of_the_file_types() -> None:
    assert [data_type.record_element for data_type in DataType] == ["artist", "label", "master", "release"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"@id": "7", "id": "8"}, "7"),
        ({"id": "8", "name": "x"}, "8"),
        ({"id": ["8", "9"]}, UNKNOWN_RECORD_ID),
        ({"id": None}, UNKNOWN_RECORD_ID),
        ({"id": {"@x": "1", "#text": "8"}}, UNKNOWN_RECORD_ID),
        ({"name": "x"}, UNKNOWN_RECORD_ID),
    ],
)
def test_record_id_is_the_attribute_else_a_plain_id_child_else_unknown(
    raw: dict[str, Any], expected: str
) -> None:
    assert record_id(raw) == expected


def test_strip_renames_attributes_and_text_one_level_deep() -> None:
    raw = {"@id": "5", "#text": "Mute", "sub": {"@id": "6"}}
    assert strip(raw) == {"id": "5", "name": "Mute", "sub": {"@id": "6"}}


def test_strip_lets_an_attribute_beat_a_child_and_text() -> None:
    assert strip({"@status": "Accepted", "status": "Draft"}) == {"status": "Accepted"}
    assert strip({"@name": "attribute", "#text": "text"}) == {"name": "attribute"}


def test_strip_keeps_text_when_the_object_already_has_a_name() -> None:
    assert strip({"name": "child", "#text": "text"}) == {"name": "child", "#text": "text"}


@pytest.mark.parametrize(
    ("container", "expected"),
    [
        (None, []),
        ({"genre": None}, []),
        ({"other": "x"}, []),
        ({"genre": "Rock"}, ["Rock"]),
        ({"genre": ["Rock", None, "Pop"]}, ["Rock", None, "Pop"]),
        ("Rock", ["Rock"]),
        ([{"genre": "Rock"}, {"genre": "Pop"}], [{"genre": "Rock"}, {"genre": "Pop"}]),
    ],
)
def test_unwrap_follows_rule_12(container: Any, expected: list[Any]) -> None:
    assert unwrap(container, "genre") == expected


def test_item_list_strips_objects_and_reads_bare_strings_as_ids() -> None:
    container = {"name": [{"@id": "33", "#text": "Blue Six"}, "Faxid", None]}
    assert item_list(container, "name") == [{"id": "33", "name": "Blue Six"}, {"id": "Faxid"}, None]


def test_artist_members_of_2020_keep_the_named_entries_not_the_id_siblings() -> None:
    raw = {
        "id": "2",
        "members": {
            "id": ["26", "27"],
            "name": [{"@id": "26", "#text": "Alexi Delano"}, {"@id": "27", "#text": "Cari Lekebusch"}],
        },
    }
    assert normalize(DataType.ARTISTS, raw)["members"] == [
        {"id": "26", "name": "Alexi Delano"},
        {"id": "27", "name": "Cari Lekebusch"},
    ]


def test_artist_aliases_of_2017_without_ids_get_their_name_as_id() -> None:
    raw = {"id": "1", "aliases": {"name": ["Dick Track", "Faxid"]}}
    assert normalize(DataType.ARTISTS, raw)["aliases"] == [{"id": "Dick Track"}, {"id": "Faxid"}]


def test_artist_top_level_is_not_stripped() -> None:
    raw = {"@id": "9", "id": "9", "#text": "stray", "name": "X"}
    assert normalize(DataType.ARTISTS, raw) == raw


def test_empty_listed_fields_are_omitted_and_other_empty_fields_stay_null() -> None:
    raw = {"id": "1", "groups": None, "members": {"id": "3"}, "aliases": {"name": None}, "urls": None}
    assert normalize(DataType.ARTISTS, raw) == {"id": "1", "urls": None}


def test_label_parent_label_is_stripped_only_when_it_is_an_object() -> None:
    with_id = normalize(DataType.LABELS, {"id": "12954", "parentLabel": {"@id": "26391", "#text": "Mute"}})
    text_only = normalize(DataType.LABELS, {"id": "5", "parentLabel": "Goldhead Music"})
    assert with_id["parentLabel"] == {"id": "26391", "name": "Mute"}
    assert text_only["parentLabel"] == "Goldhead Music"


def test_label_with_empty_sublabels_of_2020_keeps_the_nulls() -> None:
    assert normalize(DataType.LABELS, {"id": "78", "sublabels": {"label": [None, None]}})["sublabels"] == [
        None,
        None,
    ]
    assert "sublabels" not in normalize(DataType.LABELS, {"id": "1", "sublabels": {"label": None}})


def test_master_is_stripped_with_artist_items_and_string_genres() -> None:
    raw = {
        "@id": "18500",
        "artists": {"artist": {"id": "212070", "name": "Samuel L Session", "anv": "Samuel L", "join": None}},
        "genres": {"genre": "Electronic"},
        "styles": {"style": ["Techno", "Minimal"]},
        "year": "2001",
    }
    assert normalize(DataType.MASTERS, raw) == {
        "id": "18500",
        "artists": [{"id": "212070", "name": "Samuel L Session", "anv": "Samuel L", "join": None}],
        "genres": ["Electronic"],
        "styles": ["Techno", "Minimal"],
        "year": "2001",
    }


@pytest.mark.parametrize(
    ("master_id", "expected"),
    [
        ({"@is_main_release": "true", "#text": "5427"}, "5427"),
        ("5427", "5427"),
        ({"id": "5427"}, "5427"),
        ({"@is_main_release": "false"}, {"@is_main_release": "false"}),
    ],
)
def test_release_master_id_becomes_its_text_else_its_id_child(master_id: Any, expected: Any) -> None:
    assert normalize(DataType.RELEASES, {"@id": "1", "master_id": master_id})["master_id"] == expected


def test_release_is_stripped_and_its_listed_containers_become_lists() -> None:
    raw = {
        "@id": "1",
        "@status": "Accepted",
        "labels": {"label": {"@name": "Svek", "@catno": "SK032", "@id": "5"}},
        "extraartists": None,
        "formats": {
            "format": [
                {"@name": "Vinyl", "@qty": "2", "@text": "", "descriptions": {"description": ['12"', "LP"]}},
                "CD",
            ]
        },
        "genres": {"genre": "Electronic"},
        "tracklist": {"track": {"position": "A", "title": "Östermalm"}},
        "series": {"series": {"@name": "S", "@catno": "1", "@id": "9"}},
    }
    assert normalize(DataType.RELEASES, raw) == {
        "id": "1",
        "status": "Accepted",
        "labels": [{"name": "Svek", "catno": "SK032", "id": "5"}],
        "formats": [
            {"name": "Vinyl", "qty": "2", "text": "", "descriptions": {"description": ['12"', "LP"]}},
            "CD",
        ],
        "genres": ["Electronic"],
        "tracklist": {"track": {"position": "A", "title": "Östermalm"}},
        "series": {"series": {"@name": "S", "@catno": "1", "@id": "9"}},
    }


def test_release_without_status_attribute_has_no_status() -> None:
    assert "status" not in normalize(DataType.RELEASES, {"@id": "2323", "title": "Polydistortion"})


def test_a_record_element_that_is_not_an_object_is_dropped() -> None:
    assert make_record(DataType.RELEASES, None) is None
    assert make_record(DataType.RELEASES, "text only") is None


def test_an_id_child_is_removed_when_the_id_attribute_exists() -> None:
    record = make_record(DataType.MASTERS, {"@id": "7", "id": "8", "title": "T"})
    assert record is not None
    assert record.id == "7"
    assert record.document == {"id": "7", "title": "T"}


def test_a_record_carries_its_type_document_canonical_bytes_and_their_digest() -> None:
    record = make_record(DataType.ARTISTS, {"id": "11037", "name": "Soul Boy", "profile": None})
    assert record is not None
    assert record.data_type is DataType.ARTISTS
    assert record.id == "11037"
    assert record.canonical_json == b'{"id":"11037","name":"Soul Boy","profile":null}'
    assert record.sha256 == "60f33099d366977304ef03b78c55d30c33474204ddea1bff6addfa7533d9537a"


def test_a_record_without_any_id_is_kept_with_the_unknown_id() -> None:
    record = make_record(DataType.LABELS, {"name": "No Id"})
    assert record is not None
    assert record.id == UNKNOWN_RECORD_ID


raw_values = st.recursive(
    st.none() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=20,
)
NORMALIZED_FIELDS = [
    "@id",
    "id",
    "#text",
    "name",
    "@status",
    "status",
    "members",
    "groups",
    "aliases",
    "parentLabel",
    "sublabels",
    "artists",
    "labels",
    "extraartists",
    "genres",
    "styles",
    "formats",
    "master_id",
]
raw_records = st.dictionaries(st.sampled_from(NORMALIZED_FIELDS), raw_values, min_size=1)


@given(st.sampled_from(list(DataType)), raw_records)
def test_normalize_never_changes_its_input(data_type: DataType, raw: dict[str, Any]) -> None:
    before = copy.deepcopy(raw)
    normalize(data_type, raw)
    assert raw == before


@given(st.sampled_from(list(DataType)), raw_records, st.randoms())
def test_the_order_of_fields_in_the_parsed_record_does_not_change_the_record(
    data_type: DataType, raw: dict[str, Any], shuffler: Any
) -> None:
    keys = list(raw)
    shuffler.shuffle(keys)
    reordered = {key: raw[key] for key in keys}
    original_record = make_record(data_type, raw)
    reordered_record = make_record(data_type, reordered)
    assert original_record is not None
    assert reordered_record is not None
    assert reordered_record.sha256 == original_record.sha256
    assert reordered_record.canonical_json == canonical_json(original_record.document)


def test_resume_point_is_a_count_or_an_id_never_both() -> None:
    assert ResumePoint(records_done=0, last_id=None) == FROM_START
    with pytest.raises(ValueError, match="not both"):
        ResumePoint(records_done=3, last_id="42")
    with pytest.raises(ValueError, match=">= 0"):
        ResumePoint(records_done=-1)


def test_read_faults_name_the_file_and_the_position() -> None:
    malformed = MalformedRecord("releases.xml.gz", 12, 3456, "99", "mismatched tag")
    broken = DumpFileError("releases.xml.gz", "invalid UTF-8", line=12, byte_offset=3456)
    assert str(malformed) == "releases.xml.gz: malformed record 99 at line 12, byte 3456: mismatched tag"
    assert str(broken) == "releases.xml.gz: invalid UTF-8 (at line 12, byte 3456 of the XML)"
    assert isinstance(malformed, DumpError)
    assert isinstance(broken, DumpError)
