"""The services deployment end to end, as an operator runs it (issue 8; docs/operations.md).

Separate processes on the real servers: two `discogsography worker graph` (competing consumers of
the same queues), one `discogsography worker tables`, then `discogsography extract --dump-dir D`
on the 2020-08-06 sample dump; once the load has settled, `discogsography web` on a free port. The
API's answers over HTTP are compared with what the test reads from the dump's XML itself
(tests/integration/test_api.py's expectations, computed apart from the product's code).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import redis.asyncio as redis_asyncio

from domain.dumps import DISCOGS_DUMP_TYPES
from domain.exploring import search_cache_key
from domain.tables import SearchQuery
from tests import servers
from tests.faults import Health, Pipeline, copy_dump, pipeline_env, table_rows
from tests.integration.test_api import (
    DUMP,
    DUMP_FACTS,
    busiest_artist,
    expected_artist_categories,
    expected_graph_stats,
)
from tests.samples import discogs_sample_counts

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("neo4j_lock")]

BATCH_SIZE = "50"  # 20 messages per type: enough for two graph workers to share them
LOAD_LIMIT = 300.0
DUMP_COUNTS = discogs_sample_counts(DUMP.name)


@dataclass
class Served:
    """The loaded deployment: the web app's address, and the workers' /health once settled."""

    base_url: str
    graph_workers: list[Health]
    table_workers: list[Health]
    table_rows: dict[str, tuple[int, int]]


@pytest.fixture(scope="module")
async def served(
    server_env: dict[str, str], postgres_database: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Served]:
    work = tmp_path_factory.mktemp("end-to-end")
    vhost = servers.new_vhost_name()
    await servers.create_vhost(server_env, vhost)
    neo4j = servers.new_neo4j_store(server_env)
    await servers.wipe_neo4j(neo4j)
    await neo4j.close()
    await servers.empty_database(server_env, postgres_database)
    env = pipeline_env(server_env, vhost, postgres_database, data_dir=work, BATCH_SIZE=BATCH_SIZE)
    pipeline = Pipeline(env, work)
    try:
        await asyncio.gather(
            pipeline.start_worker("graph"), pipeline.start_worker("graph"), pipeline.start_worker("tables")
        )
        extractor = await pipeline.start_extractor(copy_dump(DUMP, work))
        await pipeline.settle(extractor, LOAD_LIMIT)
        healths = {process.name: await process.health() or {} for process in pipeline.workers}
        codes = await pipeline.stop()
        assert all(code == 0 for code in codes.values()), codes
        rows = await table_rows(env, postgres_database)
        await forget_cached_answers(env)
        port = servers.free_port()
        web_env = env | {"RATE_LIMITS_ENABLED": "false"}
        with servers.running_app(["web", "--port", str(port)], web_env, port) as base_url:
            yield Served(
                base_url,
                [body for name, body in healths.items() if name.startswith("graph")],
                [body for name, body in healths.items() if name.startswith("tables")],
                rows,
            )
    finally:
        await pipeline.stop()
        await servers.delete_vhost(server_env, vhost)


async def forget_cached_answers(env: dict[str, str]) -> None:
    """Redis is shared and the web app caches answers under fixed keys for up to a day: drop the
    keys this module reads, so that what it checks comes from the stores just loaded."""
    name = DUMP_FACTS.artist_names[busiest_artist()]
    client = redis_asyncio.from_url(servers.redis_url(env))
    try:
        await client.delete(f"explore:artist:{name}", search_cache_key(SearchQuery(name, ("artists",))))
    finally:
        await client.aclose()


async def get_json(served: Served, path: str, **params: Any) -> Any:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as client:
        response = await client.get(path, params=params)
    assert response.status_code == httpx.codes.OK, response.text
    return response.json()


def summed(healths: list[Health], counter: str) -> dict[str, int]:
    return {t: sum(int(body["types"][t][counter]) for body in healths) for t in DISCOGS_DUMP_TYPES}


# --- the load -----------------------------------------------------------------------------------


def test_two_graph_workers_shared_the_queues_and_wrote_every_record_once(served: Served) -> None:
    assert summed(served.graph_workers, "written") == DUMP_COUNTS
    assert all(written(body) > 0 for body in served.graph_workers), "each took a share"
    assert summed(served.graph_workers, "dead_lettered") == dict.fromkeys(DISCOGS_DUMP_TYPES, 0)


def test_the_table_worker_wrote_every_record_once(served: Served) -> None:
    assert summed(served.table_workers, "written") == DUMP_COUNTS
    assert served.table_rows == {t: (count, count) for t, count in DUMP_COUNTS.items()}


def written(body: Health) -> int:
    return sum(int(counters["written"]) for counters in body["types"].values())


# --- the API over HTTP --------------------------------------------------------------------------


async def test_graph_stats_count_every_entity_of_the_dump(served: Served) -> None:
    assert await get_json(served, "/api/graph/stats") == expected_graph_stats()


async def test_explore_an_artist_shows_its_categories_with_their_sizes(served: Served) -> None:
    artist_id = busiest_artist()
    name = DUMP_FACTS.artist_names[artist_id]

    body = await get_json(served, "/api/explore", name=name, type="artist")

    assert body["center"] == {"id": artist_id, "name": name, "type": "artist"}
    assert body["categories"] == expected_artist_categories(artist_id)


async def test_search_finds_the_artist_by_its_name(served: Served) -> None:
    artist_id = busiest_artist()
    name = DUMP_FACTS.artist_names[artist_id]

    body = await get_json(served, "/api/search", q=name, types="artist")

    hits = {hit["id"]: hit for hit in body["results"]}
    assert artist_id in hits
    assert (hits[artist_id]["type"], hits[artist_id]["name"]) == ("artist", name)
    assert all(hit["type"] == "artist" for hit in body["results"])


async def test_the_web_process_reports_itself_healthy(served: Served) -> None:
    body = await get_json(served, "/health")

    assert body["status"] == "healthy"
