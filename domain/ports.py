"""Ports: what the domain needs from the outside world, as typing.Protocol.

Each port is named for what the domain asks of it, not for the tool behind it; every
port has one contract suite in tests/contract/ that all of its adapters pass.
"""

from __future__ import annotations

from typing import Protocol

from domain.schema import SchemaReport, StoreSchema


class GraphStore(Protocol):
    """The knowledge graph (Neo4j on the servers, LadybugDB embedded)."""

    @property
    def address(self) -> str:
        """Where the store lives, for messages a person reads (bolt URI or directory)."""
        ...

    async def ensure_schema(self) -> SchemaReport:
        """Create the keys, indexes and tables that are missing; touch nothing that exists."""
        ...

    async def describe_schema(self) -> StoreSchema:
        """What the store holds now, in the store-independent terms of domain.schema."""
        ...

    async def close(self) -> None:
        """Release connections and file handles."""
        ...


class TableStore(Protocol):
    """The document tables (PostgreSQL on the servers, SQLite embedded)."""

    @property
    def address(self) -> str:
        """Where the store lives, for messages a person reads (host:port/db or file path)."""
        ...

    async def ensure_schema(self) -> SchemaReport:
        """Bring the tables to the newest migration; a store already there is left as it is."""
        ...

    async def describe_schema(self) -> StoreSchema:
        """What the store holds now, in the store-independent terms of domain.schema."""
        ...

    async def close(self) -> None:
        """Release the connection pool."""
        ...
