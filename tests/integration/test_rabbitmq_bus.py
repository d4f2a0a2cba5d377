"""The RabbitMQ bus when the network or the broker misbehaves, on a virtual host of this module's own.

The shared broker is never restarted: a stalled network is played by a TCP relay on 127.0.0.1 that
stops forwarding, and a broker restart by the broker closing our connections (management API).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import aio_pika
import pytest

from adapters.rabbitmq.bus import RabbitMQBus
from domain.messages import (
    BusUnavailable,
    DeliveryLost,
    HashedRecord,
    PublishRejected,
    PublishTimeout,
    RecordBatch,
    Subscription,
    Topic,
)
from tests import servers

pytestmark = pytest.mark.services

WAIT = 15.0
RELEASES = Topic("discogsography-discogs", "releases")
GRAPHINATOR = Subscription(RELEASES, "graphinator")


def batch(number: int) -> RecordBatch:
    return RecordBatch(
        records=(HashedRecord(fields={"id": str(number), "title": f"Release {number}"}, sha256=""),)
    )


class StallingRelay:
    """A TCP relay to RabbitMQ that can stop forwarding bytes, as a stalled network does."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self._pumps: set[asyncio.Task[None]] = set()

    async def start(self, port: int = 0) -> int:
        """Listen on `port` (0: any free one); the port."""
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", port)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def stall(self) -> None:
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for pump in self._pumps:
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._upstream)
        for reader, writer in ((client_reader, upstream_writer), (upstream_reader, client_writer)):
            pump = asyncio.create_task(self._pump(reader, writer))
            self._pumps.add(pump)
            pump.add_done_callback(self._pumps.discard)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                await self._flowing.wait()
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()


@pytest.fixture(scope="module")
def vhost(server_env: dict[str, str]) -> Iterator[str]:
    with servers.own_vhost(server_env) as name:
        yield name


@pytest.fixture
async def broker_url(server_env: dict[str, str], vhost: str) -> str:
    """The AMQP URL of the module's virtual host, emptied of queues and exchanges."""
    await servers.empty_vhost(server_env, vhost)
    return servers.rabbitmq_url(server_env, vhost)


@pytest.fixture
async def relay(server_env: dict[str, str]) -> AsyncIterator[StallingRelay]:
    stalling = StallingRelay(server_env["RABBITMQ_HOST"], int(server_env["RABBITMQ_PORT"]))
    try:
        yield stalling
    finally:
        stalling.resume()
        await stalling.close()


async def test_a_publish_the_broker_does_not_confirm_in_time_raises_publish_timeout(
    server_env: dict[str, str], broker_url: str, relay: StallingRelay
) -> None:
    port = await relay.start()
    relayed_url = broker_url.replace(f":{server_env['RABBITMQ_PORT']}/", f":{port}/")
    bus = RabbitMQBus(relayed_url, servers.rabbitmq_management_url(server_env), confirm_timeout=1.0)
    try:
        await bus.subscribe(GRAPHINATOR)
        relay.stall()
        with pytest.raises(PublishTimeout, match=r"no publisher confirm within 1\.0 s"):
            await bus.publish(RELEASES, batch(1))

        # The unconfirmed message was only delayed: a retry after the network recovers duplicates it.
        relay.resume()
        await bus.publish(RELEASES, batch(1))
        async with bus.consume(GRAPHINATOR, prefetch=10) as consumer:
            received = [await asyncio.wait_for(anext(consumer), WAIT) for _ in range(2)]
            for delivery in received:
                await delivery.ack()
    finally:
        await bus.close()

    assert [delivery.message for delivery in received] == [batch(1), batch(1)]


async def test_after_the_broker_drops_the_connection_the_bus_reconnects_and_redelivers(
    server_env: dict[str, str], broker_url: str, vhost: str
) -> None:
    bus = RabbitMQBus(
        broker_url, servers.rabbitmq_management_url(server_env), confirm_timeout=WAIT, reconnect_interval=0.2
    )
    try:
        await bus.subscribe(GRAPHINATOR)
        await bus.publish(RELEASES, batch(1))
        async with bus.consume(GRAPHINATOR, prefetch=10) as consumer:
            stale = await asyncio.wait_for(anext(consumer), WAIT)
            await close_connections_once_listed(server_env, vhost)

            again = await asyncio.wait_for(anext(consumer), WAIT)
            with pytest.raises(DeliveryLost):
                await stale.ack()
            await again.ack()
            await bus.publish(RELEASES, batch(2))
            after = await asyncio.wait_for(anext(consumer), WAIT)
            await after.ack()
    finally:
        await bus.close()

    assert (again.message, again.redelivered) == (batch(1), True)
    assert (after.message, after.redelivered) == (batch(2), False)


async def test_the_bus_is_unavailable_while_the_broker_cannot_be_reached_and_consumes_again_after(
    server_env: dict[str, str], broker_url: str, relay: StallingRelay
) -> None:
    port = await relay.start()
    relayed_url = broker_url.replace(f":{server_env['RABBITMQ_PORT']}/", f":{port}/")
    bus = RabbitMQBus(
        relayed_url, servers.rabbitmq_management_url(server_env), confirm_timeout=WAIT, reconnect_interval=0.5
    )
    try:
        await bus.subscribe(GRAPHINATOR)
        async with bus.consume(GRAPHINATOR, prefetch=10) as consumer:
            await relay.close()  # connections cut, new ones refused: the broker is gone
            during = await eventually_available(bus, False)
            await relay.start(port)
            after = await eventually_available(bus, True)
            await bus.publish(RELEASES, batch(1))
            delivery = await asyncio.wait_for(anext(consumer), WAIT)
            await delivery.ack()
    finally:
        await bus.close()

    assert (during, after) == (False, True)
    assert delivery.message == batch(1), "the restored consumer receives what is published after"


async def eventually_available(bus: RabbitMQBus, expected: bool) -> bool:
    """`bus.available` once it equals `expected`, or as it is after WAIT seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while loop.time() < deadline:
        if bus.available == expected:
            break
        await asyncio.sleep(0.05)
    return bus.available


async def test_a_body_that_is_not_a_message_goes_to_the_dead_letters_unseen_by_the_consumer(
    server_env: dict[str, str], broker_url: str
) -> None:
    bus = RabbitMQBus(broker_url, servers.rabbitmq_management_url(server_env), confirm_timeout=WAIT)
    try:
        await bus.subscribe(GRAPHINATOR)
        await publish_raw(broker_url, RELEASES.name, b"<release id='1'/>")
        await bus.publish(RELEASES, batch(2))
        async with bus.consume(GRAPHINATOR, prefetch=10) as consumer:
            first_seen = await asyncio.wait_for(anext(consumer), WAIT)
            await first_seen.ack()
        letters = await bus.take_dead_letters(GRAPHINATOR, limit=10)
    finally:
        await bus.close()

    assert first_seen.message == batch(2)
    assert [(letter.message, letter.body) for letter in letters] == [(None, b"<release id='1'/>")]
    assert letters[0].reason.startswith("malformed message: not JSON")


async def test_a_message_the_broker_refuses_raises_publish_rejected(
    server_env: dict[str, str], broker_url: str
) -> None:
    bus = RabbitMQBus(broker_url, servers.rabbitmq_management_url(server_env), confirm_timeout=WAIT)
    try:
        await bus.subscribe(GRAPHINATOR)
        # A second group's queue that refuses every message: a fanout publish is then nacked as a whole.
        connection = await aio_pika.connect(broker_url)
        async with connection:
            channel = await connection.channel()
            full = await channel.declare_queue(
                "refusing", durable=True, arguments={"x-max-length": 0, "x-overflow": "reject-publish"}
            )
            await full.bind(RELEASES.name)
            with pytest.raises(PublishRejected, match="discogsography-discogs-releases"):
                await bus.publish(RELEASES, batch(1))
    finally:
        await bus.close()


async def test_an_unreachable_broker_raises_bus_unavailable(server_env: dict[str, str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    url = f"amqp://guest:guest@127.0.0.1:{closed_port}/"
    bus = RabbitMQBus(url, servers.rabbitmq_management_url(server_env), confirm_timeout=WAIT)
    try:
        with pytest.raises(BusUnavailable, match=f"127.0.0.1:{closed_port}"):
            await bus.publish(RELEASES, batch(1))
    finally:
        await bus.close()


async def close_connections_once_listed(env: dict[str, str], vhost: str) -> None:
    """The management API lists a new connection within a few seconds; close ours once it does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while await servers.close_vhost_connections(env, vhost) == 0:
        assert loop.time() < deadline, f"no connection to vhost {vhost} listed within {WAIT} s"
        await asyncio.sleep(0.25)


async def publish_raw(url: str, exchange_name: str, body: bytes) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(exchange_name)
        await exchange.publish(aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), "")
