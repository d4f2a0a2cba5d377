"""The MusicBrainz pipeline on both deployments: a dump (the real sample lines, one entity file in
each form a dump takes) is extracted onto the bus, the graph and table builders consume it with the
loops `discogsography worker` runs, and both stores end with what the JSON says; the same dump again
writes nothing. Then as an operator runs it: `extract --source musicbrainz` to files, and a
`worker graph` process fed by `extract --source musicbrainz` through RabbitMQ.

Embedded: in-process bus, LadybugDB and SQLite. Servers: RabbitMQ (a virtual host of the run),
Neo4j and PostgreSQL. Expected figures come from the JSON through the contract suites' own
readings (tests/contract/test_musicbrainz_graph_contract.py), never through the product's code.
"""

from __future__ import annotations

import asyncio
import json
import lzma
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from adapters.dumps.musicbrainz_jsonl import MusicBrainzReader
from adapters.memory.cache import MemoryCache
from applications.settings import WebSettings
from applications.web.app import create_app
from domain.build import BuildLoop, MusicBrainzGraphSink, MusicBrainzTableSink
from domain.exploring import Exploring
from domain.extract import DumpFileInput, Extraction
from domain.messages import Subscription, Topic
from domain.musicbrainz import MUSICBRAINZ_DUMP_TYPES, file_data_type
from tests import servers
from tests.contract.test_musicbrainz_graph_contract import (
    ARTISTS_IN_GRAPH,
    LABEL_LINES,
    ONE_PER_LINE,
    discogs_graph,
    expected_artist_edges,
    expected_enrichment,
    linked_label_ids,
    read_lines,
    synthetic_artists,
    write_lines,
)
from tests.faults import pipeline_env
from tests.integration.test_musicbrainz_download import archive
from tests.integration.test_pipeline import Deployment, deployment  # noqa: F401 (the fixture)

PREFIX = "discogsography-musicbrainz"
VERSION = "20260520-001001"
KIND = {"artists": "artist", "labels": "label", "release-groups": "master", "releases": "release"}


def now() -> datetime:
    return datetime.now(UTC)


def musicbrainz_dump(parent: Path) -> Path:
    """`<parent>/<version>/`: artists as plain lines, labels re-packed, release groups as the
    published archive, releases plain."""
    directory = parent / VERSION
    directory.mkdir(parents=True)
    write_lines(directory / "artist.jsonl", synthetic_artists() + read_lines(ONE_PER_LINE / "artist.jsonl"))
    (directory / "label.jsonl.xz").write_bytes(lzma.compress(LABEL_LINES.read_bytes()))
    release_groups = (ONE_PER_LINE / "release-group.jsonl").read_bytes()
    (directory / "release-group.tar.xz").write_bytes(archive(release_groups, "release-group"))
    shutil.copy(ONE_PER_LINE / "release.jsonl", directory / "release.jsonl")
    return directory


def lines_by_type() -> dict[str, list[dict[str, Any]]]:
    return {
        "artists": synthetic_artists() + read_lines(ONE_PER_LINE / "artist.jsonl"),
        "labels": read_lines(LABEL_LINES),
        "release-groups": read_lines(ONE_PER_LINE / "release-group.jsonl"),
        "releases": read_lines(ONE_PER_LINE / "release.jsonl"),
    }


def expected_figures(labels_in_graph: list[str]) -> tuple[dict[str, int], int]:
    """(nodes enriched per type, MusicBrainz edges), from the JSON lines."""
    in_graph = {
        "artists": set(ARTISTS_IN_GRAPH),
        "labels": set(labels_in_graph),
        "release-groups": {"94196"},
        "releases": set(),
    }
    lines = lines_by_type()
    enriched = {
        data_type: len(
            expected_enrichment(data_type, KIND[data_type], lines[data_type], in_graph[data_type])[1]
        )
        for data_type in MUSICBRAINZ_DUMP_TYPES
    }
    edges, _, _ = expected_artist_edges(lines["artists"], in_graph["artists"])
    return enriched, len(edges)


def dump_files(dump: Path) -> list[DumpFileInput]:
    return [DumpFileInput(path, file_data_type(path.name) or "") for path in sorted(dump.iterdir())]


async def load(
    stores: Deployment, files: list[DumpFileInput]
) -> tuple[list[BuildLoop], MusicBrainzGraphSink]:
    """Builders up, one extraction of the dump, builders drained and stopped."""
    graph_sink = MusicBrainzGraphSink(stores.graph)
    table_sink = MusicBrainzTableSink(stores.tables, clock=now)
    loops = [
        BuildLoop(stores.bus, sink, Subscription(Topic(PREFIX, data_type), group))
        for sink, group in ((graph_sink, "brainzgraphinator"), (table_sink, "brainztableinator"))
        for data_type in MUSICBRAINZ_DUMP_TYPES
    ]
    for build in loops:
        await stores.bus.subscribe(build.subscription)
    running = [asyncio.create_task(build.run()) for build in loops]
    outcome = await Extraction(MusicBrainzReader(), stores.bus, PREFIX, now).run(VERSION, files)
    assert outcome.extraction_complete_sent
    async with asyncio.timeout(300):
        while not all(build.counters.extractions_complete for build in loops):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    for build in loops:
        build.stop()
    await asyncio.gather(*running)
    return loops, graph_sink


async def test_a_musicbrainz_dump_enriches_the_graph_fills_the_tables_and_again_writes_nothing(
    deployment: Deployment,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    labels_in_graph = linked_label_ids()[::2]
    await discogs_graph(deployment.graph, labels_in_graph)
    files = dump_files(musicbrainz_dump(tmp_path))
    enriched, edge_count = expected_figures(labels_in_graph)
    lines = lines_by_type()

    first, first_sink = await load(deployment, files)

    counts = await deployment.tables.musicbrainz_counts()
    assert {t: counts.entities[t].total for t in MUSICBRAINZ_DUMP_TYPES} == {
        t: len(v) for t, v in lines.items()
    }
    graph_counts = await deployment.graph.enrichment_counts()
    assert graph_counts.enriched == enriched
    assert graph_counts.relationships == edge_count
    assert first_sink.stats["artists"].relationships_created == edge_count
    assert all(build.counters.dead_lettered == 0 for build in first)
    written = {(b.subscription.consumer, b.data_type): b.counters.written for b in first}
    assert written[("brainztableinator", "labels")] == len(lines["labels"])
    assert written[("brainzgraphinator", "labels")] == enriched["labels"]

    await the_api_shows_the_enrichment(deployment, lines, enriched, edge_count)

    second, second_sink = await load(deployment, files)

    for build in second:
        assert build.counters.written == 0, f"{build.subscription.queue_name} rewrote records"
        assert build.counters.unchanged == len(lines[build.data_type])
    assert second_sink.stats["artists"].relationships_created == 0
    assert await deployment.graph.enrichment_counts() == graph_counts
    assert await deployment.tables.musicbrainz_counts() == counts


async def the_api_shows_the_enrichment(
    stores: Deployment, lines: dict[str, list[dict[str, Any]]], enriched: dict[str, int], edge_count: int
) -> None:
    """The MusicBrainz endpoints of SPEC-api §14 over the loaded stores answer what the JSON says."""
    web = WebSettings(host="127.0.0.1", port=0, cors_origins=(), rate_limits=False, trusted_proxy_hops=0)
    client = create_app(Exploring(stores.graph, stores.tables, MemoryCache()), web).test_client()
    _, artist_properties = expected_enrichment("artists", "artist", lines["artists"], set(ARTISTS_IN_GRAPH))
    edges, _, _ = expected_artist_edges(lines["artists"], set(ARTISTS_IN_GRAPH))

    status = await (await client.get("/api/enrichment/status")).get_json()
    assert status["musicbrainz"]["artists"]["total_mb"] == len(lines["artists"])
    assert status["musicbrainz"]["artists"]["enriched_in_neo4j"] == enriched["artists"]
    assert status["musicbrainz"]["labels"]["enriched_in_neo4j"] == enriched["labels"]
    assert status["musicbrainz"]["relationships"]["created_in_neo4j"] == edge_count
    for artist_id, properties in artist_properties.items():
        view = await (await client.get(f"/api/artist/{artist_id}/musicbrainz")).get_json()
        assert view["discogs_id"] == int(artist_id)
        assert view["mbid"] == properties["mbid"]
        related = await (await client.get(f"/api/artist/{artist_id}/relationships")).get_json()
        touching = [edge for edge in edges if artist_id in edge[1:]]
        assert len(related["relationships"]) == len(touching), artist_id


def test_extract_writes_the_musicbrainz_records_as_json_lines(tmp_path: Path) -> None:
    dump = musicbrainz_dump(tmp_path / "dumps")
    output = tmp_path / "out"

    outcome = subprocess.run(
        [sys.executable, "-m", "applications.cli", "extract", "--source", "musicbrainz", "--health-port", "0",
         "--dump-dir", str(dump), "--output-dir", str(output)],
        env=servers.embedded_environ(), capture_output=True, timeout=120,
    )  # fmt: skip

    assert outcome.returncode == 0, outcome.stderr.decode()
    for data_type, entities in lines_by_type().items():
        records = [json.loads(line) for line in (output / f"{data_type}.jsonl").read_bytes().splitlines()]
        assert [record["id"] for record in records] == [entity["id"] for entity in entities]
        assert {record["sha256"] for record in records} == {""}
    labels = [json.loads(line) for line in (output / "labels.jsonl").read_bytes().splitlines()]
    assert sum(record["discogs_label_id"] is not None for record in labels) == 47


def test_extract_refuses_a_dump_directory_that_does_not_say_its_version(tmp_path: Path) -> None:
    dump = tmp_path / "my-dump"
    dump.mkdir()
    shutil.copy(LABEL_LINES, dump / "label.jsonl")

    outcome = subprocess.run(
        [sys.executable, "-m", "applications.cli", "extract", "--source", "musicbrainz", "--health-port", "0",
         "--dump-dir", str(dump), "--output-dir", str(tmp_path / "out")],
        env=servers.embedded_environ(), capture_output=True, timeout=120,
    )  # fmt: skip

    assert outcome.returncode == 2
    assert b"give the dump's --version" in outcome.stderr


async def test_worker_graph_enriches_neo4j_from_an_extraction_through_rabbitmq(
    server_env: dict[str, str],
    rabbitmq_vhost: str,
    postgres_database: str,
    neo4j_lock: None,
    tmp_path: Path,
) -> None:
    await servers.empty_vhost(server_env, rabbitmq_vhost)
    neo4j = servers.new_neo4j_store(server_env)
    await servers.wipe_neo4j(neo4j)
    labels_in_graph = linked_label_ids()[1::2]
    await discogs_graph(neo4j, labels_in_graph)
    enriched, edge_count = expected_figures(labels_in_graph)
    env = pipeline_env(server_env, rabbitmq_vhost, postgres_database, DISCOGSOGRAPHY_DATA_DIR=str(tmp_path))
    port = servers.free_port()
    try:
        with servers.running_app(["worker", "graph", "--health-port", str(port)], env, port) as base:
            extract = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "applications.cli", "extract", "--source", "musicbrainz",
                "--health-port", "0", "--dump-dir", str(musicbrainz_dump(tmp_path / "dumps")),
                env=env, stderr=subprocess.PIPE,
            )  # fmt: skip
            _, errors = await extract.communicate()
            assert extract.returncode == 0, errors.decode()
            body = await musicbrainz_health(base)
        stats = body["musicbrainz"]["enrichment_stats"]
        assert {t: stats[t]["entities_enriched"] for t in MUSICBRAINZ_DUMP_TYPES} == enriched
        assert stats["artists"]["relationships_created"] == edge_count
        assert (await neo4j.enrichment_counts()).enriched == enriched
    finally:
        await neo4j.close()


async def musicbrainz_health(base: str) -> dict[str, Any]:
    """/health once every MusicBrainz loop has seen its `extraction_complete`; two minutes at most."""
    body: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        for _ in range(1200):
            body = (await client.get("/health")).json()
            types = body.get("musicbrainz", {}).get("types", {})
            if types and all(counters["extractions_complete"] == 1 for counters in types.values()):
                return body
            await asyncio.sleep(0.1)
    raise AssertionError(f"the MusicBrainz loops never completed; last /health: {body}")
