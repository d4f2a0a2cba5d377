"""The builders under faults, as an operator would meet them (issues 4 and 5, "Done when").

Each test loads a synthetic dump through `discogsography extract` (run to completion first, so
every message waits in the queues) into `discogsography worker graph|tables` subprocesses, breaks
something mid-load, lets the load finish, and compares the store with a clean load: node counts per
label and relationship counts per type (graph), row counts per table against the dump's manifest
(tables), and empty dead-letter queues.

The worker SIGKILL tests run on the shared servers of deploy/local. The outage tests stop and start
a database server, and the shared ones may belong to someone else (on a CI machine they are started
from another checkout, so this checkout's deploy/local/neo4j.sh cannot even stop them): those tests
start private servers of their own from the same binaries (the Neo4j jars and flags of
deploy/local/neo4j.sh, Debian's PostgreSQL 15), on free loopback ports, and stop only those.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.dumps import DISCOGS_DUMP_TYPES
from tests import servers
from tests.bench.synthetic_dump import generate_dump
from tests.faults import (
    AppProcess,
    Health,
    Kind,
    PrivateNeo4j,
    PrivatePostgres,
    SyntheticDump,
    completed,
    dead_letter_counts,
    every_type_completed,
    graph_counts,
    new_bus,
    pipeline_env,
    queues_drained,
    subscriptions,
    table_rows,
    wipe_graph,
    written,
)

DUMP_RELEASES = 4000
EXTRACT_BATCH_SIZE = "50"
# Break the load once this many releases are written: some are in, most are still queued.
FAULT_AFTER_RELEASES = 250
NEO4J_OUTAGE_SECONDS = 30.0
POSTGRES_OUTAGE_SECONDS = 10.0
LOAD_LIMIT = 300.0  # seconds for one load to finish once its fault is over


@pytest.fixture(scope="module")
def synthetic_dump(tmp_path_factory: pytest.TempPathFactory) -> SyntheticDump:
    path = tmp_path_factory.mktemp("synthetic") / "dump"
    return SyntheticDump(path, generate_dump(path, releases=DUMP_RELEASES, seed=11, version="20250101"))


# --- extraction, workers, health --------------------------------------------------------------


async def extract_into_queues(kind: Kind, env: dict[str, str], dump_dir: Path) -> None:
    """Declare the worker's queues (publishing is mandatory), then run the extractor to its end."""
    bus = new_bus(env)
    try:
        for subscription in subscriptions(kind).values():
            await bus.subscribe(subscription)
    finally:
        await bus.close()
    extract = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "applications.cli", "extract", "--health-port", "0",
        "--dump-dir", str(dump_dir),
        env=env | {"BATCH_SIZE": EXTRACT_BATCH_SIZE}, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, errors = await asyncio.wait_for(extract.communicate(), timeout=LOAD_LIMIT)
    assert extract.returncode == 0, errors.decode()


# --- store figures ----------------------------------------------------------------------------


async def table_counts(env: dict[str, str], database: str) -> dict[str, int]:
    return {data_type: rows for data_type, (rows, _) in (await table_rows(env, database)).items()}


_CLEAN_GRAPH_COUNTS: dict[str, int] = {}


async def clean_graph_counts(env: dict[str, str], dump: SyntheticDump, tmp_path: Path) -> dict[str, int]:
    """The figures of an undisturbed load of the dump through the graph worker (once per module)."""
    if not _CLEAN_GRAPH_COUNTS:
        await servers.empty_vhost(env, env["RABBITMQ_VHOST"])
        await wipe_graph(env)
        await extract_into_queues("graph", env, dump.fresh_copy(tmp_path))
        worker = await AppProcess.worker("graph", env, tmp_path / "clean-worker.log")
        try:
            await worker.health_when(every_type_completed, LOAD_LIMIT)
        finally:
            assert await worker.stop() == 0, worker.tail()
        assert await dead_letter_counts("graph", env) == dict.fromkeys(DISCOGS_DUMP_TYPES, 0)
        _CLEAN_GRAPH_COUNTS.update(await graph_counts(env))
        print(f"\nclean graph load: {_CLEAN_GRAPH_COUNTS}")
        assert _CLEAN_GRAPH_COUNTS["node Release"] == dump.manifest.records["releases"]
    return dict(_CLEAN_GRAPH_COUNTS)


# --- SIGKILL of a worker mid-load ---------------------------------------------------------------


async def load_with_a_sigkill(kind: Kind, env: dict[str, str], dump: SyntheticDump, tmp_path: Path) -> None:
    """Kill the worker once some releases are in, start another, and let it finish the queues."""
    releases = dump.manifest.records["releases"]
    await extract_into_queues(kind, env, dump.fresh_copy(tmp_path))
    extracted_at = time.monotonic()
    first = await AppProcess.worker(kind, env, tmp_path / "first-worker.log")
    at_kill = await first.health_when(
        lambda body: written(body, "releases") >= FAULT_AFTER_RELEASES, LOAD_LIMIT
    )
    await first.kill()
    assert written(at_kill, "releases") < releases, "the kill landed before the end of the releases"
    done_before_kill = completed(at_kill)

    second = await AppProcess.worker(kind, env, tmp_path / "second-worker.log")
    try:
        deadline = time.monotonic() + LOAD_LIMIT
        while True:
            body = await second.health_when(lambda body: "releases" in completed(body), LOAD_LIMIT)
            if done_before_kill | completed(body) == set(DISCOGS_DUMP_TYPES):
                break
            # A type whose completion the first worker acked just before the kill: the queues tell.
            settled = time.monotonic() - extracted_at > 10
            if settled and await queues_drained(kind, env):
                break
            assert time.monotonic() < deadline, f"the second worker never finished; last: {body}"
            await asyncio.sleep(1)
    finally:
        assert await second.stop() == 0, second.tail()
    print(
        f"\n{kind}: killed after {written(at_kill, 'releases')} of {releases} releases; second worker {body}"
    )


@pytest.mark.timeout(900)
async def test_graph_worker_killed_mid_load_and_restarted_ends_like_a_clean_load(
    server_env: dict[str, str],
    rabbitmq_vhost: str,
    postgres_database: str,
    neo4j_lock: None,
    synthetic_dump: SyntheticDump,
    tmp_path: Path,
) -> None:
    env = pipeline_env(server_env, rabbitmq_vhost, postgres_database)
    clean = await clean_graph_counts(env, synthetic_dump, tmp_path)
    await servers.empty_vhost(server_env, rabbitmq_vhost)
    await wipe_graph(env)

    await load_with_a_sigkill("graph", env, synthetic_dump, tmp_path)

    assert await graph_counts(env) == clean
    assert await dead_letter_counts("graph", env) == dict.fromkeys(DISCOGS_DUMP_TYPES, 0)
    await wipe_graph(env)


async def test_table_worker_killed_mid_load_and_restarted_has_every_record_once(
    server_env: dict[str, str], rabbitmq_vhost: str, postgres_database: str, synthetic_dump: SyntheticDump,
    tmp_path: Path,
) -> None:  # fmt: skip
    await servers.empty_vhost(server_env, rabbitmq_vhost)
    await servers.empty_database(server_env, postgres_database)
    env = pipeline_env(server_env, rabbitmq_vhost, postgres_database)

    await load_with_a_sigkill("tables", env, synthetic_dump, tmp_path)

    expected = {t: synthetic_dump.manifest.records[t] for t in DISCOGS_DUMP_TYPES}
    assert await table_counts(env, postgres_database) == expected
    assert await dead_letter_counts("tables", env) == dict.fromkeys(DISCOGS_DUMP_TYPES, 0)


# --- a database server stopped mid-load ---------------------------------------------------------


@dataclass
class OutageReport:
    written_at_stop: int
    statuses: list[str]
    final: Health
    seconds_unhealthy: float
    seconds_to_stop: float
    seconds_down: float


async def load_through_an_outage(
    worker: AppProcess, stop_server: Callable[[], None], start_server: Callable[[], None], outage: float
) -> OutageReport:
    """Pause the worker once some releases are in, stop the server, resume the worker, hold the
    outage, start the server again, and wait until every type completed (the worker never exits).

    The pause (SIGSTOP) only makes sure the outage lands mid-load however fast the worker is: on
    resuming, it finds its connections cut and the server gone, as in a real outage.
    """
    at_stop = await worker.health_when(
        lambda body: written(body, "releases") >= FAULT_AFTER_RELEASES, LOAD_LIMIT
    )
    worker.process.send_signal(signal.SIGSTOP)
    stopping = time.monotonic()
    try:
        await asyncio.to_thread(stop_server)
    finally:
        worker.process.send_signal(signal.SIGCONT)
    stopped = time.monotonic()
    statuses: list[str] = []
    unhealthy_since: float | None = None
    seconds_unhealthy = 0.0
    until = time.monotonic() + outage
    while time.monotonic() < until:
        assert worker.process.returncode is None, f"worker exited during the outage: {worker.tail()}"
        body = await worker.health()
        status = "no answer" if body is None else str(body["status"])
        if not statuses or statuses[-1] != status:
            statuses.append(status)
        if status == "unhealthy" and unhealthy_since is None:
            unhealthy_since = time.monotonic()
        await asyncio.sleep(0.25)
    if unhealthy_since is not None:
        seconds_unhealthy = time.monotonic() - unhealthy_since
    await asyncio.to_thread(start_server)
    seconds_down = time.monotonic() - stopped
    final = await worker.health_when(every_type_completed, LOAD_LIMIT)
    return OutageReport(
        written(at_stop, "releases"), statuses, final, seconds_unhealthy, stopped - stopping, seconds_down
    )


@pytest.mark.timeout(900)
async def test_graph_worker_backs_off_while_neo4j_is_stopped_then_ends_like_a_clean_load(
    server_env: dict[str, str],
    rabbitmq_vhost: str,
    postgres_database: str,
    neo4j_lock: None,
    private_neo4j: PrivateNeo4j,
    synthetic_dump: SyntheticDump,
    tmp_path: Path,
) -> None:
    env = pipeline_env(private_neo4j.env, rabbitmq_vhost, postgres_database)
    try:
        clean = await clean_graph_counts(env, synthetic_dump, tmp_path)
        await servers.empty_vhost(server_env, rabbitmq_vhost)
        await wipe_graph(env)
        await extract_into_queues("graph", env, synthetic_dump.fresh_copy(tmp_path))
        worker = await AppProcess.worker("graph", env, tmp_path / "worker.log")

        try:
            report = await load_through_an_outage(
                worker, private_neo4j.stop, private_neo4j.start, NEO4J_OUTAGE_SECONDS
            )
        finally:
            returncode = await worker.stop()
        print(f"\ngraph outage: {report}")

        assert "unhealthy" in report.statuses, "/health showed the outage"
        assert report.final["status"] == "healthy"
        assert report.final["types"]["releases"]["retries"] > 0
        assert returncode == 0, worker.tail()
        assert await graph_counts(env) == clean
        assert await dead_letter_counts("graph", env) == dict.fromkeys(DISCOGS_DUMP_TYPES, 0)
    finally:
        await asyncio.to_thread(private_neo4j.ensure_started)


async def test_table_worker_backs_off_while_postgresql_restarts_then_has_every_record_once(
    server_env: dict[str, str],
    rabbitmq_vhost: str,
    postgres_database: str,
    private_postgres: PrivatePostgres,
    synthetic_dump: SyntheticDump,
    tmp_path: Path,
) -> None:
    await servers.empty_vhost(server_env, rabbitmq_vhost)
    env = pipeline_env(private_postgres.env, rabbitmq_vhost, postgres_database)
    try:
        await servers.drop_database(env, postgres_database)  # the worker's schema-init creates it
        await extract_into_queues("tables", env, synthetic_dump.fresh_copy(tmp_path))
        worker = await AppProcess.worker("tables", env, tmp_path / "worker.log")

        try:
            report = await load_through_an_outage(
                worker, private_postgres.stop, private_postgres.start, POSTGRES_OUTAGE_SECONDS
            )
        finally:
            returncode = await worker.stop()
        print(f"\ntables outage: {report}")

        assert "unhealthy" in report.statuses, "/health showed the outage"
        assert report.final["status"] == "healthy"
        assert report.final["types"]["releases"]["retries"] > 0
        assert returncode == 0, worker.tail()
        expected = {t: synthetic_dump.manifest.records[t] for t in DISCOGS_DUMP_TYPES}
        assert await table_counts(env, postgres_database) == expected
        assert await dead_letter_counts("tables", env) == dict.fromkeys(DISCOGS_DUMP_TYPES, 0)
    finally:
        await asyncio.to_thread(private_postgres.ensure_started)
