"""MusicBrainz enrichment on Neo4j (SPEC-graph §5): the GraphStore methods, mixed into Neo4jGraphStore.

`adapters/ladybug/musicbrainz.py` has the same statements in LadybugDB's dialect; read them side
by side. What to write is decided by domain.musicbrainz_model; this module reads what the batch
needs, hands it over and runs the writes, all in one managed write transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from neo4j import AsyncManagedTransaction

from adapters.neo4j import graph_store
from adapters.neo4j.cypher import node_pattern, quoted
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
    """What the mixin uses of Neo4jGraphStore."""

    async def _write(self, work: Callable[..., Awaitable[Result]], *args: Any) -> Result: ...

    async def _read(self, statement: str, **parameters: Any) -> list[dict[str, Any]]: ...


# --- statements ----------------------------------------------------------------------------------


@functools.cache
def stored_properties_query(target: EnrichmentTarget) -> str:
    """The current MusicBrainz properties of each `$keys` node that exists."""
    returns = ", ".join(f"n.{quoted(name)} AS {name}" for name in target.property_names)
    return f"UNWIND $keys AS key MATCH {node_pattern('n', target.label, 'key')} RETURN key, {returns}"


@functools.cache
def enrich_statement(target: EnrichmentTarget) -> str:
    """SET the properties carried by `$rows` on the nodes they name (MATCH: no node is created)."""
    sets = ", ".join(
        f"n.{quoted(name)} = row.{quoted(name)}" for name in (*target.property_names, UPDATED_AT)
    )
    return f"UNWIND $rows AS row MATCH {node_pattern('n', target.label, 'row.`id`')} SET {sets}"


def stored_edges_query(edge_type: str) -> str:
    """The MusicBrainz edge of this type between each `$rows` pair, where there is one."""
    return (
        f"UNWIND $rows AS row MATCH {node_pattern('s', 'Artist', 'row.source')}"
        f"-[e:{quoted(edge_type)}]->{node_pattern('t', 'Artist', 'row.target')} "
        f"WHERE e.`source` = {_SOURCE} "
        "RETURN row.source AS source, row.target AS target, "
        "e.`begin_date` AS begin_date, e.`end_date` AS end_date, e.`attributes` AS attributes"
    )


def edge_statement(edge_type: str) -> str:
    """MERGE each `$rows` edge, keyed by its source, and SET its values; both ends must exist."""
    return (
        f"UNWIND $rows AS row MATCH {node_pattern('s', 'Artist', 'row.source')} "
        f"MATCH {node_pattern('t', 'Artist', 'row.target')} "
        f"MERGE (s)-[e:{quoted(edge_type)} {{`source`: {_SOURCE}}}]->(t) "
        "SET e.`begin_date` = row.begin_date, e.`end_date` = row.end_date, e.`attributes` = row.attributes"
    )


ARTIST_QUERY = (
    "MATCH (a:`Artist` {`id`: $id}) WHERE a.`mbid` IS NOT NULL "
    "RETURN a.`id` AS id, a.`mbid` AS mbid, a.`mb_type` AS type, a.`mb_gender` AS gender, "
    "a.`mb_begin_date` AS begin_date, a.`mb_end_date` AS end_date, a.`mb_area` AS area, "
    "a.`mb_begin_area` AS begin_area, a.`mb_disambiguation` AS disambiguation"
)


def relationships_query(outgoing: bool) -> str:
    """The artist's MusicBrainz edges in one direction, with the other artist's id and name."""
    arrow_in, arrow_out = ("-", "->") if outgoing else ("<-", "-")
    return (
        f"MATCH (a:`Artist` {{`id`: $id}}){arrow_in}[e:{_EDGE_TYPES}]{arrow_out}(b:`Artist`) "
        f"WHERE e.`source` = {_SOURCE} "
        "RETURN type(e) AS type, b.`id` AS target_id, b.`name` AS target_name, "
        "e.`begin_date` AS begin_date, e.`end_date` AS end_date, e.`attributes` AS attributes"
    )


def enriched_count_query(label: str) -> str:
    return f"MATCH (n:{quoted(label)}) WHERE n.`mbid` IS NOT NULL RETURN count(n) AS count"


EDGE_COUNT_QUERY = f"MATCH ()-[e:{_EDGE_TYPES}]->() WHERE e.`source` = {_SOURCE} RETURN count(e) AS count"


# --- the port methods ----------------------------------------------------------------------------


class Neo4jMusicBrainz:
    """GraphStore's MusicBrainz methods (domain/ports.py) on Neo4j."""

    async def enrich_batch(
        self: _Store, data_type: str, records: Sequence[Mapping[str, Any]]
    ) -> EnrichmentOutcome:
        batch = enrichment_batch(data_type, records)
        if not batch.entities:
            return batch.plan({}, datetime.now(UTC)).finish(0, 0, 0)
        return await self._write(_enrich, batch, datetime.now(UTC))

    async def musicbrainz_artist(self: _Store, artist_id: str) -> MusicBrainzArtist | None:
        rows = await self._read(ARTIST_QUERY, id=artist_id)
        if not rows:
            return None
        row = rows[0]
        return MusicBrainzArtist(
            discogs_id=row["id"],
            mbid=row["mbid"],
            type=row["type"],
            gender=row["gender"],
            begin_date=row["begin_date"],
            end_date=row["end_date"],
            area=row["area"],
            begin_area=row["begin_area"],
            disambiguation=row["disambiguation"],
        )

    async def musicbrainz_relationships(self: _Store, artist_id: str) -> tuple[ArtistRelationship, ...]:
        relationships = [
            ArtistRelationship(
                type=row["type"],
                target_id=row["target_id"],
                target_name=row["target_name"],
                direction="outgoing" if outgoing else "incoming",
                begin_date=row["begin_date"],
                end_date=row["end_date"],
                attributes=tuple(row["attributes"] or ()),
            )
            for outgoing in (True, False)
            for row in await self._read(relationships_query(outgoing), id=artist_id)
        ]
        return tuple(sorted(relationships, key=relationship_order))

    async def enrichment_counts(self: _Store) -> EnrichmentCounts:
        enriched = {}
        for data_type in MUSICBRAINZ_DUMP_TYPES:
            [row] = await self._read(enriched_count_query(ENRICHMENT_TARGETS[data_type].label))
            enriched[data_type] = int(row["count"])
        [edges] = await self._read(EDGE_COUNT_QUERY)
        return EnrichmentCounts(enriched, int(edges["count"]))


async def _enrich(tx: AsyncManagedTransaction, batch: EnrichmentBatch, now: datetime) -> EnrichmentOutcome:
    """Read the nodes, write what differs, read the planned edges, write what differs."""
    run = graph_store._run  # the store's statement runner: it names a refused statement
    target = batch.target
    stored = {row["key"]: row for row in await run(tx, stored_properties_query(target), keys=batch.keys)}
    plan = batch.plan(stored, now)
    if plan.node_rows:
        await run(tx, enrich_statement(target), rows=plan.node_rows)
    existing: dict[EdgeKey, EdgeValues] = {}
    for edge_type, keys in plan.edges.keys_by_type.items():
        pairs = [{"source": key.source, "target": key.target} for key in keys]
        for row in await run(tx, stored_edges_query(edge_type), rows=pairs):
            key = EdgeKey(edge_type, row["source"], row["target"])
            existing[key] = stored_edge_values(row["begin_date"], row["end_date"], row["attributes"])
    rows_by_type, created, updated, unchanged = plan.edges.decide(existing)
    for edge_type, rows in rows_by_type.items():
        await run(tx, edge_statement(edge_type), rows=rows)
    return plan.finish(created, updated, unchanged)
