"""TableStore on SQLAlchemy 2: PostgreSQL through asyncpg, SQLite through aiosqlite.

The statements that differ between the two live in `upsert.py` and `search.py`, side by side;
this class holds the engine, the schema and the statements both dialects share.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Row, event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from adapters.sql.musicbrainz import MusicBrainzTables, describe_musicbrainz
from adapters.sql.search import (
    PostgresqlSearch,
    SearchDialect,
    SearchStatements,
    SqliteSearch,
    autocomplete_statement,
)
from adapters.sql.upsert import sqlite_time, upsert_postgresql, upsert_sqlite
from domain.consumer_normalize import normalize_for_consumers
from domain.schema import ENTITY_TABLES, SchemaError, SchemaReport, StoreSchema, StoreUnavailable
from domain.tables import (
    DEFAULT_MAX_DELETE_FRACTION,
    InvalidRecord,
    NameMatch,
    PurgeDecision,
    SearchFacets,
    SearchHit,
    SearchPage,
    SearchQuery,
    UpsertOutcome,
    prefix_score,
    query_words,
    require_data_type,
    require_delete_fraction,
    veto_after_counting,
    veto_before_counting,
)

AnyRow = Row[*tuple[Any, ...]]
"""A result row of any shape (the statements here are text, so SQLAlchemy knows no column types)."""

# The migrations live inside this package so that an installed wheel carries them (DESIGN.md puts
# them at the top of the project; there a wheel would lose them).
ALEMBIC_DIR = Path(__file__).resolve().parent / "migrations"


_INDEX_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname IN (current_schema(), 'musicbrainz')",
}


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    return config


# How long a SQLite writer waits for another one's write lock before giving up (seconds).
SQLITE_BUSY_TIMEOUT = 60.0

# Execution option that makes a SQLite transaction take the write lock at BEGIN.
_WRITER = "discogsography_writer"


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web app read while a builder writes; NORMAL sync is safe under WAL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # The driver's own transaction handling starts transactions late and never for reads;
    # _begin_sqlite takes over (SQLAlchemy's recipe for pysqlite and aiosqlite).
    dbapi_connection.isolation_level = None


def _begin_sqlite(connection: Connection) -> None:
    # A deferred transaction that reads, then writes fails with SQLITE_BUSY when another writer
    # committed in between; a writer therefore takes the lock first and waits for it instead.
    immediate = connection.get_execution_options().get(_WRITER, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _require_time_zone(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must carry a time zone, not {moment!r}")


def _keyed_batch(data_type: str, records: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The batch by id, the last copy of a repeated record winning; InvalidRecord before any write."""
    batch: dict[str, Mapping[str, Any]] = {}
    for position, record in enumerate(records):
        record_id = record.get("id")
        if not isinstance(record_id, str) or not record_id:
            raise InvalidRecord(data_type, position, record_id, "needs a non-empty string id")
        sha256 = record.get("sha256")
        if not isinstance(sha256, str) or not sha256:
            raise InvalidRecord(data_type, position, record_id, "needs a non-empty string sha256")
        batch[record_id] = record
    return batch


# Driver errors that mean the server went away or refuses work for now (shutdown, restart); the
# COPY runs on the raw asyncpg connection, so its errors arrive unwrapped.
_CONNECTION_LOST = (OSError, asyncpg.PostgresConnectionError, asyncpg.exceptions.OperatorInterventionError)
# SQLite reports a missing table and a busy file alike (OperationalError); only the latter is passing.
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk I/O error")


def _connection_lost(error: BaseException) -> bool:
    """Whether the error, or one it arose from, says the store cannot be reached right now."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, sqlite3.OperationalError):
            return any(reason in str(seen) for reason in _SQLITE_UNAVAILABLE)
        if isinstance(seen, _CONNECTION_LOST):
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _genres(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    genres = orjson.loads(value)
    return tuple(str(genre) for genre in genres) if isinstance(genres, list) else None


class SqlTableStore(MusicBrainzTables):
    """The document tables behind one async engine; the dialect follows the URL."""

    def __init__(self, url: str, pool_size: int = 5) -> None:
        parsed = make_url(url)
        self._dialect = parsed.get_backend_name()
        if self._dialect == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self._address = database
            self._engine: AsyncEngine = create_async_engine(
                url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}
            )
            event.listen(self._engine.sync_engine, "connect", _enable_sqlite_pragmas)
            event.listen(self._engine.sync_engine, "begin", _begin_sqlite)
            self._search: SearchDialect = SqliteSearch()
            self._upsert = upsert_sqlite
        else:
            self._address = f"{parsed.host}:{parsed.port or 5432}/{parsed.database}"
            self._engine = create_async_engine(url, pool_size=pool_size, pool_pre_ping=True)
            self._search = PostgresqlSearch()
            self._upsert = upsert_postgresql
        self._url = parsed

    @property
    def store_name(self) -> str:
        return "SQLite" if self._dialect == "sqlite" else "PostgreSQL"

    @property
    def address(self) -> str:
        return self._address

    @property
    def engine(self) -> AsyncEngine:
        """The engine, for adapter-level tests that inspect the database directly."""
        return self._engine

    async def _create_database_if_missing(self) -> None:
        """PostgreSQL only: schema-init creates the database when the server lacks it."""
        if self._dialect == "sqlite":
            return
        try:
            async with self._engine.connect():
                return
        except DBAPIError as error:
            if "does not exist" not in str(error.orig):
                raise StoreUnavailable(self.store_name, self._address, str(error.orig)) from error
        except (OSError, OperationalError) as error:
            raise StoreUnavailable(self.store_name, self._address, str(error)) from error
        admin = create_async_engine(self._url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        statement = f'CREATE DATABASE "{self._url.database}"'
        try:
            async with admin.connect() as connection:
                await connection.execute(text(statement))
        except SQLAlchemyError as error:
            raise SchemaError(self.store_name, self._address, statement, str(error)) from error
        finally:
            await admin.dispose()

    async def ensure_schema(self) -> SchemaReport:
        await self._create_database_if_missing()
        config = _alembic_config()

        def upgrade(connection: Connection) -> list[str]:
            before = MigrationContext.configure(connection).get_current_revision()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            after = MigrationContext.configure(connection).get_current_revision()
            if after == before or after is None:
                return []
            script = ScriptDirectory.from_config(config)
            return [revision.revision for revision in script.iterate_revisions(after, before)][::-1]

        try:
            async with self._engine.begin() as connection:
                applied: list[str] = await connection.run_sync(upgrade)
        except (OSError, OperationalError) as error:
            raise StoreUnavailable(self.store_name, self._address, str(error)) from error
        except DBAPIError as error:
            raise SchemaError(
                self.store_name, self._address, str(error.statement), str(error.orig)
            ) from error
        return SchemaReport(self.store_name, self._address, tuple(f"migration {rev}" for rev in applied))

    async def describe_schema(self) -> StoreSchema:
        def describe(connection: Connection) -> StoreSchema:
            inspector = inspect(connection)
            # The musicbrainz tables are described as `musicbrainz.<table>` on both dialects.
            musicbrainz_tables, unique_keys = describe_musicbrainz(connection, self._dialect)
            table_names = {
                name for name in inspector.get_table_names() if not name.startswith("musicbrainz_")
            }
            tables = {
                name: frozenset(col["name"] for col in inspector.get_columns(name)) for name in table_names
            }
            tables.update(musicbrainz_tables)
            for name in table_names:
                primary = inspector.get_pk_constraint(name)["constrained_columns"]
                if len(primary) == 1:
                    unique_keys.add((name, primary[0]))
            # From the catalogue: the inspector skips SQLite's expression indexes.
            indexes = {str(row[0]) for row in connection.execute(text(_INDEX_NAMES[self._dialect]))}
            if self._dialect == "sqlite":
                searchable = {name for name in ENTITY_TABLES if f"{name}_fts" in table_names}
            else:
                searchable = {name for name in ENTITY_TABLES if f"idx_{name}_fts" in indexes}
            return StoreSchema(
                unique_keys=frozenset(unique_keys),
                indexes=frozenset(indexes),
                tables=tables,
                searchable=frozenset(searchable),
            )

        try:
            async with self._engine.connect() as connection:
                schema: StoreSchema = await connection.run_sync(describe)
        except (OSError, OperationalError) as error:
            raise StoreUnavailable(self.store_name, self._address, str(error)) from error
        return schema

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """Lost or refused connections (and SQLite's lock timeout) become StoreUnavailable."""
        try:
            yield
        except Exception as error:
            if _connection_lost(error):
                raise StoreUnavailable(self.store_name, self._address, str(error)) from error
            raise

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction (on SQLite, holding the write lock from its start)."""
        with self._reachable():
            async with self._engine.connect() as connection:
                writer = await connection.execution_options(**{_WRITER: True})
                async with writer.begin():
                    yield writer

    async def _fetch(self, statement: str, parameters: Mapping[str, Any]) -> Sequence[AnyRow]:
        with self._reachable():
            async with self._engine.connect() as connection:
                result = await connection.execute(text(statement), parameters)
                return result.all()

    def _moment(self, moment: datetime) -> datetime | str:
        """A time as a bound value: aware datetime for PostgreSQL, sortable UTC text for SQLite."""
        return sqlite_time(moment) if self._dialect == "sqlite" else moment

    async def upsert_batch(
        self, data_type: str, records: Sequence[Mapping[str, Any]], seen_at: datetime
    ) -> UpsertOutcome:
        table = require_data_type(data_type)
        _require_time_zone("seen_at", seen_at)
        batch = _keyed_batch(table, records)
        if not batch:
            return UpsertOutcome()
        current_year = seen_at.astimezone(UTC).year

        def document(record: Mapping[str, Any]) -> bytes:
            return orjson.dumps(normalize_for_consumers(table, record, current_year))

        async with self._writing() as connection:
            return await self._upsert(connection, table, batch, seen_at, document)

    async def purge_stale(
        self,
        data_type: str,
        started_at: datetime,
        record_count: int,
        dead_lettered: bool,
        max_delete_fraction: float = DEFAULT_MAX_DELETE_FRACTION,
    ) -> PurgeDecision:
        table = require_data_type(data_type)
        _require_time_zone("started_at", started_at)
        require_delete_fraction(max_delete_fraction)
        veto = veto_before_counting(record_count, dead_lettered)
        if veto is not None:
            return PurgeDecision(table, started_at, veto, max_delete_fraction=max_delete_fraction)
        # A row is stale when neither its document write nor its seen mark is as late as the start.
        started = {"started_at": self._moment(started_at)}
        async with self._writing() as connection:
            figures = await connection.execute(
                text(
                    "SELECT count(*), count(*) FILTER (WHERE entity.updated_at < :started_at "
                    "AND (mark.seen_at IS NULL OR mark.seen_at < :started_at)) "
                    f"FROM {table} AS entity LEFT JOIN {table}_seen AS mark ON mark.data_id = entity.data_id"
                ),
                started,
            )
            total, stale = figures.one()
            veto = veto_after_counting(total, stale, max_delete_fraction)
            deleted = 0
            if veto is None:
                deletion = await connection.execute(
                    text(
                        f"DELETE FROM {table} WHERE updated_at < :started_at AND NOT EXISTS ("
                        f"SELECT 1 FROM {table}_seen WHERE {table}_seen.data_id = {table}.data_id "
                        f"AND {table}_seen.seen_at >= :started_at)"
                    ),
                    started,
                )
                deleted = deletion.rowcount
                # Older marks now belong to deleted rows or to documents written since: both moot.
                await connection.execute(
                    text(f"DELETE FROM {table}_seen WHERE seen_at < :started_at"), started
                )
        return PurgeDecision(table, started_at, veto, total, stale, deleted, max_delete_fraction)

    async def count(self, data_type: str) -> int:
        table = require_data_type(data_type)
        rows = await self._fetch(f"SELECT count(*) FROM {table}", {})
        return int(rows[0][0])

    async def get(self, data_type: str, data_id: str) -> dict[str, Any] | None:
        table = require_data_type(data_type)
        rows = await self._fetch(
            f"SELECT CAST(data AS text) FROM {table} WHERE data_id = :data_id", {"data_id": data_id}
        )
        if not rows:
            return None
        document: dict[str, Any] = orjson.loads(rows[0][0])
        return document

    async def search(self, query: SearchQuery) -> SearchPage:
        matching = self._search.search_parameters(query)
        if matching is None:
            empty = SearchFacets(types=dict.fromkeys(query.data_types, 0))
            return SearchPage(hits=(), total=0, has_more=False, facets=empty)
        statements = SearchStatements(self._search, query)
        parameters = statements.parameters(matching)
        dated = any(table in ("masters", "releases") for table in query.data_types)
        hit_rows, type_rows, filtered_rows, genre_rows, decade_rows = await asyncio.gather(
            self._fetch(statements.hits(), parameters),
            self._fetch(statements.counts(filtered=False), parameters),
            self._fetch(statements.counts(filtered=True), parameters) if query.filtered else _no_rows(),
            self._fetch(statements.genre_facet(), parameters)
            if "releases" in query.data_types
            else _no_rows(),
            self._fetch(statements.decade_facet(), parameters) if dated else _no_rows(),
        )
        hits = tuple(
            SearchHit(
                data_type=str(row.data_type),
                data_id=str(row.data_id),
                name=str(row.name),
                highlight=str(row.highlight),
                relevance=float(row.relevance),
                year=None if row.year is None else int(row.year),
                genres=_genres(row.genres),
            )
            for row in hit_rows[: query.limit]
        )
        type_counts = {table: int(value) for table, value in zip(query.data_types, type_rows[0], strict=True)}
        total_row = filtered_rows[0] if query.filtered else type_rows[0]
        facets = SearchFacets(
            types=type_counts,
            genres={str(row[0]): int(row[1]) for row in genre_rows},
            decades={f"{int(row[0])}s": int(row[1]) for row in decade_rows},
        )
        return SearchPage(
            hits=hits,
            total=sum(int(value) for value in total_row),
            has_more=len(hit_rows) > query.limit,
            facets=facets,
        )

    async def autocomplete(self, data_type: str, prefix: str, limit: int) -> list[NameMatch]:
        table = require_data_type(data_type)
        if limit < 1:
            raise ValueError(f"limit must be ≥ 1, not {limit}")
        words = query_words(prefix)
        if not words:
            return []
        rows = await self._fetch(
            autocomplete_statement(self._search, table),
            {"prefixes": self._search.prefix_parameter(words), "limit": limit},
        )
        return [NameMatch(str(row[0]), str(row[1]), prefix_score(words, str(row[1]))) for row in rows]

    async def close(self) -> None:
        await self._engine.dispose()


async def _no_rows() -> Sequence[AnyRow]:
    return ()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{os.fspath(path)}"
