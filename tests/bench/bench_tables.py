"""Table store benchmark: rows per second per type into PostgreSQL and SQLite, first load and re-run.

    .venv/bin/python -m tests.bench.bench_tables [--releases 200000] [--dump DIR] [--stores postgresql,sqlite]
                                                [--types artists,labels,masters,releases]
                                                [--batch 1000] [--concurrency 2]

Records come from a synthetic dump (tests/bench/synthetic_dump.py, written to a temporary
directory unless --dump names one) read by the real Discogs reader, as the extractor sends them:
the normalized document with its sha256. Each type's records are decoded into batches before the
clock starts, so the figures are the store's alone: consumer normalization, serialization, COPY or
executemany, the hash-skip upsert and the commit. `--concurrency` batches are in flight at once
(each on its own connection), as several consumers of one queue would have them.

Besides rows per second, each line gives the CPU time per row of this process (client; for SQLite
that includes the database itself, which runs in this process) and of the PostgreSQL backends
serving it (server): on a machine shared with other work these say more than the wall clock, and
their sum bounds the rate two idle cores could reach.

The first load writes into empty tables; the re-run sends the same records again, later: it must
write no document (only seen marks) and, by the target, run at least 5 times as fast.
Each type is read once and loaded into every store in turn. PostgreSQL gets a database of its own on
the server of deploy/local/services.env, dropped at the end; SQLite a file in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from adapters.dumps.discogs_xml import read_records
from adapters.sql.table_store import SqlTableStore, sqlite_url
from domain.tables import UpsertOutcome
from tests import servers
from tests.bench.common import process_cpu_seconds
from tests.bench.synthetic_dump import generate_dump

DATA_TYPES = ("artists", "labels", "masters", "releases")
VERSION = "20250101"


@dataclass(frozen=True)
class Measurement:
    """One run over one type: wall time, and CPU seconds of this process and of the server."""

    store: str
    run: str
    data_type: str
    rows: int
    seconds: float
    outcome: UpsertOutcome
    client_cpu: float
    server_cpu: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


async def server_cpu_seconds(store: SqlTableStore) -> dict[int, float]:
    """CPU time of each PostgreSQL backend serving the bench database (none for SQLite)."""
    if store.store_name != "PostgreSQL":
        return {}
    async with store.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        )
        return {int(pid): process_cpu_seconds(int(pid)) for pid in rows.scalars()}


def dump_batches(dump: Path, data_type: str, batch_size: int) -> list[list[dict[str, Any]]]:
    """The type's records as the bus would carry them, cut into batches."""
    path = dump / f"discogs_{VERSION}_{data_type}.xml.gz"
    records = [{**record.document, "sha256": record.sha256} for record in read_records(path)]
    return [records[start : start + batch_size] for start in range(0, len(records), batch_size)]


async def upsert_all(
    store: SqlTableStore, data_type: str, batches: list[list[dict[str, Any]]], concurrency: int
) -> tuple[float, UpsertOutcome]:
    """Wall time to upsert every batch with `concurrency` in flight, and the summed outcome."""
    seen_at = datetime.now(UTC)
    pending: Iterator[list[dict[str, Any]]] = iter(batches)
    totals = [0, 0, 0]

    async def worker() -> None:
        for batch in pending:
            outcome = await store.upsert_batch(data_type, batch, seen_at)
            totals[0] += outcome.inserted
            totals[1] += outcome.updated
            totals[2] += outcome.unchanged

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, UpsertOutcome(*totals)


async def measure(
    store_name: str,
    store: SqlTableStore,
    data_type: str,
    batches: list[list[dict[str, Any]]],
    concurrency: int,
) -> list[Measurement]:
    """A first load of the batches into the store, then the same batches again."""
    rows = sum(len(batch) for batch in batches)
    measurements = []
    for run in ("first load", "re-run"):
        server_before, client_before = await server_cpu_seconds(store), time.process_time()
        seconds, outcome = await upsert_all(store, data_type, batches, concurrency)
        client_cpu = time.process_time() - client_before
        server_after = await server_cpu_seconds(store)
        server_cpu = sum(cpu - server_before.get(pid, 0.0) for pid, cpu in server_after.items())
        measurement = Measurement(store_name, run, data_type, rows, seconds, outcome, client_cpu, server_cpu)
        measurements.append(measurement)
        print(report_line(measurement), flush=True)
    return measurements


def report_line(measurement: Measurement) -> str:
    outcome = measurement.outcome
    per_row = 1e6 / measurement.rows
    return (
        f"{measurement.store:10s} {measurement.data_type:8s} {measurement.run:10s} "
        f"{measurement.rows:>9,} rows {measurement.seconds:7.2f} s"
        f" {measurement.rows_per_second:>9,.0f} rows/s"
        f"  cpu/row: client {measurement.client_cpu * per_row:5.1f} µs,"
        f" server {measurement.server_cpu * per_row:5.1f} µs"
        f"  (inserted {outcome.inserted:,}, updated {outcome.updated:,}, unchanged {outcome.unchanged:,})"
    )


def summary(measurements: list[Measurement]) -> list[str]:
    lines = []
    for store_name in dict.fromkeys(measurement.store for measurement in measurements):
        for data_type in DATA_TYPES:
            runs = {m.run: m for m in measurements if m.store == store_name and m.data_type == data_type}
            if len(runs) == 2:
                speedup = runs["re-run"].rows_per_second / runs["first load"].rows_per_second
                lines.append(f"{store_name:10s} {data_type:8s} re-run / first load: {speedup:5.1f}x")
    return lines


@asynccontextmanager
async def opened_stores(store_names: list[str], concurrency: int) -> AsyncIterator[dict[str, SqlTableStore]]:
    """Each store, empty and migrated: PostgreSQL in a database of its own, SQLite in a temp file."""
    env = servers.server_environ()
    database = f"dscg_bench_{servers.new_database_name().removeprefix('dscg_test_')}"
    urls = {}
    with tempfile.TemporaryDirectory() as scratch:
        if "postgresql" in store_names:
            await servers.create_database(env, database)
            urls["postgresql"] = servers.postgres_url(env, database)
        if "sqlite" in store_names:
            urls["sqlite"] = sqlite_url(Path(scratch) / "tables.sqlite")
        stores = {name: SqlTableStore(url, pool_size=max(5, concurrency)) for name, url in urls.items()}
        try:
            for store in stores.values():
                await store.ensure_schema()
            yield stores
        finally:
            for store in stores.values():
                await store.close()
            if "postgresql" in store_names:
                await servers.drop_database(env, database)


async def main_async(options: argparse.Namespace, dump: Path) -> None:
    measurements: list[Measurement] = []
    async with opened_stores(options.stores.split(","), options.concurrency) as stores:
        for data_type in options.types.split(","):
            batches = dump_batches(dump, data_type, options.batch)
            # The decoded records serve every run; frozen, the collector stops rescanning them.
            gc.collect()
            gc.freeze()
            for store_name, store in stores.items():
                measurements += await measure(store_name, store, data_type, batches, options.concurrency)
            gc.unfreeze()
    print("\n".join(summary(measurements)))


def main() -> None:
    arguments = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments.add_argument("--releases", type=int, default=200_000, help="size of the synthetic dump")
    arguments.add_argument("--dump", type=Path, help="an existing synthetic dump directory to read")
    arguments.add_argument("--stores", default="postgresql,sqlite")
    arguments.add_argument("--types", default=",".join(DATA_TYPES), help="data types to load, in order")
    arguments.add_argument("--batch", type=int, default=1000, help="records per upsert_batch call")
    arguments.add_argument("--concurrency", type=int, default=2, help="batches in flight at once")
    options = arguments.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        dump = options.dump
        if dump is None:
            dump = Path(scratch)
            started = time.perf_counter()
            generate_dump(dump, options.releases, version=VERSION)
            print(f"synthetic dump of {options.releases:,} releases in {time.perf_counter() - started:.0f} s")
        print(f"batches of {options.batch}, {options.concurrency} in flight")
        asyncio.run(main_async(options, dump))


if __name__ == "__main__":
    main()
