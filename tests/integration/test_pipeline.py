"""The whole Discogs pipeline on both deployments: a sample dump is extracted onto the bus, the
graph and table builders consume it, and both stores end with every record of the dump; the same
dump again writes nothing.

Embedded: in-process bus, LadybugDB and SQLite. Servers: RabbitMQ (a virtual host of the run),
Neo4j and PostgreSQL. The builders run here as the same loops `discogsography worker` runs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.dumps.discogs_xml import DiscogsXmlReader
from adapters.dumps.jsonl_output import JsonlOutput
from adapters.ladybug.graph_store import LadybugGraphStore
from adapters.memory.bus import MemoryBus
from adapters.rabbitmq.bus import RabbitMQBus
from adapters.sql.table_store import SqlTableStore, sqlite_url
from domain.build import BuildLoop, GraphSink, TableSink
from domain.dumps import DISCOGS_DUMP_TYPES, local_dump_files
from domain.extract import DumpFileInput, Extraction
from domain.messages import Subscription, Topic
from domain.ports import Bus, GraphStore, TableStore
from tests import servers
from tests.samples import discogs_sample_counts, samples_dir

PREFIX = "discogsography-discogs"
DUMP = samples_dir() / "discogs" / "xml2db_20200806"
LABEL_OF = {"artists": "Artist", "labels": "Label", "masters": "Master", "releases": "Release"}


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deployment:
    bus: Bus
    graph: GraphStore
    tables: TableStore


@pytest.fixture(params=["embedded", "servers"])
async def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Deployment]:
    graph: GraphStore
    bus: Bus
    if request.param == "embedded":
        bus = MemoryBus(max_ready=1_000)
        graph = LadybugGraphStore(tmp_path / "graph.lbdb")
        tables = SqlTableStore(sqlite_url(tmp_path / "tables.sqlite"))
    else:
        env = request.getfixturevalue("server_env")
        request.getfixturevalue("neo4j_lock")
        vhost = request.getfixturevalue("rabbitmq_vhost")
        database = request.getfixturevalue("postgres_database")
        await servers.empty_vhost(env, vhost)
        await servers.empty_database(env, database)
        neo4j = servers.new_neo4j_store(env)
        await servers.wipe_neo4j(neo4j)
        graph = neo4j
        bus = RabbitMQBus(servers.rabbitmq_url(env, vhost), servers.rabbitmq_management_url(env))
        tables = SqlTableStore(servers.postgres_url(env, database))
    await graph.ensure_schema()
    await tables.ensure_schema()
    try:
        yield Deployment(bus, graph, tables)
    finally:
        await bus.close()
        await graph.close()
        await tables.close()


def dump_files(dump: Path, version: str | None) -> tuple[str, list[DumpFileInput]]:
    """The dump's version and its four files."""
    chosen, by_type = local_dump_files((path.name for path in dump.iterdir()), version)
    return chosen, [DumpFileInput(dump / name, data_type) for data_type, name in by_type.items()]


async def load(deployment: Deployment, dump: Path, version: str | None, force: bool) -> list[BuildLoop]:
    """Builders up, one extraction of `dump`, builders drained and stopped, maintenance done."""
    graph_sink = GraphSink(deployment.graph)
    table_sink = TableSink(deployment.tables, clock=now)
    loops = [
        BuildLoop(deployment.bus, sink, Subscription(Topic(PREFIX, data_type), group))
        for sink, group in ((graph_sink, "graphinator"), (table_sink, "tableinator"))
        for data_type in DISCOGS_DUMP_TYPES
    ]
    for build in loops:
        await deployment.bus.subscribe(build.subscription)
    running = [asyncio.create_task(build.run()) for build in loops]
    chosen, files = dump_files(dump, version)
    extraction = Extraction(DiscogsXmlReader(), deployment.bus, PREFIX, now)
    outcome = await extraction.run(chosen, files, force=force)
    assert outcome.extraction_complete_sent
    async with asyncio.timeout(300):
        while not all(build.counters.extractions_complete for build in loops):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    for build in loops:
        build.stop()
    await asyncio.gather(*running)
    await graph_sink.wait_for_maintenance()
    return loops


async def dump_records(tmp_path: Path) -> dict[str, dict[str, str]]:
    """Id to sha256 of every record of the dump, per type, computed apart from the pipeline."""
    output = JsonlOutput(tmp_path / "expected")
    version, files = dump_files(DUMP, None)
    await Extraction(DiscogsXmlReader(), output, PREFIX, now).run(version, files)
    await output.close()
    expected: dict[str, dict[str, str]] = {}
    for data_type in DISCOGS_DUMP_TYPES:
        lines = output.path(data_type).read_bytes().splitlines()
        expected[data_type] = {row["id"]: row["sha256"] for row in map(json.loads, lines)}
    return expected


async def test_a_dump_lands_whole_in_both_stores_and_again_writes_nothing(
    deployment: Deployment, tmp_path: Path
) -> None:
    expected = await dump_records(tmp_path)
    counts = discogs_sample_counts("xml2db_20200806")

    first = await load(deployment, DUMP, None, force=False)

    for data_type, count in counts.items():
        assert await deployment.tables.count(data_type) == count
        assert len(expected[data_type]) == count
    for data_type, records in expected.items():
        label = LABEL_OF[data_type]
        for record_id, sha256 in list(records.items())[:: max(1, len(records) // 100)]:
            node = await deployment.graph.get_node(label, record_id)
            assert node is not None, f"{label} {record_id}"
            assert node["sha256"] == sha256
            row = await deployment.tables.get(data_type, record_id)
            assert row is not None
            assert row["sha256"] == sha256
    written_first = {(b.subscription.consumer, b.data_type): b.counters.written for b in first}
    assert written_first[("tableinator", "releases")] == counts["releases"]
    assert written_first[("graphinator", "releases")] == counts["releases"]
    genres = await deployment.graph.count_nodes("Genre")
    assert genres > 0
    rock = await deployment.graph.get_node("Genre", "Rock")
    assert rock is not None
    assert rock["release_count"] > 0, "aggregates ran once all four types were complete"

    second = await load(deployment, DUMP, None, force=True)

    for build in second:
        assert build.counters.written == 0, f"{build.subscription.queue_name} rewrote records"
        assert build.counters.unchanged == counts[build.data_type]
        assert build.counters.dead_lettered == 0
    for data_type, count in counts.items():
        assert await deployment.tables.count(data_type) == count
