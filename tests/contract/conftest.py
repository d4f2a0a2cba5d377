"""Every adapter of a port, for the port's one contract suite.

Server adapters run against the real services of deploy/local (cleaned between tests);
embedded ones against a temporary directory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.ladybug.graph_store import LadybugGraphStore
from adapters.memory.bus import MemoryBus
from adapters.memory.cache import MemoryCache
from adapters.rabbitmq.bus import RabbitMQBus
from adapters.redis.cache import RedisCache
from adapters.sql.table_store import SqlTableStore, sqlite_url
from domain.ports import Bus, Cache, GraphStore, TableStore
from tests import servers


@pytest.fixture(params=["neo4j", "ladybug"])
async def graph_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[GraphStore]:
    store: GraphStore
    if request.param == "neo4j":
        request.getfixturevalue("neo4j_lock")
        neo4j = servers.new_neo4j_store(request.getfixturevalue("server_env"))
        await servers.wipe_neo4j(neo4j)
        store = neo4j
    else:
        store = LadybugGraphStore(tmp_path / "graph.lbdb")
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture(params=["postgresql", "sqlite"])
async def table_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TableStore]:
    if request.param == "postgresql":
        env = request.getfixturevalue("server_env")
        database = request.getfixturevalue("postgres_database")
        await servers.empty_database(env, database)
        url = servers.postgres_url(env, database)
    else:
        url = sqlite_url(tmp_path / "tables.sqlite")
    store = SqlTableStore(url)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture(params=["rabbitmq", "memory"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    """The bus on the run's RabbitMQ virtual host, emptied first, or in process."""
    adapter: Bus
    if request.param == "rabbitmq":
        env = request.getfixturevalue("server_env")
        vhost = request.getfixturevalue("rabbitmq_vhost")
        await servers.empty_vhost(env, vhost)
        adapter = RabbitMQBus(
            servers.rabbitmq_url(env, vhost), servers.rabbitmq_management_url(env), confirm_timeout=10.0
        )
    else:
        adapter = MemoryBus()
    try:
        yield adapter
    finally:
        await adapter.close()


@pytest.fixture(params=["redis", "memory"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    """Redis under a key prefix of the test's own, or in process."""
    adapter: Cache
    if request.param == "redis":
        env = request.getfixturevalue("server_env")
        adapter = RedisCache(servers.redis_url(env), key_prefix=servers.new_key_prefix())
    else:
        adapter = MemoryCache()
    try:
        yield adapter
    finally:
        await adapter.close()
