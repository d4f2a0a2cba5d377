"""The `discogsography` command: one entry point, a subcommand per application."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from applications.observability import configure_logging
from applications.settings import Settings, SettingsError, WebSettings

console = Console(stderr=True, highlight=False, soft_wrap=True)


async def _schema_init(settings: Settings) -> int:
    from applications.container import build_container
    from domain.schema_init import initialize_schema

    container = build_container(settings)
    graph = container.graph_store()
    tables = container.table_store()
    try:
        outcome = await initialize_schema(graph, tables)
    finally:
        await asyncio.gather(graph.close(), tables.close(), return_exceptions=True)
    for report in outcome.reports:
        if report.changed:
            console.print(f"{report.store} at {report.address}: created {', '.join(report.created)}")
        else:
            console.print(f"{report.store} at {report.address}: schema already up to date")
    for failure in outcome.failures:
        console.print(f"[red]schema-init failed:[/red] {failure.message}")
    return 0 if outcome.ok else 1


def _services(action: str) -> int:
    from applications import local_services

    if action == "start":
        results = asyncio.run(local_services.start_all())
        for result in results:
            colour = "red" if result.state == "failed" else "green"
            timing = f"{result.state} in {result.seconds:.1f} s"
            console.print(f"[{colour}]{result.service:9}[/{colour}] {result.address:16} {timing}")
            if result.detail:
                console.print(result.detail, markup=False)
        return 1 if any(result.state == "failed" for result in results) else 0
    if action == "status":
        statuses = asyncio.run(local_services.status_all())
        for name, address, up in statuses:
            console.print(f"{name:9} {address:16} {'up' if up else '[red]down[/red]'}")
        return 0 if all(up for _, _, up in statuses) else 1
    local_services.stop_all()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="discogsography",
        description="Discogs and MusicBrainz dumps into a knowledge graph and tables.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "schema-init",
        help="create the graph's keys and indexes and migrate the tables (idempotent)",
        description="Prepare both stores: Neo4j or LadybugDB, PostgreSQL or SQLite, as the settings select.",
    )
    services = commands.add_parser(
        "services",
        help="start, check or stop the local PostgreSQL, Redis, RabbitMQ and Neo4j (deploy/local)",
    )
    services.add_argument("action", choices=("start", "status", "stop"))
    extract = commands.add_parser(
        "extract",
        help="read a Discogs or MusicBrainz dump and publish its records (or write them as JSON Lines)",
        description="Find or download the newest Discogs (or MusicBrainz) dump, read every record, and "
        "publish them to RabbitMQ with a resumable state marker, or write OUT/<type>.jsonl.",
    )
    extract.add_argument(
        "--source",
        choices=("discogs", "musicbrainz"),
        default="discogs",
        help="which dump: the Discogs XML (default) or the MusicBrainz JSON dump (docs/musicbrainz.md)",
    )
    extract.add_argument("--dump-dir", type=Path, help="read the dump files here instead of downloading")
    extract.add_argument("--output-dir", type=Path, help="write OUT/<type>.jsonl instead of publishing")
    extract.add_argument(
        "--version",
        help="dump version when the files do not say it (Discogs YYYYMMDD, MusicBrainz YYYYMMDD-HHMMSS)",
    )
    extract.add_argument("--force", action="store_true", help="start afresh even if this version was done")
    extract.add_argument("--health-port", type=int, help="port of /health and /metrics (0: none)")
    extract.add_argument(
        "--periodic",
        action="store_true",
        help="keep running: check again every PERIODIC_CHECK_DAYS days, or at once on POST /trigger",
    )
    worker = commands.add_parser(
        "worker",
        help="build the graph or the tables from the bus (graph: port 8001, tables: port 8002)",
        description="Consume the extractor's messages into the graph store or the table store until SIGTERM.",
    )
    worker.add_argument("kind", choices=("graph", "tables"))
    worker.add_argument("--health-port", type=int, help="port of /health and /metrics (0: none)")
    worker.add_argument("--prefetch", type=int, default=4, help="unacked messages (batches) per queue")
    web = commands.add_parser(
        "web",
        help="serve the API, its docs and the explorer (port 8004)",
        description="Serve the HTTP API (OpenAPI at /openapi.json, docs at /docs) and the explorer at / "
        "over the configured stores until SIGTERM.",
    )
    web.add_argument("--host", help="address to listen on (API_HOST, default 127.0.0.1)")
    web.add_argument("--port", type=int, help="port to listen on (API_PORT, default 8004)")
    demo = commands.add_parser(
        "demo",
        help="load the bundled sample dump into embedded stores and serve the explorer",
        description="With nothing installed: LadybugDB, SQLite and in-process bus and cache under "
        "DISCOGSOGRAPHY_DATA_DIR (servers in the environment are ignored). Loads the Discogs sample "
        "dump shipped with the package, or --dump-dir, then serves the web app.",
    )
    demo.add_argument("--dump-dir", type=Path, help="load the Discogs dump files here instead of the samples")
    demo.add_argument("--no-serve", action="store_true", help="load, then exit")
    demo.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    demo.add_argument("--port", type=int, help="port to listen on (default 8004)")
    return parser


def _web_settings(arguments: argparse.Namespace) -> WebSettings:
    web = WebSettings.from_environ()
    return dataclasses.replace(
        web, host=arguments.host or web.host, port=web.port if arguments.port is None else arguments.port
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    if arguments.command == "services":
        return _services(arguments.action)
    try:
        if arguments.command == "demo":
            from applications.demo import embedded_environ

            settings = Settings.from_environ(embedded_environ(os.environ))
        else:
            settings = Settings.from_environ()
    except SettingsError as error:
        console.print(f"[red]configuration error:[/red] {error}")
        return 2
    configure_logging(settings.log_level)
    if arguments.command == "extract":
        from applications.extractor import ExtractRequest, run_extract

        health_port = arguments.health_port
        if health_port is None:
            health_port = 0 if arguments.output_dir is not None else settings.health_port
        request = ExtractRequest(
            dump_dir=arguments.dump_dir,
            output_dir=arguments.output_dir,
            version=arguments.version,
            force=arguments.force,
            health_port=health_port or None,
            periodic=arguments.periodic,
            source=arguments.source,
        )
        return run_extract(settings, request)
    if arguments.command == "worker":
        from applications.workers import HEALTH_PORT, run_worker

        port = HEALTH_PORT[arguments.kind] if arguments.health_port is None else arguments.health_port
        asyncio.run(run_worker(settings, arguments.kind, port or None, arguments.prefetch))
        return 0
    if arguments.command == "web":
        from applications.container import build_container
        from applications.web.server import serve_web

        asyncio.run(serve_web(build_container(settings), _web_settings(arguments)))
        return 0
    if arguments.command == "demo":
        from applications.demo import run_demo

        return run_demo(settings, _web_settings(arguments), arguments.dump_dir, not arguments.no_serve)
    return asyncio.run(_schema_init(settings))


if __name__ == "__main__":
    sys.exit(main())
