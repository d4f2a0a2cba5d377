"""MusicBrainz enrichment on LadybugDB (SPEC-graph §5): the GraphStore methods, mixed into
LadybugGraphStore.

The same statements as `adapters/neo4j/musicbrainz.py`; where the text differs it is for
LadybugDB 0.22 (ladybug-notes.md): typed columns are CAST (a parameter column that is None in every
row binds as STRING), a node key is projected before its MATCH in an UNWIND, `label(e)` replaces
`type(e)`, and the existing edges are read one pair at a time with scalar parameters, because a
batched read of a relationship pattern scans the whole relationship table on every statement. All
of it runs on the store's one writer connection, one batch in one transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from adapters.ladybug.cypher import _typed, node_pattern, quoted
from domain.musicbrainz import MUSICBRAINZ_DUMP_TYPES
from domain.musicbrainz_model import (
    ENRICHMENT_TARGETS,
    MUSICBRAINZ_EDGE_TYPES,
    MUSICBRAINZ_SOURCE,
    UPDATED_AT,
    ArtistRelationship,
    EdgeKey,
    EdgeValues,
    EnrichmentBatch,
    EnrichmentCounts,
    EnrichmentOutcome,
    EnrichmentTarget,
    MusicBrainzArtist,
    enrichment_batch,
    relationship_order,
    stored_edge_values,
)

Result = TypeVar("Result")

_SOURCE = f"'{MUSICBRAINZ_SOURCE}'"
_EDGE_TYPES = "|".join(quoted(edge_type) for edge_type in MUSICBRAINZ_EDGE_TYPES)


class _Store(Protocol):
    """What the mixin uses of LadybugGraphStore."""

    async def _on_writer(self, work: Callable[..., Result], *args: Any) -> Result: ...

    def _in_transaction(self, work: Callable[..., Result], *args: Any) -> Result: ...

    def _execute(self, statement: str, **parameters: Any) -> list[list[Any]]: ...

    async def _read(self, statement: str, **parameters: Any) -> list[list[Any]]: ...


# --- statements ----------------------------------------------------------------------------------


@functools.cache
def stored_properties_query(target: EnrichmentTarget) -> str:
    """The current MusicBrainz properties of each `$keys` node that exists (a primary-key probe)."""
    returns = ", ".join(f"n.{quoted(name)}" for name in target.property_names)
    return f"UNWIND $keys AS key MATCH {node_pattern('n', target.label, 'key')} RETURN key, {returns}"


@functools.cache
def enrich_statement(target: EnrichmentTarget) -> str:
    """SET the properties carried by `$rows` on the nodes they name (MATCH: no node is created)."""
    sets = ", ".join(
        f"n.{quoted(name)} = {_typed(target.label, name, f'row.{quoted(name)}')}"
        for name in (*target.property_names, UPDATED_AT)
    )
    node = node_pattern("n", target.label, "key")
    return f"UNWIND $rows AS row WITH row.`id` AS key, row MATCH {node} SET {sets}"


def stored_edge_query(edge_type: str) -> str:
    """The MusicBrainz edge of this type from `$source` to `$target`, if there is one."""
    return (
        f"MATCH {node_pattern('s', 'Artist', '$source')}-[e:{quoted(edge_type)}]->"
        f"{node_pattern('t', 'Artist', '$target')} WHERE e.`source` = {_SOURCE} "
        "RETURN e.`begin_date`, e.`end_date`, e.`attributes`"
    )


def edge_statement(edge_type: str) -> str:
    """MERGE each `$rows` edge, keyed by its source, and SET its values; both ends must exist."""
    return (
        f"UNWIND $rows AS row MATCH {node_pattern('s', 'Artist', 'row.source')} "
        f"MATCH {node_pattern('t', 'Artist', 'row.target')} "
        f"MERGE (s)-[e:{quoted(edge_type)} {{`source`: {_SOURCE}}}]->(t) "
        "SET e.`begin_date` = row.begin_date, e.`end_date` = row.end_date, "
        "e.`attributes` = CAST(row.attributes AS STRING[])"
    )


ARTIST_QUERY = (
    "MATCH (a:`Artist` {`id`: $id}) WHERE a.`mbid` IS NOT NULL "
    "RETURN a.`id`, a.`mbid`, a.`mb_type`, a.`mb_gender`, a.`mb_begin_date`, a.`mb_end_date`, "
    "a.`mb_area`, a.`mb_begin_area`, a.`mb_disambiguation`"
)


def relationships_query(outgoing: bool) -> str:
    """The artist's MusicBrainz edges in one direction, with the other artist's id and name."""
    arrow_in, arrow_out = ("-", "->") if outgoing else ("<-", "-")
    return (
        f"MATCH (a:`Artist` {{`id`: $id}}){arrow_in}[e:{_EDGE_TYPES}]{arrow_out}(b:`Artist`) "
        f"WHERE e.`source` = {_SOURCE} "
        "RETURN label(e), b.`id`, b.`name`, e.`begin_date`, e.`end_date`, e.`attributes`"
    )


def enriched_count_query(label: str) -> str:
    return f"MATCH (n:{quoted(label)}) WHERE n.`mbid` IS NOT NULL RETURN count(n)"


EDGE_COUNT_QUERY = f"MATCH ()-[e:{_EDGE_TYPES}]->() WHERE e.`source` = {_SOURCE} RETURN count(e)"


# --- the port methods ----------------------------------------------------------------------------


class LadybugMusicBrainz:
    """GraphStore's MusicBrainz methods (domain/ports.py) on LadybugDB."""

    async def enrich_batch(
        self: _Store, data_type: str, records: Sequence[Mapping[str, Any]]
    ) -> EnrichmentOutcome:
        batch = enrichment_batch(data_type, records)
        if not batch.entities:
            return batch.plan({}, datetime.now(UTC)).finish(0, 0, 0)
        return await self._on_writer(self._in_transaction, _enrich, self, batch, datetime.now(UTC))

    async def musicbrainz_artist(self: _Store, artist_id: str) -> MusicBrainzArtist | None:
        rows = await self._read(ARTIST_QUERY, id=artist_id)
        if not rows:
            return None
        [[discogs_id, mbid, mb_type, gender, begin_date, end_date, area, begin_area, disambiguation]] = rows
        return MusicBrainzArtist(
            discogs_id, mbid, mb_type, gender, begin_date, end_date, area, begin_area, disambiguation
        )

    async def musicbrainz_relationships(self: _Store, artist_id: str) -> tuple[ArtistRelationship, ...]:
        relationships = [
            ArtistRelationship(
                type=edge_type,
                target_id=target_id,
                target_name=target_name,
                direction="outgoing" if outgoing else "incoming",
                begin_date=begin_date,
                end_date=end_date,
                attributes=tuple(attributes or ()),
            )
            for outgoing in (True, False)
            for edge_type, target_id, target_name, begin_date, end_date, attributes in await self._read(
                relationships_query(outgoing), id=artist_id
            )
        ]
        return tuple(sorted(relationships, key=relationship_order))

    async def enrichment_counts(self: _Store) -> EnrichmentCounts:
        enriched = {}
        for data_type in MUSICBRAINZ_DUMP_TYPES:
            [[count]] = await self._read(enriched_count_query(ENRICHMENT_TARGETS[data_type].label))
            enriched[data_type] = int(count)
        [[edges]] = await self._read(EDGE_COUNT_QUERY)
        return EnrichmentCounts(enriched, int(edges))


def _enrich(store: _Store, batch: EnrichmentBatch, now: datetime) -> EnrichmentOutcome:
    """Read the nodes, write what differs, read the planned edges, write what differs (on the
    writer thread, inside the caller's transaction)."""
    target = batch.target
    names = target.property_names
    stored = {
        str(key): dict(zip(names, values, strict=True))
        for key, *values in store._execute(stored_properties_query(target), keys=batch.keys)
    }
    plan = batch.plan(stored, now)
    if plan.node_rows:
        store._execute(enrich_statement(target), rows=plan.node_rows)
    existing: dict[EdgeKey, EdgeValues] = {}
    for edge_type, keys in plan.edges.keys_by_type.items():
        for key in keys:
            query = stored_edge_query(edge_type)
            for begin_date, end_date, attributes in store._execute(
                query, source=key.source, target=key.target
            ):
                existing[key] = stored_edge_values(begin_date, end_date, attributes)
    rows_by_type, created, updated, unchanged = plan.edges.decide(existing)
    for edge_type, rows in rows_by_type.items():
        store._execute(edge_statement(edge_type), rows=rows)
    return plan.finish(created, updated, unchanged)
