"""GraphStore's MusicBrainz contract (SPEC-graph §5), passed alike by Neo4j and LadybugDB.

The Discogs graph is written first (a node for some of the Discogs ids the MusicBrainz lines name,
none for the others); then the MusicBrainz lines are read as the extractor reads them and enriched
in batches. Every expected count, property and edge is computed here from the JSON lines
themselves, with this file's own reading of the rules, never through domain.musicbrainz_model.

Lines: the 75 real label dump lines; the real API lines of artists, release groups and releases
(samples README); and, since no real artist line with a Discogs link exists among the samples,
synthetic artist lines in the dump's shape, built below.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from adapters.dumps.musicbrainz_jsonl import MusicBrainzReader
from domain.dedup import content_sha256
from domain.messages import HashedRecord, record_to_json
from domain.musicbrainz_model import ArtistRelationship, EnrichmentOutcome
from domain.ports import GraphStore
from tests.samples import samples_dir

MUSICBRAINZ = samples_dir() / "musicbrainz"
LABEL_LINES = MUSICBRAINZ / "json_dump" / "label.jsonl"
ONE_PER_LINE = MUSICBRAINZ / "ws2_api_responses" / "one_per_line"
EDGE_OF = {
    "member of band": "MEMBER_OF",
    "collaboration": "COLLABORATED_WITH",
    "teacher": "TAUGHT",
    "tribute": "TRIBUTE_TO",
    "founder": "FOUNDED",
    "supporting musician": "SUPPORTED",
    "subgroup": "SUBGROUP_OF",
    "artist rename": "RENAMED_TO",
}
BATCH = 7
ARTISTS_IN_GRAPH = ("101", "102", "103", "104", "105")


def mbid(n: int) -> str:
    return str(uuid.UUID(int=n))


def artist_line(
    n: int, discogs_id: int | None, *relations: tuple[str, str, int], **extra: Any
) -> dict[str, Any]:
    """A synthetic artist line with every key a dump line has; relations are (type, direction, n)."""
    url_relations: list[dict[str, Any]] = []
    if discogs_id is not None:
        url_relations.append(
            {"type": "discogs", "type-id": "04a5b104-a4c2-4bac-99a1-7b837c37d9e4", "target-type": "url",
             "direction": "forward", "begin": None, "end": None, "ended": False, "attributes": [],
             "attribute-ids": {}, "attribute-values": {}, "source-credit": "", "target-credit": "",
             "url": {"id": str(uuid.uuid4()), "resource": f"https://www.discogs.com/artist/{discogs_id}"}}
        )  # fmt: skip
    artist_relations = [
        {"type": link_type, "type-id": str(uuid.uuid4()), "target-type": "artist", "direction": direction,
         "begin": "1990" if link_type == "member of band" else None, "end": None, "ended": False,
         "attributes": ["guitar"] if link_type == "member of band" else [], "attribute-ids": {},
         "attribute-values": {}, "source-credit": "", "target-credit": "",
         "artist": {"id": mbid(target), "name": f"artist {target}", "sort-name": "x", "disambiguation": ""}}
        for link_type, direction, target in relations
    ]  # fmt: skip
    return {
        "id": mbid(n),
        "name": f"artist {n}",
        "sort-name": f"{n}, artist",
        "disambiguation": extra.get("disambiguation", ""),
        "type": extra.get("type", "Person"),
        "type-id": None,
        "gender": extra.get("gender"),
        "gender-id": None,
        "country": "GB",
        "area": {"id": str(uuid.uuid4()), "name": "United Kingdom"},
        "begin-area": extra.get("begin_area"),
        "end-area": None,
        "life-span": {"begin": extra.get("begin"), "end": None, "ended": False},
        "ipis": [],
        "isnis": [],
        "aliases": [],
        "tags": [],
        "genres": [],
        "annotation": None,
        "rating": {"value": None, "votes-count": 0},
        "relations": url_relations + artist_relations,
    }


def synthetic_artists() -> list[dict[str, Any]]:
    """Two MusicBrainz artists name Discogs 104 (in one batch) and two name 105 (in two batches, the
    smaller MBID first), so each node's holder is the first claimant it sees or its batch's smallest."""
    return [
        artist_line(1, 101, ("member of band", "forward", 2), ("collaboration", "backward", 3),
                    ("teacher", "forward", 6), ("tribute", "forward", 7), ("is person", "forward", 2),
                    gender="Female", begin="1968-04", begin_area={"id": "x", "name": "Leeds"}),
        artist_line(2, 102, ("member of band", "backward", 1), ("subgroup", "forward", 4), type="Group",
                    begin="1987"),
        artist_line(3, 103, ("collaboration", "forward", 1), disambiguation="the drummer"),
        artist_line(4, 104, ("supporting musician", "backward", 1)),
        artist_line(0, 104, gender="Male"),
        artist_line(5, 105, ("artist rename", "forward", 8)),
        artist_line(6, 999, ("founder", "forward", 1)),
        artist_line(7, None, ("tribute", "backward", 1)),
        artist_line(8, 105, ("artist rename", "backward", 5)),
    ]  # fmt: skip


# --- the test's own reading of the rules ---------------------------------------------------------


def discogs_id(entity: dict[str, Any], kind: str) -> str | None:
    for relation in entity.get("relations", []):
        if relation["target-type"] == "url" and relation["type"] == "discogs":
            match = re.search(rf"discogs\.com/{kind}/(\d+)", relation["url"]["resource"])
            if match:
                return match[1]
    return None


def text(value: Any) -> Any:
    return value or None


def expected_properties(data_type: str, entity: dict[str, Any]) -> dict[str, Any]:
    """The MusicBrainz properties an entity sets on its node (absent ones left out)."""
    life_span = entity.get("life-span") or {}
    area = entity.get("area") or {}
    if data_type == "artists":
        properties = {
            "mb_type": entity["type"],
            "mb_gender": entity.get("gender"),
            "mb_begin_date": life_span.get("begin"),
            "mb_end_date": life_span.get("end"),
            "mb_area": area.get("name"),
            "mb_begin_area": (entity.get("begin-area") or {}).get("name"),
            "mb_end_area": (entity.get("end-area") or {}).get("name"),
            "mb_disambiguation": entity["disambiguation"],
        }
    elif data_type == "labels":
        properties = {
            "mb_type": entity["type"],
            "mb_label_code": entity["label-code"],
            "mb_begin_date": life_span.get("begin"),
            "mb_end_date": life_span.get("end"),
            "mb_area": area.get("name"),
        }
    elif data_type == "release-groups":
        properties = {
            "mb_type": entity["primary-type"],
            "mb_secondary_types": entity["secondary-types"],
            "mb_first_release_date": entity["first-release-date"],
            "mb_disambiguation": entity["disambiguation"],
        }
    else:
        properties = {
            "mb_barcode": entity["barcode"],
            "mb_status": entity["status"],
            "mb_release_group_mbid": entity["release-group"]["id"],
        }
    present = {name: value for name, value in properties.items() if value not in (None, "", [])}
    return {"mbid": entity["id"], **present}


def expected_enrichment(
    data_type: str, kind: str, entities: list[dict[str, Any]], in_graph: set[str]
) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    """(counts, properties by node id): the smallest MBID of those naming a node holds it."""
    counts = dict.fromkeys(("enriched", "no_match", "not_in_graph", "other_mbid"), 0)
    holders: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entity in entities:
        node = discogs_id(entity, kind)
        if node is None:
            counts["no_match"] += 1
        elif node not in in_graph:
            counts["not_in_graph"] += 1
        else:
            holders[node].append(entity)
    properties = {}
    for node, claimants in holders.items():
        winner = min(claimants, key=lambda entity: entity["id"])
        properties[node] = expected_properties(data_type, winner)
        counts["enriched"] += 1
        counts["other_mbid"] += len(claimants) - 1
    return counts, properties


def expected_artist_edges(
    artists: list[dict[str, Any]], in_graph: set[str]
) -> tuple[dict[tuple[str, str, str], Any], int, int]:
    """(edges (type, source, target) → (begin, end, attributes), relations missing a side, self relations)."""
    discogs_of = {entity["id"]: discogs_id(entity, "artist") for entity in artists}
    edges: dict[tuple[str, str, str], Any] = {}
    missing = self_links = 0
    for entity in artists:
        own = discogs_of[entity["id"]]
        if own is None:
            continue
        for relation in entity["relations"]:
            if relation["target-type"] != "artist" or relation["type"] not in EDGE_OF:
                continue
            other = discogs_of.get(relation["artist"]["id"])
            source, target = (other, own) if relation["direction"] == "backward" else (own, other)
            if source not in in_graph or target not in in_graph:
                missing += 1
            elif source == target:
                self_links += 1
            else:
                values = (relation["begin"], relation["end"], tuple(sorted(relation["attributes"])) or None)
                edges[(EDGE_OF[relation["type"]], source, target)] = values
    return edges, missing, self_links


# --- loading -----------------------------------------------------------------------------------------


def hashed(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "sha256": content_sha256(record)}


async def discogs_graph(store: GraphStore, labels: Sequence[str]) -> None:
    await store.ensure_schema()
    await store.write_batch("artists", [hashed({"id": i, "name": f"Discogs {i}"}) for i in ARTISTS_IN_GRAPH])
    await store.write_batch("labels", [hashed({"id": i, "name": f"Label {i}"}) for i in labels])
    await store.write_batch("masters", [hashed({"id": "94196", "title": "Slave to the Grind"})])


def write_lines(path: Path, entities: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(entity) + "\n" for entity in entities), encoding="utf-8")
    return path


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def enrich(store: GraphStore, data_type: str, path: Path) -> EnrichmentOutcome:
    """Every record of the file, in batches, as the worker would write them; the summed outcome."""
    records = [record_to_json(HashedRecord(r.document, r.sha256)) for r in MusicBrainzReader().read(path)]
    totals: dict[str, Any] = defaultdict(int)
    for start in range(0, len(records), BATCH):
        outcome = await store.enrich_batch(data_type, records[start : start + BATCH])
        assert outcome.rejected == ()
        for field in fields(outcome):
            if isinstance(value := getattr(outcome, field.name), int):
                totals[field.name] += value
    return replace(EnrichmentOutcome(data_type), **totals)


def sample_files(tmp_path: Path) -> dict[str, Path]:
    artists = synthetic_artists() + read_lines(ONE_PER_LINE / "artist.jsonl")
    return {
        "artists": write_lines(tmp_path / "artist.jsonl", artists),
        "labels": LABEL_LINES,
        "release-groups": ONE_PER_LINE / "release-group.jsonl",
        "releases": ONE_PER_LINE / "release.jsonl",
    }


def linked_label_ids() -> list[str]:
    return sorted(
        {node for entity in read_lines(LABEL_LINES) if (node := discogs_id(entity, "label"))}, key=int
    )


async def graph_state(store: GraphStore, nodes: dict[str, list[str]]) -> dict[str, Any]:
    """Every MusicBrainz-touched property and edge of the given nodes, to compare two loads."""
    state: dict[str, Any] = {}
    for label, keys in nodes.items():
        for key in keys:
            state[f"{label} {key}"] = await store.get_node(label, key)
    for key in ARTISTS_IN_GRAPH:
        state[f"relationships {key}"] = await store.musicbrainz_relationships(key)
    for label in ("Artist", "Label", "Master", "Release"):
        state[f"count {label}"] = await store.count_nodes(label)
    return state


# --- the contract --------------------------------------------------------------------------------


async def test_sample_lines_enrich_exactly_the_nodes_and_edges_computed_from_the_json(
    graph_store: GraphStore, tmp_path: Path
) -> None:
    labels_in_graph = [*linked_label_ids()[::2], "1"]  # every other linked label, and one no line names
    await discogs_graph(graph_store, labels_in_graph)
    files = sample_files(tmp_path)
    in_graph = {
        "artists": set(ARTISTS_IN_GRAPH),
        "labels": set(labels_in_graph),
        "release-groups": {"94196"},
        "releases": set(),
    }
    kinds = {"artists": "artist", "labels": "label", "release-groups": "master", "releases": "release"}
    label_of = {"artists": "Artist", "labels": "Label", "release-groups": "Master", "releases": "Release"}

    enriched_nodes = {}
    for data_type, path in files.items():
        entities = read_lines(path)
        counts, properties = expected_enrichment(data_type, kinds[data_type], entities, in_graph[data_type])
        enriched_nodes[data_type] = len(properties)

        outcome = await enrich(graph_store, data_type, path)

        assert (
            outcome.enriched,
            outcome.skipped_no_discogs_match,
            outcome.skipped_not_in_graph,
            outcome.skipped_other_mbid,
        ) == (counts["enriched"], counts["no_match"], counts["not_in_graph"], counts["other_mbid"]), data_type
        for node, expected in properties.items():
            stored = await graph_store.get_node(label_of[data_type], node)
            assert stored is not None
            assert {
                name: value for name, value in stored.items() if name == "mbid" or name.startswith("mb_")
            } == {
                **expected,
                "mb_updated_at": stored["mb_updated_at"],
            }, f"{data_type} {node}"
        for node in in_graph[data_type] - set(properties):
            stored = await graph_store.get_node(label_of[data_type], node)
            assert stored is not None
            assert "mbid" not in stored, f"{data_type} {node} matched by no line"

    edges, missing, self_links = expected_artist_edges(read_lines(files["artists"]), in_graph["artists"])
    artist_outcome = await enrich(graph_store, "artists", files["artists"])
    assert artist_outcome.relationships_created == 0, "the edges exist from the first load"
    assert artist_outcome.relationships_unchanged == len(edges)
    assert (artist_outcome.relationships_skipped_missing_side, artist_outcome.relationships_skipped_self) == (
        missing,
        self_links,
    )
    stored_edges = {}
    for key in ARTISTS_IN_GRAPH:
        for relationship in await graph_store.musicbrainz_relationships(key):
            if relationship.direction == "outgoing":
                values = (relationship.begin_date, relationship.end_date, relationship.attributes or None)
                stored_edges[(relationship.type, key, relationship.target_id)] = values
    assert stored_edges == edges
    graph_counts = await graph_store.enrichment_counts()
    assert graph_counts.relationships == len(edges)
    assert graph_counts.enriched == enriched_nodes
    assert enriched_nodes == {"artists": 5, "labels": 24, "release-groups": 1, "releases": 0}


async def test_loading_the_same_musicbrainz_data_twice_changes_nothing(
    graph_store: GraphStore, tmp_path: Path
) -> None:
    labels_in_graph = linked_label_ids()[::2]
    await discogs_graph(graph_store, labels_in_graph)
    files = sample_files(tmp_path)
    nodes = {"Artist": list(ARTISTS_IN_GRAPH), "Label": labels_in_graph, "Master": ["94196"]}
    first = {data_type: await enrich(graph_store, data_type, path) for data_type, path in files.items()}
    after_first = await graph_state(graph_store, nodes)

    second = {data_type: await enrich(graph_store, data_type, path) for data_type, path in files.items()}

    assert await graph_state(graph_store, nodes) == after_first
    for data_type, outcome in second.items():
        assert outcome.enriched == 0, data_type
        assert outcome.unchanged == first[data_type].enriched, data_type
        assert (outcome.relationships_created, outcome.relationships_updated) == (0, 0)
    assert second["artists"].relationships_unchanged == first["artists"].relationships_created > 0


async def test_a_relation_whose_other_side_is_not_in_the_graph_creates_no_node_and_is_skipped(
    graph_store: GraphStore, tmp_path: Path
) -> None:
    await discogs_graph(graph_store, [])
    artists_before = await graph_store.count_nodes("Artist")
    path = write_lines(
        tmp_path / "artist.jsonl",
        [
            artist_line(1, 101, ("collaboration", "forward", 2), ("founder", "backward", 3)),
            artist_line(2, 555),  # a Discogs artist the graph lacks
            artist_line(3, None),  # no Discogs artist at all
        ],
    )

    outcome = await enrich(graph_store, "artists", path)

    assert outcome.relationships_skipped_missing_side == 2
    assert outcome.relationships_created == 0
    assert outcome.skipped_not_in_graph == 1
    assert await graph_store.count_nodes("Artist") == artists_before
    assert await graph_store.get_node("Artist", "555") is None
    assert await graph_store.musicbrainz_relationships("101") == ()
    assert (await graph_store.enrichment_counts()).relationships == 0


async def test_musicbrainz_membership_stands_beside_the_discogs_one(
    graph_store: GraphStore, tmp_path: Path
) -> None:
    await discogs_graph(graph_store, [])
    await graph_store.write_batch(
        "artists",
        [hashed({"id": "101", "name": "Discogs 101", "groups": [{"id": "102", "name": "Discogs 102"}]})],
    )
    path = write_lines(
        tmp_path / "artist.jsonl",
        [artist_line(1, 101, ("member of band", "forward", 2)), artist_line(2, 102)],
    )

    await enrich(graph_store, "artists", path)

    assert await graph_store.count_relationships("MEMBER_OF") == 2
    assert await graph_store.musicbrainz_relationships("102") == (
        ArtistRelationship("MEMBER_OF", "101", "Discogs 101", "incoming", "1990", None, ("guitar",)),
    )


async def test_the_musicbrainz_view_of_an_artist_reads_its_properties_or_nothing(
    graph_store: GraphStore, tmp_path: Path
) -> None:
    await discogs_graph(graph_store, [])
    await enrich(graph_store, "artists", write_lines(tmp_path / "artist.jsonl", synthetic_artists()))

    artist = await graph_store.musicbrainz_artist("101")

    assert artist is not None
    assert (artist.discogs_id, artist.mbid, artist.type, artist.gender) == (
        "101",
        mbid(1),
        "Person",
        "Female",
    )
    assert (artist.begin_date, artist.end_date, artist.area, artist.begin_area) == (
        "1968-04",
        None,
        "United Kingdom",
        "Leeds",
    )
    assert artist.disambiguation is None
    assert (await graph_store.musicbrainz_artist("103")).disambiguation == "the drummer"  # type: ignore[union-attr]
    assert await graph_store.musicbrainz_artist("999") is None
    await graph_store.write_batch("artists", [hashed({"id": "106", "name": "Nobody links me"})])
    assert await graph_store.musicbrainz_artist("106") is None


async def test_a_smaller_mbid_arriving_later_takes_the_node_over_and_keeps_it(
    graph_store: GraphStore, tmp_path: Path
) -> None:
    await discogs_graph(graph_store, [])
    later = write_lines(tmp_path / "artist.jsonl", [artist_line(9, 101, gender="Male")])
    smaller = write_lines(tmp_path / "mbdump-artist.jsonl", [artist_line(2, 101, gender="Female")])
    await enrich(graph_store, "artists", later)

    takeover = await enrich(graph_store, "artists", smaller)
    kept = await enrich(graph_store, "artists", later)

    assert (takeover.enriched, kept.skipped_other_mbid) == (1, 1)
    node = await graph_store.get_node("Artist", "101")
    assert node is not None
    assert (node["mbid"], node["mb_gender"]) == (mbid(2), "Female")
