"""What a graph write does, decided before and apart from any store (SPEC-graph §4).

Both graph adapters run the same steps in one transaction: read the stored sha256 of the batch's
ids, model only the new and changed records (`IncomingBatch.gate`: a record the model refuses is
set aside, not the batch), then write their rows. The rules live here so that Neo4j and LadybugDB
cannot drift apart on what counts as written, skipped or rejected.

Stale-edge prunes are planned only for records that were stored with a hash before: a node without
one (absent, or a stub made by someone else's edge) has no outgoing edge of its own to prune,
because a record's outgoing edges are written in the same transaction as its sha256. That keeps a
first load free of prune statements, which are the slow part of a write on LadybugDB.

The post-import aggregates of SPEC-graph §4 are declared as data (`AGGREGATES`), so that each
adapter generates its queries from one description.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.dumps import DISCOGS_DUMP_TYPES
from domain.graph_model import (
    KIND_BY_LABEL,
    RECORD_NODE_SHAPES,
    Edge,
    EdgeShape,
    GraphBatch,
    GraphRecordError,
    GraphRecordRows,
    NodeRef,
    NodeShape,
    Row,
    graph_batch,
    graph_record_rows,
)
from domain.schema import RELATIONSHIP_TYPES, NodeKind, RelationshipType, StoreUnavailable

STUB_LABELS: tuple[str, ...] = ("Artist", "Label", "Master", "Release")
"""The labels whose nodes can be stubs (keyed by `id`, no sha256 until their record arrives)."""

EXTRACTION_SIGNAL_TYPES: frozenset[str] = frozenset(DISCOGS_DUMP_TYPES)
"""The data types whose `extraction_complete` the latch waits for."""


class GraphStoreUnavailable(StoreUnavailable):
    """The graph store could not take the write now (unreachable, session lost, transient error).

    Nothing of the batch was committed; the caller backs off and retries the same batch, and
    never dead-letters it for this.
    """


class GraphWriteFailed(Exception):
    """The graph store refused a statement for a reason a retry would not change; names both."""

    def __init__(self, store: str, address: str, statement: str, reason: str) -> None:
        self.store = store
        self.address = address
        self.statement = statement
        self.reason = reason
        super().__init__(f"{store} at {address}: {reason}\n  statement: {statement}")


@dataclass(frozen=True, slots=True)
class RejectedRecord:
    """A record the graph cannot hold, for the caller to dead-letter: where it was in the batch, why."""

    position: int
    record_id: object
    reason: str


@dataclass(frozen=True, slots=True)
class GraphWriteOutcome:
    """What one `write_batch` did for its data type.

    `written` counts records (re)written because they were new or their hash changed,
    `unchanged` those skipped because the stored hash was equal; a record repeated within the
    batch counts once (the last copy wins). `rejected` were not written at all.
    """

    data_type: str
    written: int = 0
    unchanged: int = 0
    rejected: tuple[RejectedRecord, ...] = ()


@dataclass(frozen=True)
class WritePlan:
    """The rows one transaction writes, in order: nodes (record first, then stubs), prunes, edges."""

    nodes: tuple[tuple[NodeShape, list[Row]], ...] = ()
    prunes: tuple[tuple[EdgeShape, list[Row]], ...] = ()
    edges: tuple[tuple[EdgeShape, list[Row]], ...] = ()


@dataclass(frozen=True)
class GatedBatch:
    """A batch after the hash gate: what to write, and the outcome once that is committed."""

    plan: WritePlan
    outcome: GraphWriteOutcome


@dataclass(frozen=True)
class IncomingBatch:
    """A batch as it arrived, keyed by id (the last copy of an id wins), before the hash gate.

    Records are modelled only after the gate, so an unchanged record costs one stored-hash read
    and nothing else. A record without a string id cannot be looked up; the model rejects it.
    """

    data_type: str
    records_by_id: Mapping[str, tuple[int, Mapping[str, Any]]]
    unkeyed: tuple[tuple[int, Mapping[str, Any]], ...] = ()

    @property
    def label(self) -> str:
        return RECORD_NODE_SHAPES[self.data_type].label

    @property
    def ids(self) -> list[str]:
        return list(self.records_by_id)

    def gate(self, stored_hashes: Mapping[str, str | None], current_year: int) -> GatedBatch:
        """Model and plan the records whose stored hash (None: a stub; absent: no node) differs."""
        unchanged = 0
        changed: list[GraphRecordRows] = []
        rejected: list[RejectedRecord] = []
        candidates = list(self.unkeyed)
        for record_id, (position, record) in self.records_by_id.items():
            stored = stored_hashes.get(record_id)
            if stored is not None and stored == record.get("sha256"):
                unchanged += 1
            else:
                candidates.append((position, record))
        for position, record in sorted(candidates, key=lambda candidate: candidate[0]):
            try:
                changed.append(graph_record_rows(self.data_type, record, current_year))
            except GraphRecordError as error:
                rejected.append(RejectedRecord(position, error.record_id, error.reason))
        outcome = GraphWriteOutcome(self.data_type, len(changed), unchanged, tuple(rejected))
        if not changed:
            return GatedBatch(WritePlan(), outcome)
        batch = graph_batch(self.data_type, changed)
        plan = WritePlan(
            nodes=((batch.record_shape, batch.record_nodes), *batch.stub_nodes.items()),
            prunes=_prunes_of_stored_records(batch, stored_hashes),
            edges=tuple(batch.edges.items()),
        )
        return GatedBatch(plan, outcome)


def _prunes_of_stored_records(
    batch: GraphBatch, stored_hashes: Mapping[str, str | None]
) -> tuple[tuple[EdgeShape, list[Row]], ...]:
    prunes = []
    for shape, rows in batch.prunes.items():
        stored_rows = [row for row in rows if stored_hashes.get(str(row["source"])) is not None]
        if stored_rows:
            prunes.append((shape, stored_rows))
    return tuple(prunes)


def incoming_batch(data_type: str, records: Sequence[Mapping[str, Any]]) -> IncomingBatch:
    """The batch keyed by record id. Raises ValueError for a type that is not one of the four Discogs ones."""
    if data_type not in RECORD_NODE_SHAPES:
        raise ValueError(f"not a Discogs data type: {data_type!r}")
    records_by_id: dict[str, tuple[int, Mapping[str, Any]]] = {}
    unkeyed = []
    for position, record in enumerate(records):
        record_id = record.get("id")
        if isinstance(record_id, str):
            records_by_id.pop(record_id, None)
            records_by_id[record_id] = (position, record)
        else:
            unkeyed.append((position, record))
    return IncomingBatch(data_type, records_by_id, tuple(unkeyed))


def require_extraction_signal(version: str, data_type: str) -> None:
    """ValueError unless the latch can hold this signal: a non-empty version, a Discogs data type."""
    if not version:
        raise ValueError("an extraction signal needs a version")
    if data_type not in EXTRACTION_SIGNAL_TYPES:
        raise ValueError(f"not a Discogs data type: {data_type!r}")


# --- post-import aggregates --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NeighbourCount:
    """`property` = how many distinct `target_label` nodes the counted releases reach by `edge_type`."""

    property: str
    edge_type: str
    target_label: str


@dataclass(frozen=True, slots=True)
class Aggregate:
    """The statistics of one label, over the releases that point at it by `release_edge`.

    `release_count` counts those releases, each NeighbourCount what they reach, and `first_year`
    (when kept) is their smallest positive year, None when none has one.
    """

    label: str
    key: str
    release_edge: str
    neighbour_counts: tuple[NeighbourCount, ...]
    first_year: bool
    properties: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        names = ("release_count", *(count.property for count in self.neighbour_counts))
        object.__setattr__(self, "properties", (*names, "first_year") if self.first_year else names)


AGGREGATES: tuple[Aggregate, ...] = (
    Aggregate(
        "Genre",
        "name",
        "IS",
        (
            NeighbourCount("artist_count", "BY", "Artist"),
            NeighbourCount("label_count", "ON", "Label"),
            NeighbourCount("style_count", "IS", "Style"),
        ),
        first_year=True,
    ),
    Aggregate(
        "Style",
        "name",
        "IS",
        (
            NeighbourCount("artist_count", "BY", "Artist"),
            NeighbourCount("label_count", "ON", "Label"),
            NeighbourCount("genre_count", "IS", "Genre"),
        ),
        first_year=True,
    ),
    Aggregate(
        "Label",
        "id",
        "ON",
        (NeighbourCount("artist_count", "BY", "Artist"), NeighbourCount("genre_count", "IS", "Genre")),
        first_year=False,
    ),
)
"""SPEC-graph §4 compute_genre_style_stats, in the order it runs: Genre, Style, Label."""


# --- reads both stores answer alike ------------------------------------------------------------

RELATIONSHIP_BY_NAME: Mapping[str, RelationshipType] = {
    relationship.name: relationship for relationship in RELATIONSHIP_TYPES
}


def require_label(label: str) -> NodeKind:
    """The node kind of a label; ValueError for any other text (stores put labels into queries)."""
    kind = KIND_BY_LABEL.get(label)
    if kind is None:
        raise ValueError(f"not a node label of the graph: {label!r}")
    return kind


def require_relationship(relationship_type: str) -> RelationshipType:
    """The declared relationship type; ValueError for any other text."""
    relationship = RELATIONSHIP_BY_NAME.get(relationship_type)
    if relationship is None:
        raise ValueError(f"not a relationship type of the graph: {relationship_type!r}")
    return relationship


@dataclass(frozen=True, slots=True)
class EdgeDirection:
    """One way a `label` node takes part in a relationship type: towards or from `other_label`."""

    other_label: str
    outgoing: bool


def edge_directions(label: str, relationship_type: str) -> tuple[EdgeDirection, ...]:
    """Every endpoint pair of the type that has `label` at one end, seen from that end."""
    require_label(label)
    directions = []
    for source, target in require_relationship(relationship_type).endpoints:
        if source == label:
            directions.append(EdgeDirection(target, outgoing=True))
        if target == label:
            directions.append(EdgeDirection(source, outgoing=False))
    return tuple(directions)


def read_edge(
    relationship_type: str,
    node: NodeRef,
    direction: EdgeDirection,
    other_key: str,
    properties: Mapping[str, Any],
) -> Edge:
    """An edge read back from a store, in the model's terms; unset properties are left out."""
    other = NodeRef(direction.other_label, other_key)
    source, target = (node, other) if direction.outgoing else (other, node)
    names = [name for name, _ in require_relationship(relationship_type).properties]
    values = tuple((name, str(properties[name])) for name in names if properties.get(name) is not None)
    return Edge(relationship_type, source, target, values)
