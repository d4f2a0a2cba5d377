"""Connections to the real servers of deploy/local, isolated per test run.

PostgreSQL: a database of our own per run, emptied between tests and dropped at the end.
Neo4j Community has a single user database, so a test run holds an exclusive lock on it
for its whole length and wipes data, constraints and indexes between tests.
A server that does not answer fails the test: a skipped server test never counts as passing.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx

from adapters.neo4j.graph_store import Neo4jGraphStore
from applications import demo
from applications.local_services import local_service_environ

NEO4J_LOCK = Path("/tmp/discogsography-tests-neo4j.lock")


def server_environ() -> dict[str, str]:
    """deploy/local/services.env, overridden by the same names in the environment."""
    env = local_service_environ()
    return {key: os.environ.get(key, value) for key, value in env.items()}


def neo4j_uri(env: dict[str, str]) -> str:
    return f"bolt://{env['NEO4J_HOST']}:{env['NEO4J_PORT']}"


def new_neo4j_store(env: dict[str, str]) -> Neo4jGraphStore:
    return Neo4jGraphStore(neo4j_uri(env), env["NEO4J_USERNAME"], env["NEO4J_PASSWORD"])


@contextmanager
def exclusive_neo4j() -> Iterator[None]:
    with NEO4J_LOCK.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


async def wipe_neo4j(store: Neo4jGraphStore) -> None:
    """Remove every node, constraint and index (but Neo4j's own lookup indexes)."""
    driver = store.driver
    # CALL { } IN TRANSACTIONS runs only in an auto-commit transaction (session.run), not in execute_query.
    # Relationships go first: DETACH DELETE of 10,000 nodes, hubs among them (a Genre of a large load
    # has hundreds of thousands of edges), can exceed the server's transaction memory.
    async with driver.session() as session:
        for statement in (
            "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
        ):
            result = await session.run(statement)
            await result.consume()
    constraints, _, _ = await driver.execute_query("SHOW CONSTRAINTS YIELD name")
    for record in constraints:
        await driver.execute_query(f"DROP CONSTRAINT `{record['name']}` IF EXISTS")
    indexes, _, _ = await driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")
    for record in indexes:
        await driver.execute_query(f"DROP INDEX `{record['name']}` IF EXISTS")


def postgres_url(env: dict[str, str], database: str) -> str:
    return (
        f"postgresql+asyncpg://{env['POSTGRES_USERNAME']}:{env['POSTGRES_PASSWORD']}"
        f"@{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/{database}"
    )


async def _admin(env: dict[str, str]) -> asyncpg.Connection:
    return await asyncpg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USERNAME"],
        password=env["POSTGRES_PASSWORD"],
        database="postgres",
    )


def new_database_name() -> str:
    return f"dscg_test_{uuid.uuid4().hex[:12]}"


async def create_database(env: dict[str, str], name: str) -> None:
    connection = await _admin(env)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(env: dict[str, str], name: str, attempts: int = 30) -> None:
    """Drop the database, waiting out an autovacuum worker (only a superuser may end it)."""
    connection = await _admin(env)
    try:
        for attempt in range(attempts):
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except asyncpg.InsufficientPrivilegeError:
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(1.0)
    finally:
        await connection.close()


async def empty_database(env: dict[str, str], name: str) -> None:
    connection = await asyncpg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USERNAME"],
        password=env["POSTGRES_PASSWORD"],
        database=name,
    )
    try:
        await connection.execute(
            "DROP SCHEMA IF EXISTS musicbrainz CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public"
        )
    finally:
        await connection.close()


def run_aside(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run async set-up from synchronous code, on a private loop in a worker thread."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, coroutine).result()


def rabbitmq_url(env: dict[str, str], vhost: str) -> str:
    return (
        f"amqp://{env['RABBITMQ_USERNAME']}:{env['RABBITMQ_PASSWORD']}"
        f"@{env['RABBITMQ_HOST']}:{env['RABBITMQ_PORT']}/{quote(vhost, safe='')}"
    )


def rabbitmq_management_url(env: dict[str, str]) -> str:
    host = env.get("RABBITMQ_MANAGEMENT_HOST", env["RABBITMQ_HOST"])
    return f"http://{host}:{env['RABBITMQ_MANAGEMENT_PORT']}"


def _rabbitmq_management(env: dict[str, str]) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"{rabbitmq_management_url(env)}/api",
        auth=(env["RABBITMQ_USERNAME"], env["RABBITMQ_PASSWORD"]),
        timeout=30.0,
    )


def new_vhost_name() -> str:
    return f"dscg_test_{uuid.uuid4().hex[:12]}"


async def create_vhost(env: dict[str, str], name: str) -> None:
    """A RabbitMQ virtual host of our own, where the test user may do everything."""
    async with _rabbitmq_management(env) as management:
        (await management.put(f"/vhosts/{name}")).raise_for_status()
        permissions = {"configure": ".*", "write": ".*", "read": ".*"}
        user = env["RABBITMQ_USERNAME"]
        (await management.put(f"/permissions/{name}/{user}", json=permissions)).raise_for_status()


async def delete_vhost(env: dict[str, str], name: str) -> None:
    async with _rabbitmq_management(env) as management:
        response = await management.delete(f"/vhosts/{name}")
        if response.status_code != httpx.codes.NOT_FOUND:
            response.raise_for_status()


async def empty_vhost(env: dict[str, str], name: str) -> None:
    """Delete every queue and every exchange but the broker's own from the virtual host."""
    async with _rabbitmq_management(env) as management:
        queues = (await management.get(f"/queues/{name}", params={"columns": "name"})).raise_for_status()
        for queue in queues.json():
            queue_path = quote(queue["name"], safe="")
            (await management.delete(f"/queues/{name}/{queue_path}")).raise_for_status()
        exchanges = (
            await management.get(f"/exchanges/{name}", params={"columns": "name"})
        ).raise_for_status()
        for exchange in exchanges.json():
            if exchange["name"] and not exchange["name"].startswith("amq."):
                exchange_path = quote(exchange["name"], safe="")
                (await management.delete(f"/exchanges/{name}/{exchange_path}")).raise_for_status()


async def close_vhost_connections(env: dict[str, str], name: str) -> int:
    """Have the broker close every client connection to the virtual host; how many it closed."""
    async with _rabbitmq_management(env) as management:
        connections = (await management.get(f"/vhosts/{name}/connections")).raise_for_status()
        for connection in connections.json():
            connection_path = quote(connection["name"], safe="")
            (await management.delete(f"/connections/{connection_path}")).raise_for_status()
        return len(connections.json())


@contextmanager
def own_vhost(env: dict[str, str]) -> Iterator[str]:
    """A virtual host for the duration of the block, deleted with everything in it afterwards."""
    name = new_vhost_name()
    run_aside(create_vhost(env, name))
    try:
        yield name
    finally:
        run_aside(delete_vhost(env, name))


def embedded_environ(**extra: str) -> dict[str, str]:
    """This process's environment without any server setting (the embedded default), plus `extra`.

    Each environment gets an extraction lock file of its own, so that an extraction under test never
    waits for another test run's (or a benchmark's) extraction on the same machine.
    """
    env = demo.embedded_environ(os.environ)
    env["EXTRACTION_LOCK_FILE"] = str(Path(tempfile.gettempdir()) / f"dscg-test-{uuid.uuid4().hex[:12]}.lock")
    env.update(extra)
    return env


def redis_url(env: dict[str, str]) -> str:
    password = env.get("REDIS_PASSWORD")
    credentials = f":{quote(password, safe='')}@" if password else ""
    return f"redis://{credentials}{env['REDIS_HOST']}:{env['REDIS_PORT']}/0"


def new_key_prefix() -> str:
    """A Redis key prefix of its own for one test, so runs and tests never see each other's keys."""
    return f"test-{uuid.uuid4().hex[:12]}:"


def free_port() -> int:
    """A TCP port nobody listens on right now, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_app(
    arguments: list[str], env: dict[str, str], port: int, timeout: float = 120.0
) -> Iterator[str]:
    """`discogsography <arguments>` as a process of its own until the block ends; yields its base URL
    once `/health` answers healthy. Its output goes to the log file beside the data dir, shown on failure."""
    log_path = Path(env.get("DISCOGSOGRAPHY_DATA_DIR", ".")) / f"app-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("discogsography")), *arguments],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    tail = log_path.read_text()[-3000:]
                    raise RuntimeError(f"app exited with {process.returncode}:\n{tail}")
                try:
                    if httpx.get(f"{base}/health", timeout=1.0).json().get("status") == "healthy":
                        break
                except (httpx.HTTPError, ValueError):
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"app not healthy after {timeout} s:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
