"""What several benchmarks share: the synthetic dump on disk, the machine's load, and the CPU time
and peak memory of processes read from /proc (psutil is not a dependency).

Benchmarks that run the product as separate processes (`bench_pipeline`, `bench_api`) watch each
process's VmHWM (peak resident set) while it lives and take its CPU time from `wait4` when it ends;
the servers' CPU time (Neo4j, PostgreSQL, RabbitMQ, Redis) is read before and after a stage, so a
figure measured while other work shared the cores can be normalized per CPU second.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.neo4j.graph_store import Neo4jGraphStore
from tests import servers
from tests.bench.synthetic_dump import generate_dump

DATA_TYPES = ("artists", "labels", "masters", "releases")
NODE_LABELS = {"artists": "Artist", "labels": "Label", "masters": "Master", "releases": "Release"}
CHECKED_RELATIONSHIPS = ("BY", "ON", "DERIVED_FROM", "IS", "PART_OF", "MEMBER_OF", "ALIAS_OF", "SUBLABEL_OF")
"""Relationship types whose count in the graph equals the synthetic dump's manifest exactly."""
DISCOGSOGRAPHY = [sys.executable, "-m", "applications.cli"]
"""The `discogsography` command: the entry point of its console script (`applications.cli:main`), run
by module. On the shared machine, processes whose command line says `discogsography` were ended from
outside mid-benchmark; this command line does not say it."""
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the dump -------------------------------------------------------------------------------------


def ensure_dump(dump_dir: Path, releases: int, seed: int = 1) -> dict[str, Any]:
    """The dump's manifest; the dump is generated first when the directory holds none."""
    manifest_path = dump_dir / "manifest.json"
    if not manifest_path.exists():
        print(f"generating a synthetic dump of {releases:,} releases in {dump_dir}", flush=True)
        started = time.perf_counter()
        generate_dump(dump_dir, releases=releases, seed=seed)
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    manifest: dict[str, Any] = json.loads(manifest_path.read_text())
    return manifest


def forget_extraction_state(dump_dir: Path) -> None:
    """Remove the extractor's resume markers beside the dump, so `extract` starts a first run."""
    for marker in dump_dir.glob(".extraction_status_*"):
        marker.unlink()
    flagged = dump_dir / "flagged"
    if flagged.is_dir():
        shutil.rmtree(flagged)


async def wipe_big_neo4j(store: Neo4jGraphStore) -> None:
    """`servers.wipe_neo4j` for a big graph: relationships first, in batches, then the nodes.

    DETACH DELETE of a hub (a genre on 100,000+ releases) takes all its relationships into one
    inner transaction and exceeds Neo4j's transaction memory pool; deleting the relationships on
    their own keeps every transaction small."""
    async with store.driver.session() as session:
        for statement in (
            "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS",
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS",
        ):
            result = await session.run(statement)
            await result.consume()
    await servers.wipe_neo4j(store)


# --- machine load and processes ---------------------------------------------------------------------


def load_line() -> str:
    """`uptime`'s load averages, for the record: the machine is shared."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def wait_for_quiet_machine(threshold: float, patience: float) -> None:
    """Wait (up to `patience` seconds) for the 1-minute load average to fall below `threshold`."""
    deadline = time.monotonic() + patience
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        print(f"  waiting for a quieter machine: {load_line()}", flush=True)
        time.sleep(30)
    print(f"  {load_line()}", flush=True)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM of a live process in MB (None once it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def reset_peak_rss(pid: int) -> None:
    """Start VmHWM afresh (Linux's clear_refs 5), so a later stage's peak is its own."""
    with suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def _command_line(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _comm(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def server_process_groups(postgres_database: str | None = None) -> dict[str, list[int]]:
    """The local servers' processes by name. With `postgres_database`, PostgreSQL backends serving
    that database are a group of their own (`postgres:<db>`), the rest stay in `postgres`."""
    groups: dict[str, list[int]] = {"neo4j": [], "postgres": [], "rabbitmq": [], "redis": []}
    if postgres_database:
        groups[f"postgres:{postgres_database}"] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        comm = _comm(entry)
        if comm == "java" and "neo4j" in _command_line(entry):
            groups["neo4j"].append(int(entry))
        elif comm == "postgres":
            if postgres_database and f" {postgres_database} " in _command_line(entry):
                groups[f"postgres:{postgres_database}"].append(int(entry))
            else:
                groups["postgres"].append(int(entry))
        elif comm == "beam.smp":
            groups["rabbitmq"].append(int(entry))
        elif comm == "redis-server":
            groups["redis"].append(int(entry))
    return groups


def cpu_snapshot(groups: Mapping[str, list[int]]) -> dict[str, dict[int, float]]:
    snapshot: dict[str, dict[int, float]] = {}
    for name, pids in groups.items():
        snapshot[name] = {}
        for pid in pids:
            try:
                snapshot[name][pid] = process_cpu_seconds(pid)
            except (FileNotFoundError, ProcessLookupError):
                continue
    return snapshot


@dataclass
class ServerCpu:
    """CPU seconds the servers spent between `start` and `stop` (processes that ended meanwhile lost)."""

    postgres_database: str | None = None
    before: dict[str, dict[int, float]] = field(default_factory=dict)
    spent: dict[str, float] = field(default_factory=dict)

    def start(self) -> None:
        self.before = cpu_snapshot(server_process_groups(self.postgres_database))

    def stop(self) -> dict[str, float]:
        after = cpu_snapshot(server_process_groups(self.postgres_database))
        self.spent = {
            name: sum(cpu - self.before.get(name, {}).get(pid, 0.0) for pid, cpu in pids.items())
            for name, pids in after.items()
        }
        return self.spent


def format_cpu(spent: Mapping[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in spent.items() if seconds >= 0.05)


# --- a product process, watched -----------------------------------------------------------------------


@dataclass
class Watched:
    """A `discogsography` process with its peak memory sampled while it lives."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    peak_mb: float = 0.0
    cpu_seconds: float | None = None
    returncode: int | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def start_sampling(self, interval: float = 0.1) -> None:
        def sample() -> None:
            while not self._stop.is_set():
                peak = peak_rss_mb(self.pid)
                if peak is None:
                    return
                self.peak_mb = max(self.peak_mb, peak)
                self._stop.wait(interval)

        self._sampler = threading.Thread(target=sample, name=f"rss-{self.name}", daemon=True)
        self._sampler.start()

    def reset_peak(self) -> None:
        reset_peak_rss(self.pid)
        self.peak_mb = peak_rss_mb(self.pid) or 0.0

    def live_cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)

    def poll(self) -> int | None:
        """Reap the process if it has ended, keeping its exact CPU time from wait4."""
        if self.returncode is not None:
            return self.returncode
        pid, status, usage = os.wait4(self.pid, os.WNOHANG)
        if pid == 0:
            return None
        self._ended(status, usage)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} still running after {timeout} s")
            time.sleep(0.05)
        return code

    def _ended(self, status: int, usage: Any) -> None:
        self.returncode = os.waitstatus_to_exitcode(status)
        self.process.returncode = self.returncode
        self.cpu_seconds = usage.ru_utime + usage.ru_stime
        self._stop.set()

    def terminate(self, timeout: float = 120.0) -> int:
        """SIGTERM, then SIGKILL if it has not left within `timeout` seconds."""
        # os.kill, not Popen.send_signal: Popen would reap the process and lose its rusage.
        if self.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.wait(timeout)
            except TimeoutError:
                os.kill(self.pid, signal.SIGKILL)
                self.wait()
        assert self.returncode is not None
        return self.returncode

    def log_tail(self, characters: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-characters:]
        except OSError:
            return ""


PROFILE_DIR_VARIABLE = "BENCH_PY_SPY_DIR"
"""Set in the bench's own environment: every product process is sampled by py-spy into this folder
(collapsed stacks, `<name>.txt`; the figures of such a run carry py-spy's overhead)."""


def start_product(
    name: str, arguments: list[str], env: Mapping[str, str], log_dir: Path, sample: bool = True
) -> Watched:
    """`discogsography <arguments>` as a process of its own, output to `log_dir/<name>.log`."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*DISCOGSOGRAPHY, *arguments], env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
    watched = Watched(name, process, log_path)
    if sample:
        watched.start_sampling()
    profile_dir = os.environ.get(PROFILE_DIR_VARIABLE)
    if profile_dir:
        Path(profile_dir).mkdir(parents=True, exist_ok=True)
        subprocess.Popen(
            [
                str(Path(sys.executable).with_name("py-spy")),
                "record",
                "--nonblocking",
                "--format",
                "raw",
                "--rate",
                "50",
                "--output",
                str(Path(profile_dir) / f"{name}.txt"),
                "--pid",
                str(process.pid),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return watched


@contextmanager
def product_process(
    name: str, arguments: list[str], env: Mapping[str, str], log_dir: Path
) -> Iterator[Watched]:
    """`start_product` for the length of a block, ended with SIGTERM after it."""
    watched = start_product(name, arguments, env, log_dir)
    try:
        yield watched
    finally:
        watched.terminate()


def log_events(log_path: Path, event: str) -> list[dict[str, Any]]:
    """The structlog JSON lines of a product log whose `event` is `event`."""
    found = []
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    for line in lines:
        if f'"{event}"' not in line:
            continue
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict) and parsed.get("event") == event:
            found.append(parsed)
    return found


def directory_size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file()) / 1e6
