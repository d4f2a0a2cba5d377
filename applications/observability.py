"""Logs, health and metrics shared by every long-running application.

Logs are structlog events (JSON off a terminal, readable on one). Each worker serves
`/health` (its counters as JSON, 200 when healthy, 503 when not) and `/metrics` (Prometheus
text) on its own port: 8000 extractor, 8001 graph builder, 8002 table builder.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from hypercorn.asyncio import serve
from hypercorn.config import Config
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from quart import Quart, Response, jsonify

HealthReport = Callable[[], Mapping[str, Any]]


def configure_logging(level: str = "INFO") -> None:
    """structlog for our events and the libraries' stdlib logging alike, to stderr."""
    renderer: Any = (
        structlog.dev.ConsoleRenderer() if sys.stderr.isatty() else structlog.processors.JSONRenderer()
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # Alembic announces every plugin it loads at INFO; only its warnings matter to an operator.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))


def health_app(
    service: str,
    report: HealthReport,
    registry: CollectorRegistry = REGISTRY,
    trigger: Callable[[], Awaitable[Mapping[str, Any]]] | None = None,
) -> Quart:
    """The small HTTP face of a worker: `/health`, `/metrics` and, for the extractor, `POST /trigger`."""
    app = Quart(f"{service}-health")

    @app.get("/health")
    async def health() -> tuple[Response, int]:
        body = {"service": service, **report()}
        return jsonify(body), 200 if body.get("status", "healthy") == "healthy" else 503

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

    if trigger is not None:
        run_trigger = trigger

        @app.post("/trigger")
        async def trigger_run() -> tuple[Response, int]:
            return jsonify(await run_trigger()), 202

    return app


async def serve_health(app: Quart, port: int, stop: asyncio.Event, host: str = "0.0.0.0") -> None:  # noqa: S104 - health is probed from outside the container
    """Serve until `stop` is set; the worker's own shutdown decides when."""
    config = Config()
    config.bind = [f"{host}:{port}"]
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    await serve(app, config, shutdown_trigger=stop.wait)
