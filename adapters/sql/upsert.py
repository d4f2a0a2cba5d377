"""Batch upserts of entity documents, one function per dialect, each in one transaction.

Both first compare the batch's hashes with the stored ones. An unchanged record then costs no
normalization, no serialization and no entity row write: only its seen mark moves, in the narrow
`<table>_seen` table (migration 0003), and not even that on a redelivery, whose mark is not newer.
New and changed records are written in bulk with `updated_at` set to the time seen; the write
repeats the hash condition, so a concurrent writer of the same id cannot make it rewrite an equal
document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.tables import UpsertOutcome

Batch = Mapping[str, Mapping[str, Any]]
"""A batch keyed by record id (one entry per id, the last copy of a repeated record)."""

DocumentText = Callable[[Mapping[str, Any]], bytes]
"""Turns a record into the UTF-8 JSON stored as its document."""

# One staging table per session, emptied at every commit: created once, never dropped, so that a
# batch costs no catalog writes. Rows up to 8 kB stay inline and uncompressed: a staged document is
# read once, by the INSERT and its expression indexes, and compressing it would be wasted work.
# Documents travel as bytea, the serializer's own bytes: the jsonb codec would want them decoded to
# str and encoded again, which costs the client as much as the server's UTF-8 check costs it.
_STAGING_TABLE = "upsert_staging"
_CREATE_STAGING = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING_TABLE} (data_id text, hash text, data bytea) "
    "WITH (toast_tuple_target = 8160) ON COMMIT DELETE ROWS"
)


def sqlite_time(moment: datetime) -> str:
    """A moment as SQLite stores it: UTC, fixed width, so that text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def upsert_postgresql(
    connection: AsyncConnection, table: str, batch: Batch, seen_at: datetime, document: DocumentText
) -> UpsertOutcome:
    """Mark unchanged rows seen and list the rest in one statement; COPY the rest and merge them."""
    ids = list(batch)
    classified = await connection.execute(
        text(
            f"""
            WITH incoming AS (
                SELECT data_id, hash
                FROM unnest(CAST(:ids AS text[]), CAST(:hashes AS text[])) AS incoming (data_id, hash)
            ), marked AS (
                INSERT INTO {table}_seen (data_id, seen_at)
                SELECT incoming.data_id, CAST(:seen_at AS timestamptz)
                FROM incoming JOIN {table} ON {table}.data_id = incoming.data_id
                WHERE {table}.hash = incoming.hash AND {table}.updated_at < CAST(:seen_at AS timestamptz)
                ON CONFLICT (data_id) DO UPDATE SET seen_at = EXCLUDED.seen_at
                WHERE {table}_seen.seen_at < EXCLUDED.seen_at
            )
            SELECT incoming.data_id
            FROM incoming LEFT JOIN {table} ON {table}.data_id = incoming.data_id
            WHERE {table}.hash IS DISTINCT FROM incoming.hash
            """
        ),
        {"ids": ids, "hashes": [batch[data_id]["sha256"] for data_id in ids], "seen_at": seen_at},
    )
    to_write = [str(row[0]) for row in classified]
    if not to_write:
        return UpsertOutcome(unchanged=len(ids))
    await connection.execute(text(_CREATE_STAGING))
    raw = await connection.get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection
    await driver.copy_records_to_table(
        _STAGING_TABLE,
        records=[(data_id, batch[data_id]["sha256"], document(batch[data_id])) for data_id in to_write],
        columns=("data_id", "hash", "data"),
    )
    written = await connection.execute(
        text(
            f"""
            INSERT INTO {table} (data_id, hash, data, updated_at)
            SELECT data_id, hash, CAST(convert_from(data, 'UTF8') AS jsonb), CAST(:seen_at AS timestamptz)
            FROM {_STAGING_TABLE}
            ON CONFLICT (data_id) DO UPDATE
            SET hash = EXCLUDED.hash, data = EXCLUDED.data,
                updated_at = GREATEST({table}.updated_at, EXCLUDED.updated_at)
            WHERE {table}.hash IS DISTINCT FROM EXCLUDED.hash
            RETURNING xmax = 0 AS inserted
            """
        ),
        {"seen_at": seen_at},
    )
    inserted_flags = [bool(row[0]) for row in written]
    inserted = sum(inserted_flags)
    updated = len(inserted_flags) - inserted
    return UpsertOutcome(inserted, updated, len(ids) - inserted - updated)


async def upsert_sqlite(
    connection: AsyncConnection, table: str, batch: Batch, seen_at: datetime, document: DocumentText
) -> UpsertOutcome:
    """Under the write lock (BEGIN IMMEDIATE): read stored hashes, mark unchanged rows, upsert the rest."""
    ids = list(batch)
    stored = await connection.execute(
        text(f"SELECT data_id, hash FROM {table} WHERE data_id IN (SELECT value FROM json_each(:ids))"),
        {"ids": orjson.dumps(ids).decode()},
    )
    stored_hashes = {str(row[0]): str(row[1]) for row in stored}
    unchanged = [data_id for data_id in ids if stored_hashes.get(data_id) == batch[data_id]["sha256"]]
    to_write = [data_id for data_id in ids if stored_hashes.get(data_id) != batch[data_id]["sha256"]]
    seen = sqlite_time(seen_at)
    if unchanged:
        await connection.execute(
            text(
                f"INSERT INTO {table}_seen (data_id, seen_at) SELECT data_id, :seen_at FROM {table} "
                "WHERE updated_at < :seen_at AND data_id IN (SELECT value FROM json_each(:ids)) "
                "ON CONFLICT (data_id) DO UPDATE SET seen_at = excluded.seen_at "
                f"WHERE {table}_seen.seen_at < excluded.seen_at"
            ),
            {"seen_at": seen, "ids": orjson.dumps(unchanged).decode()},
        )
    if to_write:
        await connection.exec_driver_sql(
            f"INSERT INTO {table} (data_id, hash, data, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (data_id) DO UPDATE "
            "SET hash = excluded.hash, data = excluded.data, "
            f"updated_at = max({table}.updated_at, excluded.updated_at) "
            f"WHERE {table}.hash IS NOT excluded.hash",
            [
                (data_id, batch[data_id]["sha256"], document(batch[data_id]).decode(), seen)
                for data_id in to_write
            ],
        )
    inserted = sum(1 for data_id in to_write if data_id not in stored_hashes)
    return UpsertOutcome(inserted, len(to_write) - inserted, len(unchanged))
