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
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg

from adapters.neo4j.graph_store import Neo4jGraphStore
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
    await driver.execute_query("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
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


async def drop_database(env: dict[str, str], name: str) -> None:
    connection = await _admin(env)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
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
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


def run_aside(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run async set-up from synchronous code, on a private loop in a worker thread."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, coroutine).result()
