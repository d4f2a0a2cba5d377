"""The builders' consumer loop on the in-process bus and fake sinks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from adapters.memory.bus import MemoryBus
from domain.build import BuildLoop, RefusedRecord, SinkResult, write_isolating
from domain.messages import (
    BusUnavailable,
    DeliveryLost,
    ExtractionComplete,
    FileComplete,
    HashedRecord,
    RecordBatch,
    Subscription,
    Topic,
)
from domain.ports import Consumer, Delivery
from domain.schema import StoreUnavailable

NOW = datetime(2026, 11, 25, tzinfo=UTC)
TOPIC = Topic("test", "labels")
GROUP = Subscription(TOPIC, "builder")


def batch(*ids: str) -> RecordBatch:
    return RecordBatch(tuple(HashedRecord({"id": i, "name": f"label {i}"}, "0" * 64) for i in ids))


class FakeSink:
    def __init__(
        self, outages: int = 0, refuse: frozenset[str] = frozenset(), poison: str | None = None
    ) -> None:
        self.outages = outages
        self.refuse = refuse
        self.poison = poison
        self.stored: list[str] = []
        self.completions: list[tuple[str, int]] = []

    async def write(self, data_type: str, records: Sequence[HashedRecord]) -> SinkResult:
        if self.outages:
            self.outages -= 1
            raise StoreUnavailable("FakeStore", "nowhere", "down")
        if self.poison is not None and any(r.id == self.poison for r in records):
            raise ValueError(f"cannot store {self.poison}")
        kept = [r for r in records if r.id not in self.refuse]
        self.stored += [r.id for r in kept]
        refused = tuple(RefusedRecord(r, "bad id") for r in records if r.id in self.refuse)
        return SinkResult(len(kept), 0, refused)

    async def extraction_complete(
        self, data_type: str, message: ExtractionComplete, dead_lettered: int
    ) -> None:
        self.completions.append((data_type, dead_lettered))


async def no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


async def run_until_idle(loop: BuildLoop, bus: MemoryBus) -> None:
    task = asyncio.create_task(loop.run())
    for _ in range(200):
        await asyncio.sleep(0.01)
        stats = await bus.stats(GROUP)
        if stats is not None and stats.queue.ready == 0 and stats.queue.unacked == 0:
            break
    loop.stop()
    await task


async def test_batches_are_written_acked_and_completion_reaches_the_sink_with_the_dead_letter_count() -> None:
    bus = MemoryBus()
    sink = FakeSink(refuse=frozenset({"2"}))
    loop = BuildLoop(bus, sink, GROUP, sleep=no_sleep)
    await bus.subscribe(GROUP)
    await bus.publish(TOPIC, batch("1", "2", "3"))
    await bus.publish(TOPIC, FileComplete("labels", NOW, 3, "discogs_labels.xml.gz"))
    await bus.publish(TOPIC, ExtractionComplete("20261101", NOW, NOW, {"labels": 3}))

    await run_until_idle(loop, bus)

    assert sink.stored == ["1", "3"]
    assert sink.completions == [("labels", 1)]
    letters = await bus.take_dead_letters(GROUP, 10)
    assert len(letters) == 1
    assert isinstance(letters[0].message, RecordBatch)
    assert [r.id for r in letters[0].message.records] == ["2"]
    assert "bad id" in letters[0].reason
    assert loop.counters.written == 2
    assert loop.counters.dead_lettered == 0, "reset after the run's extraction_complete"


async def test_an_outage_is_waited_out_without_redelivery_or_dead_letters() -> None:
    bus = MemoryBus()
    sink = FakeSink(outages=3)
    loop = BuildLoop(bus, sink, GROUP, sleep=no_sleep)
    await bus.subscribe(GROUP)
    await bus.publish(TOPIC, batch("1", "2"))

    await run_until_idle(loop, bus)

    assert sink.stored == ["1", "2"]
    assert loop.counters.retries == 3
    assert loop.store_available
    assert await bus.take_dead_letters(GROUP, 10) == []


async def test_stopping_during_an_outage_leaves_the_batch_in_the_queue() -> None:
    bus = MemoryBus()
    sink = FakeSink(outages=10**6)
    loop = BuildLoop(bus, sink, GROUP)

    async def stop_at_the_fifth_retry(_seconds: float) -> None:
        if loop.counters.retries >= 5:
            loop.stop()

    loop.sleep = stop_at_the_fifth_retry
    await bus.subscribe(GROUP)
    await bus.publish(TOPIC, batch("1"))

    await loop.run()

    stats = await bus.stats(GROUP)
    assert stats is not None
    assert stats.queue.ready == 1
    assert not loop.store_available


async def test_a_batch_refused_as_a_whole_is_split_until_the_poison_record_stands_alone() -> None:
    sink = FakeSink(poison="5")
    records = batch(*[str(n) for n in range(1, 9)]).records

    result = await write_isolating(sink, "labels", records)

    assert sorted(sink.stored, key=int) == ["1", "2", "3", "4", "6", "7", "8"]
    assert [refused.record.id for refused in result.refused] == ["5"]
    assert "cannot store 5" in result.refused[0].reason


class LosingBus(MemoryBus):
    """A memory bus whose deliveries' channel is gone once `lose` is set: settling them fails as it
    does on RabbitMQ after the broker dropped the connection, and the message is handed out again."""

    def __init__(self) -> None:
        super().__init__()
        self.lose = 0  # how many settlements to lose

    @asynccontextmanager
    async def consume(  # type: ignore[override]  # a Consumer of the port, not the memory bus's own
        self, subscription: Subscription, prefetch: int
    ) -> AsyncIterator[Consumer]:
        async with super().consume(subscription, prefetch) as consumer:
            yield LosingConsumer(self, consumer)


class LosingConsumer:
    def __init__(self, bus: LosingBus, inner: Consumer) -> None:
        self.bus = bus
        self.inner = inner

    def __aiter__(self) -> LosingConsumer:
        return self

    async def __anext__(self) -> Delivery:
        return LosingDelivery(self.bus, await anext(self.inner))

    async def stop(self) -> None:
        await self.inner.stop()


class LosingDelivery:
    def __init__(self, bus: LosingBus, inner: Delivery) -> None:
        self.bus = bus
        self.inner = inner
        self.message = inner.message
        self.redelivered = inner.redelivered

    async def ack(self) -> None:
        if self.bus.lose:
            self.bus.lose -= 1
            await self.inner.requeue()  # what the broker does with a delivery of a closed channel
            raise DeliveryLost("channel closed; the message will be redelivered")
        await self.inner.ack()

    async def requeue(self) -> None:
        await self.inner.requeue()

    async def reject(self, reason: str) -> None:
        await self.inner.reject(reason)

    async def dead_letter_record(self, record: HashedRecord, reason: str) -> None:
        if self.bus.lose:
            raise BusUnavailable("RabbitMQ unreachable")
        await self.inner.dead_letter_record(record, reason)


async def test_a_delivery_lost_with_its_channel_is_written_again_when_redelivered_and_the_loop_goes_on() -> (
    None
):
    bus = LosingBus()
    sink = FakeSink()
    loop = BuildLoop(bus, sink, GROUP, sleep=no_sleep)
    await bus.subscribe(GROUP)
    await bus.publish(TOPIC, batch("1", "2"))
    await bus.publish(TOPIC, batch("3"))
    bus.lose = 1

    await run_until_idle(loop, bus)

    assert sorted(sink.stored) == ["1", "1", "2", "2", "3"], (
        "written twice: the store's writes are idempotent"
    )
    assert loop.counters.deliveries_lost == 1
    assert await bus.take_dead_letters(GROUP, 10) == []


async def test_a_dead_letter_is_retried_while_the_broker_is_away_and_then_stored_once() -> None:
    bus = LosingBus()
    sink = FakeSink(refuse=frozenset({"2"}))
    loop = BuildLoop(bus, sink, GROUP)
    pauses: list[float] = []

    async def broker_back_after_three_pauses(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            bus.lose = 0

    loop.sleep = broker_back_after_three_pauses
    await bus.subscribe(GROUP)
    await bus.publish(TOPIC, batch("1", "2"))
    bus.lose = 1

    await run_until_idle(loop, bus)

    letters = await bus.take_dead_letters(GROUP, 10)
    assert [
        [r.id for r in m.records]
        for m in (letter.message for letter in letters)
        if isinstance(m, RecordBatch)
    ] == [["2"]]
    assert pauses == [1.0, 2.0, 4.0]
    assert sink.stored == ["1"]
    assert loop.counters.deliveries_lost == 0
