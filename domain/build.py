"""The builders' consumer loop, shared by the graph and the table builder.

One loop per data type takes `data` messages off the bus and hands their records to a sink
(the graph or the tables). A message is acked only after its write committed. A record the sink
refuses is dead-lettered on its own, with its id and the error, and the rest of its batch is
written. While the store is away (StoreUnavailable) the same batch is retried with capped
exponential backoff and the message stays unacked: no redelivery is burnt and nothing reaches
the dead-letter queue for an outage. `file_complete` is acknowledged; `extraction_complete`
goes to the sink (purge, or the graph's completion latch) before it is acked. The MusicBrainz sinks
(enrichment of the graph, the `musicbrainz` tables) run in the same loop with the same rules.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from domain.graph_writes import EXTRACTION_SIGNAL_TYPES
from domain.messages import (
    BusUnavailable,
    DeliveryLost,
    ExtractionComplete,
    FileComplete,
    HashedRecord,
    PublishRejected,
    PublishTimeout,
    RecordBatch,
    Subscription,
    record_to_json,
)
from domain.musicbrainz_model import EnrichmentOutcome
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
    deliveries_lost: int = 0  # handled, but not settled: the broker delivers them again


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
        """Apply the message, then ack it. When the broker restarts or drops the connection meanwhile,
        the delivery's channel is gone and it cannot be settled (DeliveryLost): the broker hands the
        message out again after the reconnect and its second write is idempotent, so the loop counts
        it and goes on (a record it had dead-lettered may then be dead-lettered twice)."""
        try:
            await self._apply(delivery)
            await delivery.ack()
        except DeliveryLost:
            self.counters.deliveries_lost += 1

    async def _apply(self, delivery: Delivery) -> None:
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

    async def _write(self, delivery: Delivery, records: Sequence[HashedRecord]) -> None:
        result = await self._retrying(lambda: write_isolating(self.sink, self.data_type, records))
        for refused in result.refused:
            # Stored before the ack, or the record would be lost: retried while the broker is away.
            dead_letter = functools.partial(delivery.dead_letter_record, refused.record, refused.reason)
            await self._retrying(dead_letter, retried=_BUS_TROUBLE)
        self.counters.written += result.written
        self.counters.unchanged += result.unchanged
        self.counters.dead_lettered += len(result.refused)

    async def _retrying(
        self, attempt: Callable[[], Awaitable[T]], retried: tuple[type[Exception], ...] = (StoreUnavailable,)
    ) -> T:
        """Run `attempt` until it succeeds, backing off (1 s doubling to a minute) on the `retried`
        errors: the store, or for dead letters the bus, being unavailable."""
        delay = 1.0
        while True:
            try:
                value = await attempt()
            except retried as error:
                if isinstance(error, StoreUnavailable):
                    self.store_available = False
                self.counters.retries += 1
                if self._stopping.is_set():
                    raise _Stopped from None
                await self.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
                continue
            if StoreUnavailable in retried:
                self.store_available = True
            return value


# A dead letter that could not be stored because the broker is away, did not confirm, or refused it.
_BUS_TROUBLE: tuple[type[Exception], ...] = (BusUnavailable, PublishTimeout, PublishRejected)


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


@dataclass
class EnrichmentStats:
    """SPEC-graph §5's enrichment counters of one MusicBrainz type, summed over the worker's life."""

    entities_enriched: int = 0
    entities_unchanged: int = 0
    entities_skipped_no_discogs_match: int = 0
    entities_skipped_not_in_graph: int = 0
    entities_skipped_other_mbid: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    relationships_unchanged: int = 0
    relationships_skipped_missing_side: int = 0
    relationships_skipped_self: int = 0

    def add(self, outcome: EnrichmentOutcome) -> None:
        self.entities_enriched += outcome.enriched
        self.entities_unchanged += outcome.unchanged
        self.entities_skipped_no_discogs_match += outcome.skipped_no_discogs_match
        self.entities_skipped_not_in_graph += outcome.skipped_not_in_graph
        self.entities_skipped_other_mbid += outcome.skipped_other_mbid
        self.relationships_created += outcome.relationships_created
        self.relationships_updated += outcome.relationships_updated
        self.relationships_unchanged += outcome.relationships_unchanged
        self.relationships_skipped_missing_side += outcome.relationships_skipped_missing_side
        self.relationships_skipped_self += outcome.relationships_skipped_self


@dataclass
class MusicBrainzGraphSink:
    """The graph builder's MusicBrainz side: records enrich the Discogs graph; completion needs nothing.

    `written` counts the records whose node got new properties; every other record written (matched
    and equal, or skipped) counts as unchanged. The detail is in `stats`, per type.
    """

    graph: GraphStore
    stats: dict[str, EnrichmentStats] = field(default_factory=dict)

    async def write(self, data_type: str, records: Sequence[HashedRecord]) -> SinkResult:
        outcome = await self.graph.enrich_batch(data_type, [record_to_json(record) for record in records])
        self.stats.setdefault(data_type, EnrichmentStats()).add(outcome)
        refused = tuple(
            RefusedRecord(records[rejected.position], rejected.reason) for rejected in outcome.rejected
        )
        return SinkResult(outcome.enriched, len(records) - outcome.enriched - len(refused), refused)

    async def extraction_complete(
        self, data_type: str, message: ExtractionComplete, dead_lettered: int
    ) -> None:
        """SPEC-graph §5: no cleanup and no statistics after a MusicBrainz run."""


@dataclass
class MusicBrainzTableSink:
    """The table builder's MusicBrainz side: every record into the `musicbrainz` schema; no purge."""

    tables: TableStore
    clock: Callable[[], datetime]

    async def write(self, data_type: str, records: Sequence[HashedRecord]) -> SinkResult:
        outcome = await self.tables.upsert_musicbrainz(
            data_type, [record_to_json(record) for record in records], self.clock()
        )
        return SinkResult(outcome.inserted + outcome.updated, outcome.unchanged)

    async def extraction_complete(
        self, data_type: str, message: ExtractionComplete, dead_lettered: int
    ) -> None:
        """SPEC-tables §3: MusicBrainz rows are never purged."""
