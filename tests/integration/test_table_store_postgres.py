"""What only PostgreSQL can show about the table store: row versions, TOAST storage, reachability.

`xmin` names the transaction that wrote a row version, so a row that keeps its xmin was not
written again. A document larger than ~2 kB lives out of line in the table's TOAST relation, which
grows only when a document is written.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from adapters.sql.table_store import SqlTableStore
from domain.dedup import content_sha256
from domain.schema import StoreUnavailable
from domain.tables import UpsertOutcome

FIRST_RUN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECOND_RUN = FIRST_RUN + timedelta(days=30)


def large_release(release_id: str, notes: str) -> dict[str, Any]:
    """A release whose notes (random hex, hardly compressible) push it out of line into TOAST."""
    fields = {"id": release_id, "title": f"Release {release_id}", "released": "1999", "notes": notes}
    return {**fields, "sha256": content_sha256(fields)}


def releases(count: int) -> list[dict[str, Any]]:
    return [large_release(str(number), secrets.token_hex(4_000)) for number in range(count)]


@pytest.fixture
async def store(clean_postgres: str) -> AsyncIterator[SqlTableStore]:
    table_store = SqlTableStore(clean_postgres)
    await table_store.ensure_schema()
    try:
        yield table_store
    finally:
        await table_store.close()


async def row_versions(store: SqlTableStore) -> dict[str, str]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(text("SELECT data_id, xmin::text FROM releases"))
        return {str(data_id): str(xmin) for data_id, xmin in rows}


async def mark_versions(store: SqlTableStore) -> set[str]:
    async with store.engine.connect() as connection:
        return set((await connection.execute(text("SELECT xmin::text FROM releases_seen"))).scalars())


async def seen_marks(store: SqlTableStore) -> set[datetime]:
    async with store.engine.connect() as connection:
        return set((await connection.execute(text("SELECT DISTINCT seen_at FROM releases_seen"))).scalars())


async def toast_bytes(store: SqlTableStore) -> int:
    async with store.engine.connect() as connection:
        size = await connection.execute(
            # `::regclass` resolves the name on the search path: public.releases, not musicbrainz.releases.
            text("SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = 'releases'::regclass")
        )
        return int(size.scalar_one())


async def end_other_sessions(env: dict[str, str], database: str) -> None:
    """What a server restart does to a client's idle connections: end every session but this one."""
    connection = await asyncpg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USERNAME"],
        password=env["POSTGRES_PASSWORD"],
        database=database,
    )
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND usename = current_user"
        )
    finally:
        await connection.close()


async def test_an_unchanged_rerun_writes_no_row_version_and_marks_every_row_seen(
    store: SqlTableStore,
) -> None:
    batch = releases(50)
    await store.upsert_batch("releases", batch, FIRST_RUN)
    versions_after_first_load = await row_versions(store)
    toast_after_first_load = await toast_bytes(store)

    outcome = await store.upsert_batch("releases", batch, SECOND_RUN)

    assert outcome == UpsertOutcome(unchanged=50)
    assert await row_versions(store) == versions_after_first_load
    assert await toast_bytes(store) == toast_after_first_load
    assert await seen_marks(store) == {SECOND_RUN}


async def test_a_redelivered_batch_writes_nothing_at_all(store: SqlTableStore) -> None:
    batch = releases(20)
    await store.upsert_batch("releases", batch, FIRST_RUN)
    await store.upsert_batch("releases", batch, SECOND_RUN)
    versions, marks = await row_versions(store), await mark_versions(store)

    outcome = await store.upsert_batch("releases", batch, SECOND_RUN)

    assert outcome == UpsertOutcome(unchanged=20)
    assert await row_versions(store) == versions
    assert await mark_versions(store) == marks


async def test_documents_are_compressed_with_lz4(store: SqlTableStore) -> None:
    await store.upsert_batch("releases", releases(3), FIRST_RUN)

    async with store.engine.connect() as connection:
        methods = await connection.execute(text("SELECT DISTINCT pg_column_compression(data) FROM releases"))
        assert set(methods.scalars()) == {"lz4"}


async def test_only_changed_documents_are_written_again(store: SqlTableStore) -> None:
    batch = releases(50)
    await store.upsert_batch("releases", batch, FIRST_RUN)
    toast_after_first_load = await toast_bytes(store)
    versions_after_first_load = await row_versions(store)
    changed = {"3", "17", "41"}
    second_run = [
        large_release(record["id"], secrets.token_hex(4_000)) if record["id"] in changed else record
        for record in batch
    ]

    outcome = await store.upsert_batch("releases", second_run, SECOND_RUN)

    assert outcome == UpsertOutcome(updated=3, unchanged=47)
    versions = await row_versions(store)
    rewritten = {data_id for data_id in versions if versions[data_id] != versions_after_first_load[data_id]}
    assert rewritten == changed
    assert await toast_bytes(store) > toast_after_first_load


async def test_connections_the_server_dropped_are_replaced_without_error(
    store: SqlTableStore, server_env: dict[str, str], postgres_database: str
) -> None:
    await store.upsert_batch("releases", releases(2), FIRST_RUN)
    await end_other_sessions(server_env, postgres_database)

    outcome = await store.upsert_batch("releases", releases(1), SECOND_RUN)

    assert outcome == UpsertOutcome(updated=1, unchanged=0)
    assert await store.count("releases") == 2


async def test_an_unreachable_server_is_reported_with_its_address() -> None:
    store = SqlTableStore("postgresql+asyncpg://nobody:secret@127.0.0.1:1/discogsography")
    try:
        with pytest.raises(StoreUnavailable) as unavailable:
            await store.count("releases")
    finally:
        await store.close()

    assert unavailable.value.address == "127.0.0.1:1/discogsography"
