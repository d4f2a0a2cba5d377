"""GraphStore on an embedded LadybugDB directory.

LadybugDB allows exactly one write transaction per database, and a connection whose write
attempt failed can crash the process later (ladybug-notes.md, "Concurrency"). So every
statement that changes the database runs on one writer connection, on one dedicated thread.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import ladybug

from domain.schema import (
    NODE_KINDS,
    RELATIONSHIP_TYPES,
    NodeKind,
    PropertyType,
    RelationshipType,
    SchemaError,
    SchemaReport,
    StoreSchema,
    StoreUnavailable,
)

STORE_NAME = "LadybugDB"

_COLUMN_TYPES: dict[PropertyType, str] = {
    PropertyType.STRING: "STRING",
    PropertyType.INTEGER: "INT64",
    PropertyType.FLOAT: "DOUBLE",
    PropertyType.BOOLEAN: "BOOLEAN",
    PropertyType.STRING_LIST: "STRING[]",
    PropertyType.TIMESTAMP: "TIMESTAMP",
}


def _quoted(name: str) -> str:
    # Backticks everywhere: ON, BY and IS are keywords in LadybugDB's Cypher.
    return f"`{name}`"


def _columns(properties: tuple[tuple[str, PropertyType], ...]) -> list[str]:
    return [f"{_quoted(name)} {_COLUMN_TYPES[kind]}" for name, kind in properties]


def node_table_statement(kind: NodeKind) -> str:
    columns = ", ".join([*_columns(kind.properties), f"PRIMARY KEY({_quoted(kind.key)})"])
    return f"CREATE NODE TABLE {_quoted(kind.label)}({columns})"


def _add_column_statement(table: str, name: str, value_type: PropertyType) -> str:
    return f"ALTER TABLE {_quoted(table)} ADD {_quoted(name)} {_COLUMN_TYPES[value_type]}"


def _endpoint_clause(source: str, target: str) -> str:
    return f"FROM {_quoted(source)} TO {_quoted(target)}"


def rel_table_statement(relationship: RelationshipType) -> str:
    parts = [_endpoint_clause(source, target) for source, target in relationship.endpoints]
    parts += _columns(relationship.properties)
    return f"CREATE REL TABLE {_quoted(relationship.name)}({', '.join(parts)})"


class LadybugGraphStore:
    """The knowledge graph in a LadybugDB directory owned read-write by this process."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._writer_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ladybug-writer")
        self._database: Any = None
        self._writer: Any = None

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
                raise StoreUnavailable(STORE_NAME, str(self._path), str(error)) from error
        return self._writer

    async def _on_writer(self, work: Any, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer_thread, work, *args)

    def _rows(self, query: str) -> list[list[Any]]:
        result = self._open().execute(query)
        rows: list[list[Any]] = []
        while result.has_next():
            rows.append(result.get_next())
        return rows

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
                        f"ALTER TABLE {_quoted(relationship.name)} ADD {_endpoint_clause(source, target)}"
                    )
                    created.append(f"{relationship.name}({source}->{target})")
            columns = self._table_columns(relationship.name)
            for name, value_type in relationship.properties:
                if name not in columns:
                    self._run(_add_column_statement(relationship.name, name, value_type))
                    created.append(f"{relationship.name}.{name}")
        return created

    async def ensure_schema(self) -> SchemaReport:
        created: list[str] = await self._on_writer(self._ensure_schema)
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

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._database.close()
            self._writer = None
            self._database = None

    async def close(self) -> None:
        await self._on_writer(self._close)
        self._writer_thread.shutdown(wait=True)
