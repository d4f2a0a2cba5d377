"""What a MusicBrainz record implies for the graph and the tables (SPEC-graph §5, SPEC-tables §3).

Graph: a record enriches the Discogs node its Discogs id names with `mbid` and `mb_` properties,
never creating a node, and an artist record's artist relations of eight types become edges between
two Discogs artists that both exist, marked `source: 'musicbrainz'`. Tables: every record is kept,
matched or not, with its relations (in canonical orientation) and its external links.

Both graph adapters run the same steps in one transaction: read the current `mb_` properties of
every node the batch names (`EnrichmentBatch.keys`), let `EnrichmentBatch.plan` decide what to
write, read the current MusicBrainz edges among the planned ones, let `EdgePlan.decide` split them
into new, changed and unchanged, then write. So a second load of the same data writes nothing,
and the two adapters cannot count differently.

Decisions where the spec leaves room:
- A property is written only when a value differs, and `mb_updated_at` moves only then, so that a
  re-run changes nothing. An empty string or list is no value (the property is absent).
- The Discogs-to-MusicBrainz mapping is not one-to-one. When several MusicBrainz entities name the
  same Discogs node, the smallest MBID holds it, whatever the order they arrive in; the others are
  counted `skipped_other_mbid`. Their artist relations still count (their node exists).
- MusicBrainz edges are MERGEd with `source: 'musicbrainz'` in the pattern, so a Discogs
  MEMBER_OF edge between the same artists is left as it is, beside it. They carry `begin_date`,
  `end_date` and `attributes`. Relations of one type between one pair (several membership
  periods) make one edge: the earliest begin, the latest end, the union of attributes; an unknown
  begin or end stays unknown. An edge from an artist to itself (two MusicBrainz artists of one
  Discogs artist) is not written.
- Relation counters count relation entries as the records carry them (a relation sits in both of
  its artists' records); `relationships_created`, `_updated` and `_unchanged` count edges.
- Nothing MusicBrainz wrote is ever removed (as the reference): a link that disappears from a later
  dump leaves its properties and edges in place.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple

from domain.graph_writes import RejectedRecord
from domain.musicbrainz import (
    DISCOGS_ID_FIELD,
    ENTITY_OF_TYPE,
    MUSICBRAINZ_DUMP_TYPES,
    TARGET_DISCOGS_ARTIST_ID,
)
from domain.schema import PropertyType
from domain.tables import InvalidRecord

MUSICBRAINZ_SOURCE = "musicbrainz"
"""The `source` of every edge MusicBrainz creates."""

ARTIST_RELATIONSHIP_EDGES: Mapping[str, str] = {
    "member of band": "MEMBER_OF",
    "collaboration": "COLLABORATED_WITH",
    "teacher": "TAUGHT",
    "tribute": "TRIBUTE_TO",
    "founder": "FOUNDED",
    "supporting musician": "SUPPORTED",
    "subgroup": "SUBGROUP_OF",
    "artist rename": "RENAMED_TO",
}
"""MusicBrainz artist-artist link types that become graph edges (SPEC-ingest §9); others do not."""

MUSICBRAINZ_EDGE_TYPES: tuple[str, ...] = tuple(sorted(set(ARTIST_RELATIONSHIP_EDGES.values())))

UPDATED_AT = "mb_updated_at"
"""Set to the write's time on every node whose MusicBrainz properties changed."""


class MusicBrainzTypeError(ValueError):
    """A data type that is not one of the four MusicBrainz ones; names it."""

    def __init__(self, data_type: str) -> None:
        super().__init__(
            f"not a MusicBrainz data type: {data_type!r} (expected one of {MUSICBRAINZ_DUMP_TYPES})"
        )
        self.data_type = data_type


def require_musicbrainz_type(data_type: str) -> str:
    """The data type itself when it is a MusicBrainz one (stores put it into queries)."""
    if data_type not in MUSICBRAINZ_DUMP_TYPES:
        raise MusicBrainzTypeError(data_type)
    return data_type


# --- graph: which node, which properties --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnrichedProperty:
    """A node property and where its value sits in the record (a path of keys)."""

    name: str
    path: tuple[str, ...]
    kind: PropertyType = PropertyType.STRING


@dataclass(frozen=True, slots=True)
class EnrichmentTarget:
    """The Discogs node a data type enriches and the properties it sets (`mbid` is the record id)."""

    label: str
    properties: tuple[EnrichedProperty, ...]

    @property
    def property_names(self) -> tuple[str, ...]:
        """Every property a record sets, `mbid` first, `mb_updated_at` excluded."""
        return ("mbid", *(prop.name for prop in self.properties))


_P = EnrichedProperty

ENRICHMENT_TARGETS: Mapping[str, EnrichmentTarget] = {
    "artists": EnrichmentTarget(
        "Artist",
        (
            _P("mb_type", ("mb_type",)),
            _P("mb_gender", ("gender",)),
            _P("mb_begin_date", ("life_span", "begin")),
            _P("mb_end_date", ("life_span", "end")),
            _P("mb_area", ("area",)),
            _P("mb_begin_area", ("begin_area",)),
            _P("mb_end_area", ("end_area",)),
            _P("mb_disambiguation", ("disambiguation",)),
        ),
    ),
    "labels": EnrichmentTarget(
        "Label",
        (
            _P("mb_type", ("mb_type",)),
            _P("mb_label_code", ("label_code",), PropertyType.INTEGER),
            _P("mb_begin_date", ("life_span", "begin")),
            _P("mb_end_date", ("life_span", "end")),
            _P("mb_area", ("area",)),
        ),
    ),
    "release-groups": EnrichmentTarget(
        "Master",
        (
            _P("mb_type", ("mb_type",)),
            _P("mb_secondary_types", ("secondary_types",), PropertyType.STRING_LIST),
            _P("mb_first_release_date", ("first_release_date",)),
            _P("mb_disambiguation", ("disambiguation",)),
        ),
    ),
    "releases": EnrichmentTarget(
        "Release",
        (
            _P("mb_barcode", ("barcode",)),
            _P("mb_status", ("status",)),
            _P("mb_release_group_mbid", ("release_group_mbid",)),
        ),
    ),
}
"""SPEC-graph §5: per data type, the node label matched by Discogs id and the properties SET."""


def _at(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def graph_value(value: Any, kind: PropertyType) -> Any:
    """A record value as the graph stores it; None (no property) when it is empty or of another type."""
    if kind is PropertyType.INTEGER:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind is PropertyType.STRING_LIST:
        texts = [item for item in value if isinstance(item, str) and item] if isinstance(value, list) else []
        return texts or None
    return value if isinstance(value, str) and value else None


def discogs_key(value: Any) -> str | None:
    """A Discogs id as the graph keys it (decimal text), from the JSON integer or text of a record."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value > 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and value.strip("0"):
        return value.lstrip("0")
    return None


class EdgeValues(NamedTuple):
    """What a MusicBrainz edge carries besides its `source`."""

    begin_date: str | None
    end_date: str | None
    attributes: tuple[str, ...]


class EdgeKey(NamedTuple):
    """An edge between two Discogs artists: type, source id, target id."""

    type: str
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class ArtistLink:
    """One artist relation of a record that maps to an edge, oriented (`backward` swapped).

    An end is None when that artist has no Discogs id.
    """

    type: str
    source: str | None
    target: str | None
    values: EdgeValues


@dataclass(frozen=True, slots=True)
class EntityEnrichment:
    """One record with a Discogs id: the node key, the properties it would set, its artist links."""

    position: int
    mbid: str
    discogs_id: str
    properties: Mapping[str, Any]
    links: tuple[ArtistLink, ...] = ()


@dataclass(frozen=True, slots=True)
class EnrichmentOutcome:
    """What one `enrich_batch` did (SPEC-graph §5 counters, made precise).

    Entities: `enriched` set properties, `unchanged` matched with equal values, and the skipped
    ones had no Discogs id, named a node the graph lacks, or lost the node to a smaller MBID.
    """

    data_type: str
    enriched: int = 0
    unchanged: int = 0
    skipped_no_discogs_match: int = 0
    skipped_not_in_graph: int = 0
    skipped_other_mbid: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    relationships_unchanged: int = 0
    relationships_skipped_missing_side: int = 0
    relationships_skipped_self: int = 0
    rejected: tuple[RejectedRecord, ...] = ()


@dataclass(frozen=True)
class EdgePlan:
    """The MusicBrainz edges a batch implies, before the store says which exist."""

    edges: Mapping[EdgeKey, EdgeValues]

    @property
    def keys_by_type(self) -> dict[str, list[EdgeKey]]:
        """The planned edges grouped by type, in a stable order."""
        grouped: dict[str, list[EdgeKey]] = defaultdict(list)
        for key in sorted(self.edges):
            grouped[key.type].append(key)
        return dict(grouped)

    def decide(
        self, stored: Mapping[EdgeKey, EdgeValues]
    ) -> tuple[dict[str, list[dict[str, Any]]], int, int, int]:
        """(rows to MERGE per edge type, created, updated, unchanged) given the edges that exist."""
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        created = updated = unchanged = 0
        for key in sorted(self.edges):
            values = self.edges[key]
            existing = stored.get(key)
            if existing == values:
                unchanged += 1
                continue
            if existing is None:
                created += 1
            else:
                updated += 1
            rows[key.type].append(edge_row(key, values))
        return dict(rows), created, updated, unchanged


def edge_row(key: EdgeKey, values: EdgeValues) -> dict[str, Any]:
    """The parameter row of one edge MERGE (empty attributes stored as no property)."""
    return {
        "source": key.source,
        "target": key.target,
        "begin_date": values.begin_date,
        "end_date": values.end_date,
        "attributes": list(values.attributes) or None,
    }


def stored_edge_values(begin_date: Any, end_date: Any, attributes: Any) -> EdgeValues:
    """An edge's values as a store returns them, comparable with planned ones."""
    return EdgeValues(
        begin_date if isinstance(begin_date, str) else None,
        end_date if isinstance(end_date, str) else None,
        tuple(attributes) if isinstance(attributes, list) else (),
    )


@dataclass(frozen=True)
class EnrichmentPlan:
    """What to write for a batch: node rows (properties plus `mb_updated_at`) and planned edges."""

    node_rows: list[dict[str, Any]]
    edges: EdgePlan
    outcome: EnrichmentOutcome

    def finish(self, created: int, updated: int, unchanged: int) -> EnrichmentOutcome:
        """The batch's outcome once its edges were decided."""
        outcome = self.outcome
        return EnrichmentOutcome(
            outcome.data_type,
            outcome.enriched,
            outcome.unchanged,
            outcome.skipped_no_discogs_match,
            outcome.skipped_not_in_graph,
            outcome.skipped_other_mbid,
            created,
            updated,
            unchanged,
            outcome.relationships_skipped_missing_side,
            outcome.relationships_skipped_self,
            outcome.rejected,
        )


@dataclass(frozen=True)
class EnrichmentBatch:
    """A batch of one MusicBrainz type as it arrived, read into what the graph needs."""

    data_type: str
    entities: tuple[EntityEnrichment, ...]
    skipped_no_discogs_match: int = 0
    rejected: tuple[RejectedRecord, ...] = ()

    @property
    def target(self) -> EnrichmentTarget:
        return ENRICHMENT_TARGETS[self.data_type]

    @property
    def keys(self) -> list[str]:
        """Every Discogs id the batch names: its entities' and both ends of their links, sorted."""
        keys = {entity.discogs_id for entity in self.entities}
        for entity in self.entities:
            for link in entity.links:
                keys.update(end for end in (link.source, link.target) if end is not None)
        return sorted(keys)

    def plan(self, stored: Mapping[str, Mapping[str, Any]], now: datetime) -> EnrichmentPlan:
        """Decide the node writes and plan the edges, given the current properties of the nodes
        that exist (keyed by Discogs id; a missing key is a node the graph lacks)."""
        names = self.target.property_names
        by_node: dict[str, list[EntityEnrichment]] = defaultdict(list)
        for entity in self.entities:
            by_node[entity.discogs_id].append(entity)
        node_rows: list[dict[str, Any]] = []
        enriched = unchanged = not_in_graph = other_mbid = 0
        for discogs_id in sorted(by_node):
            claimants = sorted(by_node[discogs_id], key=lambda entity: entity.mbid)
            current = stored.get(discogs_id)
            if current is None:
                not_in_graph += len(claimants)
                continue
            holder = current.get("mbid")
            winner = claimants[0]
            if isinstance(holder, str) and holder < winner.mbid:
                other_mbid += len(claimants)
                continue
            other_mbid += len(claimants) - 1
            if all(_same(current.get(name), winner.properties.get(name)) for name in names):
                unchanged += 1
                continue
            enriched += 1
            node_rows.append({"id": discogs_id, **winner.properties, UPDATED_AT: now})
        edges, missing_side, self_links = self._plan_edges(stored)
        outcome = EnrichmentOutcome(
            self.data_type,
            enriched=enriched,
            unchanged=unchanged,
            skipped_no_discogs_match=self.skipped_no_discogs_match,
            skipped_not_in_graph=not_in_graph,
            skipped_other_mbid=other_mbid,
            relationships_skipped_missing_side=missing_side,
            relationships_skipped_self=self_links,
            rejected=self.rejected,
        )
        return EnrichmentPlan(node_rows, EdgePlan(edges), outcome)

    def _plan_edges(
        self, stored: Mapping[str, Mapping[str, Any]]
    ) -> tuple[dict[EdgeKey, EdgeValues], int, int]:
        contributions: dict[EdgeKey, list[EdgeValues]] = defaultdict(list)
        missing_side = self_links = 0
        for entity in self.entities:
            for link in entity.links:
                source, target = link.source, link.target
                if source is None or target is None or source not in stored or target not in stored:
                    missing_side += 1
                elif source == target:
                    self_links += 1
                else:
                    contributions[EdgeKey(link.type, source, target)].append(link.values)
        return {key: combined(values) for key, values in contributions.items()}, missing_side, self_links


def _same(stored: Any, incoming: Any) -> bool:
    if isinstance(stored, list | tuple) and isinstance(incoming, list | tuple):
        return list(stored) == list(incoming)
    return bool(stored == incoming)


def combined(values: Sequence[EdgeValues]) -> EdgeValues:
    """One edge's values from every relation of its type between its pair (see the module notes)."""
    begins = [value.begin_date for value in values]
    ends = [value.end_date for value in values]
    return EdgeValues(
        None if None in begins else min(b for b in begins if b is not None),
        None if None in ends else max(e for e in ends if e is not None),
        tuple(sorted({attribute for value in values for attribute in value.attributes})),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _attributes(value: Any) -> tuple[str, ...]:
    return (
        tuple(sorted({item for item in value if isinstance(item, str) and item}))
        if isinstance(value, list)
        else ()
    )


def _artist_links(own_id: str, record: Mapping[str, Any]) -> tuple[ArtistLink, ...]:
    links = []
    relations = record.get("relations")
    for relation in relations if isinstance(relations, list) else ():
        if not isinstance(relation, dict) or relation.get("target_type") != "artist":
            continue
        edge_type = ARTIST_RELATIONSHIP_EDGES.get(_text(relation.get("type")) or "")
        if edge_type is None:
            continue
        other = discogs_key(relation.get(TARGET_DISCOGS_ARTIST_ID))
        source, target = (other, own_id) if relation.get("direction") == "backward" else (own_id, other)
        values = EdgeValues(
            _text(relation.get("begin_date")),
            _text(relation.get("end_date")),
            _attributes(relation.get("attributes")),
        )
        links.append(ArtistLink(edge_type, source, target, values))
    return tuple(links)


def enrichment_batch(data_type: str, records: Sequence[Mapping[str, Any]]) -> EnrichmentBatch:
    """Read a batch of MusicBrainz records for the graph. A record without a non-empty string id is
    rejected (dead-lettered); one without a Discogs id is counted and left out."""
    target = ENRICHMENT_TARGETS[require_musicbrainz_type(data_type)]
    entities: list[EntityEnrichment] = []
    rejected: list[RejectedRecord] = []
    no_match = 0
    for position, record in enumerate(records):
        mbid = record.get("id")
        if not isinstance(mbid, str) or not mbid:
            rejected.append(
                RejectedRecord(position, mbid, "a MusicBrainz record needs a non-empty string id")
            )
            continue
        discogs_id = discogs_key(record.get(DISCOGS_ID_FIELD[data_type]))
        if discogs_id is None:
            no_match += 1
            continue
        properties = {"mbid": mbid}
        properties.update(
            {prop.name: graph_value(_at(record, prop.path), prop.kind) for prop in target.properties}
        )
        links = _artist_links(discogs_id, record) if data_type == "artists" else ()
        entities.append(EntityEnrichment(position, mbid, discogs_id, properties, links))
    return EnrichmentBatch(data_type, tuple(entities), no_match, tuple(rejected))


# --- graph: what the API reads back -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MusicBrainzArtist:
    """The MusicBrainz view of a Discogs artist (SPEC-api §14 /api/artist/{id}/musicbrainz)."""

    discogs_id: str
    mbid: str
    type: str | None
    gender: str | None
    begin_date: str | None
    end_date: str | None
    area: str | None
    begin_area: str | None
    disambiguation: str | None


Direction = Literal["outgoing", "incoming"]


@dataclass(frozen=True, slots=True)
class ArtistRelationship:
    """One MusicBrainz edge seen from an artist (SPEC-api §14 /api/artist/{id}/relationships)."""

    type: str
    target_id: str
    target_name: str | None
    direction: Direction
    begin_date: str | None
    end_date: str | None
    attributes: tuple[str, ...]


def relationship_order(relationship: ArtistRelationship) -> tuple[str, str, int, str]:
    """How an artist's relationships are listed: by type, direction, then the other id (numerically)."""
    return relationship.type, relationship.direction, len(relationship.target_id), relationship.target_id


@dataclass(frozen=True, slots=True)
class EnrichmentCounts:
    """How much of the graph MusicBrainz reached: nodes with an `mbid` per MusicBrainz data type
    (`release-groups` counts Masters), and edges with `source: 'musicbrainz'`."""

    enriched: Mapping[str, int]
    relationships: int


# --- tables ---------------------------------------------------------------------------------------

MUSICBRAINZ_TABLE_OF_TYPE: Mapping[str, str] = {
    "artists": "artists",
    "labels": "labels",
    "release-groups": "release_groups",
    "releases": "releases",
}
"""The table of the `musicbrainz` schema (SQLite: `musicbrainz_<table>`) each data type fills."""


@dataclass(frozen=True, slots=True)
class MusicBrainzUpsertOutcome:
    """What one batch did to its entity table: rows created, rewritten because the record changed,
    and left alone because it was equal; relationship and link rows are added alongside."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class ExternalLink:
    """A page about an artist elsewhere (wikipedia, wikidata, allmusic, ...)."""

    service: str
    url: str


@dataclass(frozen=True, slots=True)
class StoredRelationship:
    """A row of the relationships table, in canonical orientation."""

    source_mbid: str
    target_mbid: str
    source_entity_type: str
    target_entity_type: str
    relationship_type: str
    begin_date: str | None
    end_date: str | None
    ended: bool
    attributes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EntityCount:
    total: int
    matched_to_discogs: int


@dataclass(frozen=True, slots=True)
class MusicBrainzCounts:
    """Rows per MusicBrainz data type (and how many carry a Discogs id), and relationship rows."""

    entities: Mapping[str, EntityCount] = field(default_factory=dict)
    relationships: int = 0


def canonical_mbid(value: Any) -> str | None:
    """The MBID as lowercase hyphenated text, or None when it is not a UUID."""
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _column_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _json_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def entity_row(data_type: str, position: int, record: Mapping[str, Any]) -> dict[str, Any]:
    """The entity table row of a record (its `data` is the record whole); InvalidRecord when the id
    is not a UUID or the name is missing (SPEC-tables §3: such messages are dead-lettered)."""
    table = MUSICBRAINZ_TABLE_OF_TYPE[require_musicbrainz_type(data_type)]
    mbid = canonical_mbid(record.get("id"))
    if mbid is None:
        raise InvalidRecord(table, position, record.get("id"), "the id is not a MusicBrainz id (a UUID)")
    name = record.get("name")
    if not isinstance(name, str):
        raise InvalidRecord(table, position, record.get("id"), "needs a string name")
    life_span = record.get("life_span")
    if not isinstance(life_span, dict):
        life_span = {}
    dates = {
        "begin_date": _column_text(life_span.get("begin")),
        "end_date": _column_text(life_span.get("end")),
        "ended": life_span.get("ended") is True,
    }
    discogs = discogs_key(record.get(DISCOGS_ID_FIELD[data_type]))
    discogs_id = int(discogs) if discogs is not None else None
    row: dict[str, Any] = {"mbid": mbid, "name": name, "data": dict(record)}
    if data_type == "artists":
        row |= {
            "sort_name": _column_text(record.get("sort_name")),
            "type": _column_text(record.get("mb_type")),
            "gender": _column_text(record.get("gender")),
            **dates,
            "area": _column_text(record.get("area")),
            "begin_area": _column_text(record.get("begin_area")),
            "end_area": _column_text(record.get("end_area")),
            "disambiguation": _column_text(record.get("disambiguation")),
            "discogs_artist_id": discogs_id,
            "aliases": _json_list(record.get("aliases")),
            "tags": _json_list(record.get("tags")),
        }
    elif data_type == "labels":
        label_code = record.get("label_code")
        row |= {
            "type": _column_text(record.get("mb_type")),
            "label_code": label_code
            if isinstance(label_code, int) and not isinstance(label_code, bool)
            else None,
            **dates,
            "area": _column_text(record.get("area")),
            "disambiguation": _column_text(record.get("disambiguation")),
            "discogs_label_id": discogs_id,
        }
    elif data_type == "release-groups":
        row |= {
            "type": _column_text(record.get("mb_type")),
            "secondary_types": _json_list(record.get("secondary_types")),
            "first_release_date": _column_text(record.get("first_release_date")),
            "disambiguation": _column_text(record.get("disambiguation")),
            "discogs_master_id": discogs_id,
        }
    else:
        row |= {
            "barcode": _column_text(record.get("barcode")),
            "status": _column_text(record.get("status")),
            "release_group_mbid": canonical_mbid(record.get("release_group_mbid")),
            "discogs_release_id": discogs_id,
        }
    return row


def relationship_rows(data_type: str, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The record's relations as relationships rows: `backward` ones swapped into canonical
    orientation, those without a type or a UUID target left out (SPEC-tables §3)."""
    own_mbid = canonical_mbid(record.get("id"))
    own_type = ENTITY_OF_TYPE[data_type]
    relations = record.get("relations")
    rows = []
    for relation in relations if isinstance(relations, list) else ():
        if not isinstance(relation, dict):
            continue
        relationship_type = _text(relation.get("type"))
        target_type = _text(relation.get("target_type"))
        target_mbid = canonical_mbid(relation.get("target_mbid"))
        if own_mbid is None or relationship_type is None or target_type is None or target_mbid is None:
            continue
        target_type = target_type.replace("_", "-")
        ends = [(own_mbid, own_type), (target_mbid, target_type)]
        if relation.get("direction") == "backward":
            ends.reverse()
        rows.append(
            {
                "source_mbid": ends[0][0],
                "target_mbid": ends[1][0],
                "source_entity_type": ends[0][1],
                "target_entity_type": ends[1][1],
                "relationship_type": relationship_type,
                "begin_date": _column_text(relation.get("begin_date")),
                "end_date": _column_text(relation.get("end_date")),
                "ended": relation.get("ended") is True,
                "attributes": list(_attributes(relation.get("attributes"))),
            }
        )
    return rows


def external_link_rows(data_type: str, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The record's external links as rows; a link without a service or a URL is left out."""
    mbid = canonical_mbid(record.get("id"))
    links = record.get("external_links")
    rows = []
    for link in links if isinstance(links, list) else ():
        if not isinstance(link, dict) or mbid is None:
            continue
        service, url = _text(link.get("service")), _text(link.get("url"))
        if service is not None and url is not None:
            rows.append(
                {"mbid": mbid, "entity_type": ENTITY_OF_TYPE[data_type], "service_name": service, "url": url}
            )
    return rows
