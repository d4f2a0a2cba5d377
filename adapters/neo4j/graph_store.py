"""GraphStore on a Neo4j server through the official async driver.

Writes run in managed write transactions (`execute_write`), which the driver retries on transient
errors, so every statement is a MERGE or a delete of what is stale: idempotent. What still fails
after the driver's retries is translated at this edge: GraphStoreUnavailable when the server or
the transaction went away (the caller backs off and retries the batch), GraphWriteFailed when the
server refused a statement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.exceptions import (
    AuthError,
    ConnectionAcquisitionTimeoutError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from neo4j.time import Date, DateTime, Time

from adapters.neo4j import cypher
from adapters.neo4j.graph_queries import Neo4jGraphQueries
from adapters.neo4j.musicbrainz import Neo4jMusicBrainz
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
    GRAPH_INDEXES,
    NODE_KINDS,
    GraphIndex,
    IndexKind,
    NodeKind,
    SchemaError,
    SchemaReport,
    StoreSchema,
    StoreUnavailable,
    unique_key_name,
)

STORE_NAME = "Neo4j"

STUB_ROWS_PER_TRANSACTION = 10_000
"""Isolated stubs deleted per inner transaction (cartography's iterative cleanup size)."""

LABEL_AGGREGATE_CHUNK = 100
"""Label nodes whose statistics one transaction computes (SPEC-graph §4); Genre and Style go one by one."""

AGGREGATE_KEYS_PAGE = 10_000
"""Keys read per page while walking a label for its aggregates."""

Result = TypeVar("Result")


def _native(value: Any) -> Any:
    """A property value as Python holds it: Neo4j temporals become datetime, date or time."""
    if isinstance(value, DateTime | Date | Time):
        return value.to_native()
    return value


class _RefusedStatement(Exception):
    """A statement the server refused, inside a transaction function (which knows no address)."""

    def __init__(self, statement: str, error: Neo4jError) -> None:
        super().__init__(statement, error)
        self.statement = statement
        self.error = error


async def _run(tx: AsyncManagedTransaction, statement: str, **parameters: Any) -> list[dict[str, Any]]:
    """Run one statement in the transaction and return its rows; a refused statement is named.

    Transient errors pass through untouched so that `execute_write` retries the transaction.
    """
    try:
        result = await tx.run(statement, parameters)
        return [record.data() async for record in result]
    except Neo4jError as error:
        if error.is_retryable():
            raise
        raise _RefusedStatement(statement, error) from error


def _constraint_statement(kind: NodeKind) -> str:
    return (
        f"CREATE CONSTRAINT {unique_key_name(kind)} IF NOT EXISTS "
        f"FOR (n:{kind.label}) REQUIRE n.{kind.key} IS UNIQUE"
    )


def _index_statement(index: GraphIndex) -> str:
    if index.kind is IndexKind.FULLTEXT:
        return (
            f"CREATE FULLTEXT INDEX {index.name} IF NOT EXISTS "
            f"FOR (n:{index.label}) ON EACH [n.{index.property}]"
        )
    return f"CREATE INDEX {index.name} IF NOT EXISTS FOR (n:{index.label}) ON (n.{index.property})"


def schema_statements() -> list[tuple[str, str]]:
    """(object name, DDL) for every constraint and index, constraints first (MERGE relies on them)."""
    statements = [(unique_key_name(kind), _constraint_statement(kind)) for kind in NODE_KINDS]
    statements += [(index.name, _index_statement(index)) for index in GRAPH_INDEXES]
    return statements


class Neo4jGraphStore(Neo4jGraphQueries, Neo4jMusicBrainz):
    """The knowledge graph on a Neo4j 5 server; every statement names the database explicitly."""

    def __init__(
        self,
        uri: str,
        username: str,
        password: str,
        database: str = "neo4j",
        connection_timeout: float = 10.0,
    ) -> None:
        self._uri = uri
        self._database = database
        self._driver: AsyncDriver = AsyncGraphDatabase.driver(
            uri,
            auth=(username, password),
            connection_timeout=connection_timeout,
            connection_acquisition_timeout=connection_timeout * 2,
            max_transaction_retry_time=connection_timeout * 2,
        )

    @property
    def address(self) -> str:
        return self._uri

    @property
    def driver(self) -> AsyncDriver:
        """The driver, for adapter-level tests that inspect the server directly."""
        return self._driver

    async def verify(self) -> None:
        """Open a Bolt connection and authenticate, or raise StoreUnavailable."""
        try:
            await self._driver.verify_connectivity()
        except AuthError as error:
            raise StoreUnavailable(
                STORE_NAME, self._uri, f"authentication failed: {error.message}"
            ) from error
        except (ServiceUnavailable, DriverError, OSError) as error:
            raise StoreUnavailable(STORE_NAME, self._uri, str(error) or type(error).__name__) from error

    async def _existing_schema_names(self) -> set[str]:
        names: set[str] = set()
        for query in ("SHOW CONSTRAINTS YIELD name", "SHOW INDEXES YIELD name"):
            records, _, _ = await self._driver.execute_query(query, database_=self._database)
            names.update(str(record["name"]) for record in records)
        return names

    async def ensure_schema(self) -> SchemaReport:
        await self.verify()
        existing = await self._existing_schema_names()
        created: list[str] = []
        for name, statement in schema_statements():
            if name in existing:
                continue
            try:
                # DDL text is built from the schema declared in the domain, never from input.
                await self._driver.execute_query(statement, database_=self._database)
            except (Neo4jError, DriverError) as error:
                raise SchemaError(STORE_NAME, self._uri, statement, str(error)) from error
            created.append(name)
        return SchemaReport(STORE_NAME, self._uri, tuple(created))

    async def describe_schema(self) -> StoreSchema:
        await self.verify()
        constraints, _, _ = await self._driver.execute_query(
            "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
            "WHERE type = 'UNIQUENESS' AND size(properties) = 1 "
            "RETURN labelsOrTypes[0] AS label, properties[0] AS property",
            database_=self._database,
        )
        indexes, _, _ = await self._driver.execute_query(
            "SHOW INDEXES YIELD name, type, owningConstraint, labelsOrTypes, properties "
            "WHERE type IN ['RANGE', 'FULLTEXT'] AND owningConstraint IS NULL "
            "RETURN name, type, labelsOrTypes[0] AS label, properties",
            database_=self._database,
        )
        return StoreSchema(
            unique_keys=frozenset((str(row["label"]), str(row["property"])) for row in constraints),
            indexes=frozenset(str(row["name"]) for row in indexes if row["type"] == "RANGE"),
            searchable=frozenset(
                f"{row['label']}.{prop}"
                for row in indexes
                if row["type"] == "FULLTEXT"
                for prop in row["properties"]
            ),
        )

    # --- transactions -------------------------------------------------------------------------

    async def _translated(self, work: Awaitable[Result]) -> Result:
        """Await `work`, translating what the driver's own retries could not overcome."""
        try:
            return await work
        except (
            ServiceUnavailable,
            SessionExpired,
            TransientError,
            ConnectionAcquisitionTimeoutError,
        ) as error:
            raise GraphStoreUnavailable(STORE_NAME, self._uri, str(error) or type(error).__name__) from error
        except _RefusedStatement as refused:
            raise GraphWriteFailed(
                STORE_NAME, self._uri, refused.statement, str(refused.error)
            ) from refused.error
        except (Neo4jError, DriverError) as error:
            raise GraphWriteFailed(STORE_NAME, self._uri, "", str(error)) from error

    async def _write(
        self,
        work: Callable[..., Awaitable[Result]],
        *args: Any,
    ) -> Result:
        """Run `work(tx, *args)` in one managed write transaction, retried on transient errors."""

        async def in_session() -> Result:
            async with self._driver.session(database=self._database) as session:
                return await session.execute_write(work, *args)

        return await self._translated(in_session())

    async def _read(self, statement: str, **parameters: Any) -> list[dict[str, Any]]:
        async def read(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
            return await _run(tx, statement, **parameters)

        async def in_session() -> list[dict[str, Any]]:
            async with self._driver.session(database=self._database) as session:
                return await session.execute_read(read)

        return await self._translated(in_session())

    # --- batch writes ---------------------------------------------------------------------------

    async def write_batch(self, data_type: str, records: Sequence[Mapping[str, Any]]) -> GraphWriteOutcome:
        incoming = incoming_batch(data_type, records)
        current_year = datetime.now(UTC).year
        if not incoming.ids:
            return incoming.gate({}, current_year).outcome
        return await self._write(_write_gated, incoming, current_year)

    # --- completion -----------------------------------------------------------------------------

    async def record_extraction_signal(self, version: str, data_type: str) -> frozenset[str]:
        require_extraction_signal(version, data_type)
        return await self._write(_add_signal, version, data_type, datetime.now(UTC))

    async def remove_isolated_stubs(self) -> dict[str, int]:
        removed: dict[str, int] = {}
        for label in STUB_LABELS:
            statement = cypher.remove_isolated_stubs_statement(label, STUB_ROWS_PER_TRANSACTION)
            removed[label] = await self._translated(self._run_auto_commit_count(statement))
        return removed

    async def _run_auto_commit_count(self, statement: str) -> int:
        # CALL { } IN TRANSACTIONS runs only in an auto-commit transaction, not in execute_write.
        async with self._driver.session(database=self._database) as session:
            result = await session.run(statement)
            record = await result.single(strict=True)
            return int(record[0])

    async def compute_aggregates(self) -> dict[str, int]:
        updated: dict[str, int] = {}
        for aggregate in AGGREGATES:
            chunk_size = LABEL_AGGREGATE_CHUNK if aggregate.label == "Label" else 1
            updated[aggregate.label] = 0
            after = ""
            while keys := await self._keys_page(aggregate.label, after):
                for start in range(0, len(keys), chunk_size):
                    chunk = keys[start : start + chunk_size]
                    await self._write(_compute_aggregate, aggregate, chunk)
                updated[aggregate.label] += len(keys)
                after = keys[-1]
        return updated

    async def _keys_page(self, label: str, after: str) -> list[str]:
        rows = await self._read(cypher.keys_page_query(label), after=after, limit=AGGREGATE_KEYS_PAGE)
        return [str(row["key"]) for row in rows]

    # --- reads ----------------------------------------------------------------------------------

    async def count_nodes(self, label: str) -> int:
        require_label(label)
        rows = await self._read(cypher.count_nodes_query(label))
        return int(rows[0]["count"])

    async def count_relationships(self, relationship_type: str) -> int:
        require_relationship(relationship_type)
        rows = await self._read(cypher.count_relationships_query(relationship_type))
        return int(rows[0]["count"])

    async def get_node(self, label: str, key: str) -> dict[str, Any] | None:
        require_label(label)
        rows = await self._read(cypher.node_query(label), key=key)
        if not rows:
            return None
        return {name: _native(value) for name, value in rows[0]["properties"].items()}

    async def edges_of(self, label: str, key: str, relationship_type: str) -> frozenset[Edge]:
        node = NodeRef(label, key)
        names = tuple(name for name, _ in require_relationship(relationship_type).properties)
        edges: set[Edge] = set()
        for direction in edge_directions(label, relationship_type):
            statement = cypher.neighbour_query(
                label, relationship_type, direction.other_label, direction.outgoing, names
            )
            for row in await self._read(statement, key=key):
                edges.add(read_edge(relationship_type, node, direction, str(row["key"]), row))
        return frozenset(edges)

    async def close(self) -> None:
        await self._driver.close()


async def _write_gated(
    tx: AsyncManagedTransaction, incoming: IncomingBatch, current_year: int
) -> GraphWriteOutcome:
    """The hash gate, then the statements of what is new or changed, in one transaction."""
    stored = await _run(tx, cypher.stored_hashes_query(incoming.label), keys=incoming.ids)
    gated = incoming.gate({str(row["key"]): row["sha256"] for row in stored}, current_year)
    for node_shape, rows in gated.plan.nodes:
        await _run(tx, cypher.node_statement(node_shape), rows=rows)
    for edge_shape, rows in gated.plan.prunes:
        await _run(tx, cypher.prune_statement(edge_shape), rows=rows)
    for edge_shape, rows in gated.plan.edges:
        await _run(tx, cypher.edge_statement(edge_shape), rows=rows)
    return gated.outcome


async def _add_signal(
    tx: AsyncManagedTransaction, version: str, data_type: str, now: datetime
) -> frozenset[str]:
    rows = await _run(tx, cypher.LATCH_OPEN, version=version, now=now)
    signals = frozenset(rows[0]["signals"] or ()) | {data_type}
    await _run(tx, cypher.LATCH_STORE, version=version, signals=sorted(signals))
    return signals


async def _compute_aggregate(tx: AsyncManagedTransaction, aggregate: Aggregate, keys: list[str]) -> None:
    await _run(tx, cypher.aggregate_statement(aggregate), keys=keys)
