"""`discogsography demo`: everything in one process on the embedded stores, from nothing to serving.

Whatever servers the environment names, the demo uses LadybugDB, SQLite, the in-process bus and
cache under DISCOGSOGRAPHY_DATA_DIR: it must work on a machine with nothing installed. It loads the
sample dump that ships with the package (or `--dump-dir`) every time it starts; records already
stored with the same hash are skipped, so a second start only re-reads the files.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from pathlib import Path

import structlog

from applications.container import Container, build_container
from applications.pipeline import load_dump
from applications.settings import Settings, WebSettings
from applications.web.server import serve_web
from domain.dumps import DumpError

log = structlog.get_logger(__name__)

BUNDLED_DUMP = Path(__file__).parent / "demo_data" / "discogs"


SERVER_VARIABLE_PREFIXES = ("NEO4J_", "POSTGRES_", "RABBITMQ_", "REDIS_")


def embedded_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment without any server's variables, so the settings select the embedded adapters
    (and a half-configured server cannot stop the demo)."""
    return {key: value for key, value in environ.items() if not key.startswith(SERVER_VARIABLE_PREFIXES)}


async def load(container: Container, dump_dir: Path, prefix: str) -> None:
    graph, tables, bus = container.graph_store(), container.table_store(), container.bus()
    started = time.perf_counter()
    await graph.ensure_schema()
    await tables.ensure_schema()
    report = await load_dump(bus, graph, tables, dump_dir, prefix)
    counts = {data_type: await tables.count(data_type) for data_type in report.written("tableinator")}
    print(
        f"Loaded {dump_dir} (version {report.outcome.version}) in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{count:,} {data_type}" for data_type, count in counts.items()),
        flush=True,
    )
    await bus.close()


def run_demo(settings: Settings, web: WebSettings, dump_dir: Path | None, serve: bool) -> int:
    source = dump_dir or BUNDLED_DUMP
    container = build_container(settings)

    async def main() -> int:
        try:
            await load(container, source, settings.discogs_exchange_prefix)
        except (DumpError, OSError) as error:
            print(f"cannot load {source}: {error}", flush=True)
            await container.graph_store().close()
            await container.table_store().close()
            return 1
        if not serve:
            await container.graph_store().close()
            await container.table_store().close()
            return 0
        await serve_web(container, web, announce=True)
        return 0

    return asyncio.run(main())
