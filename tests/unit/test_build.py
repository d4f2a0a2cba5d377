"""The builders' consumer loop on the in-process bus and fake sinks."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from adapters.memory.bus import MemoryBus
from domain.build import BuildLoop, RefusedRecord, SinkResult, write_isolating
from domain.messages import ExtractionComplete, FileComplete, HashedRecord, RecordBatch, Subscription, Topic
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
