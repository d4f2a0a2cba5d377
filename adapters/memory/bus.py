"""The bus inside one process, for the embedded deployment: RabbitMQ's semantics without a broker.

It mirrors the topology of the RabbitMQ adapter (fanout exchanges, one queue per consumer group,
a dead-letter exchange and queue per group) and the behaviour of a quorum queue: requeued and
returned messages go back to the head of the queue, flagged redelivered, and are dead-lettered
with reason `delivery_limit` once returned more than the group's delivery limit.

Messages are stored encoded, as on the wire, so that a consumer never shares objects with the
producer and a value JSON cannot carry fails here as it would on RabbitMQ. A queue holds at most
`max_ready` messages waiting for a consumer: a publisher waits for room (up to the confirm
timeout), which keeps memory bounded when the extractor outruns the builders.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from adapters.codec import decode_message, encode_message, read_dead_letter
from domain.messages import (
    DeadLetter,
    DeliveryAlreadySettled,
    DeliveryLost,
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

DELIVERY_LIMIT_REASON = "delivery_limit"


@dataclass(slots=True)
class _StoredMessage:
    body: bytes
    dead_letter_reason: str | None = None
    returns: int = 0  # times handed back unsettled, RabbitMQ's x-delivery-count


class _Queue:
    """Messages waiting in one queue; returned ones are delivered before the rest, as in a quorum queue."""

    def __init__(self, name: str, dead_letter_exchange: str | None, delivery_limit: int | None) -> None:
        self.name = name
        self.dead_letter_exchange = dead_letter_exchange
        self.delivery_limit = delivery_limit
        self.returned: deque[_StoredMessage] = deque()
        self.waiting: deque[_StoredMessage] = deque()
        self.active_consumers: list[MemoryConsumer] = []  # taking deliveries, in round-robin order
        self.open_consumers: list[MemoryConsumer] = []  # not yet closed, stopped ones included
        self.next_consumer = 0

    @property
    def ready(self) -> int:
        return len(self.returned) + len(self.waiting)

    def take(self) -> _StoredMessage:
        return self.returned.popleft() if self.returned else self.waiting.popleft()

    def consumer_with_room(self) -> MemoryConsumer | None:
        for offset in range(len(self.active_consumers)):
            index = (self.next_consumer + offset) % len(self.active_consumers)
            consumer = self.active_consumers[index]
            if consumer.has_room:
                self.next_consumer = index + 1
                return consumer
        return None


class MemoryBus:
    """The in-process Bus; one instance is shared by the extractor and the builders of a process."""

    def __init__(self, *, max_ready: int = 64, confirm_timeout: float = 30.0) -> None:
        self._max_ready = max_ready
        self._confirm_timeout = confirm_timeout
        self._bindings: dict[str, list[_Queue]] = {}  # exchange name -> bound queues
        self._queues: dict[str, _Queue] = {}
        self._room = asyncio.Event()  # set whenever a message leaves a queue

    async def publish(self, topic: Topic, message: Message) -> None:
        """Store the message in every queue bound to the topic, waiting while one of them is full."""
        body = encode_message(message)
        queues = self._bindings.get(topic.name, [])
        if not queues:
            raise UnroutableMessage(f"no queue is bound to exchange {topic.name}: the message was not sent")
        try:
            async with asyncio.timeout(self._confirm_timeout):
                while any(queue.ready >= self._max_ready for queue in queues):
                    self._room.clear()
                    await self._room.wait()
        except TimeoutError as error:
            raise PublishTimeout(
                f"exchange {topic.name}: a bound queue stayed full ({self._max_ready} messages) for "
                f"{self._confirm_timeout} s"
            ) from error
        for queue in queues:
            queue.waiting.append(_StoredMessage(body))
            self._dispatch(queue)

    async def subscribe(self, subscription: Subscription) -> None:
        if subscription.queue_name in self._queues:
            return
        dead_letters = self._queues.setdefault(
            subscription.dead_letter_queue_name, _Queue(subscription.dead_letter_queue_name, None, None)
        )
        self._bind(subscription.dead_letter_exchange_name, dead_letters)
        queue = _Queue(
            subscription.queue_name, subscription.dead_letter_exchange_name, subscription.delivery_limit
        )
        self._queues[queue.name] = queue
        self._bind(subscription.topic.name, queue)

    @asynccontextmanager
    async def consume(self, subscription: Subscription, prefetch: int) -> AsyncIterator[MemoryConsumer]:
        """Deliveries of the group's queue; leaving the context returns the unsettled ones to the queue."""
        if prefetch < 1:
            raise ValueError(f"prefetch is at least 1, not {prefetch}")
        await self.subscribe(subscription)
        queue = self._queues[subscription.queue_name]
        consumer = MemoryConsumer(self, queue, prefetch)
        queue.active_consumers.append(consumer)
        queue.open_consumers.append(consumer)
        self._dispatch(queue)
        try:
            yield consumer
        finally:
            self._close_consumer(consumer)

    async def take_dead_letters(self, subscription: Subscription, limit: int) -> list[DeadLetter]:
        queue = self._queues.get(subscription.dead_letter_queue_name)
        letters: list[DeadLetter] = []
        while queue is not None and queue.ready and len(letters) < limit:
            stored = queue.take()
            letters.append(read_dead_letter(stored.body, stored.dead_letter_reason or "unknown"))
        return letters

    async def stats(self, subscription: Subscription) -> SubscriptionStats | None:
        queue = self._queues.get(subscription.queue_name)
        dead_letters = self._queues.get(subscription.dead_letter_queue_name)
        if queue is None or dead_letters is None:
            return None
        return SubscriptionStats(queue=_stats(queue), dead_letters=_stats(dead_letters))

    @property
    def available(self) -> bool:
        """No broker to lose: always."""
        return True

    async def close(self) -> None:
        """End every consumer's iteration, so that the tasks reading them finish."""
        for queue in self._queues.values():
            for consumer in list(queue.open_consumers):
                consumer.end_iteration()

    def _bind(self, exchange: str, queue: _Queue) -> None:
        bound = self._bindings.setdefault(exchange, [])
        if queue not in bound:
            bound.append(queue)

    def _dispatch(self, queue: _Queue) -> None:
        """Hand waiting messages to consumers with room, in turn, as a broker pushes them."""
        while queue.ready:
            consumer = queue.consumer_with_room()
            if consumer is None:
                return
            consumer.hand_over(queue.take())
            self._room.set()

    def _return(self, queue: _Queue, stored: _StoredMessage) -> None:
        """Back to the head of the queue, or to the dead letters once past the delivery limit."""
        stored.returns += 1
        if queue.delivery_limit is not None and stored.returns > queue.delivery_limit:
            self._dead_letter(queue, stored.body, DELIVERY_LIMIT_REASON)
        else:
            queue.returned.append(stored)
        self._dispatch(queue)

    def _dead_letter(self, queue: _Queue, body: bytes, reason: str) -> None:
        # Like RabbitMQ, a queue without a dead-letter exchange drops what it dead-letters.
        if queue.dead_letter_exchange is None:
            return
        for dead_letters in self._bindings.get(queue.dead_letter_exchange, []):
            dead_letters.waiting.append(_StoredMessage(body, dead_letter_reason=reason))

    def _settle(self, delivery: MemoryDelivery) -> None:
        """Mark the delivery settled; the caller dispatches once the message is where it belongs."""
        consumer = delivery.consumer
        if delivery.settled:
            raise DeliveryAlreadySettled(f"queue {consumer.queue.name}: this delivery was already settled")
        if consumer.closed:
            raise DeliveryLost(f"queue {consumer.queue.name}: the consumer is closed; it will be redelivered")
        delivery.settled = True
        del consumer.unsettled[delivery]

    def _close_consumer(self, consumer: MemoryConsumer) -> None:
        """The consumer is gone: what it had not settled goes back to the queue, as on a closed channel."""
        queue = consumer.queue
        consumer.end_iteration()
        consumer.closed = True
        queue.open_consumers.remove(consumer)
        if consumer in queue.active_consumers:
            queue.active_consumers.remove(consumer)
        unsettled = list(consumer.unsettled)
        consumer.unsettled.clear()
        for delivery in unsettled:
            self._return(queue, delivery.stored)


class MemoryDelivery:
    """One message handed to a consumer of the in-process bus."""

    __slots__ = ("_bus", "consumer", "message", "redelivered", "settled", "stored")

    def __init__(self, bus: MemoryBus, consumer: MemoryConsumer, stored: _StoredMessage) -> None:
        self._bus = bus
        self.consumer = consumer
        self.stored = stored
        self.message: Message = decode_message(stored.body)
        self.redelivered = stored.returns > 0
        self.settled = False

    async def ack(self) -> None:
        self._bus._settle(self)
        self._bus._dispatch(self.consumer.queue)

    async def requeue(self) -> None:
        self._bus._settle(self)
        self._bus._return(self.consumer.queue, self.stored)

    async def reject(self, reason: str) -> None:
        self._bus._settle(self)
        self._bus._dead_letter(self.consumer.queue, self.stored.body, reason)
        self._bus._dispatch(self.consumer.queue)

    async def dead_letter_record(self, record: HashedRecord, reason: str) -> None:
        body = encode_message(RecordBatch(records=(record,)))
        self._bus._dead_letter(self.consumer.queue, body, reason)


class MemoryConsumer:
    """Deliveries of one queue to one reader of the in-process bus."""

    def __init__(self, bus: MemoryBus, queue: _Queue, prefetch: int) -> None:
        self._bus = bus
        self.queue = queue
        self._prefetch = prefetch
        self._inbox: asyncio.Queue[MemoryDelivery | None] = asyncio.Queue()
        self.unsettled: dict[MemoryDelivery, None] = {}  # in delivery order
        self._ended = False
        self.closed = False

    @property
    def has_room(self) -> bool:
        return not self._ended and len(self.unsettled) < self._prefetch

    def hand_over(self, stored: _StoredMessage) -> None:
        delivery = MemoryDelivery(self._bus, self, stored)
        self.unsettled[delivery] = None
        self._inbox.put_nowait(delivery)

    def end_iteration(self) -> None:
        """Take no more deliveries; a reader waiting for one is woken and sees the end."""
        if self._ended:
            return
        self._ended = True
        if self in self.queue.active_consumers:
            self.queue.active_consumers.remove(self)
        self._inbox.put_nowait(None)

    def __aiter__(self) -> MemoryConsumer:
        return self

    async def __anext__(self) -> MemoryDelivery:
        if self._ended:
            raise StopAsyncIteration
        delivery = await self._inbox.get()
        if delivery is None or self._ended:
            raise StopAsyncIteration
        return delivery

    async def stop(self) -> None:
        self.end_iteration()


def _stats(queue: _Queue) -> QueueStats:
    return QueueStats(
        name=queue.name,
        ready=queue.ready,
        unacked=sum(len(consumer.unsettled) for consumer in queue.open_consumers),
        consumers=len(queue.active_consumers),
    )
