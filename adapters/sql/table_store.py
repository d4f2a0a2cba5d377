"""TableStore on SQLAlchemy 2: PostgreSQL through asyncpg, SQLite through aiosqlite."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from alembic import command
from domain.schema import ENTITY_TABLES, SchemaError, SchemaReport, StoreSchema, StoreUnavailable

# The migrations live beside the packages, at the top of the project (DESIGN.md "Layout").
ALEMBIC_DIR = Path(__file__).resolve().parents[2] / "alembic"


_INDEX_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
}


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    return config


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web app read while a builder writes; NORMAL sync is safe under WAL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class SqlTableStore:
    """The document tables behind one async engine; the dialect follows the URL."""

    def __init__(self, url: str, pool_size: int = 5) -> None:
        parsed = make_url(url)
        self._dialect = parsed.get_backend_name()
        if self._dialect == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self._address = database
            self._engine: AsyncEngine = create_async_engine(url)
            event.listen(self._engine.sync_engine, "connect", _enable_sqlite_pragmas)
        else:
            self._address = f"{parsed.host}:{parsed.port or 5432}/{parsed.database}"
            self._engine = create_async_engine(url, pool_size=pool_size, pool_pre_ping=True)
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
            table_names = set(inspector.get_table_names())
            tables = {
                name: frozenset(col["name"] for col in inspector.get_columns(name)) for name in table_names
            }
            unique_keys: set[tuple[str, str]] = set()
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

    async def close(self) -> None:
        await self._engine.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{os.fspath(path)}"
