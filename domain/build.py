"""The builders' consumer loop, shared by the graph and the table builder.

One loop per data type takes `data` messages off the bus and hands their records to a sink
(the graph or the tables). A message is acked only after its write committed. A record the sink
refuses is dead-lettered on its own, with its id and the error, and the rest of its batch is
written. While the store is away (StoreUnavailable) the same batch is retried with capped
exponential backoff and the message stays unacked: no redelivery is burnt and nothing reaches
the dead-letter queue for an outage. `file_complete` is acknowledged; `extraction_complete`
goes to the sink (purge, or the graph's completion latch) before it is acked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from domain.graph_writes import EXTRACTION_SIGNAL_TYPES
from domain.messages import (
    ExtractionComplete,
    FileComplete,
    HashedRecord,
    RecordBatch,
    Subscription,
    record_to_json,
)
from domain.ports import Bus, Delivery, GraphStore, TableStore
from domain.schema import StoreUnavailable
from domain.tables import DEFAULT_MAX_DELETE_FRACTION, PurgeDecision

MAX_BACKOFF_SECONDS = 60.0
T = TypeVar("T")


@dataclass(frozen=True)
class RefusedRecord:
    """A record a sink would not write, and why; it goes to the dead-letter queue alone."""

    record: HashedRecord
    reason: str


@dataclass(frozen=True)
class SinkResult:
    written: int
    unchanged: int
    refused: tuple[RefusedRecord, ...] = ()


class Sink(Protocol):
    """What a builder does with what the bus brings (the graph, or the tables)."""

    async def write(self, data_type: str, records: Sequence[HashedRecord]) -> SinkResult:
        """Write one batch in one transaction; refuse (not raise) what the store cannot hold."""
        ...

    async def extraction_complete(
        self, data_type: str, message: ExtractionComplete, dead_lettered: int
    ) -> None:
        """Once per type and run; `dead_lettered` counts the run's refused records of the type."""
        ...


@dataclass
class TypeCounters:
    """What one loop did, for /health and the tests."""

    messages: int = 0
    written: int = 0
    unchanged: int = 0
    dead_lettered: int = 0
    retries: int = 0
    files_complete: int = 0
    extractions_complete: int = 0


@dataclass
class BuildLoop:
    """Consume one subscription into a sink until stopped."""

    bus: Bus
    sink: Sink
    subscription: Subscription
    prefetch: int = 4
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    counters: TypeCounters = field(default_factory=TypeCounters)
    store_available: bool = True
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def data_type(self) -> str:
        return self.subscription.topic.data_type

    def stop(self) -> None:
        """Finish the message in hand, then leave; unsettled messages go back to the queue."""
        self._stopping.set()

    async def run(self) -> None:
        await self.bus.subscribe(self.subscription)
        async with self.bus.consume(self.subscription, self.prefetch) as consumer:
            while not self._stopping.is_set():
                next_delivery = asyncio.ensure_future(anext(consumer))
                stopping = asyncio.ensure_future(self._stopping.wait())
                done, _ = await asyncio.wait({next_delivery, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if next_delivery not in done:
                    next_delivery.cancel()
                    break
                stopping.cancel()
                try:
                    delivery = next_delivery.result()
                except StopAsyncIteration:
                    break
                try:
                    await self._handle(delivery)
                except _Stopped:
                    break

    async def _handle(self, delivery: Delivery) -> None:
        message = delivery.message
        self.counters.messages += 1
        if isinstance(message, RecordBatch):
            await self._write(delivery, message.records)
        elif isinstance(message, FileComplete):
            self.counters.files_complete += 1
        elif isinstance(message, ExtractionComplete):
            dead_lettered = self.counters.dead_lettered
            await self._retrying(
                lambda: self.sink.extraction_complete(self.data_type, message, dead_lettered)
            )
            self.counters.extractions_complete += 1
            self.counters.dead_lettered = 0  # the next run counts afresh
        await delivery.ack()

    async def _write(self, delivery: Delivery, records: Sequence[HashedRecord]) -> None:
        result = await self._retrying(lambda: write_isolating(self.sink, self.data_type, records))
        for refused in result.refused:
            await delivery.dead_letter_record(refused.record, refused.reason)
        self.counters.written += result.written
        self.counters.unchanged += result.unchanged
        self.counters.dead_lettered += len(result.refused)

    async def _retrying(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run `attempt` until the store takes it, backing off while it is unavailable."""
        delay = 1.0
        while True:
            try:
                value = await attempt()
            except StoreUnavailable:
                self.store_available = False
                self.counters.retries += 1
                if self._stopping.is_set():
                    raise _Stopped from None
                await self.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
                continue
            self.store_available = True
            return value


class _Stopped(Exception):
    """Leave the loop during an outage; the unsettled message returns to the queue."""


async def write_isolating(sink: Sink, data_type: str, records: Sequence[HashedRecord]) -> SinkResult:
    """Write the batch; if the store refuses it as a whole, split it until the bad records stand alone.

    Writes are idempotent, so writing a half again after a failed whole costs time, not correctness.
    StoreUnavailable is not a refusal and goes up to the caller's backoff.
    """
    try:
        return await sink.write(data_type, records)
    except StoreUnavailable:
        raise
    except Exception as error:  # a refusal of the batch as a whole: find the culprits
        if len(records) == 1:
            return SinkResult(0, 0, (RefusedRecord(records[0], f"{type(error).__name__}: {error}"),))
        middle = len(records) // 2
        first = await write_isolating(sink, data_type, records[:middle])
        second = await write_isolating(sink, data_type, records[middle:])
        return SinkResult(
            first.written + second.written, first.unchanged + second.unchanged, first.refused + second.refused
        )


@dataclass
class GraphSink:
    """The graph builder: records into the GraphStore; maintenance once all four types are in."""

    graph: GraphStore
    on_maintenance: Callable[[dict[str, int], dict[str, int]], None] | None = None
    _maintenance: asyncio.Task[None] | None = None

    async def write(self, data_type: str, records: Sequence[HashedRecord]) -> SinkResult:
        outcome = await self.graph.write_batch(data_type, [record_to_json(record) for record in records])
        refused = tuple(
            RefusedRecord(records[rejected.position], rejected.reason) for rejected in outcome.rejected
        )
        return SinkResult(outcome.written, outcome.unchanged, refused)

    async def extraction_complete(
        self, data_type: str, message: ExtractionComplete, dead_lettered: int
    ) -> None:
        signalled = await self.graph.record_extraction_signal(message.version, data_type)
        if signalled >= EXTRACTION_SIGNAL_TYPES and (self._maintenance is None or self._maintenance.done()):
            # Single flight, after the ack: stub cleanup and aggregates can take minutes on a full graph.
            self._maintenance = asyncio.create_task(self._maintain())

    async def _maintain(self) -> None:
        removed = await self.graph.remove_isolated_stubs()
        aggregated = await self.graph.compute_aggregates()
        if self.on_maintenance is not None:
            self.on_maintenance(removed, aggregated)

    async def wait_for_maintenance(self) -> None:
        """For shutdown and tests: let a running maintenance finish."""
        if self._maintenance is not None:
            await self._maintenance


@dataclass
class TableSink:
    """The table builder: records into the TableStore; the safe stale purge on extraction_complete."""

    tables: TableStore
    clock: Callable[[], datetime]
    max_delete_fraction: float = DEFAULT_MAX_DELETE_FRACTION
    on_purge: Callable[[PurgeDecision], None] | None = None

    async def write(self, data_type: str, records: Sequence[HashedRecord]) -> SinkResult:
        outcome = await self.tables.upsert_batch(
            data_type, [record_to_json(record) for record in records], self.clock()
        )
        return SinkResult(outcome.inserted + outcome.updated, outcome.unchanged)

    async def extraction_complete(
        self, data_type: str, message: ExtractionComplete, dead_lettered: int
    ) -> None:
        decision = await self.tables.purge_stale(
            data_type,
            message.started_at,
            message.record_counts.get(data_type, 0),
            dead_lettered > 0,
            self.max_delete_fraction,
        )
        if self.on_purge is not None:
            self.on_purge(decision)
