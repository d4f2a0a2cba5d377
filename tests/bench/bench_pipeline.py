"""End-to-end throughput: a synthetic dump through the whole pipeline, on both deployments.

Services: `discogsography worker graph` and `discogsography worker tables` (one process each, or
`--graph-workers`/`--table-workers` competing consumers) are started on the local RabbitMQ (a fresh
virtual host), Neo4j (wiped first, held under the test suites' lock for the whole run) and
PostgreSQL (a fresh database); when they are healthy the clock starts and
`discogsography extract --dump-dir D` runs. The load is over when every type's `extraction_complete`
has been handled by both builders (their `/health` counters: each data message before it was
committed and acked) and the graph builder has logged its maintenance (stub cleanup and the
Genre/Style/Label aggregates). Then the same dump again with `extract --force`: the builders'
counters must show no record written. Record counts in both stores are checked against the dump's
manifest after the first load.

Embedded: `discogsography demo --dump-dir D --no-serve` in a fresh DISCOGSOGRAPHY_DATA_DIR (one
process: in-process bus, LadybugDB, SQLite), timed by its own "Loaded ... in X s" line, then the same
command again (records already stored with the same hash are skipped).

Each process's peak RSS is its VmHWM, sampled while it lives; CPU seconds come from wait4 (ended
processes) or /proc (the workers, per run), and the servers' CPU from /proc, so that figures taken
while other work shared the two cores can be normalized.

    .venv/bin/python -m tests.bench.bench_pipeline --dump /tmp/bench/dump200k --releases 200000
        [--deployment services|embedded|both] [--graph-workers 1] [--table-workers 1] [--prefetch 4]
        [--quiet-load 1.5 --patience 600]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from adapters.ladybug.graph_store import LadybugGraphStore
from adapters.sql.table_store import SqlTableStore, sqlite_url
from adapters.sql.upsert import sqlite_time
from domain.ports import GraphStore
from tests import servers
from tests.bench.common import (
    CHECKED_RELATIONSHIPS,
    DATA_TYPES,
    NODE_LABELS,
    ServerCpu,
    Watched,
    directory_size_mb,
    ensure_dump,
    forget_extraction_state,
    format_cpu,
    load_line,
    log_events,
    start_product,
    wait_for_quiet_machine,
    wipe_big_neo4j,
)

BUILDERS = ("graph", "tables")
LOADED_LINE = re.compile(r"Loaded .* in ([0-9.]+) s")
MAINTENANCE_EVENT = "graph_maintenance_done"


@dataclass
class RunFigures:
    """One load of the dump on one deployment."""

    deployment: str
    run: str
    records: dict[str, int]
    wall_seconds: float
    """From the start until every record is committed in both stores (and the graph's maintenance)."""
    committed_seconds: float | None = None
    """Services: until both builders handled every type's extraction_complete (maintenance excluded)."""
    extract_seconds: float | None = None
    type_seconds: dict[str, float] = field(default_factory=dict)
    """Per type: from the extractor's first batch of the type until both builders had committed as
    many of its records as the dump holds (the extractor reads the files one after the other)."""
    written: dict[str, dict[str, int]] = field(default_factory=dict)
    unchanged: dict[str, dict[str, int]] = field(default_factory=dict)
    dead_lettered: dict[str, dict[str, int]] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""
    checks: list[str] = field(default_factory=list)
    """What did not match the manifest (empty: everything did)."""
    notes: list[str] = field(default_factory=list)

    @property
    def releases_per_second(self) -> float:
        return self.records["releases"] / self.wall_seconds

    @property
    def records_per_second(self) -> float:
        return sum(self.records.values()) / self.wall_seconds

    def report(self) -> str:
        lines = [
            f"== {self.deployment}, {self.run}: {sum(self.records.values()):,} records in "
            f"{self.wall_seconds:.1f} s: {self.releases_per_second:,.0f} releases/s, "
            f"{self.records_per_second:,.0f} records/s in total",
            f"   {self.load_before} before, {self.load_after} after",
        ]
        if self.committed_seconds is not None:
            lines.append(
                f"   all records committed in both stores at {self.committed_seconds:.1f} s; "
                f"graph maintenance done at {self.wall_seconds:.1f} s"
            )
        if self.extract_seconds is not None:
            lines.append(f"   extractor finished publishing at {self.extract_seconds:.1f} s")
        for data_type in DATA_TYPES:
            seconds = self.type_seconds.get(data_type)
            if seconds:
                lines.append(
                    f"   {data_type:9} {self.records[data_type]:>9,} records in {seconds:7.1f} s: "
                    f"{self.records[data_type] / seconds:>8,.0f} records/s"
                )
        for builder, counts in self.written.items():
            lines.append(
                f"   {builder} builder: written {counts}, unchanged {self.unchanged.get(builder)}, "
                f"dead-lettered {self.dead_lettered.get(builder)}"
            )
        lines.append(
            "   peak RSS: " + ", ".join(f"{name} {mb:,.0f} MB" for name, mb in self.peak_rss_mb.items())
        )
        lines.append("   CPU: " + format_cpu(self.cpu_seconds))
        lines.extend(f"   {note}" for note in self.notes)
        lines.extend(f"   CHECK FAILED: {problem}" for problem in self.checks)
        return "\n".join(lines)


# --- the services deployment --------------------------------------------------------------------------


def _health(client: httpx.Client, port: int) -> dict[str, Any] | None:
    try:
        body: dict[str, Any] = client.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return None
    return body


def _summed_counters(bodies: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per type, each counter summed over the workers of one builder (competing consumers)."""
    summed: dict[str, dict[str, int]] = {}
    for body in bodies:
        for data_type, counters in body["types"].items():
            into = summed.setdefault(data_type, {})
            for name, value in counters.items():
                into[name] = into.get(name, 0) + int(value)
    return summed


@dataclass
class ServicesDeployment:
    """The builders running as separate processes on the servers, ready to take extractions."""

    env: dict[str, str]
    """The environment of the product's processes: the servers, our vhost and database."""
    database: str
    vhost: str
    log_dir: Path
    workers: dict[str, list[tuple[Watched, int]]]
    """Per builder, its worker processes and their health ports."""
    runs: int = 0

    def counters(self, client: httpx.Client) -> dict[str, dict[str, dict[str, int]]]:
        """Per builder, per type, the workers' counters summed."""
        bodies: dict[str, dict[str, dict[str, int]]] = {}
        for builder, workers in self.workers.items():
            answers = []
            for watched, port in workers:
                if watched.poll() is not None:
                    raise RuntimeError(f"{watched.name} exited:\n{watched.log_tail()}")
                body = _health(client, port)
                if body is None or "types" not in body:
                    raise RuntimeError(f"{watched.name}'s /health did not answer")
                answers.append(body)
            bodies[builder] = _summed_counters(answers)
        return bodies

    def _maintenance_times(self) -> list[float]:
        """When each graph maintenance so far ended (epoch seconds, from the workers' logs)."""
        times = []
        for watched, _ in self.workers["graph"]:
            for event in log_events(watched.log_path, MAINTENANCE_EVENT):
                times.append(datetime.fromisoformat(event["timestamp"]).timestamp())
        return sorted(times)

    def all_watched(self) -> list[Watched]:
        return [watched for workers in self.workers.values() for watched, _ in workers]

    def load(
        self, dump_dir: Path, manifest: Mapping[str, Any], force: bool, timeout: float = 4 * 3600
    ) -> RunFigures:
        """`discogsography extract` over the dump, timed until both stores hold all of it."""
        self.runs += 1
        run_name = "first load" if self.runs == 1 else f"re-run {self.runs - 1}"
        records = {data_type: int(manifest["records"][data_type]) for data_type in DATA_TYPES}
        type_of_file = {manifest["files"][t]["name"]: t for t in DATA_TYPES}
        extract_port = servers.free_port()
        with httpx.Client() as client:
            baseline = self.counters(client)
            maintenance_before = len(self._maintenance_times())
            for watched in self.all_watched():
                watched.reset_peak()
            worker_cpu_before = {w.name: w.live_cpu_seconds() for w in self.all_watched()}
            server_cpu = ServerCpu(self.database)
            figures = RunFigures("services", run_name, records, 0.0, load_before=load_line())
            server_cpu.start()
            started_epoch, started = time.time(), time.perf_counter()
            arguments = ["extract", "--source", "discogs", "--dump-dir", str(dump_dir)]
            arguments += ["--health-port", str(extract_port)] + (["--force"] if force else [])
            extract = start_product(f"extract-{self.runs}", arguments, self.env, self.log_dir)
            type_started: dict[str, float] = {}
            # When both builders handled the type's extraction_complete (sent after the last file),
            # and when both had committed as many records of the type as the dump holds.
            type_done: dict[str, float] = {}
            type_committed: dict[str, float] = {}
            maintenance_at: float | None = None
            committed_at: float | None = None
            last_log_check = 0.0
            while True:
                now = time.perf_counter() - started
                if now > timeout:
                    raise TimeoutError(f"the load did not finish within {timeout} s")
                if extract.poll() is None:
                    progress = _health(client, extract_port)
                    for file_name, count in ((progress or {}).get("records_this_run") or {}).items():
                        data_type = type_of_file.get(file_name)
                        if data_type and count and data_type not in type_started:
                            type_started[data_type] = now
                elif figures.extract_seconds is None:
                    figures.extract_seconds = now
                    if extract.returncode != 0:
                        raise RuntimeError(f"extract exited with {extract.returncode}:\n{extract.log_tail()}")
                counters = self.counters(client)
                for data_type in DATA_TYPES:
                    if data_type not in type_done and all(
                        counters[b][data_type]["extractions_complete"]
                        > baseline[b][data_type]["extractions_complete"]
                        for b in BUILDERS
                    ):
                        type_done[data_type] = now
                    if data_type not in type_committed and all(
                        sum(
                            counters[b][data_type][key] - baseline[b][data_type][key]
                            for key in ("written", "unchanged", "dead_lettered")
                        )
                        >= records[data_type]
                        for b in BUILDERS
                    ):
                        type_committed[data_type] = now
                if committed_at is None and len(type_done) == len(DATA_TYPES):
                    committed_at = now
                if committed_at is not None and now - last_log_check >= 0.5:
                    last_log_check = now
                    ended = self._maintenance_times()
                    if len(ended) > maintenance_before:
                        maintenance_at = max(ended[maintenance_before] - started_epoch, committed_at)
                if maintenance_at is not None and figures.extract_seconds is not None:
                    break
                time.sleep(0.25)
            figures.wall_seconds = maintenance_at
            figures.committed_seconds = committed_at
            figures.load_after = load_line()
            for builder in BUILDERS:
                for key, into in (
                    ("written", figures.written),
                    ("unchanged", figures.unchanged),
                    ("dead_lettered", figures.dead_lettered),
                ):
                    into[builder] = {
                        t: counters[builder][t][key] - baseline[builder][t][key] for t in DATA_TYPES
                    }
            figures.type_seconds = {
                t: type_committed.get(t, type_done[t]) - type_started.get(t, 0.0) for t in DATA_TYPES
            }
            figures.peak_rss_mb["extract"] = extract.peak_mb
            figures.cpu_seconds["extract"] = extract.cpu_seconds or 0.0
            for watched in self.all_watched():
                figures.peak_rss_mb[watched.name] = watched.peak_mb
                figures.cpu_seconds[watched.name] = (
                    watched.live_cpu_seconds() - worker_cpu_before[watched.name]
                )
            figures.cpu_seconds.update(server_cpu.stop())
        return figures

    async def check_counts(self, manifest: Mapping[str, Any]) -> list[str]:
        """Both stores against the manifest: rows per type, releases, relationships."""
        server_env = servers.server_environ()
        tables = SqlTableStore(servers.postgres_url(server_env, self.database))
        graph = servers.new_neo4j_store(server_env)
        try:
            return await compare_with_manifest(graph, tables, manifest)
        finally:
            await tables.close()
            await graph.close()


async def compare_with_manifest(
    graph: GraphStore, tables: SqlTableStore, manifest: Mapping[str, Any]
) -> list[str]:
    problems = []
    for data_type in DATA_TYPES:
        expected = int(manifest["records"][data_type])
        rows = await tables.count(data_type)
        if rows != expected:
            problems.append(f"{rows:,} {data_type} rows, the manifest has {expected:,}")
        nodes = await graph.count_nodes(NODE_LABELS[data_type])
        if nodes < expected or (data_type == "releases" and nodes != expected):
            problems.append(f"{nodes:,} {NODE_LABELS[data_type]} nodes for {expected:,} records")
    for kind in CHECKED_RELATIONSHIPS:
        found, expected = await graph.count_relationships(kind), int(manifest["relationships"][kind])
        if found != expected:
            problems.append(f"{found:,} {kind} relationships, the manifest has {expected:,}")
    return problems


async def _prepare_servers(env: dict[str, str], vhost: str, database: str) -> None:
    await servers.create_vhost(env, vhost)
    await servers.create_database(env, database)
    neo4j = servers.new_neo4j_store(env)
    try:
        await wipe_big_neo4j(neo4j)
    finally:
        await neo4j.close()


async def _clean_servers(env: dict[str, str], vhost: str, database: str) -> None:
    await servers.delete_vhost(env, vhost)
    await servers.drop_database(env, database)
    neo4j = servers.new_neo4j_store(env)
    try:
        await wipe_big_neo4j(neo4j)
    finally:
        await neo4j.close()


def _wait_healthy(deployment: ServicesDeployment, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client() as client:
        for workers in deployment.workers.values():
            for watched, port in workers:
                while (body := _health(client, port)) is None or body.get("status") != "healthy":
                    if watched.poll() is not None:
                        raise RuntimeError(f"{watched.name} exited:\n{watched.log_tail()}")
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{watched.name} not healthy after {timeout} s")
                    time.sleep(0.2)


@contextmanager
def services_deployment(
    log_dir: Path, graph_workers: int = 1, table_workers: int = 1, prefetch: int | None = None
) -> Iterator[ServicesDeployment]:
    """Fresh servers (our vhost, our database, Neo4j wiped and locked) and the builders running.

    Everything is removed afterwards: vhost, database, the graph."""
    server_env = servers.server_environ()
    suffix = servers.new_database_name().removeprefix("dscg_test_")
    vhost, database = f"dscg_bench_{suffix}", f"dscg_bench_{suffix}"
    env = servers.embedded_environ(**server_env) | {"RABBITMQ_VHOST": vhost, "POSTGRES_DATABASE": database}
    with servers.exclusive_neo4j():
        print(f"  Neo4j locked; vhost and database {database}", flush=True)
        servers.run_aside(_prepare_servers(server_env, vhost, database))
        try:
            with ExitStack() as stack:
                workers: dict[str, list[tuple[Watched, int]]] = {}
                for builder, count in (("graph", graph_workers), ("tables", table_workers)):
                    workers[builder] = []
                    for index in range(count):
                        port = servers.free_port()
                        arguments = ["worker", builder, "--health-port", str(port)]
                        if prefetch is not None:
                            arguments += ["--prefetch", str(prefetch)]
                        watched = start_product(f"{builder}-worker-{index + 1}", arguments, env, log_dir)
                        stack.callback(watched.terminate)
                        workers[builder].append((watched, port))
                deployment = ServicesDeployment(env, database, vhost, log_dir, workers)
                _wait_healthy(deployment)
                yield deployment
        finally:
            print("  removing the vhost and the database, wiping Neo4j", flush=True)
            servers.run_aside(_clean_servers(server_env, vhost, database))


# --- the embedded deployment -----------------------------------------------------------------------------


def embedded_environ(data_dir: Path) -> dict[str, str]:
    return servers.embedded_environ(DISCOGSOGRAPHY_DATA_DIR=str(data_dir))


def sqlite_path(data_dir: Path) -> Path:
    return data_dir / "discogsography.sqlite"


def rows_written_since(data_dir: Path, since: datetime) -> int:
    """Table rows whose document was (re)written at or after `since`."""
    with sqlite3.connect(sqlite_path(data_dir)) as connection:
        return sum(
            connection.execute(
                f"SELECT count(*) FROM {table} WHERE updated_at >= ?", (sqlite_time(since),)
            ).fetchone()[0]
            for table in DATA_TYPES
        )


def embedded_load(
    dump_dir: Path, data_dir: Path, log_dir: Path, manifest: Mapping[str, Any], run_name: str
) -> RunFigures:
    """`discogsography demo --dump-dir D --no-serve`, one process, timed by its own report."""
    records = {data_type: int(manifest["records"][data_type]) for data_type in DATA_TYPES}
    figures = RunFigures("embedded", run_name, records, 0.0, load_before=load_line())
    server_cpu = ServerCpu()
    server_cpu.start()
    began_at = datetime.now(UTC)
    started = time.perf_counter()
    name = f"demo-{run_name.replace(' ', '-')}"
    demo = start_product(
        name, ["demo", "--dump-dir", str(dump_dir), "--no-serve"], embedded_environ(data_dir), log_dir
    )
    demo.wait()
    process_seconds = time.perf_counter() - started
    figures.load_after = load_line()
    if demo.returncode != 0:
        raise RuntimeError(f"demo exited with {demo.returncode}:\n{demo.log_tail()}")
    loaded = LOADED_LINE.search(demo.log_path.read_text(errors="replace"))
    if loaded is None:
        raise RuntimeError(f"no 'Loaded ... in X s' line from the demo:\n{demo.log_tail()}")
    figures.wall_seconds = float(loaded[1])
    figures.committed_seconds = None
    figures.extract_seconds = None
    figures.peak_rss_mb["demo"] = demo.peak_mb
    figures.cpu_seconds["demo"] = demo.cpu_seconds or 0.0
    figures.cpu_seconds.update(server_cpu.stop())
    figures.notes.append(f"process wall time with start-up and close: {process_seconds:.1f} s")
    if run_name != "first load":
        rewritten = rows_written_since(data_dir, began_at)
        figures.written["tables"] = {"all types": rewritten}
        if rewritten:
            figures.checks.append(f"{rewritten:,} table rows rewritten by the re-run")
    return figures


async def check_embedded_counts(data_dir: Path, manifest: Mapping[str, Any]) -> list[str]:
    graph = LadybugGraphStore(data_dir / "graph.lbdb")
    tables = SqlTableStore(sqlite_url(sqlite_path(data_dir)))
    try:
        return await compare_with_manifest(graph, tables, manifest)
    finally:
        await tables.close()
        await graph.close()


# --- the command ------------------------------------------------------------------------------------------


def run_services(options: argparse.Namespace, manifest: Mapping[str, Any], log_dir: Path) -> list[RunFigures]:
    figures = []
    forget_extraction_state(options.dump)
    with services_deployment(
        log_dir, options.graph_workers, options.table_workers, options.prefetch
    ) as deployment:
        first = deployment.load(options.dump, manifest, force=False)
        first.checks += asyncio.run(deployment.check_counts(manifest))
        for builder in BUILDERS:
            if first.written[builder] != first.records:
                first.checks.append(f"{builder} builder wrote {first.written[builder]}")
        print(first.report(), flush=True)
        figures.append(first)
        for _ in range(options.reruns):
            wait_for_quiet_machine(options.quiet_load, options.patience)
            again = deployment.load(options.dump, manifest, force=True)
            for builder in BUILDERS:
                if any(again.written[builder].values()):
                    again.checks.append(f"{builder} builder rewrote {again.written[builder]}")
            print(again.report(), flush=True)
            print(
                f"   re-run / first load: {first.wall_seconds / again.wall_seconds:.1f}x faster", flush=True
            )
            figures.append(again)
    return figures


def run_embedded(options: argparse.Namespace, manifest: Mapping[str, Any], log_dir: Path) -> list[RunFigures]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="bench-embedded-", dir=options.scratch) as scratch:
        data_dir = Path(scratch) / "var"
        first = embedded_load(options.dump, data_dir, log_dir, manifest, "first load")
        first.checks += asyncio.run(check_embedded_counts(data_dir, manifest))
        print(first.report(), flush=True)
        print(f"   stores on disk: {directory_size_mb(data_dir):,.0f} MB", flush=True)
        figures.append(first)
        for index in range(options.reruns):
            wait_for_quiet_machine(options.quiet_load, options.patience)
            again = embedded_load(options.dump, data_dir, log_dir, manifest, f"re-run {index + 1}")
            print(again.report(), flush=True)
            print(
                f"   re-run / first load: {first.wall_seconds / again.wall_seconds:.1f}x faster", flush=True
            )
            figures.append(again)
    return figures


def add_common_options(parser: argparse.ArgumentParser, default_releases: int) -> None:
    """The options bench_pipeline and bench_api share."""
    parser.add_argument("--dump", type=Path, required=True, help="synthetic dump directory (made if missing)")
    parser.add_argument("--releases", type=int, default=default_releases, help="releases when generating")
    parser.add_argument("--deployment", choices=("services", "embedded", "both"), default="both")
    parser.add_argument("--graph-workers", type=int, default=1)
    parser.add_argument("--table-workers", type=int, default=1)
    parser.add_argument("--prefetch", type=int, help="worker --prefetch (default: the worker's)")
    parser.add_argument(
        "--scratch", type=Path, default=Path(tempfile.gettempdir()), help="for embedded stores"
    )
    parser.add_argument("--logs", type=Path, help="where the processes' logs go (default: a temp dir)")
    parser.add_argument("--quiet-load", type=float, default=1.5, help="wait for a 1-minute load below this")
    parser.add_argument("--patience", type=float, default=600.0, help="seconds to wait for a quiet machine")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_common_options(parser, default_releases=200_000)
    parser.add_argument("--reruns", type=int, default=1, help="unchanged re-runs after the first load")
    options = parser.parse_args(argv)
    manifest = ensure_dump(options.dump, options.releases)
    log_dir = options.logs or Path(tempfile.mkdtemp(prefix="bench-pipeline-logs-"))
    print(f"dump {options.dump}: {manifest['records']}; logs in {log_dir}", flush=True)
    figures: list[RunFigures] = []
    if options.deployment in ("services", "both"):
        wait_for_quiet_machine(options.quiet_load, options.patience)
        figures += run_services(options, manifest, log_dir)
    if options.deployment in ("embedded", "both"):
        wait_for_quiet_machine(options.quiet_load, options.patience)
        figures += run_embedded(options, manifest, log_dir)
    return 1 if any(f.checks for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
