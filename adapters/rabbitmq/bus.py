"""The Bus on RabbitMQ through aio-pika, with the reference's topology (SPEC-services §7).

Exchanges `{prefix}-{type}` are durable fanouts. Each consumer group has a durable quorum queue
`{prefix}-{consumer}-{type}` with `x-dead-letter-exchange={queue}.dlx` and `x-delivery-limit`,
a fanout `{queue}.dlx` and a classic durable `{queue}.dlq` bound to it.

Messages are persistent JSON; every publish waits for the broker's confirm and is `mandatory`, so
an exchange without a bound queue is an error, not a silent loss. A message is dead-lettered by
publishing it (confirmed) to `{queue}.dlx` with the reason in the `x-dead-letter-reason` header and
then acking it: a plain reject would lose the reason. The broker itself dead-letters a message
requeued more than the delivery limit, with `x-first-death-reason: delivery_limit`.

The connection is robust: aio-pika reconnects and restores the channels, exchanges, queues,
bindings and consumers it still holds. It holds them by weak reference only, so this class keeps
every declared object. A delivery taken before a reconnect can no longer be settled
(DeliveryLost); the broker redelivers it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, suppress
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import aio_pika
import httpx
from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
    AbstractRobustExchange,
    AbstractRobustQueue,
    HeadersType,
)
from aio_pika.exceptions import (
    AMQPError,
    ChannelInvalidStateError,
    DeliveryError,
    MessageProcessError,
    PublishError,
)

from adapters.codec import CONTENT_TYPE, decode_message, encode_message, read_dead_letter
from domain.messages import (
    BusUnavailable,
    DeadLetter,
    DeliveryAlreadySettled,
    DeliveryLost,
    HashedRecord,
    Message,
    MessageFormatError,
    PublishRejected,
    PublishTimeout,
    QueueStats,
    RecordBatch,
    Subscription,
    SubscriptionStats,
    Topic,
    UnroutableMessage,
)

DEAD_LETTER_REASON_HEADER = "x-dead-letter-reason"
BROKER_DEAD_LETTER_REASON_HEADER = "x-first-death-reason"
CLOSE_TIMEOUT = 5.0


class RabbitMQBus:
    """The Bus on one RabbitMQ virtual host (the path of `url`); connects on first use."""

    def __init__(
        self,
        url: str,
        management_url: str,
        *,
        confirm_timeout: float = 30.0,
        reconnect_interval: float = 5.0,
        connection_name: str = "discogsography",
    ) -> None:
        """`url`: amqp://user:password@host:port/vhost; `management_url`: http://host:15672 (same user)."""
        parts = urlsplit(url)
        self._url = url
        self._vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
        self._address = f"{parts.hostname}:{parts.port or 5672} vhost {self._vhost}"
        self._management_url = management_url.rstrip("/")
        self._management_auth = (unquote(parts.username or "guest"), unquote(parts.password or "guest"))
        self._confirm_timeout = confirm_timeout
        self._reconnect_interval = reconnect_interval
        self._connection_name = connection_name
        self._connect_lock = asyncio.Lock()
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractRobustChannel | None = None  # declarations, publishing, dead letters
        self._http: httpx.AsyncClient | None = None
        # Strong references: aio-pika restores after a reconnect only what is still referenced.
        self._exchanges: dict[str, AbstractRobustExchange] = {}
        self._queues: dict[str, AbstractRobustQueue] = {}
        self._consumers: set[RabbitMQConsumer] = set()

    async def publish(self, topic: Topic, message: Message) -> None:
        await self._publish(topic.name, encode_message(message), headers=None)

    async def subscribe(self, subscription: Subscription) -> None:
        if subscription.queue_name in self._queues:
            return
        async with self._broker_call(f"declare queue {subscription.queue_name}"):
            channel = await self._open_channel()
            exchange = await self._exchange(subscription.topic.name)
            dead_letter_exchange = await self._exchange(subscription.dead_letter_exchange_name)
            dead_letter_queue = await channel.declare_queue(subscription.dead_letter_queue_name, durable=True)
            await dead_letter_queue.bind(dead_letter_exchange)
            queue = await channel.declare_queue(
                subscription.queue_name, durable=True, arguments=_queue_arguments(subscription)
            )
            await queue.bind(exchange)
        self._queues[dead_letter_queue.name] = dead_letter_queue
        self._queues[queue.name] = queue

    @asynccontextmanager
    async def consume(self, subscription: Subscription, prefetch: int) -> AsyncIterator[RabbitMQConsumer]:
        """Deliveries on a channel of their own; leaving the context closes it, returning the unsettled."""
        if prefetch < 1:
            raise ValueError(f"prefetch is at least 1, not {prefetch}")
        await self.subscribe(subscription)
        async with self._broker_call(f"consume queue {subscription.queue_name}"):
            connection = await self._connect()
            channel = await connection.channel()
        try:
            async with self._broker_call(f"consume queue {subscription.queue_name}"):
                await channel.set_qos(prefetch_count=prefetch)
                queue = await channel.declare_queue(
                    subscription.queue_name, durable=True, arguments=_queue_arguments(subscription)
                )
                consumer = RabbitMQConsumer(self, subscription, queue)
                await consumer.start()
            self._consumers.add(consumer)
            try:
                yield consumer
            finally:
                self._consumers.discard(consumer)
                await consumer.stop()
        finally:
            with suppress(AMQPError, ChannelInvalidStateError, OSError, TimeoutError):
                async with asyncio.timeout(CLOSE_TIMEOUT):
                    await channel.close()

    async def take_dead_letters(self, subscription: Subscription, limit: int) -> list[DeadLetter]:
        await self.subscribe(subscription)
        dead_letter_queue = self._queues[subscription.dead_letter_queue_name]
        letters: list[DeadLetter] = []
        async with self._broker_call(f"read queue {dead_letter_queue.name}"):
            while len(letters) < limit:
                incoming = await dead_letter_queue.get(no_ack=True, fail=False)
                if incoming is None:
                    break
                letters.append(read_dead_letter(incoming.body, _dead_letter_reason(incoming.headers)))
        return letters

    async def stats(self, subscription: Subscription) -> SubscriptionStats | None:
        queue = await self._queue_stats(subscription.queue_name)
        dead_letters = await self._queue_stats(subscription.dead_letter_queue_name)
        if queue is None or dead_letters is None:
            return None
        return SubscriptionStats(queue=queue, dead_letters=dead_letters)

    @property
    def available(self) -> bool:
        """False from a lost connection until aio-pika has reconnected (it retries every
        `reconnect_interval`); True while connected and before the first connection."""
        return self._connection is None or self._connection.connected.is_set()

    async def close(self) -> None:
        for consumer in list(self._consumers):
            await consumer.stop()
        if self._connection is not None:
            await self._connection.close()
        if self._http is not None:
            await self._http.aclose()

    async def dead_letter(self, subscription: Subscription, body: bytes, reason: str) -> None:
        """Store `body` in the group's dead-letter queue with its reason, confirmed."""
        await self._publish(
            subscription.dead_letter_exchange_name, body, headers={DEAD_LETTER_REASON_HEADER: reason}
        )

    async def _publish(self, exchange_name: str, body: bytes, headers: HeadersType | None) -> None:
        amqp_message = aio_pika.Message(
            body,
            content_type=CONTENT_TYPE,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers=headers,
        )
        try:
            async with asyncio.timeout(self._confirm_timeout):
                await self._open_channel()
                exchange = await self._exchange(exchange_name)
                await exchange.publish(amqp_message, routing_key="", mandatory=True)
        except PublishError as error:
            raise UnroutableMessage(
                f"no queue is bound to exchange {exchange_name} ({self._address}): the message was not sent"
            ) from error
        except DeliveryError as error:
            raise PublishRejected(
                f"exchange {exchange_name} ({self._address}): the broker refused the message"
            ) from error
        except TimeoutError as error:
            if self._connection is None or not self._connection.connected.is_set():
                raise BusUnavailable(
                    f"exchange {exchange_name}: RabbitMQ at {self._address} "
                    f"unreachable for {self._confirm_timeout} s"
                ) from error
            raise PublishTimeout(
                f"exchange {exchange_name} ({self._address}): "
                f"no publisher confirm within {self._confirm_timeout} s"
            ) from error
        except (AMQPError, ChannelInvalidStateError, OSError) as error:
            raise BusUnavailable(f"exchange {exchange_name} ({self._address}): {error!r}") from error

    async def _connect(self) -> AbstractRobustConnection:
        async with self._connect_lock:
            if self._connection is None:
                self._connection = await aio_pika.connect_robust(
                    self._url,
                    reconnect_interval=self._reconnect_interval,
                    client_properties={"connection_name": self._connection_name},
                )
            return self._connection

    async def _open_channel(self) -> AbstractRobustChannel:
        """The declaring and publishing channel, once usable (after a reconnect it reopens later)."""
        connection = await self._connect()
        async with self._connect_lock:
            if self._channel is None:
                self._channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        await self._channel.ready()
        return self._channel

    async def _exchange(self, name: str) -> AbstractRobustExchange:
        exchange = self._exchanges.get(name)
        if exchange is None:
            channel = await self._open_channel()
            exchange = await channel.declare_exchange(name, aio_pika.ExchangeType.FANOUT, durable=True)
            self._exchanges[name] = exchange
        return exchange

    @asynccontextmanager
    async def _broker_call(self, what: str) -> AsyncIterator[None]:
        """Bounds a call to the broker and turns its failures into BusError naming what was tried."""
        try:
            async with asyncio.timeout(self._confirm_timeout):
                yield
        except TimeoutError as error:
            raise BusUnavailable(
                f"{what}: no answer from RabbitMQ at {self._address} within {self._confirm_timeout} s"
            ) from error
        except (AMQPError, ChannelInvalidStateError, OSError) as error:
            raise BusUnavailable(f"{what} on RabbitMQ at {self._address}: {error!r}") from error

    async def _queue_stats(self, name: str) -> QueueStats | None:
        if self._http is None:
            self._http = httpx.AsyncClient(auth=self._management_auth, timeout=self._confirm_timeout)
        url = f"{self._management_url}/api/queues/{quote(self._vhost, safe='')}/{quote(name, safe='')}"
        try:
            response = await self._http.get(url)
            if response.status_code == httpx.codes.NOT_FOUND:
                return None
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise BusUnavailable(
                f"queue {name}: RabbitMQ management API at {self._management_url}: {error}"
            ) from error
        document: dict[str, Any] = response.json()
        return QueueStats(
            name=name,
            ready=int(document.get("messages_ready", 0)),
            unacked=int(document.get("messages_unacknowledged", 0)),
            consumers=int(document.get("consumers", 0)),
        )


class RabbitMQConsumer:
    """Deliveries of one queue, pushed by the broker into an inbox that the iteration drains."""

    def __init__(self, bus: RabbitMQBus, subscription: Subscription, queue: AbstractRobustQueue) -> None:
        self._bus = bus
        self._subscription = subscription
        self._queue = queue
        self._inbox: asyncio.Queue[AbstractIncomingMessage | None] = asyncio.Queue()
        self._consumer_tag: str | None = None
        self._stopped = False

    async def start(self) -> None:
        self._consumer_tag = await self._queue.consume(self._receive)

    async def _receive(self, incoming: AbstractIncomingMessage) -> None:
        self._inbox.put_nowait(incoming)

    def __aiter__(self) -> RabbitMQConsumer:
        return self

    async def __anext__(self) -> RabbitMQDelivery:
        while not self._stopped:
            incoming = await self._inbox.get()
            if incoming is None or self._stopped:
                break
            try:
                message = decode_message(incoming.body)
            except MessageFormatError as error:
                # A body no consumer can read would only be redelivered forever.
                await self._bus.dead_letter(self._subscription, incoming.body, f"malformed message: {error}")
                await _settle(incoming.ack(), self._subscription)
                continue
            return RabbitMQDelivery(self._bus, self._subscription, incoming, message)
        raise StopAsyncIteration

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._inbox.put_nowait(None)
        if self._consumer_tag is not None:
            with suppress(AMQPError, ChannelInvalidStateError, OSError, TimeoutError):
                async with asyncio.timeout(CLOSE_TIMEOUT):
                    await self._queue.cancel(self._consumer_tag)


class RabbitMQDelivery:
    """One message taken from a RabbitMQ queue, settled on the channel it came by."""

    __slots__ = ("_bus", "_incoming", "_subscription", "message")

    def __init__(
        self,
        bus: RabbitMQBus,
        subscription: Subscription,
        incoming: AbstractIncomingMessage,
        message: Message,
    ) -> None:
        self._bus = bus
        self._subscription = subscription
        self._incoming = incoming
        self.message = message

    @property
    def redelivered(self) -> bool:
        return bool(self._incoming.redelivered)

    async def ack(self) -> None:
        await _settle(self._incoming.ack(), self._subscription)

    async def requeue(self) -> None:
        await _settle(self._incoming.reject(requeue=True), self._subscription)

    async def reject(self, reason: str) -> None:
        self._check_settleable()
        await self._bus.dead_letter(self._subscription, self._incoming.body, reason)
        await self.ack()

    async def dead_letter_record(self, record: HashedRecord, reason: str) -> None:
        body = encode_message(RecordBatch(records=(record,)))
        await self._bus.dead_letter(self._subscription, body, reason)

    def _check_settleable(self) -> None:
        """Fail before dead-lettering a copy of a message that cannot be acked afterwards."""
        if self._incoming.processed:
            raise DeliveryAlreadySettled(f"queue {self._subscription.queue_name}: already settled")
        try:
            channel_open = not self._incoming.channel.is_closed
        except ChannelInvalidStateError:
            channel_open = False
        if not channel_open:
            raise DeliveryLost(
                f"queue {self._subscription.queue_name}: channel closed; the message will be redelivered"
            )


async def _settle(action: Awaitable[None], subscription: Subscription) -> None:
    try:
        await action
    except MessageProcessError as error:
        raise DeliveryAlreadySettled(f"queue {subscription.queue_name}: already settled") from error
    except (AMQPError, ChannelInvalidStateError, OSError) as error:
        raise DeliveryLost(
            f"queue {subscription.queue_name}: channel closed; the message will be redelivered"
        ) from error


def _queue_arguments(subscription: Subscription) -> dict[str, Any]:
    return {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": subscription.dead_letter_exchange_name,
        "x-delivery-limit": subscription.delivery_limit,
    }


def _dead_letter_reason(headers: HeadersType) -> str:
    """Ours when we dead-lettered it, the broker's (e.g. `delivery_limit`) when it did."""
    for name in (DEAD_LETTER_REASON_HEADER, BROKER_DEAD_LETTER_REASON_HEADER):
        value = headers.get(name)
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        if isinstance(value, str):
            return value
    return "unknown"
