"""The Bus contract: what the extractor and the builders rely on, on RabbitMQ and in process alike.

Every wait is bounded (WAIT seconds); a wait that runs out fails the test. On RabbitMQ the queue
statistics come from the management API, which the broker refreshes every few seconds, so the
tests that read them poll until the figures match.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import UTC, datetime
from typing import TypeVar

import pytest

from adapters.memory.bus import MemoryBus
from domain.messages import (
    DeliveryAlreadySettled,
    DeliveryLost,
    ExtractionComplete,
    FileComplete,
    HashedRecord,
    Message,
    PublishTimeout,
    QueueStats,
    RecordBatch,
    Subscription,
    SubscriptionStats,
    Topic,
    UnroutableMessage,
)
from domain.ports import Bus, Consumer, Delivery

T = TypeVar("T")
WAIT = 15.0
DISCOGS = "discogsography-discogs"
RELEASES = Topic(DISCOGS, "releases")
GRAPHINATOR = Subscription(RELEASES, "graphinator")
TABLEINATOR = Subscription(RELEASES, "tableinator")


def release(number: int) -> HashedRecord:
    fields = {
        "id": str(number),
        "title": f"Ágætis byrjun {number}",
        "year": str(1960 + number % 60),
        "genres": ["Electronic", "Rock"],
        "artists": [{"id": str(number * 7), "name": f"Artist {number}"}],
        "labels": [{"@id": "5", "@name": "Warp", "@catno": f"WARP{number}"}],
        "notes": None,
    }
    return HashedRecord(fields=fields, sha256=hashlib.sha256(str(number).encode()).hexdigest())


def batch(first: int, count: int) -> RecordBatch:
    return RecordBatch(records=tuple(release(number) for number in range(first, first + count)))


async def next_delivery(consumer: Consumer) -> Delivery:
    return await asyncio.wait_for(anext(consumer), WAIT)


async def stats_once_equal(
    bus: Bus, subscription: Subscription, expected: SubscriptionStats
) -> SubscriptionStats | None:
    """The subscription's statistics as soon as they equal `expected`, or the last ones read after WAIT."""

    async def current() -> SubscriptionStats | None:
        return await bus.stats(subscription)

    return await eventually(current, expected)


async def eventually(probe: Callable[[], Awaitable[T]], expected: T) -> T:
    """What `probe` returns once it equals `expected`, or what it returns after WAIT seconds."""
    observed = await probe()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while observed != expected and loop.time() < deadline:
        await asyncio.sleep(0.25)
        observed = await probe()
    return observed


def first_record_id(delivery: Delivery) -> str:
    assert isinstance(delivery.message, RecordBatch)
    return delivery.message.records[0].id


def depth(name: str, ready: int = 0, unacked: int = 0, consumers: int = 0) -> QueueStats:
    return QueueStats(name=name, ready=ready, unacked=unacked, consumers=consumers)


async def test_a_published_batch_is_consumed_back_equal_and_in_order(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    first, second = batch(1, 500), batch(501, 500)
    await bus.publish(RELEASES, first)
    await bus.publish(RELEASES, second)

    async with bus.consume(GRAPHINATOR, prefetch=2) as consumer:
        deliveries = [await next_delivery(consumer), await next_delivery(consumer)]
        for delivery in deliveries:
            await delivery.ack()

    assert [delivery.message for delivery in deliveries] == [first, second]
    received = deliveries[0].message
    assert isinstance(received, RecordBatch)
    assert [(record.id, record.sha256) for record in received.records] == [
        (str(number), hashlib.sha256(str(number).encode()).hexdigest()) for number in range(1, 501)
    ]
    assert not any(delivery.redelivered for delivery in deliveries)


async def test_a_bus_is_available_before_first_use_and_once_it_reached_its_broker(bus: Bus) -> None:
    before = bus.available
    await bus.subscribe(GRAPHINATOR)
    await bus.publish(RELEASES, batch(1, 1))

    assert (before, bus.available) == (True, True)


async def test_every_subscribed_consumer_group_receives_every_message(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    await bus.subscribe(TABLEINATOR)
    messages = [batch(1, 3), batch(4, 3)]
    for message in messages:
        await bus.publish(RELEASES, message)

    for subscription in (GRAPHINATOR, TABLEINATOR):
        async with bus.consume(subscription, prefetch=10) as consumer:
            deliveries = [await next_delivery(consumer) for _ in messages]
            for delivery in deliveries:
                await delivery.ack()
        assert [delivery.message for delivery in deliveries] == messages


async def test_publishing_to_a_topic_nobody_subscribed_to_fails(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)

    with pytest.raises(UnroutableMessage, match="discogsography-discogs-labels"):
        await bus.publish(Topic(DISCOGS, "labels"), batch(1, 1))


async def test_an_acked_message_is_gone_for_good(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    await bus.publish(RELEASES, batch(1, 1))
    async with bus.consume(GRAPHINATOR, prefetch=1) as consumer:
        await (await next_delivery(consumer)).ack()

    await bus.publish(RELEASES, batch(2, 1))
    async with bus.consume(GRAPHINATOR, prefetch=1) as consumer:
        after = await next_delivery(consumer)
        await after.ack()

    assert after.message == batch(2, 1)
    assert not after.redelivered


async def test_a_requeued_message_is_delivered_again_flagged_redelivered(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    await bus.publish(RELEASES, batch(1, 2))
    await bus.publish(RELEASES, batch(3, 2))

    async with bus.consume(GRAPHINATOR, prefetch=1) as consumer:
        first = await next_delivery(consumer)
        await first.requeue()
        again = await next_delivery(consumer)
        await again.ack()
        then = await next_delivery(consumer)
        await then.ack()

    assert (first.message, first.redelivered) == (batch(1, 2), False)
    assert (again.message, again.redelivered) == (batch(1, 2), True)
    assert (then.message, then.redelivered) == (batch(3, 2), False)


async def test_a_rejected_message_lands_in_the_dead_letter_queue_with_its_reason(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    await bus.publish(RELEASES, batch(1, 3))
    await bus.publish(RELEASES, batch(4, 1))

    async with bus.consume(GRAPHINATOR, prefetch=1) as consumer:
        await (await next_delivery(consumer)).reject("neo4j refused: ConstraintValidationFailed")
        following = await next_delivery(consumer)
        await following.ack()

    letters = await bus.take_dead_letters(GRAPHINATOR, limit=10)
    assert [(letter.reason, letter.message) for letter in letters] == [
        ("neo4j refused: ConstraintValidationFailed", batch(1, 3))
    ]
    assert following.message == batch(4, 1)
    assert await bus.take_dead_letters(GRAPHINATOR, limit=10) == []


async def test_one_bad_record_is_dead_lettered_alone_and_the_batch_acked(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    await bus.publish(RELEASES, batch(1, 3))

    async with bus.consume(GRAPHINATOR, prefetch=1) as consumer:
        delivery = await next_delivery(consumer)
        await delivery.dead_letter_record(release(2), "year 3021 out of range")
        await delivery.ack()

    letters = await bus.take_dead_letters(GRAPHINATOR, limit=10)
    assert [(letter.reason, letter.message) for letter in letters] == [
        ("year 3021 out of range", RecordBatch(records=(release(2),)))
    ]
    assert await stats_once_equal(bus, GRAPHINATOR, idle(GRAPHINATOR)) == idle(GRAPHINATOR)


async def test_a_message_requeued_past_the_delivery_limit_is_dead_lettered(bus: Bus) -> None:
    twice = Subscription(RELEASES, "graphinator", delivery_limit=2)
    await bus.subscribe(twice)
    await bus.publish(RELEASES, batch(1, 1))
    await bus.publish(RELEASES, batch(2, 1))

    async with bus.consume(twice, prefetch=1) as consumer:
        deliveries = []
        for _ in range(3):
            delivery = await next_delivery(consumer)
            deliveries.append(delivery)
            await delivery.requeue()
        following = await next_delivery(consumer)
        await following.ack()

    assert [(delivery.message, delivery.redelivered) for delivery in deliveries] == [
        (batch(1, 1), False),
        (batch(1, 1), True),
        (batch(1, 1), True),
    ]
    assert following.message == batch(2, 1)

    async def dead_letters() -> list[tuple[str, Message | None]]:
        return [(letter.reason, letter.message) for letter in await bus.take_dead_letters(twice, limit=10)]

    # The broker dead-letters asynchronously: poll until the letter is there.
    expected: list[tuple[str, Message | None]] = [("delivery_limit", batch(1, 1))]
    assert await eventually(dead_letters, expected) == expected


async def test_prefetch_bounds_the_deliveries_a_consumer_holds_unsettled(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    async with bus.consume(GRAPHINATOR, prefetch=2) as holding:
        for number in range(5):
            await bus.publish(RELEASES, batch(number, 1))
        held = [await next_delivery(holding), await next_delivery(holding)]

        # The first consumer holds two and may take no more: the other three go to a second one.
        async with bus.consume(GRAPHINATOR, prefetch=10) as other:
            rest = [await next_delivery(other) for _ in range(3)]
            for delivery in rest:
                await delivery.ack()
        for delivery in held:
            await delivery.ack()

    assert [delivery.message for delivery in held + rest] == [batch(number, 1) for number in range(5)]


async def test_file_complete_and_extraction_complete_arrive_with_their_fields(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    started = datetime(2026, 3, 1, 6, 0, 0, 123456, tzinfo=UTC)
    file_complete = FileComplete(
        data_type="releases",
        timestamp=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        total_processed=19_000_000,
        file="discogs_20260301_releases.xml.gz",
    )
    extraction_complete = ExtractionComplete(
        version="20260301",
        timestamp=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        started_at=started,
        record_counts={"artists": 10, "labels": 2, "masters": 3, "releases": 19_000_000},
    )
    await bus.publish(RELEASES, file_complete)
    await bus.publish(RELEASES, extraction_complete)

    async with bus.consume(GRAPHINATOR, prefetch=2) as consumer:
        deliveries = [await next_delivery(consumer), await next_delivery(consumer)]
        for delivery in deliveries:
            await delivery.ack()

    assert [delivery.message for delivery in deliveries] == [file_complete, extraction_complete]
    received = deliveries[1].message
    assert isinstance(received, ExtractionComplete)
    assert received.started_at == started


async def test_deliveries_of_a_consumer_that_dies_unsettled_are_redelivered(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    messages = [batch(number, 2) for number in (1, 3, 5)]
    for message in messages:
        await bus.publish(RELEASES, message)
    taken: list[Delivery] = []
    all_taken = asyncio.Event()

    async def consume_and_hang() -> None:
        async with bus.consume(GRAPHINATOR, prefetch=10) as consumer:
            async for delivery in consumer:
                taken.append(delivery)
                if len(taken) == len(messages):
                    all_taken.set()

    worker = asyncio.create_task(consume_and_hang())
    await asyncio.wait_for(all_taken.wait(), WAIT)
    worker.cancel()
    with suppress(asyncio.CancelledError):
        await worker

    async with bus.consume(GRAPHINATOR, prefetch=10) as consumer:
        redelivered = [await next_delivery(consumer) for _ in messages]
        for delivery in redelivered:
            await delivery.ack()

    assert sorted(first_record_id(delivery) for delivery in redelivered) == ["1", "3", "5"]
    assert all(delivery.redelivered for delivery in redelivered)


async def test_a_delivery_settled_after_its_consumer_closed_is_lost_and_redelivered(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    await bus.publish(RELEASES, batch(1, 1))
    async with bus.consume(GRAPHINATOR, prefetch=1) as consumer:
        stale = await next_delivery(consumer)

    with pytest.raises(DeliveryLost):
        await stale.ack()
    with pytest.raises(DeliveryLost):
        await stale.reject("too late")

    async with bus.consume(GRAPHINATOR, prefetch=1) as consumer:
        again = await next_delivery(consumer)
        await again.ack()
    assert (again.message, again.redelivered) == (batch(1, 1), True)
    assert await bus.take_dead_letters(GRAPHINATOR, limit=10) == []


async def test_a_delivery_is_settled_once(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    await bus.publish(RELEASES, batch(1, 1))
    async with bus.consume(GRAPHINATOR, prefetch=1) as consumer:
        delivery = await next_delivery(consumer)
        await delivery.ack()

        with pytest.raises(DeliveryAlreadySettled):
            await delivery.ack()
        with pytest.raises(DeliveryAlreadySettled):
            await delivery.reject("twice")

    assert await bus.take_dead_letters(GRAPHINATOR, limit=10) == []


async def test_a_stopped_consumer_ends_its_iteration_but_settles_what_it_took(bus: Bus) -> None:
    await bus.subscribe(GRAPHINATOR)
    for number in range(3):
        await bus.publish(RELEASES, batch(number, 1))

    async with bus.consume(GRAPHINATOR, prefetch=10) as consumer:
        in_flight = await next_delivery(consumer)
        await consumer.stop()
        after_stop = [delivery async for delivery in consumer]
        await in_flight.ack()

    async with bus.consume(GRAPHINATOR, prefetch=10) as consumer:
        remaining = [await next_delivery(consumer) for _ in range(2)]
        for delivery in remaining:
            await delivery.ack()

    assert after_stop == []
    assert in_flight.message == batch(0, 1)
    assert [delivery.message for delivery in remaining] == [batch(1, 1), batch(2, 1)]


async def test_stats_count_ready_unsettled_and_consumers(bus: Bus) -> None:
    assert await bus.stats(GRAPHINATOR) is None
    await bus.subscribe(GRAPHINATOR)
    for number in range(4):
        await bus.publish(RELEASES, batch(number, 1))

    async with bus.consume(GRAPHINATOR, prefetch=2) as consumer:
        rejected = await next_delivery(consumer)
        await rejected.reject("bad")
        # Two held unsettled (the prefetch), one ready, one dead-lettered.
        expected = SubscriptionStats(
            queue=depth(GRAPHINATOR.queue_name, ready=1, unacked=2, consumers=1),
            dead_letters=depth(GRAPHINATOR.dead_letter_queue_name, ready=1),
        )
        assert await stats_once_equal(bus, GRAPHINATOR, expected) == expected


def idle(subscription: Subscription) -> SubscriptionStats:
    """An empty queue nobody consumes, whose dead letters were all taken."""
    return SubscriptionStats(
        queue=depth(subscription.queue_name), dead_letters=depth(subscription.dead_letter_queue_name)
    )


# In process only: the memory bus bounds what waits in a queue, where RabbitMQ pages to disk.


async def test_memory_bus_publisher_waits_for_room_in_a_full_queue() -> None:
    bus = MemoryBus(max_ready=2)
    await bus.subscribe(GRAPHINATOR)
    await bus.publish(RELEASES, batch(1, 1))
    await bus.publish(RELEASES, batch(2, 1))
    third = asyncio.create_task(bus.publish(RELEASES, batch(3, 1)))
    await asyncio.sleep(0)
    assert not third.done()

    async with bus.consume(GRAPHINATOR, prefetch=1) as consumer:
        received = [await next_delivery(consumer)]
        await asyncio.wait_for(third, WAIT)
        for _ in range(2):
            await received[-1].ack()
            received.append(await next_delivery(consumer))
        await received[-1].ack()

    assert [delivery.message for delivery in received] == [batch(1, 1), batch(2, 1), batch(3, 1)]


async def test_memory_bus_publish_into_a_queue_that_stays_full_times_out() -> None:
    bus = MemoryBus(max_ready=1, confirm_timeout=0.05)
    await bus.subscribe(GRAPHINATOR)
    await bus.publish(RELEASES, batch(1, 1))

    with pytest.raises(PublishTimeout, match="stayed full"):
        await bus.publish(RELEASES, batch(2, 1))
