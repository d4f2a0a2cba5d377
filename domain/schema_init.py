"""The schema-init use case: prepare the graph and the tables, idempotently."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from domain.ports import GraphStore, TableStore
from domain.schema import SchemaError, SchemaReport, StoreUnavailable


@dataclass(frozen=True)
class SchemaFailure:
    """One store that could not be prepared, with the message a person reads."""

    store: str
    address: str
    message: str


@dataclass(frozen=True)
class SchemaInitOutcome:
    reports: tuple[SchemaReport, ...]
    failures: tuple[SchemaFailure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


async def initialize_schema(graph: GraphStore, tables: TableStore) -> SchemaInitOutcome:
    """Bring both stores to the declared schema at once; one store's failure does not stop the other."""
    results = await asyncio.gather(graph.ensure_schema(), tables.ensure_schema(), return_exceptions=True)
    reports: list[SchemaReport] = []
    failures: list[SchemaFailure] = []
    stores: tuple[GraphStore | TableStore, ...] = (graph, tables)
    for store, result in zip(stores, results, strict=True):
        if isinstance(result, SchemaReport):
            reports.append(result)
        elif isinstance(result, SchemaError | StoreUnavailable):
            failures.append(SchemaFailure(result.store, result.address, str(result)))
        elif isinstance(result, BaseException):
            failures.append(
                SchemaFailure(type(store).__name__, store.address, f"{type(result).__name__}: {result}")
            )
    return SchemaInitOutcome(tuple(reports), tuple(failures))
