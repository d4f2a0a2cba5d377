"""`discogsography worker graph|tables`: the builders as long-running consumers.

Each worker runs one BuildLoop per Discogs data type on its queues
(`discogsography-discogs-graphinator-<type>` or `...-tableinator-<type>`) and one per MusicBrainz
data type (`discogsography-musicbrainz-brainzgraphinator-<type>` or `...-brainztableinator-<type>`),
serves `/health` (8001 graph, 8002 tables) and `/metrics`, and on SIGTERM or SIGINT finishes the
batch in hand and leaves; what it had not acked goes back to the queue.

MusicBrainz runs inside the same worker rather than a command of its own: the embedded graph
(LadybugDB) can be opened read-write by one process only, and every loop has its own queue, so
a backlog of one source never holds up the other.
"""

from __future__ import annotations

import asyncio
import functools
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import structlog
from prometheus_client import Counter, Histogram

from applications.container import build_container
from applications.observability import health_app, serve_health
from applications.settings import Settings
from domain.build import (
    MAX_BACKOFF_SECONDS,
    BuildLoop,
    GraphSink,
    MusicBrainzGraphSink,
    MusicBrainzTableSink,
    Sink,
    SinkResult,
    TableSink,
)
from domain.dumps import DISCOGS_DUMP_TYPES
from domain.messages import BusUnavailable, ExtractionComplete, HashedRecord, Subscription, Topic
from domain.musicbrainz import MUSICBRAINZ_DUMP_TYPES
from domain.schema import SchemaError, StoreUnavailable
from domain.tables import PurgeDecision

WorkerKind = Literal["graph", "tables"]
CONSUMER_GROUP: dict[WorkerKind, str] = {"graph": "graphinator", "tables": "tableinator"}
MUSICBRAINZ_CONSUMER_GROUP: dict[WorkerKind, str] = {
    "graph": "brainzgraphinator",
    "tables": "brainztableinator",
}
HEALTH_PORT: dict[WorkerKind, int] = {"graph": 8001, "tables": 8002}

log = structlog.get_logger("worker")

RECORDS_WRITTEN = Counter(
    "discogsography_builder_records_written", "Records written", ["builder", "data_type"]
)
RECORDS_UNCHANGED = Counter(
    "discogsography_builder_records_unchanged", "Records skipped: stored hash equal", ["builder", "data_type"]
)
RECORDS_DEAD_LETTERED = Counter(
    "discogsography_builder_records_dead_lettered",
    "Records sent to the dead-letter queue",
    ["builder", "data_type"],
)
BATCH_SECONDS = Histogram(
    "discogsography_builder_batch_seconds", "Time to write one batch", ["builder", "data_type"]
)


@dataclass
class MeteredSink:
    """A sink that counts and times what the wrapped one does, for /metrics."""

    inner: Sink
    builder: str

    async def write(self, data_type: str, records: Sequence[HashedRecord]) -> SinkResult:
        began = time.perf_counter()
        result = await self.inner.write(data_type, records)
        BATCH_SECONDS.labels(self.builder, data_type).observe(time.perf_counter() - began)
        RECORDS_WRITTEN.labels(self.builder, data_type).inc(result.written)
        RECORDS_UNCHANGED.labels(self.builder, data_type).inc(result.unchanged)
        RECORDS_DEAD_LETTERED.labels(self.builder, data_type).inc(len(result.refused))
        return result

    async def extraction_complete(
        self, data_type: str, message: ExtractionComplete, dead_lettered: int
    ) -> None:
        await self.inner.extraction_complete(data_type, message, dead_lettered)


def _log_purge(decision: PurgeDecision) -> None:
    log.info("stale_purge", **{key: str(value) for key, value in asdict(decision).items()})


def _log_maintenance(removed: dict[str, int], aggregated: dict[str, int]) -> None:
    log.info("graph_maintenance_done", isolated_stubs_removed=removed, aggregates_computed=aggregated)


SCHEMA_ATTEMPTS = 5


async def when_available(
    what: str,
    attempt: Callable[[], Awaitable[object]],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Run `attempt` once the store or the broker answers: at start as during a run, one that is
    not up yet is retried with capped exponential backoff (1 s doubling to a minute), so the
    servers and the workers may be started in any order.

    A SchemaError is tried again too, but only SCHEMA_ATTEMPTS times: workers started together race
    to create the same schema (Neo4j refuses an index another session created a moment before,
    PostgreSQL a table or the database), and the next attempt finds it in place; a schema error that
    persists stops the worker."""
    delay = 1.0
    schema_errors = 0
    while True:
        try:
            await attempt()
            return
        except (StoreUnavailable, BusUnavailable) as error:
            log.warning("waiting_for_server", what=what, error=str(error), retry_in_seconds=delay)
        except SchemaError as error:
            schema_errors += 1
            if schema_errors >= SCHEMA_ATTEMPTS:
                raise
            log.warning("schema_retry", what=what, error=str(error), retry_in_seconds=delay)
        await sleep(delay)
        delay = min(delay * 2, MAX_BACKOFF_SECONDS)


async def run_worker(
    settings: Settings, kind: WorkerKind, health_port: int | None, prefetch: int = 4
) -> None:
    """Consume until SIGTERM/SIGINT; the store's schema is ensured first (idempotent)."""
    container = build_container(settings)
    bus = container.bus()
    store: Any = container.graph_store() if kind == "graph" else container.table_store()
    await when_available("store", store.ensure_schema)
    inner: Sink
    musicbrainz_inner: Sink
    enrichment: MusicBrainzGraphSink | None = None
    if kind == "graph":
        graph_sink = GraphSink(store, on_maintenance=_log_maintenance)
        inner = graph_sink
        musicbrainz_inner = enrichment = MusicBrainzGraphSink(store)
    else:
        inner = TableSink(store, clock=lambda: datetime.now(UTC), on_purge=_log_purge)
        musicbrainz_inner = MusicBrainzTableSink(store, clock=lambda: datetime.now(UTC))
    discogs_loops = [
        BuildLoop(
            bus,
            MeteredSink(inner, kind),
            Subscription(Topic(settings.discogs_exchange_prefix, data_type), CONSUMER_GROUP[kind]),
            prefetch,
        )
        for data_type in DISCOGS_DUMP_TYPES
    ]
    musicbrainz_loops = [
        BuildLoop(
            bus,
            MeteredSink(musicbrainz_inner, f"{kind}-musicbrainz"),
            Subscription(
                Topic(settings.musicbrainz_exchange_prefix, data_type), MUSICBRAINZ_CONSUMER_GROUP[kind]
            ),
            prefetch,
        )
        for data_type in MUSICBRAINZ_DUMP_TYPES
    ]
    loops = discogs_loops + musicbrainz_loops

    def report() -> dict[str, Any]:
        # While the broker is away the loops simply receive nothing; the bus knows it reconnects.
        healthy = bus.available and all(loop.store_available for loop in loops)
        musicbrainz: dict[str, Any] = {
            "types": {loop.data_type: asdict(loop.counters) for loop in musicbrainz_loops}
        }
        if enrichment is not None:
            musicbrainz["enrichment_stats"] = {t: asdict(stats) for t, stats in enrichment.stats.items()}
        return {
            "status": "healthy" if healthy else "unhealthy",
            "store": store.address,
            "bus": "available" if bus.available else "reconnecting",
            "types": {loop.data_type: asdict(loop.counters) for loop in discogs_loops},
            "musicbrainz": musicbrainz,
        }

    for build in loops:
        await when_available("broker", functools.partial(bus.subscribe, build.subscription))
    stop_health = asyncio.Event()
    loop_runtime = asyncio.get_running_loop()

    def stop_all() -> None:
        for build in loops:
            build.stop()

    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop_runtime.add_signal_handler(stop_signal, stop_all)
    health = None
    if health_port:
        health = asyncio.create_task(
            serve_health(health_app(f"{kind}-builder", report), health_port, stop_health)
        )
    log.info(
        "worker_started",
        kind=kind,
        store=store.address,
        queues=[build.subscription.queue_name for build in loops],
    )
    try:
        await asyncio.gather(*(build.run() for build in loops))
        if kind == "graph":
            await graph_sink.wait_for_maintenance()
    finally:
        stop_health.set()
        if health is not None:
            await health
        await bus.close()
        await store.close()
        final = report()
        log.info("worker_stopped", kind=kind, counters=final["types"], musicbrainz=final["musicbrainz"])
