"""`discogsography extract` as an operator runs it: samples to files, samples to RabbitMQ, and a
run killed with SIGKILL that resumes without re-sending what was confirmed."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.rabbitmq.bus import RabbitMQBus
from domain.messages import ExtractionComplete, FileComplete, RecordBatch, Subscription, Topic
from tests import servers
from tests.bench.synthetic_dump import generate_dump
from tests.faults import copy_dump, releases_confirmed
from tests.samples import discogs_sample_counts, samples_dir

DATA_TYPES = ("artists", "labels", "masters", "releases")
PREFIX = "discogsography-discogs"


def extract_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "applications.cli", "extract", "--health-port", "0", *arguments]


@pytest.mark.parametrize(
    ("dump_set", "version"),
    [("xml2db_20200806", None), ("xml2db_20170401_head50", None), ("tgmz_2025", "20250101")],
)
def test_output_dir_holds_every_sample_record_once_with_its_hash(
    dump_set: str, version: str | None, tmp_path: Path
) -> None:
    arguments = ["--dump-dir", str(samples_dir() / "discogs" / dump_set), "--output-dir", str(tmp_path)]
    if version:
        arguments += ["--version", version]

    outcome = subprocess.run(
        extract_command(*arguments), env=servers.embedded_environ(), capture_output=True, timeout=120
    )

    assert outcome.returncode == 0, outcome.stderr.decode()
    for data_type, count in discogs_sample_counts(dump_set).items():
        lines = (tmp_path / f"{data_type}.jsonl").read_bytes().splitlines()
        records = [json.loads(line) for line in lines]
        assert len(records) == count, data_type
        assert len({record["id"] for record in records}) == count
        assert all(len(record["sha256"]) == 64 for record in records)


def test_unversioned_dump_names_without_a_version_are_refused_by_name(tmp_path: Path) -> None:
    arguments = ["--dump-dir", str(samples_dir() / "discogs" / "tgmz_2025"), "--output-dir", str(tmp_path)]

    outcome = subprocess.run(
        extract_command(*arguments), env=servers.embedded_environ(), capture_output=True, timeout=120
    )

    assert outcome.returncode == 2
    assert b"carry no version" in outcome.stderr


@pytest.fixture
def vhost(server_env: dict[str, str]) -> Iterator[str]:
    with servers.own_vhost(server_env) as name:
        yield name


def rabbitmq_env(server_env: dict[str, str], vhost: str) -> dict[str, str]:
    keys = (
        "RABBITMQ_HOST",
        "RABBITMQ_PORT",
        "RABBITMQ_USERNAME",
        "RABBITMQ_PASSWORD",
        "RABBITMQ_MANAGEMENT_PORT",
    )
    return servers.embedded_environ(**{key: server_env[key] for key in keys}, RABBITMQ_VHOST=vhost)


def new_bus(server_env: dict[str, str], vhost: str) -> RabbitMQBus:
    return RabbitMQBus(servers.rabbitmq_url(server_env, vhost), servers.rabbitmq_management_url(server_env))


async def subscribe_all(bus: RabbitMQBus) -> dict[str, Subscription]:
    subscriptions = {t: Subscription(Topic(PREFIX, t), "extract-test") for t in DATA_TYPES}
    for subscription in subscriptions.values():
        await bus.subscribe(subscription)
    return subscriptions


async def drain(bus: RabbitMQBus, subscription: Subscription) -> list[object]:
    """Every message of the queue, acked, in order; stops when none arrives for a second."""
    messages: list[object] = []
    async with bus.consume(subscription, prefetch=50) as consumer:
        while True:
            try:
                delivery = await asyncio.wait_for(anext(consumer), timeout=1.0)
            except TimeoutError:
                return messages
            messages.append(delivery.message)
            await delivery.ack()


@pytest.mark.parametrize(
    ("dump_set", "version"),
    [("xml2db_20200806", "20200806"), ("xml2db_20170401_head50", "20170401"), ("tgmz_2025", "20250101")],
)
async def test_samples_reach_rabbitmq_with_file_and_extraction_completion(
    dump_set: str, version: str, server_env: dict[str, str], vhost: str, tmp_path: Path
) -> None:
    expected = discogs_sample_counts(dump_set)
    bus = new_bus(server_env, vhost)
    try:
        subscriptions = await subscribe_all(bus)
        # The state marker is written beside the dump files: run from a copy.
        dump_dir = copy_dump(samples_dir() / "discogs" / dump_set, tmp_path)
        process = await asyncio.create_subprocess_exec(
            *extract_command("--dump-dir", str(dump_dir), "--version", version),
            env=rabbitmq_env(server_env, vhost),
            stderr=subprocess.PIPE,
        )
        _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()

        for data_type, subscription in subscriptions.items():
            messages = await drain(bus, subscription)
            records = [r for m in messages if isinstance(m, RecordBatch) for r in m.records]
            file_completes = [m for m in messages if isinstance(m, FileComplete)]
            completions = [m for m in messages if isinstance(m, ExtractionComplete)]
            assert len(records) == expected[data_type]
            assert len({record.id for record in records}) == expected[data_type]
            assert [(m.data_type, m.total_processed) for m in file_completes] == [
                (data_type, expected[data_type])
            ]
            assert len(completions) == 1
            assert completions[0].version == version
            assert completions[0].record_counts == expected
            assert isinstance(messages[-1], ExtractionComplete)
    finally:
        await bus.close()


async def test_sigkill_mid_file_then_rerun_resends_only_unconfirmed_batches(
    server_env: dict[str, str], vhost: str, tmp_path: Path
) -> None:
    dump_dir = tmp_path / "dump"
    manifest = generate_dump(dump_dir, releases=6000, seed=7, version="20250101")
    expected = {t: manifest.records[t] for t in DATA_TYPES}
    marker = dump_dir / ".extraction_status_20250101.json"
    env = rabbitmq_env(server_env, vhost) | {"BATCH_SIZE": "50"}
    bus = new_bus(server_env, vhost)
    try:
        subscriptions = await subscribe_all(bus)
        first = await asyncio.create_subprocess_exec(
            *extract_command("--dump-dir", str(dump_dir)), env=env, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            confirmed, status = releases_confirmed(marker)
            if confirmed >= 500 and status == "in_progress":
                break
            await asyncio.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        killed_at, status_at_kill = releases_confirmed(marker)
        assert status_at_kill == "in_progress"
        assert 0 < killed_at < expected["releases"]

        second = await asyncio.create_subprocess_exec(
            *extract_command("--dump-dir", str(dump_dir)), env=env, stderr=subprocess.PIPE
        )
        _, stderr = await second.communicate()
        assert second.returncode == 0, stderr.decode()

        for data_type, subscription in subscriptions.items():
            messages = await drain(bus, subscription)
            ids = Counter(r.id for m in messages if isinstance(m, RecordBatch) for r in m.records)
            assert len(ids) == expected[data_type], f"{data_type}: every record delivered at least once"
            resent = sum(count - 1 for count in ids.values())
            if data_type == "releases":
                assert resent <= 50, "at most the batch in flight at the kill is sent again"
            else:
                assert resent == 0, f"{data_type} was complete before the kill and is not sent again"
            assert sum(isinstance(m, FileComplete) for m in messages) == 1
            completions = [m for m in messages if isinstance(m, ExtractionComplete)]
            assert len(completions) == 1
            assert completions[0].record_counts == expected
    finally:
        await bus.close()


async def wait_for_health(client: httpx.AsyncClient, runs: int, phase: str) -> dict[str, object]:
    """Poll /health until it reports `runs` runs and `phase`; bounded to a minute."""
    for _ in range(600):
        try:
            body: dict[str, object] = (await client.get("/health")).json()
        except httpx.TransportError:
            body = {}
        if body.get("runs") == runs and body.get("phase") == phase:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"/health never showed run {runs} {phase}; last: {body}")


async def test_periodic_extractor_reports_health_runs_again_on_trigger_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    port = servers.free_port()
    dump_dir = samples_dir() / "discogs" / "xml2db_20170401_head50"
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "applications.cli", "extract", "--periodic", "--health-port", str(port)],
        "--dump-dir",
        str(dump_dir),
        "--output-dir",
        str(tmp_path / "out"),
        env=servers.embedded_environ(),
        stderr=subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            first = await wait_for_health(client, runs=1, phase="waiting")
            triggered = await client.post("/trigger")
            second = await wait_for_health(client, runs=2, phase="waiting")
            metrics = (await client.get("/metrics")).text
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(process.wait(), timeout=30)

    assert first["records_this_run"] == {
        "discogs_20170401_artists.xml.gz": 27,
        "discogs_20170401_labels.xml.gz": 5,
        "discogs_20170401_masters.xml.gz": 47,
        "discogs_20170401_releases.xml.gz": 10,
    }
    assert triggered.status_code == 202
    assert second["records_this_run"] == first["records_this_run"]
    assert 'discogsography_extractor_records_published_total{data_type="masters"} 94.0' in metrics
    assert returncode == 0
