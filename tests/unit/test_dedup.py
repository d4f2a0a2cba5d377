"""The record digest of SPEC-ingest §5: sha256 over canonical JSON, byte for byte the reference's.

The vectors were derived by hand from the XML of real sample records (SPEC-ingest §11 applied on
paper) and hashed with `sha256sum`, not with this code.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from adapters.dumps.discogs_xml import fast_canonical_json
from domain.dedup import canonical_json, content_sha256, sha256_hex

# artist 11037, xml2db_single_records/artist_problems.xml: `&#13;` is a CR, `&amp;` an ampersand.
ARTIST_11037 = {
    "id": "11037",
    "name": "Soul Boy",
    "realname": "M. Marsico, L. Macchiaizzano\rif  M. Marsico & L. M",
    "profile": None,
    "data_quality": "Needs Vote",
}
ARTIST_11037_CANONICAL = (
    '{"data_quality":"Needs Vote","id":"11037","name":"Soul Boy","profile":null,'
    '"realname":"M. Marsico, L. Macchiaizzano\\rif  M. Marsico & L. M"}'
)
ARTIST_11037_SHA256 = "d92c40dd805330e892ba016e65b0a064b3dbcf196908207bd794bc4fb4215d63"

# release 12645460, xml2db_20200806 releases: nested objects, arrays, nulls, `@` keys in raw parts.
RELEASE_12645460 = {
    "id": "12645460",
    "status": "Accepted",
    "images": {"image": {"@type": "secondary", "@uri": "", "@uri150": "", "@width": "600", "@height": "600"}},
    "artists": [
        {"id": "6486506", "name": "Ama (19)", "anv": None, "join": None, "role": None, "tracks": None}
    ],
    "title": "Factory",
    "labels": [{"name": "Industrial Techno United", "catno": "ITU222", "id": "1240637"}],
    "formats": [{"name": "File", "qty": "1", "text": "320 kbps", "descriptions": {"description": "MP3"}}],
    "genres": ["Electronic"],
    "styles": ["Techno"],
    "released": "2018-10-11",
    "data_quality": "Needs Vote",
    "tracklist": {"track": {"position": "1", "title": "Factory", "duration": "5:11"}},
    "identifiers": None,
    "companies": None,
}
RELEASE_12645460_CANONICAL = (
    '{"artists":[{"anv":null,"id":"6486506","join":null,"name":"Ama (19)","role":null,"tracks":null}],'
    '"companies":null,"data_quality":"Needs Vote",'
    '"formats":[{"descriptions":{"description":"MP3"},"name":"File","qty":"1","text":"320 kbps"}],'
    '"genres":["Electronic"],"id":"12645460","identifiers":null,'
    '"images":{"image":{"@height":"600","@type":"secondary","@uri":"","@uri150":"","@width":"600"}},'
    '"labels":[{"catno":"ITU222","id":"1240637","name":"Industrial Techno United"}],'
    '"released":"2018-10-11","status":"Accepted","styles":["Techno"],"title":"Factory",'
    '"tracklist":{"track":{"duration":"5:11","position":"1","title":"Factory"}}}'
)
RELEASE_12645460_SHA256 = "61265c21de2ffcc507d0cc652985243d1cf536b33fab3118459402508a5e1410"

# artist 912624, xml2db_20200806 artists: `&#1040;&#1081;&#1103;` is emitted as raw UTF-8.
ARTIST_912624 = {"id": "912624", "name": "Айя", "profile": None, "data_quality": "Correct"}
ARTIST_912624_CANONICAL = '{"data_quality":"Correct","id":"912624","name":"Айя","profile":null}'
ARTIST_912624_SHA256 = "99b9596af9f338183d6a4c4092169ffc1d0b020a0fbe522ee7480387ceef4a19"

VECTORS = [
    pytest.param(ARTIST_11037, ARTIST_11037_CANONICAL, ARTIST_11037_SHA256, id="artist-11037"),
    pytest.param(
        RELEASE_12645460, RELEASE_12645460_CANONICAL, RELEASE_12645460_SHA256, id="release-12645460"
    ),
    pytest.param(ARTIST_912624, ARTIST_912624_CANONICAL, ARTIST_912624_SHA256, id="artist-912624"),
]

text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
json_values = st.recursive(
    st.none() | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=25,
)
documents = st.dictionaries(text, json_values, max_size=6)


def reorder_keys(value: Any, order: st.DataObject) -> Any:
    """The same JSON value with the keys of every object inserted in another order."""
    if isinstance(value, dict):
        keys = order.draw(st.permutations(list(value)))
        return {key: reorder_keys(value[key], order) for key in keys}
    if isinstance(value, list):
        return [reorder_keys(item, order) for item in value]
    return value


def leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths (keys and indexes) to every string or null in a JSON value."""
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in leaf_paths(item, (*path, key))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in leaf_paths(item, (*path, index))]
    return [path]


def replaced(value: Any, path: tuple[Any, ...], new_leaf: Any) -> Any:
    """A copy of `value` with the leaf at `path` replaced."""
    if not path:
        return new_leaf
    head, *rest = path
    if isinstance(value, dict):
        return {
            key: replaced(item, tuple(rest), new_leaf) if key == head else item for key, item in value.items()
        }
    return [
        replaced(item, tuple(rest), new_leaf) if index == head else item for index, item in enumerate(value)
    ]


@pytest.mark.parametrize(("document", "canonical", "digest"), VECTORS)
def test_canonical_json_of_a_real_record_is_the_hand_derived_string(
    document: dict[str, Any], canonical: str, digest: str
) -> None:
    assert canonical_json(document) == canonical.encode("utf-8")
    assert content_sha256(document) == digest


@pytest.mark.parametrize(("document", "canonical", "digest"), VECTORS)
def test_the_readers_fast_serializer_gives_the_hand_derived_string(
    document: dict[str, Any], canonical: str, digest: str
) -> None:
    assert fast_canonical_json(document) == canonical.encode("utf-8")
    assert sha256_hex(fast_canonical_json(document)) == digest


def test_escapes_are_those_of_json_dumps_with_raw_utf8() -> None:
    document = {"v": '\x00\x1f\t\n\r\x08\x0c"\\/\x7f\u2028é😀'}
    expected = '{"v":"\\u0000\\u001f\\t\\n\\r\\b\\f\\"\\\\/\x7f\u2028é😀"}'.encode()
    assert canonical_json(document) == expected
    assert fast_canonical_json(document) == expected


def test_keys_sort_by_code_point_not_by_locale_or_utf16() -> None:
    document = {"b": "", "B": "", "é": "", "\U0001f600": "", "\uffff": "", "a": ""}
    assert canonical_json(document) == '{"B":"","a":"","b":"","é":"","\uffff":"","\U0001f600":""}'.encode()


def test_digest_is_the_lowercase_hex_sha256_of_the_canonical_bytes() -> None:
    digest = content_sha256({"id": "1", "name": None})
    assert digest == hashlib.sha256(b'{"id":"1","name":null}').hexdigest()
    assert len(digest) == 64
    assert digest == digest.lower()


def test_unicode_normalization_forms_are_not_unified() -> None:
    """The reference hashes the bytes it read; NFC and NFD spellings are different records to it."""
    composed = {"name": unicodedata.normalize("NFC", "Dahlbäck")}
    decomposed = {"name": unicodedata.normalize("NFD", "Dahlbäck")}
    assert content_sha256(composed) != content_sha256(decomposed)


@settings(max_examples=300)
@given(documents)
def test_fast_serializer_equals_the_standard_library_definition(document: dict[str, Any]) -> None:
    assert fast_canonical_json(document) == canonical_json(document)


def test_fast_serializer_handles_nesting_deeper_than_orjson_allows() -> None:
    deep: dict[str, Any] = {"leaf": "x"}
    for _ in range(300):
        deep = {"n": [deep]}
    assert fast_canonical_json(deep) == canonical_json(deep)


@given(documents)
def test_canonical_json_is_the_same_json_value(document: dict[str, Any]) -> None:
    assert json.loads(canonical_json(document)) == document


@given(documents, st.data())
def test_key_order_at_any_nesting_level_does_not_change_the_digest(
    document: dict[str, Any], order: st.DataObject
) -> None:
    assert content_sha256(reorder_keys(document, order)) == content_sha256(document)


@given(documents.filter(leaf_paths), st.data())
def test_changing_any_value_changes_the_digest(document: dict[str, Any], change: st.DataObject) -> None:
    path = change.draw(st.sampled_from(leaf_paths(document)))
    old_leaf: Any = document
    for step in path:
        old_leaf = old_leaf[step]
    new_leaf = change.draw(
        (st.none() | text).filter(lambda leaf: leaf != old_leaf or type(leaf) is not type(old_leaf))
    )
    assert content_sha256(replaced(document, path, new_leaf)) != content_sha256(document)


@given(documents.filter(bool), text, st.data())
def test_renaming_a_key_changes_the_digest(
    document: dict[str, Any], new_key: str, change: st.DataObject
) -> None:
    assume(new_key not in document)
    old_key = change.draw(st.sampled_from(sorted(document)))
    renamed = {new_key if key == old_key else key: value for key, value in document.items()}
    assert content_sha256(renamed) != content_sha256(document)


@given(text)
def test_a_value_and_the_same_value_in_a_list_differ(value: str) -> None:
    assert content_sha256({"genres": value}) != content_sha256({"genres": [value]})
