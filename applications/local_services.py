"""The four servers of a developer or CI machine, started by deploy/local on loopback.

`discogsography services start` reuses a server that already answers, starts the others
through their deploy/local/<name>.sh script, and waits until each answers its own protocol
(a PostgreSQL query, a Redis PING, an AMQP connection, a Bolt handshake), never a fixed sleep.
When one does not come up in time, the tail of its log is printed.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import asyncpg
import redis.asyncio as redis_asyncio
from aio_pika.exceptions import ProbableAuthenticationError

from adapters.neo4j.graph_store import Neo4jGraphStore

DEPLOY_LOCAL = Path(__file__).resolve().parents[1] / "deploy" / "local"
SERVICES_ENV = DEPLOY_LOCAL / "services.env"
PROBE_TIMEOUT = 5.0


def local_service_environ() -> dict[str, str]:
    """The settings of deploy/local/services.env, as environment variables."""
    environ: dict[str, str] = {}
    for line in SERVICES_ENV.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and "=" in stripped:
            key, _, value = stripped.partition("=")
            environ[key.strip()] = value.strip()
    return environ


class NeedsSetup(Exception):
    """The server answers but is not ready for us yet (e.g. our RabbitMQ user is missing)."""


async def probe_postgres(env: Mapping[str, str]) -> None:
    connection = await asyncpg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USERNAME"],
        password=env["POSTGRES_PASSWORD"],
        database=env["POSTGRES_DATABASE"],
        timeout=PROBE_TIMEOUT,
    )
    try:
        await connection.fetchval("SELECT 1")
    finally:
        await connection.close()


async def probe_redis(env: Mapping[str, str]) -> None:
    client = redis_asyncio.Redis(
        host=env["REDIS_HOST"], port=int(env["REDIS_PORT"]), socket_connect_timeout=PROBE_TIMEOUT
    )
    try:
        if not await client.ping():
            raise ConnectionError("PING was not answered with PONG")
    finally:
        await client.aclose()


async def probe_rabbitmq(env: Mapping[str, str]) -> None:
    # aio-pika logs every refused connection at ERROR; while polling a starting broker that is noise.
    for logger_name in ("aio_pika", "aiormq"):
        logging.getLogger(logger_name).setLevel(logging.CRITICAL)
    url = f"amqp://{env['RABBITMQ_USERNAME']}:{env['RABBITMQ_PASSWORD']}@{env['RABBITMQ_HOST']}:{env['RABBITMQ_PORT']}/"
    try:
        connection = await aio_pika.connect(url, timeout=PROBE_TIMEOUT)
    except ProbableAuthenticationError as error:
        raise NeedsSetup("broker answers, user missing") from error
    await connection.close()


async def probe_neo4j(env: Mapping[str, str]) -> None:
    store = Neo4jGraphStore(
        f"bolt://{env['NEO4J_HOST']}:{env['NEO4J_PORT']}",
        env["NEO4J_USERNAME"],
        env["NEO4J_PASSWORD"],
        connection_timeout=PROBE_TIMEOUT,
    )
    try:
        await store.verify()
    finally:
        await store.close()


@dataclass(frozen=True)
class LocalService:
    name: str
    script: str
    probe: Callable[[Mapping[str, str]], Awaitable[None]]
    setup_step: str | None = None

    def address(self, env: Mapping[str, str]) -> str:
        prefix = {"postgres": "POSTGRES", "redis": "REDIS", "rabbitmq": "RABBITMQ", "neo4j": "NEO4J"}[
            self.name
        ]
        return f"{env[prefix + '_HOST']}:{env[prefix + '_PORT']}"


SERVICES: tuple[LocalService, ...] = (
    LocalService("postgres", "postgres.sh", probe_postgres),
    LocalService("redis", "redis.sh", probe_redis),
    LocalService("rabbitmq", "rabbitmq.sh", probe_rabbitmq, setup_step="ensure-user"),
    LocalService("neo4j", "neo4j.sh", probe_neo4j),
)


def _script(service: LocalService, action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own script, fixed arguments
        ["/bin/bash", str(DEPLOY_LOCAL / service.script), action],
        capture_output=True,
        text=True,
        check=False,
    )


def log_tail(service: LocalService, lines: int = 40) -> str:
    path = Path(_script(service, "log").stdout.strip())
    if not path.is_file():
        return f"(no log at {path})"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


async def is_ready(service: LocalService, env: Mapping[str, str]) -> bool:
    try:
        await service.probe(env)
    except Exception:
        return False
    return True


@dataclass
class StartResult:
    service: str
    address: str
    state: str  # "reused", "started" or "failed"
    seconds: float
    detail: str = ""


async def _wait_ready(service: LocalService, env: Mapping[str, str], deadline: float) -> str:
    """'' when ready before the deadline, else the last probe error."""
    last_error = "no answer"
    setup_done = False
    while time.monotonic() < deadline:
        try:
            await service.probe(env)
            return ""
        except NeedsSetup as error:
            last_error = str(error)
            if service.setup_step and not setup_done:
                outcome = await asyncio.to_thread(_script, service, service.setup_step)
                setup_done = outcome.returncode == 0
                last_error = outcome.stderr.strip() or last_error
        except Exception as error:
            last_error = f"{type(error).__name__}: {error}"
        await asyncio.sleep(0.5)
    return last_error


async def _start_one(service: LocalService, env: Mapping[str, str], wait_limit: float) -> StartResult:
    began = time.monotonic()
    address = service.address(env)
    if await is_ready(service, env):
        return StartResult(service.name, address, "reused", time.monotonic() - began)
    outcome = await asyncio.to_thread(_script, service, "start")
    if outcome.returncode != 0:
        detail = (outcome.stderr or outcome.stdout).strip() + "\n" + log_tail(service)
        return StartResult(service.name, address, "failed", time.monotonic() - began, detail)
    error = await _wait_ready(service, env, began + wait_limit)
    if error:
        detail = f"not ready after {wait_limit:.0f} s: {error}\n{log_tail(service)}"
        return StartResult(service.name, address, "failed", time.monotonic() - began, detail)
    return StartResult(service.name, address, "started", time.monotonic() - began)


async def start_all(wait_limit: float = 180.0) -> list[StartResult]:
    env = local_service_environ()
    return list(await asyncio.gather(*(_start_one(service, env, wait_limit) for service in SERVICES)))


async def status_all() -> list[tuple[str, str, bool]]:
    env = local_service_environ()
    ready = await asyncio.gather(*(is_ready(service, env) for service in SERVICES))
    return [(service.name, service.address(env), up) for service, up in zip(SERVICES, ready, strict=True)]


def stop_all() -> None:
    for service in reversed(SERVICES):
        _script(service, "stop")
