"""TableStore's `musicbrainz` schema contract (SPEC-tables §3), passed alike by PostgreSQL and SQLite.

Every entity line is stored, matched to Discogs or not, with its relations in canonical orientation
and its external links. Expected rows are computed here from the JSON lines with this file's own
reading of §3, never through domain.musicbrainz_model. Lines: the real label dump lines, the real
API lines of artists, release groups and releases, and the synthetic dump-shaped artist lines of
the graph contract (the samples hold no artist line with a Discogs link).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.dumps.musicbrainz_jsonl import MusicBrainzReader
from domain.messages import HashedRecord, record_to_json
from domain.musicbrainz_model import EntityCount, ExternalLink, StoredRelationship
from domain.ports import TableStore
from domain.schema import MUSICBRAINZ_INDEXES, MUSICBRAINZ_TABLES
from domain.tables import InvalidRecord
from tests.contract.test_musicbrainz_graph_contract import (
    LABEL_LINES,
    ONE_PER_LINE,
    artist_line,
    mbid,
    read_lines,
    synthetic_artists,
    write_lines,
)

ENTITY = {"artists": "artist", "labels": "label", "release-groups": "release-group", "releases": "release"}
KIND = {"artists": "artist", "labels": "label", "release-groups": "master", "releases": "release"}
SEEN = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


def sample_files(tmp_path: Path) -> dict[str, Path]:
    artists = synthetic_artists() + read_lines(ONE_PER_LINE / "artist.jsonl")
    return {
        "artists": write_lines(tmp_path / "artist.jsonl", artists),
        "labels": LABEL_LINES,
        "release-groups": ONE_PER_LINE / "release-group.jsonl",
        "releases": ONE_PER_LINE / "release.jsonl",
    }


def records(path: Path) -> list[dict[str, Any]]:
    return [record_to_json(HashedRecord(r.document, r.sha256)) for r in MusicBrainzReader().read(path)]


async def load(store: TableStore, files: dict[str, Path], seen_at: datetime) -> dict[str, Any]:
    return {
        data_type: await store.upsert_musicbrainz(data_type, records(path), seen_at)
        for data_type, path in files.items()
    }


# --- the test's own reading of SPEC-tables §3 -------------------------------------------------------


def discogs_id(entity: dict[str, Any], kind: str) -> int | None:
    for relation in entity.get("relations", []):
        if relation["target-type"] == "url" and relation["type"] == "discogs":
            match = re.search(rf"discogs\.com/{kind}/(\d+)", relation["url"]["resource"])
            if match:
                return int(match[1])
    return None


def expected_columns(data_type: str, entity: dict[str, Any]) -> dict[str, Any]:
    life = entity.get("life-span") or {}
    dates = {"begin_date": life.get("begin"), "end_date": life.get("end"), "ended": life.get("ended") is True}
    area = (entity.get("area") or {}).get("name")
    if data_type == "artists":
        return {
            "name": entity["name"],
            "sort_name": entity["sort-name"],
            "type": entity["type"],
            "gender": entity.get("gender"),
            **dates,
            "area": area,
            "begin_area": (entity.get("begin-area") or entity.get("begin_area") or {}).get("name"),
            "end_area": (entity.get("end-area") or entity.get("end_area") or {}).get("name"),
            "disambiguation": entity["disambiguation"],
            "discogs_artist_id": discogs_id(entity, "artist"),
            "aliases": entity.get("aliases") or [],
            "tags": entity.get("tags") or [],
        }
    if data_type == "labels":
        return {
            "name": entity["name"],
            "type": entity["type"],
            "label_code": entity["label-code"],
            **dates,
            "area": area,
            "disambiguation": entity["disambiguation"],
            "discogs_label_id": discogs_id(entity, "label"),
        }
    if data_type == "release-groups":
        return {
            "name": entity["title"],
            "type": entity["primary-type"],
            "secondary_types": entity["secondary-types"],
            "first_release_date": entity["first-release-date"],
            "disambiguation": entity["disambiguation"],
            "discogs_master_id": discogs_id(entity, "master"),
        }
    return {
        "name": entity["title"],
        "barcode": entity["barcode"],
        "status": entity["status"],
        "release_group_mbid": entity["release-group"]["id"],
        "discogs_release_id": discogs_id(entity, "release"),
    }


def expected_relationships(files: dict[str, Path]) -> set[StoredRelationship]:
    rows = set()
    for data_type, path in files.items():
        for entity in read_lines(path):
            for relation in entity.get("relations", []):
                if relation["target-type"] == "url":
                    continue
                target = relation[relation["target-type"]]["id"]
                ends = [
                    (entity["id"], ENTITY[data_type]),
                    (target, relation["target-type"].replace("_", "-")),
                ]
                if relation["direction"] == "backward":
                    ends.reverse()
                rows.add(
                    StoredRelationship(
                        ends[0][0], ends[1][0], ends[0][1], ends[1][1], relation["type"], relation["begin"],
                        relation["end"], relation["ended"], tuple(sorted(relation["attributes"])),
                    )
                )  # fmt: skip
    return rows


# --- the contract -----------------------------------------------------------------------------------


async def test_every_sample_line_is_stored_with_the_columns_computed_from_the_json(
    table_store: TableStore, tmp_path: Path
) -> None:
    await table_store.ensure_schema()
    files = sample_files(tmp_path)

    outcomes = await load(table_store, files, SEEN)

    counts = await table_store.musicbrainz_counts()
    for data_type, path in files.items():
        entities = read_lines(path)
        assert outcomes[data_type].inserted == len(entities)
        matched = [entity for entity in entities if discogs_id(entity, KIND[data_type]) is not None]
        assert (counts.entities[data_type].total, counts.entities[data_type].matched_to_discogs) == (
            len(entities),
            len(matched),
        ), data_type
        for entity in entities:
            row = await table_store.musicbrainz_entity(data_type, entity["id"])
            assert row is not None
            assert row["mbid"] == entity["id"]
            assert {name: row[name] for name in expected_columns(data_type, entity)} == expected_columns(
                data_type, entity
            ), f"{data_type} {entity['id']}"
            assert row["data"]["id"] == entity["id"]
            assert row["created_at"] == row["updated_at"] == SEEN
    assert counts.entities["labels"] == EntityCount(total=75, matched_to_discogs=47)
    expected = expected_relationships(files)
    stored = {
        relation
        for path in files.values()
        for entity in read_lines(path)
        for relation in await table_store.musicbrainz_relations(entity["id"])
    }
    assert stored == expected
    assert counts.relationships == len(expected)


async def test_a_relation_seen_from_both_artists_is_one_row(table_store: TableStore, tmp_path: Path) -> None:
    await table_store.ensure_schema()
    path = write_lines(
        tmp_path / "artist.jsonl",
        [
            artist_line(1, 101, ("member of band", "forward", 2)),
            artist_line(2, None, ("member of band", "backward", 1)),
        ],
    )

    await table_store.upsert_musicbrainz("artists", records(path), SEEN)

    [row] = await table_store.musicbrainz_relations(mbid(2))
    assert (row.source_mbid, row.target_mbid, row.relationship_type) == (mbid(1), mbid(2), "member of band")
    assert (row.begin_date, row.end_date, row.attributes) == ("1990", None, ("guitar",))
    assert (await table_store.musicbrainz_counts()).relationships == 1


async def test_loading_the_same_musicbrainz_data_twice_changes_nothing(
    table_store: TableStore, tmp_path: Path
) -> None:
    await table_store.ensure_schema()
    files = sample_files(tmp_path)
    await load(table_store, files, SEEN)
    rows_before = {
        (data_type, entity["id"]): await table_store.musicbrainz_entity(data_type, entity["id"])
        for data_type, path in files.items()
        for entity in read_lines(path)
    }
    counts_before = await table_store.musicbrainz_counts()

    outcomes = await load(table_store, files, SEEN + timedelta(days=3))

    for data_type, path in files.items():
        assert (outcomes[data_type].inserted, outcomes[data_type].updated) == (0, 0)
        assert outcomes[data_type].unchanged == len(read_lines(path))
    for (data_type, mbid_), row in rows_before.items():
        assert await table_store.musicbrainz_entity(data_type, mbid_) == row
    assert await table_store.musicbrainz_counts() == counts_before


async def test_a_changed_entity_is_rewritten_and_keeps_its_creation_time(
    table_store: TableStore, tmp_path: Path
) -> None:
    await table_store.ensure_schema()
    before = write_lines(tmp_path / "artist.jsonl", [artist_line(1, 101)])
    after = write_lines(tmp_path / "mbdump-artist.jsonl", [artist_line(1, 102, gender="Female")])
    await table_store.upsert_musicbrainz("artists", records(before), SEEN)

    outcome = await table_store.upsert_musicbrainz("artists", records(after), SEEN + timedelta(hours=1))

    assert (outcome.inserted, outcome.updated) == (0, 1)
    row = await table_store.musicbrainz_entity("artists", mbid(1))
    assert row is not None
    assert (row["discogs_artist_id"], row["gender"]) == (102, "Female")
    assert (row["created_at"], row["updated_at"]) == (SEEN, SEEN + timedelta(hours=1))


async def test_a_record_whose_id_is_not_a_uuid_refuses_the_whole_batch(table_store: TableStore) -> None:
    await table_store.ensure_schema()
    good = {"id": mbid(1), "sha256": "", "name": "fine", "relations": [], "external_links": []}
    bad = {**good, "id": "not-a-uuid"}

    with pytest.raises(InvalidRecord, match="not a MusicBrainz id"):
        await table_store.upsert_musicbrainz("labels", [good, bad], SEEN)

    assert (await table_store.musicbrainz_counts()).entities["labels"].total == 0


async def test_external_links_of_a_discogs_artist_come_by_service_then_url(
    table_store: TableStore, tmp_path: Path
) -> None:
    await table_store.ensure_schema()
    skid_row = next(entity for entity in read_lines(ONE_PER_LINE / "artist.jsonl") if entity.get("relations"))
    skid_row["relations"].append(
        {"type": "discogs", "target-type": "url", "direction": "forward", "ended": False,
         "url": {"id": mbid(77), "resource": "https://www.discogs.com/artist/253423"}}
    )  # fmt: skip
    twin = artist_line(5, 253423)
    twin["relations"].append(
        {"type": "wikidata", "target-type": "url", "direction": "forward", "ended": False,
         "url": {"id": mbid(78), "resource": "https://www.wikidata.org/wiki/Q461269"}}
    )  # fmt: skip
    path = write_lines(tmp_path / "artist.jsonl", [skid_row, twin])

    await table_store.upsert_musicbrainz("artists", records(path), SEEN)

    expected = sorted(
        {
            (relation["type"], relation["url"]["resource"])
            for relation in skid_row["relations"] + twin["relations"]
            if relation["target-type"] == "url" and relation["type"] != "discogs"
        }
    )
    links = await table_store.external_links(253423)
    assert links == tuple(ExternalLink(service, url) for service, url in expected)
    assert len(links) == 16, "the wikidata link both artists carry is listed once"
    assert await table_store.external_links(1) == ()


async def test_both_stores_describe_the_musicbrainz_schema_alike(table_store: TableStore) -> None:
    await table_store.ensure_schema()
    schema = await table_store.describe_schema()

    for table, columns in MUSICBRAINZ_TABLES.items():
        assert schema.tables[table] == columns, table
    assert ("musicbrainz.artists", "mbid") in schema.unique_keys
    assert ("musicbrainz.relationships", "id") in schema.unique_keys
    assert schema.indexes >= MUSICBRAINZ_INDEXES
