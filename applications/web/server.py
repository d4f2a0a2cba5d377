"""`discogsography web` and the serving half of `discogsography demo`: the app over the configured stores."""

from __future__ import annotations

import asyncio
import logging
import signal

import structlog
from hypercorn.asyncio import serve
from hypercorn.config import Config

from applications.container import Container
from applications.settings import WebSettings
from applications.web.app import create_app
from domain.exploring import Exploring

log = structlog.get_logger(__name__)


async def serve_web(container: Container, web: WebSettings, announce: bool = False) -> None:
    """Open the stores, serve until SIGTERM or SIGINT, then close them."""
    graph = container.graph_store()
    tables = container.table_store()
    cache = container.cache()
    # Idempotent; a fresh embedded graph cannot answer reads before its tables exist.
    await graph.ensure_schema()
    await tables.ensure_schema()

    async def close() -> None:
        await cache.close()
        await tables.close()
        await graph.close()

    app = create_app(Exploring(graph, tables, cache), web, on_close=close)
    config = Config()
    config.bind = [f"{web.host}:{web.port}"]
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, stop.set)
    address = f"http://{web.host}:{web.port}/"
    log.info("web_serving", address=address, graph=graph.address, tables=tables.address)
    if announce:
        print(f"Discogsography is serving at {address}  (API docs: {address}docs; Ctrl-C stops)", flush=True)
    await serve(app, config, shutdown_trigger=stop.wait)
