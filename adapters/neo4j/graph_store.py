"""GraphStore on a Neo4j server through the official async driver."""

from __future__ import annotations

from neo4j import AsyncDriver, AsyncGraphDatabase
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

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


class Neo4jGraphStore:
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

    async def close(self) -> None:
        await self._driver.close()
