"""Fixtures shared by the contract and integration suites: the real servers, isolated.

The session-wide fixtures are synchronous (their async set-up runs on a private loop in a
worker thread) so that parametrized async fixtures can request them on demand with
`request.getfixturevalue`, which pytest-asyncio does not allow for async fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests import servers
from tests.servers import run_aside


@pytest.fixture(scope="session")
def server_env() -> dict[str, str]:
    return servers.server_environ()


@pytest.fixture(scope="session")
def neo4j_lock() -> Iterator[None]:
    with servers.exclusive_neo4j():
        yield


@pytest.fixture(scope="session")
def postgres_database(server_env: dict[str, str]) -> Iterator[str]:
    """A database of this test run's own on the PostgreSQL server; dropped at the end."""
    name = servers.new_database_name()
    run_aside(servers.create_database(server_env, name))
    try:
        yield name
    finally:
        run_aside(servers.drop_database(server_env, name))


@pytest.fixture
async def clean_neo4j(server_env: dict[str, str], neo4j_lock: None) -> AsyncIterator[dict[str, str]]:
    """The Neo4j server, empty: no data, no constraints, no indexes. Yields its settings."""
    store = servers.new_neo4j_store(server_env)
    try:
        await servers.wipe_neo4j(store)
        yield server_env
        await servers.wipe_neo4j(store)
    finally:
        await store.close()


@pytest.fixture
async def clean_postgres(server_env: dict[str, str], postgres_database: str) -> str:
    """The run's PostgreSQL database, emptied before the test; its SQLAlchemy URL."""
    await servers.empty_database(server_env, postgres_database)
    return servers.postgres_url(server_env, postgres_database)


@pytest.fixture(scope="session")
def rabbitmq_vhost(server_env: dict[str, str]) -> Iterator[str]:
    """A RabbitMQ virtual host of this test run's own; deleted at the end."""
    with servers.own_vhost(server_env) as vhost:
        yield vhost
