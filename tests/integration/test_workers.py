"""`discogsography worker graph|tables` as separate processes on the servers, fed by `extract`."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from adapters.sql.table_store import SqlTableStore
from tests import servers
from tests.faults import copy_dump, pipeline_env
from tests.samples import discogs_sample_counts, samples_dir

DUMP_SET = "xml2db_20170401_head50"


async def health_when(client: httpx.AsyncClient, done: object) -> dict[str, object]:
    """Poll /health until `done(body)` holds; bounded to two minutes."""
    body: dict[str, object] = {}
    for _ in range(1200):
        try:
            body = (await client.get("/health")).json()
        except (httpx.TransportError, ValueError):
            body = {}
        if body and done(body):  # type: ignore[operator]
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"/health never reached the expected state; last: {body}")


def every_type_completed(body: dict[str, dict[str, dict[str, int]]]) -> bool:
    return all(counters["extractions_complete"] == 1 for counters in body["types"].values())


@pytest.mark.parametrize("kind", ["tables", "graph"])
async def test_worker_builds_its_store_from_an_extraction_and_stops_on_sigterm(
    kind: str,
    server_env: dict[str, str],
    rabbitmq_vhost: str,
    postgres_database: str,
    neo4j_lock: None,
    tmp_path: Path,
) -> None:
    await servers.empty_vhost(server_env, rabbitmq_vhost)
    await servers.empty_database(server_env, postgres_database)
    neo4j = servers.new_neo4j_store(server_env)
    await servers.wipe_neo4j(neo4j)
    env = pipeline_env(server_env, rabbitmq_vhost, postgres_database)
    port = servers.free_port()
    expected = discogs_sample_counts(DUMP_SET)
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "applications.cli", "worker", kind, "--health-port", str(port),
        env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            await health_when(client, lambda body: body.get("status") == "healthy")
            extract = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "applications.cli", "extract", "--health-port", "0",
                "--dump-dir", str(copy_dump(samples_dir() / "discogs" / DUMP_SET, tmp_path)),
                env=env, stderr=subprocess.PIPE,
            )  # fmt: skip
            _, extract_errors = await extract.communicate()
            assert extract.returncode == 0, extract_errors.decode()
            body = await health_when(
                client,
                lambda body: all(
                    counters["extractions_complete"] == 1 for counters in body["types"].values()
                ),
            )
            metrics = (await client.get("/metrics")).text
    finally:
        worker.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(worker.wait(), timeout=60)

    assert returncode == 0
    types = body["types"]
    assert isinstance(types, dict)
    assert {t: c["written"] for t, c in types.items()} == expected
    assert all(c["dead_lettered"] == 0 for c in types.values())
    assert (
        f'discogsography_builder_records_written_total{{builder="{kind}",data_type="masters"}} 47.0'
        in metrics
    )
    if kind == "tables":
        tables = SqlTableStore(servers.postgres_url(server_env, postgres_database))
        try:
            assert {t: await tables.count(t) for t in expected} == expected
        finally:
            await tables.close()
    else:
        try:
            assert await neo4j.count_nodes("Master") >= expected["masters"]
            master = await neo4j.get_node("Master", "18500")
            assert master is not None
            assert "sha256" in master
        finally:
            await neo4j.close()
