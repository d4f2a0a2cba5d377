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
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from adapters.rabbitmq.bus import RabbitMQBus
from adapters.sql.table_store import SqlTableStore
from applications.local_services import DEPLOY_LOCAL, probe_neo4j
from domain.dumps import DISCOGS_DUMP_TYPES
from domain.messages import Subscription, Topic
from tests import servers
from tests.bench.synthetic_dump import DumpManifest, generate_dump
from tests.integration.test_extract import free_port

Kind = Literal["graph", "tables"]
PREFIX = "discogsography-discogs"
CONSUMER_GROUP: dict[Kind, str] = {"graph": "graphinator", "tables": "tableinator"}
DUMP_RELEASES = 4000
EXTRACT_BATCH_SIZE = "50"
# Break the load once this many releases are written: some are in, most are still queued.
FAULT_AFTER_RELEASES = 250
NEO4J_OUTAGE_SECONDS = 30.0
POSTGRES_OUTAGE_SECONDS = 10.0
LOAD_LIMIT = 300.0  # seconds for one load to finish once its fault is over
SERVER_LIMIT = 180.0  # seconds for a server to stop or become ready (as `services start`)
WORKER_STOP_LIMIT = 120.0  # seconds for a SIGTERM-ed worker to finish (graph maintenance included)

Health = dict[str, Any]


# --- the dump ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticDump:
    path: Path
    manifest: DumpManifest

    def fresh_copy(self, parent: Path) -> Path:
        """A copy without any extraction marker: each extraction starts from the beginning."""
        target = Path(tempfile.mkdtemp(prefix="dump-", dir=parent))
        for source in self.path.glob("*.xml.gz"):
            shutil.copy(source, target / source.name)
        return target


@pytest.fixture(scope="module")
def synthetic_dump(tmp_path_factory: pytest.TempPathFactory) -> SyntheticDump:
    path = tmp_path_factory.mktemp("synthetic") / "dump"
    return SyntheticDump(path, generate_dump(path, releases=DUMP_RELEASES, seed=11, version="20250101"))


# --- private servers that a test may stop ---------------------------------------------------


def port_refuses(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return False
    except OSError:
        return True


def wait_until(condition: Callable[[], bool], limit: float, what: str) -> None:
    """Poll `condition` every 0.5 s; fail naming `what` after `limit` seconds."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {limit:.0f} s")
        time.sleep(0.5)


def neo4j_ready(env: dict[str, str]) -> bool:
    try:
        servers.run_aside(probe_neo4j(env))
    except Exception:
        return False
    return True


@dataclass
class PrivateNeo4j:
    """A Neo4j of our own, started like deploy/local/neo4j.sh (smaller memory) on a free port."""

    home: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        return int(self.env["NEO4J_PORT"])

    def start(self) -> None:
        lib = (DEPLOY_LOCAL / ".." / "neo4j" / "lib").resolve()
        (self.home / "conf").mkdir(parents=True, exist_ok=True)
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        if not (self.home / "data" / "dbms" / "auth.ini").exists():
            subprocess.run(
                ["java", "-cp", f"{lib}/*", "org.neo4j.cli.AdminTool", "dbms", "set-initial-password",
                 self.env["NEO4J_PASSWORD"]],
                env=os.environ | {"NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")},
                check=True, capture_output=True, timeout=SERVER_LIMIT,
            )  # fmt: skip
        with (self.home / "logs" / "console.log").open("ab") as log:
            self.process = subprocess.Popen(
                ["java", "-Xms512m", "-Xmx1g", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
                 "-cp", f"{lib}/*", "org.neo4j.server.CommunityEntryPoint",
                 f"--home-dir={self.home}", f"--config-dir={self.home / 'conf'}", "--console-mode",
                 "-c", "server.default_listen_address=127.0.0.1",
                 "-c", f"server.bolt.listen_address=127.0.0.1:{self.port}",
                 "-c", "server.http.enabled=false", "-c", "server.https.enabled=false",
                 "-c", "dbms.routing.enabled=false", "-c", "dbms.usage_report.enabled=false",
                 "-c", "server.memory.pagecache.size=512m", "-c", "db.memory.transaction.total.max=512m",
                 "-c", f"server.directories.logs={self.home / 'logs'}"],
                cwd=self.home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_until(lambda: neo4j_ready(self.env), SERVER_LIMIT, f"private Neo4j on port {self.port} ready")

    def stop(self) -> None:
        """SIGTERM our process (as neo4j.sh stop does) and wait until it is gone."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=SERVER_LIMIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    def ensure_started(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.start()


@pytest.fixture(scope="module")
def private_neo4j(server_env: dict[str, str]) -> Iterator[PrivateNeo4j]:
    home = Path(tempfile.mkdtemp(prefix="dscg-test-neo4j-"))
    server = PrivateNeo4j(home, server_env | {"NEO4J_HOST": "127.0.0.1", "NEO4J_PORT": str(free_port())})
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def as_postgres(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *command],
        capture_output=True, text=True, check=True, timeout=SERVER_LIMIT,
    )  # fmt: skip


@dataclass
class PrivatePostgres:
    """A PostgreSQL 15 cluster of our own (trust auth, loopback), run with pg_ctl on a free port."""

    data: Path
    env: dict[str, str]
    bin_dir: Path = field(default=Path("/usr/lib/postgresql/15/bin"))

    @property
    def port(self) -> int:
        return int(self.env["POSTGRES_PORT"])

    def init(self) -> None:
        as_postgres(
            str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", self.env["POSTGRES_USERNAME"],
            "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        as_postgres(
            str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "server.log"),
            "-o", options, "-w", "-t", str(int(SERVER_LIMIT)), "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Fast shutdown, as pg_ctlcluster stop: open connections are cut."""
        as_postgres(
            str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
            "-t", str(int(SERVER_LIMIT)), "stop",
        )  # fmt: skip

    def running(self) -> bool:
        status = subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        return status.returncode == 0

    def ensure_started(self) -> None:
        if not self.running():
            self.start()


@pytest.fixture(scope="module")
def private_postgres(server_env: dict[str, str]) -> Iterator[PrivatePostgres]:
    parent = Path(tempfile.mkdtemp(prefix="dscg-test-postgres-"))
    shutil.chown(parent, "postgres")
    server = PrivatePostgres(
        parent / "data", server_env | {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(free_port())}
    )
    try:
        server.init()
        server.start()
        yield server
    finally:
        if server.running():
            server.stop()
        shutil.rmtree(parent, ignore_errors=True)


# --- extraction, workers, health --------------------------------------------------------------


def subscriptions(kind: Kind) -> dict[str, Subscription]:
    return {t: Subscription(Topic(PREFIX, t), CONSUMER_GROUP[kind]) for t in DISCOGS_DUMP_TYPES}


def new_bus(env: dict[str, str]) -> RabbitMQBus:
    return RabbitMQBus(servers.rabbitmq_url(env, env["RABBITMQ_VHOST"]), servers.rabbitmq_management_url(env))


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


async def dead_letter_counts(kind: Kind, env: dict[str, str]) -> dict[str, int]:
    bus = new_bus(env)
    try:
        return {
            data_type: len(await bus.take_dead_letters(subscription, limit=100_000))
            for data_type, subscription in subscriptions(kind).items()
        }
    finally:
        await bus.close()


async def queues_drained(kind: Kind, env: dict[str, str]) -> bool:
    """Every queue of the group shows no ready and no unacked message (management API figures)."""
    bus = new_bus(env)
    try:
        for subscription in subscriptions(kind).values():
            stats = await bus.stats(subscription)
            if stats is None or stats.queue.ready + stats.queue.unacked > 0:
                return False
        return True
    finally:
        await bus.close()


@dataclass
class Worker:
    """`discogsography worker <kind>` as a subprocess, its stderr kept in a file."""

    kind: Kind
    process: asyncio.subprocess.Process
    client: httpx.AsyncClient
    log: Path

    @classmethod
    async def start(cls, kind: Kind, env: dict[str, str], log: Path) -> Worker:
        port = free_port()
        with log.open("ab") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "applications.cli", "worker", kind, "--health-port", str(port),
                env=env, stdout=subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip
        return cls(kind, process, httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5), log)

    async def health(self) -> Health | None:
        try:
            body: Health = (await self.client.get("/health")).json()
        except (httpx.TransportError, ValueError):
            return None
        return body

    async def health_when(self, done: Callable[[Health], bool], limit: float = LOAD_LIMIT) -> Health:
        """Poll /health every 50 ms until `done(body)`; fail after `limit` s or if the worker exits."""
        deadline = time.monotonic() + limit
        body: Health | None = None
        while time.monotonic() < deadline:
            assert self.process.returncode is None, f"worker exited {self.process.returncode}: {self.tail()}"
            body = await self.health()
            if body is not None and done(body):
                return body
            await asyncio.sleep(0.05)
        raise AssertionError(f"/health never reached the expected state in {limit:.0f} s; last: {body}")

    async def stop(self) -> int:
        """SIGTERM and wait (a graph worker first finishes its maintenance); the exit code."""
        await self.client.aclose()
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=WORKER_STOP_LIMIT)

    async def kill(self) -> None:
        await self.client.aclose()
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def written(body: Health, data_type: str) -> int:
    return int(body["types"][data_type]["written"])


def completed(body: Health) -> set[str]:
    return {t for t, counters in body["types"].items() if counters["extractions_complete"] >= 1}


def every_type_completed(body: Health) -> bool:
    return completed(body) == set(DISCOGS_DUMP_TYPES)


def worker_env(server_env: dict[str, str], vhost: str, database: str) -> dict[str, str]:
    return servers.embedded_environ(**server_env) | {"RABBITMQ_VHOST": vhost, "POSTGRES_DATABASE": database}


# --- store figures ----------------------------------------------------------------------------


async def graph_counts(env: dict[str, str]) -> dict[str, int]:
    """Nodes per label and relationships per type, straight from Cypher."""
    store = servers.new_neo4j_store(env)
    try:
        labels, _, _ = await store.driver.execute_query(
            "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS count"
        )
        types, _, _ = await store.driver.execute_query(
            "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count"
        )
    finally:
        await store.close()
    return {f"node {r['label']}": r["count"] for r in labels} | {
        f"edge {r['type']}": r["count"] for r in types
    }


async def wipe_graph(env: dict[str, str]) -> None:
    store = servers.new_neo4j_store(env)
    try:
        await servers.wipe_neo4j(store)
    finally:
        await store.close()


async def table_counts(env: dict[str, str], database: str) -> dict[str, int]:
    tables = SqlTableStore(servers.postgres_url(env, database))
    try:
        return {t: await tables.count(t) for t in DISCOGS_DUMP_TYPES}
    finally:
        await tables.close()


_CLEAN_GRAPH_COUNTS: dict[str, int] = {}


async def clean_graph_counts(env: dict[str, str], dump: SyntheticDump, tmp_path: Path) -> dict[str, int]:
    """The figures of an undisturbed load of the dump through the graph worker (once per module)."""
    if not _CLEAN_GRAPH_COUNTS:
        await servers.empty_vhost(env, env["RABBITMQ_VHOST"])
        await wipe_graph(env)
        await extract_into_queues("graph", env, dump.fresh_copy(tmp_path))
        worker = await Worker.start("graph", env, tmp_path / "clean-worker.log")
        try:
            await worker.health_when(every_type_completed)
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
    first = await Worker.start(kind, env, tmp_path / "first-worker.log")
    at_kill = await first.health_when(lambda body: written(body, "releases") >= FAULT_AFTER_RELEASES)
    await first.kill()
    assert written(at_kill, "releases") < releases, "the kill landed before the end of the releases"
    done_before_kill = completed(at_kill)

    second = await Worker.start(kind, env, tmp_path / "second-worker.log")
    try:
        deadline = time.monotonic() + LOAD_LIMIT
        while True:
            body = await second.health_when(lambda body: "releases" in completed(body))
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
    env = worker_env(server_env, rabbitmq_vhost, postgres_database)
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
    env = worker_env(server_env, rabbitmq_vhost, postgres_database)

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
    worker: Worker, stop_server: Callable[[], None], start_server: Callable[[], None], outage: float
) -> OutageReport:
    """Pause the worker once some releases are in, stop the server, resume the worker, hold the
    outage, start the server again, and wait until every type completed (the worker never exits).

    The pause (SIGSTOP) only makes sure the outage lands mid-load however fast the worker is: on
    resuming, it finds its connections cut and the server gone, as in a real outage.
    """
    at_stop = await worker.health_when(lambda body: written(body, "releases") >= FAULT_AFTER_RELEASES)
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
    final = await worker.health_when(every_type_completed)
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
    env = worker_env(private_neo4j.env, rabbitmq_vhost, postgres_database)
    try:
        clean = await clean_graph_counts(env, synthetic_dump, tmp_path)
        await servers.empty_vhost(server_env, rabbitmq_vhost)
        await wipe_graph(env)
        await extract_into_queues("graph", env, synthetic_dump.fresh_copy(tmp_path))
        worker = await Worker.start("graph", env, tmp_path / "worker.log")

        def stop_neo4j() -> None:
            private_neo4j.stop()
            wait_until(lambda: port_refuses(private_neo4j.port), SERVER_LIMIT, "Neo4j's Bolt port refusing")

        try:
            report = await load_through_an_outage(
                worker, stop_neo4j, private_neo4j.start, NEO4J_OUTAGE_SECONDS
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
    env = worker_env(private_postgres.env, rabbitmq_vhost, postgres_database)
    try:
        await servers.drop_database(env, postgres_database)  # the worker's schema-init creates it
        await extract_into_queues("tables", env, synthetic_dump.fresh_copy(tmp_path))
        worker = await Worker.start("tables", env, tmp_path / "worker.log")

        def stop_postgres() -> None:
            private_postgres.stop()
            wait_until(lambda: port_refuses(private_postgres.port), SERVER_LIMIT, "PostgreSQL refusing")

        try:
            report = await load_through_an_outage(
                worker, stop_postgres, private_postgres.start, POSTGRES_OUTAGE_SECONDS
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
