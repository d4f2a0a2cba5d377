"""GraphStore's write contract (SPEC-graph §2 to §4), passed alike by Neo4j and LadybugDB.

Records are literal dicts in the normalized shape of SPEC-ingest §4 (every value a string, item
lists of objects, empty lists omitted), hashed as the extractor hashes them. Expected nodes, edges
and statistics are written out by hand or computed here from the records, never through the model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.ladybug.graph_store import LadybugGraphStore
from adapters.neo4j.graph_store import Neo4jGraphStore
from domain.dedup import content_sha256
from domain.graph_model import Edge, NodeRef
from domain.ports import GraphStore
from tests import servers

NODE_LABELS = ("Artist", "Label", "Master", "Release", "Genre", "Style", "Person")
DISCOGS_RELATIONSHIPS = (
    "BY",
    "ON",
    "DERIVED_FROM",
    "IS",
    "PART_OF",
    "MEMBER_OF",
    "ALIAS_OF",
    "SUBLABEL_OF",
    "CREDITED_ON",
    "SAME_AS",
)


def hashed(record: dict[str, Any]) -> dict[str, Any]:
    """The record as the bus carries it: its fields plus the sha256 of those fields."""
    return {**record, "sha256": content_sha256(record)}


def release(release_id: str, **fields: Any) -> dict[str, Any]:
    return hashed({"id": release_id, "status": "Accepted", **fields})


def credit(artist_id: str, name: str, role: str | None = None) -> dict[str, Any]:
    return {"id": artist_id, "name": name, "anv": None, "join": None, "role": role, "tracks": None}


def ref(label: str, key: str) -> NodeRef:
    return NodeRef(label, key)


def edge(edge_type: str, source: NodeRef, target: NodeRef, *properties: tuple[str, str]) -> Edge:
    return Edge(edge_type, source, target, properties)


async def counts(store: GraphStore) -> dict[str, int]:
    figures = {label: await store.count_nodes(label) for label in NODE_LABELS}
    figures.update({kind: await store.count_relationships(kind) for kind in DISCOGS_RELATIONSHIPS})
    return figures


async def reopened(store: GraphStore) -> GraphStore:
    """A new store on the same data, after closing `store` (as a restarted worker would see it)."""
    await store.close()
    if isinstance(store, LadybugGraphStore):
        return LadybugGraphStore(Path(store.address))
    assert isinstance(store, Neo4jGraphStore)
    return servers.new_neo4j_store(servers.server_environ())


BLUE_TRAIN = release(
    "101",
    title="Blue Train",
    released="1958-01-00",
    artists=[credit("11", "John Coltrane")],
    labels=[{"id": "21", "name": "Blue Note", "catno": "BLP 1577"}],
    extraartists=[
        credit("12", "Lee Morgan", "Trumpet"),
        credit("0", "Rudy Van Gelder", "Recorded By"),
    ],
    formats=[{"name": "Vinyl", "qty": "1", "text": "", "descriptions": {"description": "LP"}}],
    genres=["Jazz"],
    styles=["Hard Bop"],
    master_id="31",
)

SOUL_JAZZ_SAMPLER = release(
    "102",
    title="Soul Jazz Sampler",
    released="0",
    artists=[credit("11", "John Coltrane"), credit("194", "Various")],
    labels=[{"id": "21", "name": "Blue Note", "catno": "BN 2"}, {"id": "22", "name": "Liberty", "catno": ""}],
    genres=["Jazz", "Funk / Soul"],
    styles=["Soul-Jazz"],
    master_id="0",
)


async def test_release_batch_creates_its_node_stubs_and_edges(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()

    outcome = await graph_store.write_batch("releases", [BLUE_TRAIN, SOUL_JAZZ_SAMPLER])

    assert (outcome.written, outcome.unchanged, outcome.rejected) == (2, 0, ())
    assert await graph_store.get_node("Release", "101") == {
        "id": "101",
        "title": "Blue Train",
        "year": 1958,
        "formats": ["Vinyl"],
        "catalog_number": "BLP 1577",
        "sha256": BLUE_TRAIN["sha256"],
    }
    sampler = await graph_store.get_node("Release", "102")
    assert sampler is not None
    assert "year" not in sampler
    assert sampler["catalog_number"] == "BN 2"
    assert await graph_store.get_node("Artist", "11") == {"id": "11", "name": "John Coltrane"}
    assert await graph_store.get_node("Artist", "194") == {"id": "194", "name": "Various"}
    assert await graph_store.get_node("Label", "22") == {"id": "22", "name": "Liberty"}
    assert await graph_store.get_node("Master", "31") == {"id": "31"}
    assert await graph_store.get_node("Artist", "0") is None
    assert await graph_store.get_node("Master", "0") is None
    assert await counts(graph_store) == {
        "Artist": 3,
        "Label": 2,
        "Master": 1,
        "Release": 2,
        "Genre": 2,
        "Style": 2,
        "Person": 2,
        "BY": 3,
        "ON": 3,
        "DERIVED_FROM": 1,
        "IS": 5,
        "PART_OF": 1,
        "MEMBER_OF": 0,
        "ALIAS_OF": 0,
        "SUBLABEL_OF": 0,
        "CREDITED_ON": 2,
        "SAME_AS": 1,
    }
    blue_train = ref("Release", "101")
    assert await graph_store.edges_of("Release", "101", "IS") == {
        edge("IS", blue_train, ref("Genre", "Jazz")),
        edge("IS", blue_train, ref("Style", "Hard Bop")),
    }
    assert await graph_store.edges_of("Style", "Hard Bop", "PART_OF") == {
        edge("PART_OF", ref("Style", "Hard Bop"), ref("Genre", "Jazz"))
    }
    assert await graph_store.edges_of("Release", "101", "CREDITED_ON") == {
        edge(
            "CREDITED_ON",
            ref("Person", "Lee Morgan"),
            blue_train,
            ("role", "Trumpet"),
            ("category", "session"),
        ),
        edge(
            "CREDITED_ON",
            ref("Person", "Rudy Van Gelder"),
            blue_train,
            ("role", "Recorded By"),
            ("category", "engineering"),
        ),
    }
    assert await graph_store.edges_of("Person", "Lee Morgan", "SAME_AS") == {
        edge("SAME_AS", ref("Person", "Lee Morgan"), ref("Artist", "12"))
    }
    assert await graph_store.edges_of("Release", "102", "DERIVED_FROM") == frozenset()
    assert await graph_store.edges_of("Artist", "11", "BY") == {
        edge("BY", blue_train, ref("Artist", "11")),
        edge("BY", ref("Release", "102"), ref("Artist", "11")),
    }


async def test_rewriting_the_same_batch_writes_nothing_and_changes_nothing(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    await graph_store.write_batch("releases", [BLUE_TRAIN, SOUL_JAZZ_SAMPLER])
    before = await counts(graph_store)
    node_before = await graph_store.get_node("Release", "101")

    outcome = await graph_store.write_batch("releases", [BLUE_TRAIN, SOUL_JAZZ_SAMPLER])

    assert (outcome.written, outcome.unchanged) == (0, 2)
    assert await counts(graph_store) == before
    assert await graph_store.get_node("Release", "101") == node_before


async def test_a_record_repeated_in_a_batch_counts_once_and_the_last_copy_wins(
    graph_store: GraphStore,
) -> None:
    await graph_store.ensure_schema()
    retitled = release("101", title="Blue Train (Remaster)", genres=["Jazz"])

    outcome = await graph_store.write_batch("releases", [BLUE_TRAIN, retitled])

    assert (outcome.written, outcome.unchanged) == (1, 0)
    node = await graph_store.get_node("Release", "101")
    assert node is not None
    assert node["title"] == "Blue Train (Remaster)"


async def test_changed_release_loses_stale_edges_and_keeps_its_credits(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    await graph_store.write_batch("releases", [BLUE_TRAIN])
    changed = release(
        "101",
        title="Blue Train",
        released="1958",
        artists=[credit("13", "Curtis Fuller")],
        labels=[{"id": "22", "name": "Liberty", "catno": ""}],
        extraartists=[credit("14", "Paul Chambers", "Bass")],
        genres=["Funk / Soul"],
    )

    outcome = await graph_store.write_batch("releases", [changed])

    assert (outcome.written, outcome.unchanged) == (1, 0)
    blue_train = ref("Release", "101")
    assert await graph_store.edges_of("Release", "101", "BY") == {edge("BY", blue_train, ref("Artist", "13"))}
    assert await graph_store.edges_of("Release", "101", "ON") == {edge("ON", blue_train, ref("Label", "22"))}
    assert await graph_store.edges_of("Release", "101", "DERIVED_FROM") == frozenset()
    assert await graph_store.edges_of("Release", "101", "IS") == {
        edge("IS", blue_train, ref("Genre", "Funk / Soul"))
    }
    assert {e.source.key for e in await graph_store.edges_of("Release", "101", "CREDITED_ON")} == {
        "Lee Morgan",
        "Rudy Van Gelder",
        "Paul Chambers",
    }
    node = await graph_store.get_node("Release", "101")
    assert node is not None
    assert node["catalog_number"] == "BLP 1577"  # no catno now: the stored one is kept
    assert node["formats"] == []
    assert node["sha256"] == changed["sha256"]


async def test_changed_master_loses_stale_artist_and_genre_edges(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    first = hashed(
        {
            "id": "31",
            "title": "Blue Train",
            "year": "1957",
            "artists": [credit("11", "John Coltrane")],
            "genres": ["Jazz"],
            "styles": ["Hard Bop"],
        }
    )
    second = hashed(
        {"id": "31", "title": "Blue Train", "year": "1958", "artists": [credit("15", "Coltrane")]}
    )
    await graph_store.write_batch("masters", [first])

    await graph_store.write_batch("masters", [second])

    master = ref("Master", "31")
    assert await graph_store.edges_of("Master", "31", "BY") == {edge("BY", master, ref("Artist", "15"))}
    assert await graph_store.edges_of("Master", "31", "IS") == frozenset()
    assert await graph_store.get_node("Master", "31") == {
        "id": "31",
        "title": "Blue Train",
        "year": 1958,
        "sha256": second["sha256"],
    }
    # PART_OF belongs to the Style and Genre, not to the master: it stays.
    assert await graph_store.count_relationships("PART_OF") == 1


async def test_artist_links_members_groups_and_aliases(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    band = hashed(
        {
            "id": "40",
            "name": "The Jazz Messengers",
            "members": [{"id": "41", "name": "Art Blakey"}, {"id": "42", "name": "Lee Morgan"}],
            "groups": [{"id": "43", "name": "Hard Bop All Stars"}],
            "aliases": [{"id": "44", "name": "Art Blakey & The Jazz Messengers"}, {"id": "Messengers"}],
        }
    )

    await graph_store.write_batch("artists", [band])

    messengers = ref("Artist", "40")
    assert await graph_store.edges_of("Artist", "40", "MEMBER_OF") == {
        edge("MEMBER_OF", ref("Artist", "41"), messengers),
        edge("MEMBER_OF", ref("Artist", "42"), messengers),
        edge("MEMBER_OF", messengers, ref("Artist", "43")),
    }
    assert await graph_store.edges_of("Artist", "40", "ALIAS_OF") == {
        edge("ALIAS_OF", ref("Artist", "44"), messengers)
    }
    assert await graph_store.get_node("Artist", "40") == {
        "id": "40",
        "name": "The Jazz Messengers",
        "resource_url": "https://api.discogs.com/artists/40",
        "releases_url": "https://api.discogs.com/artists/40/releases",
        "sha256": band["sha256"],
    }
    assert await graph_store.get_node("Artist", "41") == {"id": "41", "name": "Art Blakey"}
    assert await graph_store.count_nodes("Artist") == 5


async def test_label_links_its_parent_and_sublabels(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    label = hashed(
        {
            "id": "21",
            "name": "Blue Note",
            "parentLabel": {"id": "50", "name": "Universal Music Group"},
            "sublabels": [{"id": "51", "name": "Blue Note Tone Poet"}],
        }
    )

    await graph_store.write_batch("labels", [label])

    blue_note = ref("Label", "21")
    assert await graph_store.edges_of("Label", "21", "SUBLABEL_OF") == {
        edge("SUBLABEL_OF", blue_note, ref("Label", "50")),
        edge("SUBLABEL_OF", ref("Label", "51"), blue_note),
    }
    assert await graph_store.get_node("Label", "50") == {"id": "50", "name": "Universal Music Group"}


async def test_stub_is_filled_in_place_by_its_own_record(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    await graph_store.write_batch("releases", [BLUE_TRAIN])
    coltrane = hashed({"id": "11", "name": "John Coltrane (2)"})

    await graph_store.write_batch("artists", [coltrane])
    await graph_store.write_batch(
        "releases", [release("103", title="Giant Steps", artists=[credit("11", "Trane")])]
    )

    assert await graph_store.count_nodes("Artist") == 2  # 11 and 12, no duplicate of 11
    node = await graph_store.get_node("Artist", "11")
    assert node is not None
    assert (node["name"], node["sha256"]) == ("John Coltrane (2)", coltrane["sha256"])
    assert {e.source.key for e in await graph_store.edges_of("Artist", "11", "BY")} == {"101", "103"}


async def test_isolated_stubs_are_removed_and_connected_ones_kept(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    await graph_store.write_batch("releases", [BLUE_TRAIN])
    # Artist 11, Label 21, Master 31 lose their only edge; Artist 12 keeps its SAME_AS.
    await graph_store.write_batch(
        "releases", [release("101", title="Blue Train", artists=[credit("16", "X")])]
    )
    await graph_store.write_batch("artists", [hashed({"id": "60", "name": "Loner"})])

    removed = await graph_store.remove_isolated_stubs()

    assert removed == {"Artist": 1, "Label": 1, "Master": 1, "Release": 0}
    assert await graph_store.get_node("Artist", "11") is None
    assert await graph_store.get_node("Label", "21") is None
    assert await graph_store.get_node("Master", "31") is None
    assert await graph_store.get_node("Artist", "12") is not None
    assert await graph_store.get_node("Artist", "16") is not None
    assert await graph_store.get_node("Artist", "60") is not None  # a record, not a stub
    assert await graph_store.remove_isolated_stubs() == {"Artist": 0, "Label": 0, "Master": 0, "Release": 0}


AGGREGATE_RELEASES = [
    release(
        "201",
        released="1965",
        artists=[credit("1", "A")],
        labels=[{"id": "7", "name": "L7", "catno": "x"}],
        genres=["Jazz"],
        styles=["Bop", "Modal"],
    ),
    release(
        "202",
        released="1961",
        artists=[credit("1", "A"), credit("2", "B")],
        labels=[{"id": "7", "name": "L7"}, {"id": "8", "name": "L8"}],
        genres=["Jazz", "Blues"],
        styles=["Bop"],
    ),
    release(
        "203", released="0", artists=[credit("3", "C")], labels=[{"id": "8", "name": "L8"}], genres=["Blues"]
    ),
    release("204", released="1999", artists=[credit("2", "B")], styles=["Modal"]),
]
AGGREGATE_MASTER = hashed({"id": "300", "year": "1950", "artists": [credit("4", "D")], "genres": ["Rock"]})


def expected_aggregates(releases: Sequence[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """SPEC-graph §4's statistics, computed straight from the records (masters do not count)."""
    reached: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    years: dict[tuple[str, str], list[int]] = defaultdict(list)
    for record in releases:
        year = int(record.get("released", "0")[:4])
        nodes = {
            "Genre": set(record.get("genres", [])),
            "Style": set(record.get("styles", [])),
            "Label": {label["id"] for label in record.get("labels", [])},
            "Artist": {artist["id"] for artist in record.get("artists", [])},
        }
        for label in ("Genre", "Style", "Label"):
            for key in nodes[label]:
                reached[(label, key)]["Release"].add(record["id"])
                for other in ("Artist", "Label", "Genre", "Style"):
                    reached[(label, key)][other] |= nodes[other]
                if year > 0:
                    years[(label, key)].append(year)
    expected: dict[tuple[str, str], dict[str, Any]] = {}
    for (label, key), sets in reached.items():
        figures: dict[str, Any] = {
            "release_count": len(sets["Release"]),
            "artist_count": len(sets["Artist"]),
        }
        if label == "Label":
            figures["genre_count"] = len(sets["Genre"])
        else:
            figures["label_count"] = len(sets["Label"])
            other = "Style" if label == "Genre" else "Genre"
            figures[f"{other.lower()}_count"] = len(sets[other])
            figures["first_year"] = min(years[(label, key)], default=None)
        expected[(label, key)] = figures
    return expected


async def test_aggregates_equal_the_figures_computed_from_the_records(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    await graph_store.write_batch("releases", AGGREGATE_RELEASES)
    await graph_store.write_batch("masters", [AGGREGATE_MASTER])
    expected = expected_aggregates(AGGREGATE_RELEASES)

    updated = await graph_store.compute_aggregates()

    assert updated == {"Genre": 3, "Style": 2, "Label": 2}
    for (label, key), figures in expected.items():
        node = await graph_store.get_node(label, key)
        assert node is not None
        assert {name: node.get(name) for name in figures} == figures, (label, key)
    rock = await graph_store.get_node("Genre", "Rock")  # only a master is tagged Rock
    assert rock is not None
    assert (rock["release_count"], rock["artist_count"], rock.get("first_year")) == (0, 0, None)


async def test_aggregates_follow_the_graph_when_computed_again(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    await graph_store.write_batch("releases", AGGREGATE_RELEASES)
    await graph_store.compute_aggregates()
    moved = release("201", released="1940", artists=[credit("9", "Z")], genres=["Blues"])

    await graph_store.write_batch("releases", [moved])
    await graph_store.compute_aggregates()

    expected = expected_aggregates([moved, *AGGREGATE_RELEASES[1:]])
    for (label, key), figures in expected.items():
        node = await graph_store.get_node(label, key)
        assert node is not None
        assert {name: node.get(name) for name in figures} == figures, (label, key)


async def test_latch_accumulates_the_four_types_and_survives_reopening(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    assert await graph_store.record_extraction_signal("20250601", "releases") == {"releases"}
    assert await graph_store.record_extraction_signal("20250601", "artists") == {"artists", "releases"}
    assert await graph_store.record_extraction_signal("20250601", "artists") == {"artists", "releases"}
    assert await graph_store.record_extraction_signal("20250501", "labels") == {"labels"}

    store = await reopened(graph_store)
    try:
        assert await store.record_extraction_signal("20250601", "labels") == {"artists", "labels", "releases"}
        signals = await store.record_extraction_signal("20250601", "masters")
        latch = await store.get_node("ExtractionCompletion", "20250601")
    finally:
        await store.close()

    assert signals == {"artists", "labels", "masters", "releases"}
    assert latch is not None
    assert latch["signals"] == ["artists", "labels", "masters", "releases"]
    assert latch["created_at"] <= latch["updated_at"]


async def test_latch_refuses_a_type_that_is_not_a_discogs_one(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()

    with pytest.raises(ValueError, match="release-groups"):
        await graph_store.record_extraction_signal("20250601", "release-groups")


async def test_a_record_with_a_bad_id_is_rejected_and_the_rest_written(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    no_id = {"title": "Nothing", "sha256": "0" * 64}
    bad_id = release("unknown", title="Broken")

    outcome = await graph_store.write_batch("releases", [no_id, BLUE_TRAIN, bad_id, SOUL_JAZZ_SAMPLER])

    assert outcome.written == 2
    assert [(rejected.position, rejected.record_id) for rejected in outcome.rejected] == [
        (0, None),
        (2, "unknown"),
    ]
    assert all(rejected.reason for rejected in outcome.rejected)
    assert await graph_store.count_nodes("Release") == 2


async def test_a_batch_of_rejected_records_writes_nothing(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()

    outcome = await graph_store.write_batch("labels", [hashed({"id": "0", "name": "Not On Label"})])

    assert (outcome.written, len(outcome.rejected)) == (0, 1)
    assert await graph_store.count_nodes("Label") == 0


async def test_reads_refuse_labels_and_types_the_graph_does_not_have(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()

    with pytest.raises(ValueError, match="Album"):
        await graph_store.count_nodes("Album")
    with pytest.raises(ValueError, match="LIKES"):
        await graph_store.count_relationships("LIKES")


# --- idempotence, for any sequence of batches ----------------------------------------------------

_ids = st.sampled_from(["1", "2", "3", "4"])
_credits = st.lists(st.builds(lambda key, name: {"id": key, "name": name}, _ids, st.sampled_from(["N", "M"])))
_genres = st.lists(st.sampled_from(["Jazz", "Rock", "Blues"]), unique=True)
_styles = st.lists(st.sampled_from(["Bop", "Punk"]), unique=True)


def _without_empty(record: dict[str, Any]) -> dict[str, Any]:
    """Normalization omits empty lists (SPEC-ingest §4)."""
    return hashed({key: value for key, value in record.items() if value != []})


_releases = st.builds(
    lambda key, artists, labels, genres, styles, master, extra: _without_empty(
        {
            "id": key,
            "artists": artists,
            "labels": labels,
            "genres": genres,
            "styles": styles,
            "master_id": master,
            "extraartists": extra,
        }
    ),
    _ids,
    _credits,
    _credits,
    _genres,
    _styles,
    st.sampled_from(["0", "1", "2"]),
    st.lists(
        st.builds(
            lambda name, role: {"name": name, "role": role},
            st.sampled_from(["P", "Q"]),
            st.sampled_from(["Bass", "Mixed By"]),
        )
    ),
)
_masters = st.builds(
    lambda key, artists, genres, styles: _without_empty(
        {"id": key, "artists": artists, "genres": genres, "styles": styles}
    ),
    _ids,
    _credits,
    _genres,
    _styles,
)
_artists = st.builds(
    lambda key, name, members, aliases: _without_empty(
        {"id": key, "name": name, "members": members, "aliases": aliases}
    ),
    _ids,
    st.sampled_from(["N", "M"]),
    _credits,
    _credits,
)
_labels = st.builds(
    lambda key, sublabels: _without_empty({"id": key, "name": "L", "sublabels": sublabels}), _ids, _credits
)
_batches = st.lists(
    st.one_of(
        st.tuples(st.just("releases"), st.lists(_releases, min_size=1, max_size=3)),
        st.tuples(st.just("masters"), st.lists(_masters, min_size=1, max_size=3)),
        st.tuples(st.just("artists"), st.lists(_artists, min_size=1, max_size=3)),
        st.tuples(st.just("labels"), st.lists(_labels, min_size=1, max_size=3)),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=_batches)
async def test_writing_any_sequence_of_batches_twice_gives_the_same_graph(
    graph_store: GraphStore, batches: list[tuple[str, list[dict[str, Any]]]]
) -> None:
    await graph_store.ensure_schema()
    for data_type, records in batches:
        await graph_store.write_batch(data_type, records)
    once = await counts(graph_store)

    for data_type, records in batches:
        await graph_store.write_batch(data_type, records)
    last_type, last_records = batches[-1]
    repeated = await graph_store.write_batch(last_type, last_records)

    assert await counts(graph_store) == once
    assert repeated.written == 0
