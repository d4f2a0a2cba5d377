"""What MusicBrainz records do to the graph and the tables, decided without a store: who holds a
node, which edges a relation makes, what a second load writes (nothing), and the table rows.

The graph is played by a dict here: a plan's node rows are applied to it, its edges kept in a set,
and the same records planned again against the result.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.musicbrainz_model import (
    UPDATED_AT,
    EdgeKey,
    EdgeValues,
    combined,
    discogs_key,
    enrichment_batch,
    entity_row,
    external_link_rows,
    relationship_rows,
)
from domain.tables import InvalidRecord

NOW = datetime(2026, 5, 1, tzinfo=UTC)
mbids = st.uuids().map(str)


def artist(mbid: str, discogs_id: int | None, *relations: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "id": mbid,
        "sha256": "",
        "discogs_artist_id": discogs_id,
        "name": "A",
        "mb_type": "Person",
        "gender": None,
        "life_span": {"begin": "1970", "end": None, "ended": False},
        "area": "Norway",
        "begin_area": "",
        "end_area": None,
        "disambiguation": "",
        "relations": list(relations),
        "external_links": [],
        **fields,
    }


def relation(
    link_type: str,
    direction: str,
    target_discogs_id: int | None,
    target_mbid: str | None = None,
    **values: Any,
) -> dict[str, Any]:
    return {
        "type": link_type,
        "target_type": "artist",
        "target_mbid": target_mbid or str(uuid.uuid4()),
        "direction": direction,
        "attributes": values.get("attributes", []),
        "begin_date": values.get("begin_date"),
        "end_date": values.get("end_date"),
        "ended": False,
        "target_discogs_artist_id": target_discogs_id,
    }


class FakeGraph:
    """Artist nodes by Discogs id with their MusicBrainz properties, and MusicBrainz edges."""

    def __init__(self, *discogs_ids: str) -> None:
        self.nodes: dict[str, dict[str, Any]] = {discogs_id: {} for discogs_id in discogs_ids}
        self.edges: dict[EdgeKey, EdgeValues] = {}
        self.node_writes = 0
        self.edge_writes = 0

    def load(self, records: list[dict[str, Any]], data_type: str = "artists") -> Any:
        batch = enrichment_batch(data_type, records)
        plan = batch.plan({key: self.nodes[key] for key in batch.keys if key in self.nodes}, NOW)
        for row in plan.node_rows:
            self.nodes[row["id"]] = {name: value for name, value in row.items() if name != "id"}
        self.node_writes += len(plan.node_rows)
        existing = {key: self.edges[key] for key in plan.edges.edges if key in self.edges}
        rows_by_type, created, updated, unchanged = plan.edges.decide(existing)
        for edge_type, rows in rows_by_type.items():
            for row in rows:
                key = EdgeKey(edge_type, row["source"], row["target"])
                self.edges[key] = EdgeValues(
                    row["begin_date"], row["end_date"], tuple(row["attributes"] or ())
                )
                self.edge_writes += 1
        return plan.finish(created, updated, unchanged)


# --- nodes -----------------------------------------------------------------------------------------


def test_a_matched_artist_gets_its_non_empty_properties_and_a_time() -> None:
    graph = FakeGraph("7")

    outcome = graph.load([artist("0b7f1c1e-0000-4000-8000-000000000001", 7)])

    assert outcome.enriched == 1
    assert graph.nodes["7"] == {
        "mbid": "0b7f1c1e-0000-4000-8000-000000000001",
        "mb_type": "Person",
        "mb_gender": None,
        "mb_begin_date": "1970",
        "mb_end_date": None,
        "mb_area": "Norway",
        "mb_begin_area": None,
        "mb_end_area": None,
        "mb_disambiguation": None,
        UPDATED_AT: NOW,
    }


def test_records_are_counted_by_why_they_enrich_nothing() -> None:
    graph = FakeGraph("7")

    outcome = graph.load(
        [artist(str(uuid.uuid4()), None), artist(str(uuid.uuid4()), 8), {"id": "", "sha256": ""}]
    )

    assert (outcome.enriched, outcome.skipped_no_discogs_match, outcome.skipped_not_in_graph) == (0, 1, 1)
    assert [rejected.position for rejected in outcome.rejected] == [2]
    assert graph.nodes == {"7": {}}, "no node is created"


@given(st.lists(mbids, min_size=1, max_size=5, unique=True), st.randoms())
def test_the_smallest_mbid_holds_a_node_whatever_the_order_and_a_second_load_writes_nothing(
    claimants: list[str], order: Any
) -> None:
    graph = FakeGraph("7")
    records = [artist(mbid, 7, area=f"area of {mbid}") for mbid in claimants]
    order.shuffle(records)
    for record in records:
        graph.load([record])
    writes = graph.node_writes

    order.shuffle(records)
    again = [graph.load([record]) for record in records]
    together = graph.load(records)

    assert graph.nodes["7"]["mbid"] == min(claimants)
    assert graph.nodes["7"]["mb_area"] == f"area of {min(claimants)}"
    assert graph.node_writes == writes
    assert sum(outcome.unchanged for outcome in again) == 1
    assert sum(outcome.skipped_other_mbid for outcome in again) == len(claimants) - 1
    assert (together.unchanged, together.skipped_other_mbid) == (1, len(claimants) - 1)


def test_a_changed_value_is_written_again_with_a_new_time() -> None:
    graph = FakeGraph("7")
    mbid = str(uuid.uuid4())
    graph.load([artist(mbid, 7)])

    outcome = graph.load([artist(mbid, 7, area="Sweden")])

    assert outcome.enriched == 1
    assert graph.nodes["7"]["mb_area"] == "Sweden"


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (12, "12"),
        ("12", "12"),
        ("0012", "12"),
        (0, None),
        ("0", None),
        (True, None),
        ("12a", None),
        (None, None),
    ],
)
def test_a_discogs_id_is_decimal_text_of_a_positive_number(value: object, key: str | None) -> None:
    assert discogs_key(value) == key


def test_label_codes_and_secondary_types_keep_their_types() -> None:
    label = {
        "id": "x",
        "discogs_label_id": 3,
        "label_code": 7306,
        "mb_type": "",
        "life_span": None,
        "area": None,
    }
    group = {"id": "y", "discogs_master_id": 4, "mb_type": "Album", "secondary_types": ["Live", ""]}

    [label_entity] = enrichment_batch("labels", [label]).entities
    [group_entity] = enrichment_batch("release-groups", [group]).entities

    assert label_entity.properties["mb_label_code"] == 7306
    assert label_entity.properties["mb_type"] is None
    assert group_entity.properties["mb_secondary_types"] == ["Live"]


# --- edges -----------------------------------------------------------------------------------------


def test_a_membership_seen_from_both_artists_is_one_edge_from_member_to_band() -> None:
    graph = FakeGraph("1", "2")
    member, band = str(uuid.uuid4()), str(uuid.uuid4())
    member_record = artist(member, 1, relation("member of band", "forward", 2, band, begin_date="1990"))
    band_record = artist(band, 2, relation("member of band", "backward", 1, member, begin_date="1990"))

    first = graph.load([member_record])
    second = graph.load([band_record])

    assert graph.edges == {EdgeKey("MEMBER_OF", "1", "2"): EdgeValues("1990", None, ())}
    assert (first.relationships_created, second.relationships_created) == (1, 0)
    assert second.relationships_unchanged == 1


def test_relations_whose_other_side_is_not_in_the_graph_are_skipped_and_create_nothing() -> None:
    graph = FakeGraph("1")
    record = artist(
        str(uuid.uuid4()),
        1,
        relation("collaboration", "forward", 99),
        relation("teacher", "backward", None),
        relation("tribute", "forward", 1),
        relation("vocal supporting musician", "forward", 1),
    )

    outcome = graph.load([record])

    assert outcome.relationships_skipped_missing_side == 2
    assert outcome.relationships_skipped_self == 1
    assert outcome.relationships_created == 0
    assert graph.edges == {}
    assert set(graph.nodes) == {"1"}


def test_an_unmatched_artist_with_relations_counts_them_as_missing_a_side() -> None:
    graph = FakeGraph("2")

    outcome = graph.load([artist(str(uuid.uuid4()), 1, relation("subgroup", "forward", 2))])

    assert (outcome.skipped_not_in_graph, outcome.relationships_skipped_missing_side) == (1, 1)


@given(
    st.lists(
        st.builds(
            EdgeValues,
            st.none() | st.sampled_from(("1990", "1995-03", "2001")),
            st.none() | st.sampled_from(("1999", "2010-12")),
            st.lists(st.sampled_from(("bass", "guitar", "original")), unique=True).map(
                lambda a: tuple(sorted(a))
            ),
        ),
        min_size=1,
        max_size=4,
    ),
    st.randoms(),
)
def test_several_periods_of_one_relation_make_the_same_edge_in_any_order(
    periods: list[EdgeValues], order: Any
) -> None:
    shuffled = list(periods)
    order.shuffle(shuffled)

    assert combined(shuffled) == combined(periods)
    merged = combined(periods)
    begins = [period.begin_date for period in periods]
    assert merged.begin_date == (None if None in begins else min(b for b in begins if b is not None))
    assert set(merged.attributes) == {attribute for period in periods for attribute in period.attributes}


def test_a_changed_relation_updates_its_edge() -> None:
    graph = FakeGraph("1", "2")
    band = str(uuid.uuid4())
    graph.load([artist("aa", 1, relation("member of band", "forward", 2, band))])

    outcome = graph.load([artist("aa", 1, relation("member of band", "forward", 2, band, end_date="2001"))])

    assert outcome.relationships_updated == 1
    assert graph.edges[EdgeKey("MEMBER_OF", "1", "2")].end_date == "2001"


# --- tables ----------------------------------------------------------------------------------------


def test_a_relation_seen_from_both_ends_is_one_row_in_canonical_orientation() -> None:
    member, band = str(uuid.uuid4()), str(uuid.uuid4())
    from_member = artist(
        member, 1, relation("member of band", "forward", 2, band, attributes=["bass", "guitar"])
    )
    from_band = artist(
        band, 2, relation("member of band", "backward", 1, member, attributes=["guitar", "bass"])
    )

    [row] = relationship_rows("artists", from_member)

    assert relationship_rows("artists", from_band) == [row]
    assert (row["source_mbid"], row["target_mbid"]) == (member, band)
    assert row["attributes"] == ["bass", "guitar"]


def test_relations_without_a_type_or_a_uuid_target_make_no_row() -> None:
    record = artist(
        str(uuid.uuid4()),
        None,
        {**relation("member of band", "forward", None), "target_mbid": "not-a-uuid"},
        {**relation("member of band", "forward", None), "type": None},
        {**relation("", "forward", None)},
    )

    assert relationship_rows("artists", record) == []


def test_an_entity_row_refuses_an_id_that_is_not_a_uuid_or_a_missing_name() -> None:
    with pytest.raises(InvalidRecord, match="not a MusicBrainz id"):
        entity_row("artists", 0, artist("42", None))
    with pytest.raises(InvalidRecord, match="name"):
        entity_row("labels", 3, {"id": str(uuid.uuid4()), "name": None})


def test_an_entity_row_takes_the_columns_of_its_table() -> None:
    mbid = str(uuid.uuid4()).upper()
    record = artist(mbid, 7, aliases=None, tags=[{"name": "metal", "count": 2}])

    row = entity_row("artists", 0, record)

    assert row["mbid"] == mbid.lower()
    assert row["discogs_artist_id"] == 7
    assert (row["begin_date"], row["end_date"], row["ended"]) == ("1970", None, False)
    assert (row["aliases"], row["tags"]) == ([], [{"name": "metal", "count": 2}])
    assert row["data"] == record


def test_external_links_need_a_service_and_a_url() -> None:
    mbid = str(uuid.uuid4())
    record = {
        "id": mbid,
        "external_links": [
            {"service": "wikidata", "url": "https://www.wikidata.org/wiki/Q1"},
            {"service": "", "url": "https://example.invalid/"},
            {"service": "allmusic", "url": None},
        ],
    }

    assert external_link_rows("labels", record) == [
        {
            "mbid": mbid,
            "entity_type": "label",
            "service_name": "wikidata",
            "url": "https://www.wikidata.org/wiki/Q1",
        }
    ]
