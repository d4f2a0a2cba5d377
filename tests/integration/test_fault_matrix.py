"""The fault matrix (issue 8): the services pipeline survives each fault mid-load.

Every case runs the pipeline as an operator does, as separate processes on the real servers:
`discogsography worker graph`, `discogsography worker tables`, then `discogsography extract
--dump-dir D` on a synthetic dump, all running at once. Mid-load, while the extractor still
publishes or the workers still write, one thing breaks: the extractor, a graph worker or a table
worker is SIGKILLed (and started again), or RabbitMQ, PostgreSQL or Neo4j is restarted (the
processes stay up). After recovery the stores must hold what the dump's XML implies and nothing
more: nodes per label and relationships per type as `tests/integration/test_graph_counts.py`
counts them from the XML, rows per table as the dump's manifest counts them, each key once, and
no dead letter in either group.

The SIGKILL cases use the shared servers of deploy/local (a virtual host and a database of the
test's own; Neo4j under the suites' lock, wiped). The restart cases stop and start a private
server of their own (tests/faults.py says why), so no one else's run is disturbed.

The seven cases take about seven minutes on the project's 2-core machine (docs/operations.md
section 8 lists each one's time); `pytest -s` prints what each case saw.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from domain.dumps import DISCOGS_DUMP_TYPES
from tests import servers
from tests.bench.synthetic_dump import generate_dump
from tests.faults import (
    AppProcess,
    Health,
    Kind,
    Pipeline,
    PrivateNeo4j,
    PrivatePostgres,
    PrivateRabbitMQ,
    SyntheticDump,
    dead_letter_counts,
    graph_counts,
    graph_duplicates,
    pipeline_env,
    releases_confirmed,
    table_rows,
    wipe_graph,
    written,
)
from tests.integration.test_graph_counts import LABELS, TYPES, expected_counts

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("neo4j_lock")]

VERSION = "20250101"
DUMP_RELEASES = 10_000  # about 40 s of load on this machine: long enough for a fault to land mid-load
BATCH_SIZE = "100"  # records per message: 100 release batches, so a fault lands between many of them
# The fault comes once this many releases are confirmed (extractor) or written (the worker in question).
EXTRACTED_BEFORE_FAULT = 2_000
WRITTEN_BEFORE_FAULT = 1_000
OUTAGE_SECONDS = 10.0  # how long a stopped server stays down before it is started again
# The Neo4j driver retries a failed transaction itself for up to 30 s before the worker hears of
# it: a shorter outage is waited out unseen by /health.
NEO4J_OUTAGE_SECONDS = 35.0
LOAD_LIMIT = 300.0  # seconds for a load to finish once its fault is over
CASE_TIMEOUT = 600  # pytest-timeout per case


@pytest.fixture(scope="module")
def synthetic_dump(tmp_path_factory: pytest.TempPathFactory) -> SyntheticDump:
    path = tmp_path_factory.mktemp("synthetic") / "dump"
    return SyntheticDump(path, generate_dump(path, releases=DUMP_RELEASES, seed=11, version=VERSION))


@pytest.fixture(scope="module")
def expected_graph(synthetic_dump: SyntheticDump, tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """Nodes per label and relationships per type, counted from the XML apart from the builder."""
    counts = expected_counts(synthetic_dump.fresh_copy(tmp_path_factory.mktemp("count")))
    return {name: count for name, count in counts.items() if count}


@dataclass
class Outcome:
    """What a case saw, printed for the record (pytest -s)."""

    case: str
    seconds: float = 0.0
    at_fault: str = ""
    statuses: dict[str, list[str]] = field(default_factory=dict)  # /health during an outage
    final: dict[str, Health] = field(default_factory=dict)  # /health of the workers once settled

    def __str__(self) -> str:
        return f"{self.case}: {self.seconds:.0f} s; fault at {self.at_fault}; /health during {self.statuses}"


# A fault: given the running pipeline, its extractor and dump copy, break something and recover;
# returns the extractor whose exit ends the load.
Fault = Callable[[Pipeline, AppProcess, Path, Outcome], Awaitable[AppProcess]]


async def run_case(
    outcome: Outcome,
    fault: Fault,
    server_env: dict[str, str],
    database: str,
    dump: SyntheticDump,
    expected_graph: dict[str, int],
    tmp_path: Path,
) -> None:
    """Start a graph worker, a table worker and the extractor on empty stores and a virtual host of
    the case's own; apply the fault; wait until the load settled; stop every process with SIGTERM
    (each must exit 0: a graph worker after its maintenance); check both stores and the dead letters."""
    began = time.monotonic()
    vhost = servers.new_vhost_name()
    await servers.create_vhost(server_env, vhost)
    await wipe_graph(server_env)
    await servers.drop_database(server_env, database)  # the table worker creates it
    logs = tmp_path / "logs"
    logs.mkdir()
    env = pipeline_env(server_env, vhost, database, data_dir=tmp_path, BATCH_SIZE=BATCH_SIZE)
    pipeline = Pipeline(env, logs)
    try:
        await asyncio.gather(pipeline.start_worker("graph"), pipeline.start_worker("tables"))
        dump_dir = dump.fresh_copy(tmp_path)
        extractor = await fault(pipeline, await pipeline.start_extractor(dump_dir), dump_dir, outcome)
        await pipeline.settle(extractor, LOAD_LIMIT)
        for process in pipeline.workers:
            outcome.final[process.name] = await process.health() or {}
        codes = await pipeline.stop()
        outcome.seconds = time.monotonic() - began
        print(f"\n{outcome}")
        assert all(code == 0 for code in codes.values()), codes
        await assert_loaded_once(pipeline.env, database, dump, expected_graph)
    finally:
        await pipeline.stop()
        await servers.delete_vhost(server_env, vhost)


def worker(pipeline: Pipeline, kind: Kind) -> AppProcess:
    """The first running worker of the kind."""
    return next(process for process in pipeline.workers if process.name.startswith(kind))


async def releases_extracted(dump_dir: Path, at_least: int) -> int:
    """Wait until the state marker shows `at_least` releases confirmed, the file still in progress."""
    marker = dump_dir / f".extraction_status_{VERSION}.json"
    deadline = time.monotonic() + LOAD_LIMIT
    while time.monotonic() < deadline:
        confirmed, status = releases_confirmed(marker)
        if confirmed >= at_least and status == "in_progress":
            return confirmed
        assert status != "completed", "the releases were all extracted before the fault"
        await asyncio.sleep(0.05)
    raise AssertionError(f"{at_least} releases not extracted within {LOAD_LIMIT:.0f} s")


async def releases_written(process: AppProcess, at_least: int) -> int:
    """Wait until the worker's /health shows `at_least` releases written; fewer than all of them."""
    body = await process.health_when(lambda body: written(body, "releases") >= at_least, LOAD_LIMIT)
    assert written(body, "releases") < DUMP_RELEASES, "the worker wrote every release before the fault"
    return written(body, "releases")


async def observe(processes: list[AppProcess], statuses: dict[str, list[str]]) -> None:
    """Note each process's /health status where it changed (a closed health port reads as "no
    answer"). Every worker must be up; the extractor may have finished its run, with exit code 0."""
    for process in processes:
        if process.name.startswith("extractor") and process.process.returncode == 0:
            status = "done"
        else:
            assert process.running, f"{process.name} exited during the outage: {process.tail()}"
            body = await process.health()
            status = "no answer" if body is None else str(body["status"])
        seen = statuses.setdefault(process.name, [])
        if not seen or seen[-1] != status:
            seen.append(status)


async def restart(
    pipeline: Pipeline,
    outcome: Outcome,
    stop_server: Callable[[], None],
    start_server: Callable[[], None],
    down_seconds: float,
) -> None:
    """Stop the server, keep it down `down_seconds`, start it again; every process's /health is
    watched every 0.25 s from the stop until the server answers again."""
    processes = [process for process in pipeline.processes if process.running]
    await asyncio.to_thread(stop_server)
    stopped_at = time.monotonic()
    starting: asyncio.Future[None] | None = None
    try:
        while starting is None or not starting.done():
            if starting is None and time.monotonic() - stopped_at >= down_seconds:
                starting = asyncio.ensure_future(asyncio.to_thread(start_server))
            await observe(processes, outcome.statuses)
            await asyncio.sleep(0.25)
    finally:
        await (starting if starting is not None else asyncio.to_thread(start_server))


def published(extractor_log: Path) -> int:
    """Records an extractor run published, from its `extraction_finished` log event."""
    for line in extractor_log.read_text().splitlines():
        if line.startswith("{") and (event := json.loads(line)).get("event") == "extraction_finished":
            return int(event["published"])
    raise AssertionError(f"no extraction_finished event in {extractor_log}")


async def assert_loaded_once(
    env: dict[str, str], database: str, dump: SyntheticDump, expected_graph: dict[str, int]
) -> None:
    """Both stores hold exactly what the dump implies, each key once; no dead letters."""
    in_graph = await graph_counts(env)
    names = {f"node {label}": label for label in LABELS} | {f"edge {kind}": kind for kind in TYPES}
    assert {names[key]: count for key, count in in_graph.items() if key in names} == expected_graph
    duplicates = await graph_duplicates(env)
    assert {names[key]: extra for key, extra in duplicates.items() if key in names and extra} == {}
    rows = await table_rows(env, database)
    assert rows == {t: (dump.manifest.records[t], dump.manifest.records[t]) for t in DISCOGS_DUMP_TYPES}
    for kind in ("graph", "tables"):
        assert await dead_letter_counts(kind, env) == dict.fromkeys(DISCOGS_DUMP_TYPES, 0), kind


# --- the cases ----------------------------------------------------------------------------------


@pytest.mark.timeout(CASE_TIMEOUT)
async def test_clean_load_holds_what_the_dump_implies(
    server_env: dict[str, str],
    postgres_database: str,
    synthetic_dump: SyntheticDump,
    expected_graph: dict[str, int],
    tmp_path: Path,
) -> None:
    async def no_fault(
        pipeline: Pipeline, extractor: AppProcess, dump_dir: Path, outcome: Outcome
    ) -> AppProcess:
        return extractor

    outcome = Outcome("clean load")
    await run_case(outcome, no_fault, server_env, postgres_database, synthetic_dump, expected_graph, tmp_path)


@pytest.mark.timeout(CASE_TIMEOUT)
async def test_extractor_killed_mid_file_then_rerun_resumes_and_loads_everything_once(
    server_env: dict[str, str],
    postgres_database: str,
    synthetic_dump: SyntheticDump,
    expected_graph: dict[str, int],
    tmp_path: Path,
) -> None:
    async def kill_and_rerun(
        pipeline: Pipeline, first: AppProcess, dump_dir: Path, outcome: Outcome
    ) -> AppProcess:
        await releases_extracted(dump_dir, EXTRACTED_BEFORE_FAULT)
        await first.kill()
        confirmed, status = releases_confirmed(dump_dir / f".extraction_status_{VERSION}.json")
        outcome.at_fault = f"{confirmed} releases confirmed, file {status}"
        assert (status, confirmed < DUMP_RELEASES) == ("in_progress", True)
        at_kill["confirmed"] = confirmed
        second = await pipeline.start_extractor(dump_dir)
        at_kill["log"] = second.log
        return second

    at_kill: dict[str, Any] = {}
    outcome = Outcome("extractor SIGKILL, rerun")
    await run_case(
        outcome, kill_and_rerun, server_env, postgres_database, synthetic_dump, expected_graph, tmp_path
    )

    # The rerun resumed: it published only the releases after the last confirmed batch.
    assert published(at_kill["log"]) == DUMP_RELEASES - at_kill["confirmed"]


def kill_and_replace(kind: Kind) -> Fault:
    """SIGKILL the worker once it wrote WRITTEN_BEFORE_FAULT releases, then start another."""

    async def fault(
        pipeline: Pipeline, extractor: AppProcess, dump_dir: Path, outcome: Outcome
    ) -> AppProcess:
        victim = worker(pipeline, kind)
        at_kill = await releases_written(victim, WRITTEN_BEFORE_FAULT)
        await victim.kill()
        outcome.at_fault = f"{at_kill} releases written by the {kind} worker"
        await pipeline.start_worker(kind)
        return extractor

    return fault


@pytest.mark.timeout(CASE_TIMEOUT)
async def test_graph_worker_killed_mid_load_and_started_again_loses_and_duplicates_nothing(
    server_env: dict[str, str],
    postgres_database: str,
    synthetic_dump: SyntheticDump,
    expected_graph: dict[str, int],
    tmp_path: Path,
) -> None:
    outcome = Outcome("graph worker SIGKILL, restarted")
    fault = kill_and_replace("graph")
    await run_case(outcome, fault, server_env, postgres_database, synthetic_dump, expected_graph, tmp_path)


@pytest.mark.timeout(CASE_TIMEOUT)
async def test_table_worker_killed_mid_load_and_started_again_loses_and_duplicates_nothing(
    server_env: dict[str, str],
    postgres_database: str,
    synthetic_dump: SyntheticDump,
    expected_graph: dict[str, int],
    tmp_path: Path,
) -> None:
    outcome = Outcome("table worker SIGKILL, restarted")
    fault = kill_and_replace("tables")
    await run_case(outcome, fault, server_env, postgres_database, synthetic_dump, expected_graph, tmp_path)


@pytest.mark.timeout(CASE_TIMEOUT)
async def test_rabbitmq_restarted_mid_load_every_process_reconnects_and_loads_everything_once(
    postgres_database: str,
    private_rabbitmq: PrivateRabbitMQ,
    synthetic_dump: SyntheticDump,
    expected_graph: dict[str, int],
    tmp_path: Path,
) -> None:
    async def restart_rabbitmq(
        pipeline: Pipeline, extractor: AppProcess, dump_dir: Path, outcome: Outcome
    ) -> AppProcess:
        outcome.at_fault = f"{await releases_extracted(dump_dir, EXTRACTED_BEFORE_FAULT)} releases confirmed"
        await restart(pipeline, outcome, private_rabbitmq.stop, private_rabbitmq.start, OUTAGE_SECONDS)
        return extractor

    outcome = Outcome("RabbitMQ restart")
    try:
        await run_case(
            outcome, restart_rabbitmq, private_rabbitmq.env, postgres_database, synthetic_dump,
            expected_graph, tmp_path,
        )  # fmt: skip
    finally:
        await asyncio.to_thread(private_rabbitmq.ensure_started)

    for name in ("extractor 1", "graph worker 1", "tables worker 1"):
        assert "unhealthy" in outcome.statuses[name], f"{name}'s /health showed the outage"
    # One extractor run did it all: every record confirmed once, the batch in flight kept and resent.
    assert published(tmp_path / "logs" / "extractor-1.log") == sum(synthetic_dump.manifest.records.values())


@pytest.mark.timeout(CASE_TIMEOUT)
async def test_postgresql_restarted_mid_load_the_table_worker_waits_and_loads_everything_once(
    postgres_database: str,
    private_postgres: PrivatePostgres,
    synthetic_dump: SyntheticDump,
    expected_graph: dict[str, int],
    tmp_path: Path,
) -> None:
    async def restart_postgres(
        pipeline: Pipeline, extractor: AppProcess, dump_dir: Path, outcome: Outcome
    ) -> AppProcess:
        at_stop = await releases_written(worker(pipeline, "tables"), WRITTEN_BEFORE_FAULT)
        outcome.at_fault = f"{at_stop} releases written by the table worker"
        await restart(pipeline, outcome, private_postgres.stop, private_postgres.start, OUTAGE_SECONDS)
        return extractor

    outcome = Outcome("PostgreSQL restart")
    try:
        await run_case(
            outcome, restart_postgres, private_postgres.env, postgres_database, synthetic_dump,
            expected_graph, tmp_path,
        )  # fmt: skip
    finally:
        await asyncio.to_thread(private_postgres.ensure_started)

    assert "unhealthy" in outcome.statuses["tables worker 1"], "/health showed the outage"
    assert outcome.final["tables worker 1"]["types"]["releases"]["retries"] > 0


@pytest.mark.timeout(CASE_TIMEOUT)
async def test_neo4j_restarted_mid_load_the_graph_worker_waits_and_loads_everything_once(
    postgres_database: str,
    private_neo4j: PrivateNeo4j,
    synthetic_dump: SyntheticDump,
    expected_graph: dict[str, int],
    tmp_path: Path,
) -> None:
    async def restart_neo4j(
        pipeline: Pipeline, extractor: AppProcess, dump_dir: Path, outcome: Outcome
    ) -> AppProcess:
        at_stop = await releases_written(worker(pipeline, "graph"), WRITTEN_BEFORE_FAULT)
        outcome.at_fault = f"{at_stop} releases written by the graph worker"
        await restart(pipeline, outcome, private_neo4j.stop, private_neo4j.start, NEO4J_OUTAGE_SECONDS)
        return extractor

    outcome = Outcome("Neo4j restart")
    try:
        await run_case(
            outcome, restart_neo4j, private_neo4j.env, postgres_database, synthetic_dump, expected_graph,
            tmp_path,
        )  # fmt: skip
    finally:
        await asyncio.to_thread(private_neo4j.ensure_started)

    assert "unhealthy" in outcome.statuses["graph worker 1"], "/health showed the outage"
    assert outcome.final["graph worker 1"]["types"]["releases"]["retries"] > 0
