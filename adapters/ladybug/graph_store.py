"""GraphStore on an embedded LadybugDB directory.

LadybugDB allows exactly one write transaction per database, and a connection whose write
attempt failed can crash the process later (ladybug-notes.md, "Concurrency"). So every
statement runs on one writer connection, on one dedicated thread: concurrent callers queue
there, and a batch's statements share one explicit transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import ladybug

from adapters.ladybug import cypher
from adapters.ladybug.cypher import COLUMN_TYPES, quoted
from adapters.ladybug.graph_queries import LadybugGraphQueries, ReadPool
from adapters.ladybug.musicbrainz import LadybugMusicBrainz
from domain.graph_model import Edge, NodeRef
from domain.graph_writes import (
    AGGREGATES,
    STUB_LABELS,
    Aggregate,
    GraphStoreUnavailable,
    GraphWriteFailed,
    GraphWriteOutcome,
    IncomingBatch,
    edge_directions,
    incoming_batch,
    read_edge,
    require_extraction_signal,
    require_label,
    require_relationship,
)
from domain.schema import (
    NODE_KINDS,
    RELATIONSHIP_TYPES,
    NodeKind,
    PropertyType,
    RelationshipType,
    SchemaError,
    SchemaReport,
    StoreSchema,
)

STORE_NAME = "LadybugDB"

STUB_DELETES_PER_TRANSACTION = 10_000
"""Isolated stubs deleted per transaction."""

AGGREGATE_ROWS_PER_TRANSACTION = 1_000
"""Nodes whose statistics one transaction sets."""

Result = TypeVar("Result")


def _columns(properties: tuple[tuple[str, PropertyType], ...]) -> list[str]:
    return [f"{quoted(name)} {COLUMN_TYPES[kind]}" for name, kind in properties]


def node_table_statement(kind: NodeKind) -> str:
    columns = ", ".join([*_columns(kind.properties), f"PRIMARY KEY({quoted(kind.key)})"])
    return f"CREATE NODE TABLE {quoted(kind.label)}({columns})"


def _add_column_statement(table: str, name: str, value_type: PropertyType) -> str:
    return f"ALTER TABLE {quoted(table)} ADD {quoted(name)} {COLUMN_TYPES[value_type]}"


def _endpoint_clause(source: str, target: str) -> str:
    return f"FROM {quoted(source)} TO {quoted(target)}"


def rel_table_statement(relationship: RelationshipType) -> str:
    parts = [_endpoint_clause(source, target) for source, target in relationship.endpoints]
    parts += _columns(relationship.properties)
    return f"CREATE REL TABLE {quoted(relationship.name)}({', '.join(parts)})"


def _as_utc(value: Any) -> Any:
    """LadybugDB returns TIMESTAMP values naive, in UTC; Neo4j returns them aware: answer alike."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class LadybugGraphStore(LadybugGraphQueries, LadybugMusicBrainz):
    """The knowledge graph in a LadybugDB directory owned read-write by this process."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._writer_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ladybug-writer")
        self._database: Any = None
        self._writer: Any = None
        self._read_pool = ReadPool()
        self._closed = False

    @property
    def address(self) -> str:
        return str(self._path)

    def _open(self) -> Any:
        if self._writer is None:
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                self._database = ladybug.Database(str(self._path))
                self._writer = ladybug.Connection(self._database)
            except (RuntimeError, OSError) as error:
                # Another process holding the directory may let go: the caller may retry later.
                raise GraphStoreUnavailable(STORE_NAME, str(self._path), str(error)) from error
        return self._writer

    async def _on_writer(self, work: Callable[..., Result], *args: Any) -> Result:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer_thread, work, *args)

    def _rows(self, query: str, parameters: Mapping[str, Any] | None = None) -> list[list[Any]]:
        result = self._open().execute(query, dict(parameters or {}))
        rows: list[list[Any]] = []
        while result.has_next():
            rows.append(result.get_next())
        return rows

    def _execute(self, statement: str, **parameters: Any) -> list[list[Any]]:
        """Run one statement on the writer connection; a refused one raises GraphWriteFailed."""
        try:
            return self._rows(statement, parameters)
        except RuntimeError as error:
            raise GraphWriteFailed(STORE_NAME, str(self._path), statement, str(error)) from error

    def _in_transaction(self, work: Callable[..., Result], *args: Any) -> Result:
        """Run `work(*args)` inside one explicit transaction: all of its statements or none."""
        self._execute("BEGIN TRANSACTION")
        try:
            result = work(*args)
        except BaseException:
            self._rollback()
            raise
        self._execute("COMMIT")
        return result

    def _rollback(self) -> None:
        """End the transaction unless LadybugDB already did (a statement that fails at run time
        rolls its transaction back; one that fails to parse does not)."""
        try:
            self._open().execute("ROLLBACK")
        except RuntimeError as error:
            if "No active transaction" not in str(error):
                raise

    def _run(self, statement: str) -> None:
        try:
            self._open().execute(statement)
        except RuntimeError as error:
            raise SchemaError(STORE_NAME, str(self._path), statement, str(error)) from error

    def _tables(self) -> dict[str, str]:
        """Table name to kind ('NODE' or 'REL')."""
        return {str(row[1]): str(row[2]) for row in self._rows("CALL show_tables() RETURN *")}

    def _table_columns(self, table: str) -> dict[str, bool]:
        """Column name to whether it is the primary key."""
        rows = self._rows(f"CALL table_info('{table}') RETURN *")
        return {str(row[1]): bool(row[4]) for row in rows}

    def _rel_endpoints(self, table: str) -> set[tuple[str, str]]:
        return {(str(row[0]), str(row[1])) for row in self._rows(f"CALL show_connection('{table}') RETURN *")}

    def _ensure_schema(self) -> list[str]:
        existing = self._tables()
        created: list[str] = []
        for kind in NODE_KINDS:
            if kind.label not in existing:
                self._run(node_table_statement(kind))
                created.append(kind.label)
                continue
            columns = self._table_columns(kind.label)
            for name, value_type in kind.properties:
                if name not in columns:
                    self._run(_add_column_statement(kind.label, name, value_type))
                    created.append(f"{kind.label}.{name}")
        for relationship in RELATIONSHIP_TYPES:
            if relationship.name not in existing:
                self._run(rel_table_statement(relationship))
                created.append(relationship.name)
                continue
            endpoints = self._rel_endpoints(relationship.name)
            for source, target in relationship.endpoints:
                if (source, target) not in endpoints:
                    self._run(
                        f"ALTER TABLE {quoted(relationship.name)} ADD {_endpoint_clause(source, target)}"
                    )
                    created.append(f"{relationship.name}({source}->{target})")
            columns = self._table_columns(relationship.name)
            for name, value_type in relationship.properties:
                if name not in columns:
                    self._run(_add_column_statement(relationship.name, name, value_type))
                    created.append(f"{relationship.name}.{name}")
        return created

    def _ensure_schema_afresh(self) -> list[str]:
        created = self._ensure_schema()
        if created:
            # The ladybug client caches each statement it prepared on a connection, a failed one
            # included, and DDL does not invalidate that cache: start a new connection.
            self._writer.close()
            self._writer = ladybug.Connection(self._database)
        return created

    async def ensure_schema(self) -> SchemaReport:
        created: list[str] = await self._on_writer(self._ensure_schema_afresh)
        return SchemaReport(STORE_NAME, str(self._path), tuple(created))

    def _describe(self) -> StoreSchema:
        tables: dict[str, frozenset[str]] = {}
        endpoints: dict[str, frozenset[tuple[str, str]]] = {}
        unique_keys: set[tuple[str, str]] = set()
        for table, kind in self._tables().items():
            columns = self._table_columns(table)
            tables[table] = frozenset(columns)
            if kind == "NODE":
                unique_keys.update((table, name) for name, is_key in columns.items() if is_key)
            else:
                endpoints[table] = frozenset(self._rel_endpoints(table))
        return StoreSchema(
            unique_keys=frozenset(unique_keys), tables=tables, relationship_endpoints=endpoints
        )

    async def describe_schema(self) -> StoreSchema:
        schema: StoreSchema = await self._on_writer(self._describe)
        return schema

    # --- batch writes ---------------------------------------------------------------------------

    async def write_batch(self, data_type: str, records: Sequence[Mapping[str, Any]]) -> GraphWriteOutcome:
        incoming = incoming_batch(data_type, records)
        current_year = datetime.now(UTC).year
        if not incoming.ids:
            return incoming.gate({}, current_year).outcome
        return await self._on_writer(self._in_transaction, self._write_gated, incoming, current_year)

    def _write_gated(self, incoming: IncomingBatch, current_year: int) -> GraphWriteOutcome:
        """The hash gate, then the statements of what is new or changed (the caller holds the transaction)."""
        stored = self._execute(cypher.stored_hashes_query(incoming.label), keys=incoming.ids)
        gated = incoming.gate({str(key): sha256 for key, sha256 in stored}, current_year)
        for node_shape, rows in gated.plan.nodes:
            self._execute(cypher.node_statement(node_shape), rows=rows)
        for edge_shape, rows in gated.plan.prunes:
            self._execute(cypher.prune_statement(edge_shape), rows=rows)
        for edge_shape, rows in gated.plan.edges:
            self._execute(cypher.edge_statement(edge_shape), rows=rows)
        return gated.outcome

    # --- completion -----------------------------------------------------------------------------

    async def record_extraction_signal(self, version: str, data_type: str) -> frozenset[str]:
        require_extraction_signal(version, data_type)
        return await self._on_writer(
            self._in_transaction, self._add_signal, version, data_type, datetime.now(UTC)
        )

    def _add_signal(self, version: str, data_type: str, now: datetime) -> frozenset[str]:
        [[stored]] = self._execute(cypher.LATCH_OPEN, version=version, now=now)
        signals = frozenset(stored or ()) | {data_type}
        self._execute(cypher.LATCH_STORE, version=version, signals=sorted(signals))
        return signals

    async def remove_isolated_stubs(self) -> dict[str, int]:
        removed: dict[str, int] = {}
        for label in STUB_LABELS:
            removed[label] = await self._on_writer(self._remove_isolated_stubs, label)
        return removed

    def _remove_isolated_stubs(self, label: str) -> int:
        # One writer job: no batch can give a stub an edge between the read and the deletes.
        keys = [key for [key] in self._execute(cypher.isolated_stubs_query(label))]
        for start in range(0, len(keys), STUB_DELETES_PER_TRANSACTION):
            chunk = keys[start : start + STUB_DELETES_PER_TRANSACTION]
            self._in_transaction(partial(self._execute, cypher.delete_nodes_statement(label), keys=chunk))
        return len(keys)

    async def compute_aggregates(self) -> dict[str, int]:
        updated: dict[str, int] = {}
        for aggregate in AGGREGATES:
            updated[aggregate.label] = await self._on_writer(self._compute_aggregate, aggregate)
        return updated

    def _compute_aggregate(self, aggregate: Aggregate) -> int:
        """Read each figure grouped over the whole label, then SET them in small transactions."""
        # A node no release points at still gets its figures: counts 0, no first year.
        empty = {name: None if name == "first_year" else 0 for name in aggregate.properties}
        figures: dict[str, dict[str, Any]] = {
            key: {"key": key, **empty} for [key] in self._execute(cypher.keys_query(aggregate.label))
        }
        for key, *release_figures in self._execute(cypher.release_figures_query(aggregate)):
            names = ("release_count", "first_year")[: len(release_figures)]
            figures[key].update(zip(names, release_figures, strict=True))
        for count in aggregate.neighbour_counts:
            for key, value in self._execute(cypher.neighbour_count_query(aggregate, count)):
                figures[key][count.property] = value
        rows = list(figures.values())
        for start in range(0, len(rows), AGGREGATE_ROWS_PER_TRANSACTION):
            chunk = rows[start : start + AGGREGATE_ROWS_PER_TRANSACTION]
            self._in_transaction(partial(self._execute, cypher.aggregate_statement(aggregate), rows=chunk))
        return len(rows)

    # --- reads ----------------------------------------------------------------------------------

    async def _read(self, statement: str, **parameters: Any) -> list[list[Any]]:
        return await self._on_writer(partial(self._execute, statement, **parameters))

    async def count_nodes(self, label: str) -> int:
        require_label(label)
        [[count]] = await self._read(cypher.count_nodes_query(label))
        return int(count)

    async def count_relationships(self, relationship_type: str) -> int:
        require_relationship(relationship_type)
        [[count]] = await self._read(cypher.count_relationships_query(relationship_type))
        return int(count)

    async def get_node(self, label: str, key: str) -> dict[str, Any] | None:
        require_label(label)
        rows = await self._read(cypher.node_query(label), key=key)
        if not rows:
            return None
        [[node]] = rows
        # Columns the node never had read as None (schema-first); internal fields start with "_".
        return {
            name: _as_utc(value)
            for name, value in node.items()
            if not name.startswith("_") and value is not None
        }

    async def edges_of(self, label: str, key: str, relationship_type: str) -> frozenset[Edge]:
        node = NodeRef(label, key)
        names = tuple(name for name, _ in require_relationship(relationship_type).properties)
        edges: set[Edge] = set()
        for direction in edge_directions(label, relationship_type):
            statement = cypher.neighbour_query(
                label, relationship_type, direction.other_label, direction.outgoing, names
            )
            for other_key, *values in await self._read(statement, key=key):
                properties = dict(zip(names, values, strict=True))
                edges.add(read_edge(relationship_type, node, direction, str(other_key), properties))
        return frozenset(edges)

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._database.close()
            self._writer = None
            self._database = None

    async def close(self) -> None:
        """Close the database once the writes queued before have run; a second close does nothing."""
        if self._closed:
            return
        self._closed = True
        await self._read_pool.close()
        await self._on_writer(self._close)
        self._writer_thread.shutdown(wait=True)
