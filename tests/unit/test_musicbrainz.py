"""The MusicBrainz record of SPEC-ingest §9: Discogs ids from URL relations, the fields of each
entity, relations and external links, dump versions and local file names.

Expected values are computed here from the JSON, by the test's own reading of §9, never through
domain.musicbrainz.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dumps import DumpError
from domain.musicbrainz import (
    MUSICBRAINZ_DUMP_TYPES,
    discogs_id_in_url,
    discogs_link,
    file_data_type,
    local_musicbrainz_files,
    musicbrainz_record,
    versions_newest_first,
)
from tests.samples import samples_dir

MUSICBRAINZ = samples_dir() / "musicbrainz"
LABEL_LINES = MUSICBRAINZ / "json_dump" / "label.jsonl"
ONE_PER_LINE = MUSICBRAINZ / "ws2_api_responses" / "one_per_line"

FIELDS = {
    "artists": {
        "id", "discogs_artist_id", "name", "sort_name", "mb_type", "gender", "life_span", "area",
        "begin_area", "end_area", "disambiguation", "aliases", "tags", "relations", "external_links",
    },
    "labels": {
        "id", "discogs_label_id", "name", "mb_type", "label_code", "life_span", "area", "disambiguation",
        "relations", "external_links",
    },
    "release-groups": {
        "id", "discogs_master_id", "name", "mb_type", "secondary_types", "first_release_date",
        "disambiguation", "relations", "external_links",
    },
    "releases": {
        "id", "discogs_release_id", "name", "disambiguation", "barcode", "status", "release_group_mbid",
        "aliases", "tags", "relations", "external_links",
    },
}  # fmt: skip
DISCOGS_KIND = {"artists": "artist", "labels": "label", "release-groups": "master", "releases": "release"}
TARGET_TYPES = ("url", "artist", "label", "release", "release_group", "recording", "work", "series")
LINK_TYPES = (
    "discogs",
    "wikidata",
    "member of band",
    "collaboration",
    "teacher",
    "label founder",
    "allmusic",
)

mbids = st.uuids().map(str)
optional_text = st.none() | st.text(max_size=8)
positive_ids = st.integers(min_value=1, max_value=10**9)
slugs = st.text(alphabet="abcdefghijklmnopqrstuvwxyz+", min_size=1, max_size=12)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@st.composite
def relations(draw: st.DrawFn) -> dict[str, Any]:
    target_type = draw(st.sampled_from(TARGET_TYPES))
    relation: dict[str, Any] = {
        "type": draw(st.sampled_from(LINK_TYPES)),
        "target-type": target_type,
        "direction": draw(st.sampled_from(("forward", "backward"))),
        "begin": draw(st.none() | st.sampled_from(("1990", "2001-05", "2010-01-02"))),
        "end": draw(st.none() | st.sampled_from(("1995", "2020-12"))),
        "ended": draw(st.booleans()),
        "attributes": draw(st.lists(st.sampled_from(("guitar", "lead vocals", "original")), max_size=2)),
    }
    if target_type == "url":
        kind = draw(st.sampled_from(("artist", "label", "master", "release")))
        resource = draw(
            st.builds(lambda n, s: f"https://www.discogs.com/{kind}/{n}-{s}", positive_ids, slugs)
            | st.sampled_from(("https://www.wikidata.org/wiki/Q1", "http://example.invalid/"))
        )
        relation["url"] = {"id": draw(mbids), "resource": resource}
    else:
        relation[target_type] = {"id": draw(mbids), "name": draw(st.text(max_size=5))}
    return relation


@st.composite
def entities(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": draw(mbids),
        "name": draw(optional_text),
        "title": draw(optional_text),
        "sort-name": draw(optional_text),
        "type": draw(optional_text),
        "primary-type": draw(optional_text),
        "gender": draw(optional_text),
        "life-span": draw(
            st.none()
            | st.fixed_dictionaries({"begin": optional_text, "end": optional_text, "ended": st.booleans()})
        ),
        "area": draw(st.none() | st.fixed_dictionaries({"name": st.text(max_size=5)})),
        "begin-area": draw(st.none() | st.fixed_dictionaries({"name": st.text(max_size=5)})),
        "label-code": draw(st.none() | st.integers(0, 99999)),
        "secondary-types": draw(st.lists(st.sampled_from(("Live", "Compilation")), max_size=2)),
        "release-group": draw(st.none() | st.fixed_dictionaries({"id": mbids})),
        "relations": draw(st.lists(relations(), max_size=6)),
    }


def expected_discogs_id(entity: dict[str, Any], kind: str) -> int | None:
    """The first live Discogs link of the kind, else the first ended one."""
    found = []
    for relation in entity["relations"]:
        if relation["target-type"] != "url" or relation["type"] != "discogs":
            continue
        match = re.fullmatch(
            rf"https?://(www\.)?discogs\.com/{kind}/(\d+)([-/?#].*)?", relation["url"]["resource"]
        )
        if match and int(match[2]) > 0:
            found.append((relation["ended"], int(match[2])))
    live = [discogs_id for ended, discogs_id in found if not ended]
    ended = [discogs_id for was_ended, discogs_id in found if was_ended]
    if live:
        return live[0]
    return ended[0] if ended else None


# --- Discogs ids ----------------------------------------------------------------------------------


@given(positive_ids, slugs, st.sampled_from(("https://www.", "http://www.", "https://", "http://")))
def test_a_discogs_url_gives_its_leading_integer_with_or_without_slug(
    discogs_id: int, slug: str, prefix: str
) -> None:
    assert discogs_id_in_url(f"{prefix}discogs.com/artist/{discogs_id}", "artist") == discogs_id
    assert discogs_id_in_url(f"{prefix}discogs.com/artist/{discogs_id}-{slug}", "artist") == discogs_id
    assert discogs_id_in_url(f"{prefix}discogs.com/master/{discogs_id}/", "master") == discogs_id


@given(positive_ids)
def test_a_discogs_url_of_another_kind_names_nothing(discogs_id: int) -> None:
    assert discogs_id_in_url(f"https://www.discogs.com/label/{discogs_id}", "artist") is None
    assert discogs_id_in_url(f"https://www.discogs.com/release/{discogs_id}", "master") is None


@pytest.mark.parametrize(
    "url",
    [
        "http://www.discogs.com/artist/Paul+Allgood",
        "https://www.discogs.com/artist/0",
        "https://www.discogs.com/artist/12abc",
        "https://www.example.com/artist/12",
        "https://www.discogs.com/artist/",
    ],
)
def test_urls_without_a_positive_numeric_id_name_nothing(url: str) -> None:
    assert discogs_id_in_url(url, "artist") is None


def test_a_live_discogs_link_wins_over_an_ended_one_listed_before_it() -> None:
    def link(discogs_id: int, ended: bool) -> dict[str, Any]:
        resource = f"https://www.discogs.com/artist/{discogs_id}"
        return {"target-type": "url", "type": "discogs", "ended": ended, "url": {"resource": resource}}

    assert discogs_link({"relations": [link(1, True), link(2, False), link(3, False)]}, "artist") == 2
    assert discogs_link({"relations": [link(1, True), link(4, True)]}, "artist") == 1
    assert discogs_link({"relations": []}, "artist") is None


# --- records ---------------------------------------------------------------------------------------


@given(entities(), st.sampled_from(MUSICBRAINZ_DUMP_TYPES), st.dictionaries(mbids, positive_ids))
def test_every_record_has_exactly_the_fields_of_its_type(
    entity: dict[str, Any], data_type: str, artist_links: dict[str, int]
) -> None:
    record = musicbrainz_record(data_type, entity, artist_links)

    assert set(record) == FIELDS[data_type]
    assert record["id"] == entity["id"]
    discogs_field = next(name for name in FIELDS[data_type] if name.startswith("discogs_"))
    assert record[discogs_field] == expected_discogs_id(entity, DISCOGS_KIND[data_type])


@given(entities(), st.sampled_from(MUSICBRAINZ_DUMP_TYPES), st.dictionaries(mbids, positive_ids))
def test_url_relations_become_external_links_but_discogs_ones(
    entity: dict[str, Any], data_type: str, artist_links: dict[str, int]
) -> None:
    record = musicbrainz_record(data_type, entity, artist_links)

    assert record["external_links"] == [
        {"service": relation["type"], "url": relation["url"]["resource"]}
        for relation in entity["relations"]
        if relation["target-type"] == "url" and relation["type"] != "discogs"
    ]


@given(entities(), st.sampled_from(MUSICBRAINZ_DUMP_TYPES), st.data())
def test_other_relations_keep_their_target_and_direction(
    entity: dict[str, Any], data_type: str, data: st.DataObject
) -> None:
    targets = [r[r["target-type"]]["id"] for r in entity["relations"] if r["target-type"] != "url"]
    # Some targets are known artists with a Discogs id, as pass 1 would have found them.
    artist_links = {mbid: index + 1 for index, mbid in enumerate(targets) if data.draw(st.booleans())}

    record = musicbrainz_record(data_type, entity, artist_links)

    non_url = [relation for relation in entity["relations"] if relation["target-type"] != "url"]
    assert len(record["relations"]) == len(non_url)
    for relation, row in zip(non_url, record["relations"], strict=True):
        target = relation[relation["target-type"]]
        assert row["type"] == relation["type"]
        assert row["target_type"] == relation["target-type"].replace("release_group", "release-group")
        assert row["target_mbid"] == target["id"]
        assert row["direction"] == relation["direction"]
        assert (row["begin_date"], row["end_date"], row["ended"]) == (
            relation["begin"],
            relation["end"],
            relation["ended"],
        )
        assert row["attributes"] == relation["attributes"]
        if data_type == "artists" and relation["target-type"] == "artist":
            assert row["target_discogs_artist_id"] == artist_links.get(target["id"])
        else:
            assert "target_discogs_artist_id" not in row


def test_the_real_label_lines_give_47_discogs_ids_and_their_fields() -> None:
    matched = 0
    for entity in lines(LABEL_LINES):
        record = musicbrainz_record("labels", entity, {})
        urls = [
            r["url"]["resource"]
            for r in entity["relations"]
            if r["target-type"] == "url" and r["type"] == "discogs"
        ]
        expected = int(urls[0].rsplit("/", 1)[1]) if urls else None
        matched += expected is not None
        assert record["discogs_label_id"] == expected
        assert record["name"] == entity["name"]
        assert record["mb_type"] == entity["type"]
        assert record["label_code"] == entity["label-code"]
        assert record["life_span"] == entity["life-span"]
        assert record["area"] == (entity["area"] or {}).get("name")
    assert matched == 47


def test_the_api_artist_with_legacy_area_keys_reads_them_and_lacks_nothing() -> None:
    ended = next(e for e in lines(ONE_PER_LINE / "artist.jsonl") if "begin_area" in e)

    record = musicbrainz_record("artists", ended, {})

    assert record["begin_area"] == ended["begin-area"]["name"]
    assert record["end_area"] == ended["end-area"]["name"]
    assert record["life_span"]["ended"] is True
    assert record["relations"] == []


def test_a_release_carries_its_release_group_and_discogs_release() -> None:
    [release] = lines(ONE_PER_LINE / "release.jsonl")

    record = musicbrainz_record("releases", release, {})

    assert record["discogs_release_id"] == 1873013
    assert record["release_group_mbid"] == release["release-group"]["id"]
    assert record["barcode"] == release["barcode"]
    assert {row["target_type"] for row in record["relations"]} == {"artist", "series"}


# --- dump versions and files --------------------------------------------------------------------


@given(
    st.lists(
        st.datetimes(min_value=datetime(2000, 1, 1)).map(lambda moment: moment.strftime("%Y%m%d-%H%M%S")),
        max_size=6,
    )
)
def test_versions_are_the_timestamped_directories_newest_first(versions: list[str]) -> None:
    names = [f"{version}/" for version in versions] + ["LATEST", "latest-is-20260520-001001", "../"]

    assert versions_newest_first(names) == sorted(set(versions), reverse=True)


@pytest.mark.parametrize(
    ("name", "data_type"),
    [
        ("artist.jsonl.xz", "artists"),
        ("mbdump-label.jsonl.xz", "labels"),
        ("release-group.jsonl", "release-groups"),
        ("release.tar.xz", "releases"),
        ("release-group.json", None),
        ("recording.jsonl.xz", None),
        ("SHA256SUMS", None),
    ],
)
def test_file_names_say_their_data_type(name: str, data_type: str | None) -> None:
    assert file_data_type(name) == data_type


def test_a_repacked_file_is_preferred_to_a_plain_one_and_both_to_the_archive() -> None:
    names = ["artist.tar.xz", "artist.jsonl", "artist.jsonl.xz", "label.tar.xz", "label.jsonl", "README"]

    assert local_musicbrainz_files(names) == {"artists": "artist.jsonl.xz", "labels": "label.jsonl"}


def test_a_directory_without_entity_files_is_refused_by_name() -> None:
    with pytest.raises(DumpError, match="no MusicBrainz dump files"):
        local_musicbrainz_files(["README", "SHA256SUMS"])
