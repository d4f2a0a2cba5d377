"""The services pipeline as an operator runs it, and what a fault test needs around it.

- `AppProcess`: `discogsography extract` or `discogsography worker graph|tables` as a subprocess
  with its `/health` port, its stderr kept in a log file.
- Private servers a test may stop and start (`PrivateNeo4j`, `PrivatePostgres`, `PrivateRabbitMQ`):
  the shared servers of deploy/local may belong to someone else (another test run, or on a CI
  machine another checkout, whose deploy/local scripts this checkout cannot even stop), so a test
  that stops a server starts one of its own from the same binaries, on free loopback ports.
- The figures a recovered load is judged by: nodes per label and relationships per type, rows per
  table, the same counted by distinct key (nothing duplicated), the dead-letter queues.

Used by tests/integration/test_builder_faults.py (workers fed by a finished extraction),
tests/integration/test_fault_matrix.py (extractor and workers at once) and test_end_to_end.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import asyncpg
import httpx

from adapters.rabbitmq.bus import RabbitMQBus
from applications.local_services import DEPLOY_LOCAL, probe_neo4j, probe_rabbitmq
from domain.dumps import DISCOGS_DUMP_TYPES
from domain.messages import Subscription, Topic
from tests import servers
from tests.bench.synthetic_dump import DumpManifest

Kind = Literal["graph", "tables"]
PREFIX = "discogsography-discogs"
CONSUMER_GROUP: dict[Kind, str] = {"graph": "graphinator", "tables": "tableinator"}
SERVER_LIMIT = 180.0  # seconds for a server to stop or become ready (as `services start`)
STOP_LIMIT = 120.0  # seconds for a SIGTERM-ed process to finish (graph maintenance included)
DISCOGSOGRAPHY = Path(sys.executable).with_name("discogsography")

Health = dict[str, Any]


# --- the dump ---------------------------------------------------------------------------------


def copy_dump(source: Path, parent: Path) -> Path:
    """The dump files of `source` alone in a new directory under `parent`: the extractor writes its
    state marker beside the files, so a copy starts from the beginning and leaves the source as it was."""
    target = Path(tempfile.mkdtemp(prefix="dump-", dir=parent))
    for path in source.glob("*.xml.gz"):
        shutil.copy(path, target / path.name)
    return target


@dataclass(frozen=True)
class SyntheticDump:
    """A generated dump (tests/bench/synthetic_dump.py) and its manifest of exact counts."""

    path: Path
    manifest: DumpManifest

    def fresh_copy(self, parent: Path) -> Path:
        return copy_dump(self.path, parent)


def releases_confirmed(marker: Path) -> tuple[int, str | None]:
    """Records confirmed so far for the releases file, and its status, from the state marker."""
    try:
        document = json.loads(marker.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return 0, None
    for name, progress in document["processing_phase"]["progress_by_file"].items():
        if name.endswith("_releases.xml.gz"):
            return int(progress["records_extracted"]), str(progress["status"])
    return 0, None


# --- waiting ----------------------------------------------------------------------------------


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


def answers(probe: Callable[[], Any]) -> bool:
    """Whether the async probe (run aside) succeeds."""
    try:
        servers.run_aside(probe())
    except Exception:
        return False
    return True


# --- private servers that a test may stop -----------------------------------------------------


@dataclass
class PrivateNeo4j:
    """A Neo4j of our own, started like deploy/local/neo4j.sh (smaller memory) on a free port."""

    home: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def create(cls, env: dict[str, str]) -> PrivateNeo4j:
        home = Path(tempfile.mkdtemp(prefix="dscg-test-neo4j-"))
        return cls(home, env | {"NEO4J_HOST": "127.0.0.1", "NEO4J_PORT": str(servers.free_port())})

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
        wait_until(
            lambda: answers(lambda: probe_neo4j(self.env)),
            SERVER_LIMIT,
            f"private Neo4j on {self.port} ready",
        )

    def stop(self) -> None:
        """SIGTERM our process (as neo4j.sh stop does), wait until it is gone and Bolt refuses."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=SERVER_LIMIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None
        wait_until(lambda: port_refuses(self.port), SERVER_LIMIT, "Neo4j's Bolt port refusing")

    def ensure_started(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.start()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


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

    @classmethod
    def create(cls, env: dict[str, str]) -> PrivatePostgres:
        parent = Path(tempfile.mkdtemp(prefix="dscg-test-postgres-"))
        shutil.chown(parent, "postgres")
        server = cls(
            parent / "data", env | {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(servers.free_port())}
        )
        as_postgres(
            str(server.bin_dir / "initdb"), "-D", str(server.data), "-U", env["POSTGRES_USERNAME"],
            "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        return server

    @property
    def port(self) -> int:
        return int(self.env["POSTGRES_PORT"])

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
        wait_until(lambda: port_refuses(self.port), SERVER_LIMIT, "PostgreSQL refusing")

    def running(self) -> bool:
        status = subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        return status.returncode == 0

    def ensure_started(self) -> None:
        if not self.running():
            self.start()

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.data.parent, ignore_errors=True)


RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


@dataclass
class PrivateRabbitMQ:
    """A RabbitMQ node of our own: Debian's rabbitmq-server as the rabbitmq user, as
    deploy/local/rabbitmq.sh runs the shared one, with its own node name, data directory and free
    loopback ports (AMQP, management API, Erlang distribution). Our user is its default user, so
    it exists from the first boot. Stopped with `rabbitmqctl stop`, as rabbitmq.sh does; its queues
    and messages survive the restart on disk."""

    base: Path
    env: dict[str, str]
    node: str
    distribution_port: int
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def create(cls, env: dict[str, str]) -> PrivateRabbitMQ:
        base = Path(tempfile.mkdtemp(prefix="dscg-test-rabbitmq-"))
        ports = {
            "RABBITMQ_PORT": str(servers.free_port()),
            "RABBITMQ_MANAGEMENT_PORT": str(servers.free_port()),
        }
        server = cls(
            base,
            env | {"RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_MANAGEMENT_HOST": "127.0.0.1"} | ports,
            f"{base.name}@localhost",
            servers.free_port(),
        )
        (base / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{ports['RABBITMQ_PORT']}\n"
            "management.tcp.ip = 127.0.0.1\n"
            f"management.tcp.port = {ports['RABBITMQ_MANAGEMENT_PORT']}\n"
            "loopback_users = none\n"
            f"default_user = {env['RABBITMQ_USERNAME']}\n"
            f"default_pass = {env['RABBITMQ_PASSWORD']}\n"
            "default_user_tags.administrator = true\n"
        )
        (base / "enabled_plugins").write_text("[rabbitmq_management].\n")
        for path in (base, base / "rabbitmq.conf", base / "enabled_plugins"):
            shutil.chown(path, "rabbitmq", "rabbitmq")
        return server

    @property
    def port(self) -> int:
        return int(self.env["RABBITMQ_PORT"])

    def start(self) -> None:
        node_env = {
            "PATH": os.environ["PATH"],
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),  # none: no /etc/rabbitmq one
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_DIST_PORT": str(self.distribution_port),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }
        with (self.base / "console.log").open("ab") as log:
            # runuser sets HOME to the rabbitmq user's: the Erlang cookie rabbitmqctl uses too.
            self.process = subprocess.Popen(
                ["runuser", "-u", "rabbitmq", "--", str(RABBITMQ_SERVER)],
                env=node_env, cwd="/var/lib/rabbitmq", stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_until(self.ready, SERVER_LIMIT, f"private RabbitMQ on {self.port} ready")

    def ready(self) -> bool:
        """AMQP with our user answers, and so does the management API (queue figures, vhosts)."""
        if self.process is not None and self.process.poll() is not None:
            tail = (self.base / "console.log").read_text(errors="replace")[-2000:]
            raise AssertionError(f"private RabbitMQ exited with {self.process.returncode}:\n{tail}")
        if not answers(lambda: probe_rabbitmq(self.env)):
            return False
        try:
            overview = httpx.get(
                f"{servers.rabbitmq_management_url(self.env)}/api/overview",
                auth=(self.env["RABBITMQ_USERNAME"], self.env["RABBITMQ_PASSWORD"]),
                timeout=2.0,
            )
        except httpx.HTTPError:
            return False
        return overview.status_code == httpx.codes.OK

    def stop(self) -> None:
        """`rabbitmqctl stop` (graceful, as rabbitmq.sh stop); wait until the node is gone."""
        if self.process is None:
            return
        subprocess.run(
            ["rabbitmqctl", "-q", "-n", self.node, "stop"],
            capture_output=True, check=False, timeout=SERVER_LIMIT,
        )  # fmt: skip
        try:
            self.process.wait(timeout=SERVER_LIMIT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None
        wait_until(lambda: port_refuses(self.port), SERVER_LIMIT, "RabbitMQ's AMQP port refusing")

    def ensure_started(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.start()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


# --- the product's processes ------------------------------------------------------------------


def pipeline_env(
    server_env: dict[str, str], vhost: str, database: str, data_dir: Path | None = None, **extra: str
) -> dict[str, str]:
    """The environment of every pipeline process: the servers, a vhost and a database of the test's
    own and, when given, a data directory of its own (DISCOGSOGRAPHY_DATA_DIR holds the extraction
    lock, which an extractor of another run on this checkout would otherwise make it wait for)."""
    env = servers.embedded_environ(**server_env) | {"RABBITMQ_VHOST": vhost, "POSTGRES_DATABASE": database}
    if data_dir is not None:
        env["DISCOGSOGRAPHY_DATA_DIR"] = str(data_dir)
    return env | extra


@dataclass
class AppProcess:
    """`discogsography <arguments> --health-port N` as a subprocess, its stderr kept in a file."""

    name: str
    process: asyncio.subprocess.Process
    client: httpx.AsyncClient
    log: Path
    killed: bool = False  # by the test, on purpose

    @classmethod
    async def start(cls, name: str, arguments: list[str], env: dict[str, str], log: Path) -> AppProcess:
        port = servers.free_port()
        with log.open("ab") as stderr:
            process = await asyncio.create_subprocess_exec(
                str(DISCOGSOGRAPHY), *arguments, "--health-port", str(port),
                env=env, stdout=subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip
        return cls(name, process, httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5), log)

    @classmethod
    async def worker(cls, kind: Kind, env: dict[str, str], log: Path) -> AppProcess:
        """`discogsography worker <kind>`."""
        return await cls.start(f"{kind} worker", ["worker", kind], env, log)

    @classmethod
    async def extractor(cls, dump_dir: Path, env: dict[str, str], log: Path) -> AppProcess:
        """`discogsography extract --dump-dir DIR`."""
        return await cls.start("extractor", ["extract", "--dump-dir", str(dump_dir)], env, log)

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    async def health(self) -> Health | None:
        try:
            body: Health = (await self.client.get("/health")).json()
        except (httpx.TransportError, ValueError):
            return None
        return body

    async def health_when(self, done: Callable[[Health], bool], limit: float) -> Health:
        """Poll /health every 50 ms until `done(body)`; fail after `limit` s or if the process exits."""
        deadline = time.monotonic() + limit
        body: Health | None = None
        while time.monotonic() < deadline:
            assert self.running, f"{self.name} exited {self.process.returncode}: {self.tail()}"
            body = await self.health()
            if body is not None and done(body):
                return body
            await asyncio.sleep(0.05)
        raise AssertionError(
            f"{self.name}: /health never reached the expected state in {limit:.0f} s; {body}"
        )

    async def wait(self, limit: float) -> int:
        """Wait for the process to end by itself; its exit code."""
        try:
            return await asyncio.wait_for(self.process.wait(), timeout=limit)
        except TimeoutError:
            raise AssertionError(f"{self.name} still running after {limit:.0f} s: {self.tail()}") from None
        finally:
            await self.client.aclose()

    async def stop(self) -> int:
        """SIGTERM and wait (a graph worker first finishes its maintenance); the exit code."""
        await self.client.aclose()
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=STOP_LIMIT)

    async def kill(self) -> None:
        self.killed = True
        await self.client.aclose()
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


STARTUP_LIMIT = 120.0  # seconds for a worker to answer healthy and declare its queues
SETTLE_SECONDS = 6.0  # longer than the broker's statistics interval (5 s): management figures are fresh


@dataclass
class Pipeline:
    """The services pipeline as separate processes, started as an operator does: the workers first
    (each declares its group's queues; a publish before any queue exists is refused, and one made
    before a group's first start never reaches that group), then the extractor."""

    env: dict[str, str]
    logs: Path
    processes: list[AppProcess] = field(default_factory=list)
    started: Counter[str] = field(default_factory=Counter)  # per kind, to name processes and logs

    def _number(self, kind: str) -> int:
        """The next number of a process of this kind, taken before any await (starts run concurrently)."""
        self.started[kind] += 1
        return self.started[kind]

    async def start_worker(self, kind: Kind) -> AppProcess:
        """`discogsography worker <kind>`, once healthy and its four queues declared."""
        number = self._number(kind)
        worker = await AppProcess.start(
            f"{kind} worker {number}", ["worker", kind], self.env, self.logs / f"{kind}-worker-{number}.log"
        )
        self.processes.append(worker)
        await worker.health_when(lambda body: body["status"] == "healthy", STARTUP_LIMIT)
        deadline = time.monotonic() + STARTUP_LIMIT
        while not await queues_declared(kind, self.env):
            assert time.monotonic() < deadline, f"{worker.name}: queues not declared: {worker.tail()}"
            await asyncio.sleep(0.25)
        return worker

    async def start_extractor(self, dump_dir: Path) -> AppProcess:
        """`discogsography extract --dump-dir DIR` (again: it resumes from its state marker)."""
        number = self._number("extractor")
        extractor = await AppProcess.start(
            f"extractor {number}", ["extract", "--dump-dir", str(dump_dir)], self.env,
            self.logs / f"extractor-{number}.log",
        )  # fmt: skip
        self.processes.append(extractor)
        return extractor

    async def settle(self, extractor: AppProcess, limit: float) -> None:
        """Wait for the extractor to exit 0, then for every queue of both groups to show nothing ready
        or unacked in two management samples SETTLE_SECONDS apart, the first taken that long after the
        exit (the broker refreshes its figures every 5 s; once everything published is acked, nothing
        more can come). Every worker must still be running."""
        deadline = time.monotonic() + limit
        assert await extractor.wait(limit) == 0, extractor.tail()
        drained_since: float | None = None
        await asyncio.sleep(SETTLE_SECONDS)
        while True:
            for process in self.workers:
                assert process.running, (
                    f"{process.name} exited {process.process.returncode}: {process.tail()}"
                )
            if await queues_drained("graph", self.env) and await queues_drained("tables", self.env):
                drained_since = drained_since or time.monotonic()
                if time.monotonic() - drained_since >= SETTLE_SECONDS:
                    return
            else:
                drained_since = None
            assert time.monotonic() < deadline, f"queues not drained within {limit:.0f} s"
            await asyncio.sleep(1.0)

    @property
    def workers(self) -> list[AppProcess]:
        """The workers the test did not kill: each of them is meant to be running."""
        return [process for process in self.processes if "worker" in process.name and not process.killed]

    async def stop(self) -> dict[str, int]:
        """SIGTERM every process still running (a worker finishes its batch and the graph maintenance);
        the exit codes of those that were running."""
        running = [process for process in self.processes if process.running]
        codes = await asyncio.gather(*(process.stop() for process in running))
        return {process.name: code for process, code in zip(running, codes, strict=True)}


def written(body: Health, data_type: str) -> int:
    return int(body["types"][data_type]["written"])


def completed(body: Health) -> set[str]:
    return {t for t, counters in body["types"].items() if counters["extractions_complete"] >= 1}


def every_type_completed(body: Health) -> bool:
    return completed(body) == set(DISCOGS_DUMP_TYPES)


# --- the bus ----------------------------------------------------------------------------------


def subscriptions(kind: Kind) -> dict[str, Subscription]:
    return {t: Subscription(Topic(PREFIX, t), CONSUMER_GROUP[kind]) for t in DISCOGS_DUMP_TYPES}


def new_bus(env: dict[str, str]) -> RabbitMQBus:
    return RabbitMQBus(servers.rabbitmq_url(env, env["RABBITMQ_VHOST"]), servers.rabbitmq_management_url(env))


async def dead_letter_counts(kind: Kind, env: dict[str, str]) -> dict[str, int]:
    """Dead letters per type of the group, taken off their queues (exact, unlike the management API)."""
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


async def queues_declared(kind: Kind, env: dict[str, str]) -> bool:
    """Every queue of the group exists (the worker declares and binds them as it starts)."""
    bus = new_bus(env)
    try:
        for subscription in subscriptions(kind).values():
            if await bus.stats(subscription) is None:
                return False
        return True
    finally:
        await bus.close()


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


async def graph_duplicates(env: dict[str, str]) -> dict[str, int]:
    """Per label and relationship type, how many more there are than distinct keys (all 0 when sound).

    A node's key is its `id` (entities) or `name` (Genre, Style, Person); a relationship's is its two
    ends and, for CREDITED_ON, its role: what the builder MERGEs on."""
    store = servers.new_neo4j_store(env)
    try:
        nodes, _, _ = await store.driver.execute_query(
            "MATCH (n) UNWIND labels(n) AS label WITH label, coalesce(n.id, n.name) AS key "
            "RETURN label, count(*) - count(DISTINCT key) AS extra"
        )
        edges, _, _ = await store.driver.execute_query(
            "MATCH (a)-[r]->(b) WITH type(r) AS type, [elementId(a), elementId(b), r.role] AS key "
            "RETURN type, count(*) - count(DISTINCT key) AS extra"
        )
    finally:
        await store.close()
    return {f"node {r['label']}": r["extra"] for r in nodes} | {
        f"edge {r['type']}": r["extra"] for r in edges
    }


async def wipe_graph(env: dict[str, str]) -> None:
    store = servers.new_neo4j_store(env)
    try:
        await servers.wipe_neo4j(store)
    finally:
        await store.close()


async def table_rows(env: dict[str, str], database: str) -> dict[str, tuple[int, int]]:
    """Rows and distinct ids per Discogs table."""
    connection = await asyncpg.connect(
        host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]), user=env["POSTGRES_USERNAME"],
        password=env["POSTGRES_PASSWORD"], database=database,
    )  # fmt: skip
    try:
        figures: dict[str, tuple[int, int]] = {}
        for data_type in DISCOGS_DUMP_TYPES:
            row = await connection.fetchrow(f"SELECT count(*), count(DISTINCT data_id) FROM {data_type}")
            figures[data_type] = (int(row[0]), int(row[1]))
        return figures
    finally:
        await connection.close()
