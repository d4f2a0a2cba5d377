"""The composition root: the one place that names concrete adapters.

Each port picks its adapter from the settings: a configured host selects the server adapter,
an unset one the embedded adapter under DISCOGSOGRAPHY_DATA_DIR.
"""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.ladybug.graph_store import LadybugGraphStore
from adapters.memory.bus import MemoryBus
from adapters.memory.cache import MemoryCache
from adapters.neo4j.graph_store import Neo4jGraphStore
from adapters.rabbitmq.bus import RabbitMQBus
from adapters.redis.cache import RedisCache
from adapters.sql.table_store import SqlTableStore
from applications.settings import Settings


def _graph_kind(settings: Settings) -> str:
    return "neo4j" if settings.neo4j is not None else "ladybug"


def _bus_kind(settings: Settings) -> str:
    return "rabbitmq" if settings.rabbitmq is not None else "memory"


def _cache_kind(settings: Settings) -> str:
    return "redis" if settings.redis is not None else "memory"


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    graph_store = providers.Selector(
        providers.Callable(_graph_kind, settings),
        neo4j=providers.Singleton(
            Neo4jGraphStore,
            uri=settings.provided.neo4j.uri,
            username=settings.provided.neo4j.username,
            password=settings.provided.neo4j.password,
        ),
        ladybug=providers.Singleton(LadybugGraphStore, path=settings.provided.ladybug_path),
    )

    table_store = providers.Singleton(SqlTableStore, url=settings.provided.table_store_url)

    bus = providers.Selector(
        providers.Callable(_bus_kind, settings),
        rabbitmq=providers.Singleton(
            RabbitMQBus,
            url=settings.provided.rabbitmq.url,
            management_url=settings.provided.rabbitmq.management_url,
        ),
        memory=providers.Singleton(MemoryBus),
    )

    cache = providers.Selector(
        providers.Callable(_cache_kind, settings),
        redis=providers.Singleton(RedisCache, url=settings.provided.redis.url),
        memory=providers.Singleton(MemoryCache),
    )


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    return container
