"""The `musicbrainz` schema of the table store (SPEC-tables §3), mixed into SqlTableStore.

PostgreSQL keeps the tables in the schema `musicbrainz`, SQLite as `musicbrainz_<table>` in the
main file (migration 0005 says why). The statements are SQLAlchemy Core, built once per dialect
from the table declarations below, so that both dialects run the same upsert: read the stored
documents of the batch, compare them with the incoming ones, and write only the new and changed
rows (`ON CONFLICT (mbid) DO UPDATE`, guarded by `data IS DISTINCT FROM`, so that a concurrent
writer of the same entity cannot make it rewrite an equal row). Relations and external links are
inserted where missing (`ON CONFLICT` on their natural keys).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    func,
    inspect,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.types import TypeEngine

from adapters.sql.upsert import sqlite_time
from domain.musicbrainz import DISCOGS_ID_FIELD, MUSICBRAINZ_DUMP_TYPES
from domain.musicbrainz_model import (
    MUSICBRAINZ_TABLE_OF_TYPE,
    EntityCount,
    ExternalLink,
    MusicBrainzCounts,
    MusicBrainzUpsertOutcome,
    StoredRelationship,
    canonical_mbid,
    entity_row,
    external_link_rows,
    relationship_rows,
    require_musicbrainz_type,
)

SCHEMA = "musicbrainz"
"""The PostgreSQL schema; SQLite prefixes the table names with `musicbrainz_` instead."""

_NATURAL_KEY = (
    "source_mbid",
    "target_mbid",
    "source_entity_type",
    "target_entity_type",
    "relationship_type",
    "begin_date",
    "end_date",
    "attributes",
)
_LINK_KEY = ("mbid", "entity_type", "service_name", "url")
_ENTITY_TEXT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "artists": ("sort_name", "type", "gender", "begin_date", "end_date", "area", "begin_area", "end_area"),
    "labels": ("type", "begin_date", "end_date", "area"),
    "release_groups": ("type", "first_release_date"),
    "releases": ("barcode", "status"),
}


class _Store(Protocol):
    """What the mixin uses of SqlTableStore."""

    _dialect: str

    @property
    def engine(self) -> AsyncEngine: ...

    def _reachable(self) -> AbstractContextManager[None]: ...

    def _writing(self) -> AbstractAsyncContextManager[AsyncConnection]: ...


@functools.cache
def musicbrainz_tables(dialect: str) -> dict[str, Table]:
    """The six tables as Core objects for one dialect, keyed by their name in the schema."""
    postgres = dialect == "postgresql"
    metadata = MetaData(schema=SCHEMA if postgres else None)
    uuid_type: TypeEngine[Any] = postgresql.UUID(as_uuid=False) if postgres else String()
    json_type: TypeEngine[Any] = postgresql.JSONB() if postgres else sqlite.JSON()
    time_type: TypeEngine[Any] = DateTime(timezone=True) if postgres else String()

    def table(name: str, *columns: Column[Any]) -> Table:
        return Table(name if postgres else f"{SCHEMA}_{name}", metadata, *columns)

    def entity(name: str, *columns: Column[Any]) -> Table:
        return table(
            name,
            Column("mbid", uuid_type, primary_key=True),
            Column("name", String),
            *columns,
            Column("data", json_type),
            Column("created_at", time_type),
            Column("updated_at", time_type),
        )

    def texts(name: str) -> list[Column[Any]]:
        return [Column(column, String) for column in _ENTITY_TEXT_COLUMNS[name]]

    return {
        "artists": entity(
            "artists",
            *texts("artists"),
            Column("ended", Boolean),
            Column("disambiguation", String),
            Column("discogs_artist_id", BigInteger),
            Column("aliases", json_type),
            Column("tags", json_type),
        ),
        "labels": entity(
            "labels",
            *texts("labels"),
            Column("label_code", Integer),
            Column("ended", Boolean),
            Column("disambiguation", String),
            Column("discogs_label_id", BigInteger),
        ),
        "release_groups": entity(
            "release_groups",
            *texts("release_groups"),
            Column("secondary_types", json_type),
            Column("disambiguation", String),
            Column("discogs_master_id", BigInteger),
        ),
        "releases": entity(
            "releases",
            *texts("releases"),
            Column("release_group_mbid", uuid_type),
            Column("discogs_release_id", BigInteger),
        ),
        "relationships": table(
            "relationships",
            Column("id", BigInteger, primary_key=True),
            *(Column(name, uuid_type) for name in ("source_mbid", "target_mbid")),
            *(Column(name, String) for name in _NATURAL_KEY[2:7]),
            Column("ended", Boolean),
            Column("attributes", json_type),
            Column("created_at", time_type),
        ),
        "external_links": table(
            "external_links",
            Column("id", BigInteger, primary_key=True),
            Column("mbid", uuid_type),
            *(Column(name, String) for name in _LINK_KEY[1:]),
            Column("created_at", time_type),
        ),
    }


def _insert(dialect: str, table: Table) -> Any:
    """The dialect's INSERT that knows ON CONFLICT."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def _time_parameter(dialect: str, moment: datetime) -> datetime | str:
    return moment if dialect == "postgresql" else sqlite_time(moment)


def _aware(value: Any) -> Any:
    """SQLite keeps times as UTC text; answer with aware datetimes, as PostgreSQL does."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


def _unique(rows: Sequence[dict[str, Any]], key: Callable[[dict[str, Any]], object]) -> list[dict[str, Any]]:
    """One row per natural key (a statement may not touch one row twice)."""
    return list({key(row): row for row in rows}.values())


def _relationship_key(row: dict[str, Any]) -> object:
    return tuple(tuple(row[name]) if name == "attributes" else row[name] for name in _NATURAL_KEY)


class MusicBrainzTables:
    """TableStore's MusicBrainz methods (domain/ports.py), on the store's engine."""

    async def upsert_musicbrainz(
        self: _Store, data_type: str, records: Sequence[Mapping[str, Any]], seen_at: datetime
    ) -> MusicBrainzUpsertOutcome:
        if seen_at.tzinfo is None or seen_at.utcoffset() is None:
            raise ValueError(f"seen_at must carry a time zone, not {seen_at!r}")
        name = MUSICBRAINZ_TABLE_OF_TYPE[require_musicbrainz_type(data_type)]
        rows_by_mbid: dict[str, dict[str, Any]] = {}
        relations: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for position, record in enumerate(records):
            row = entity_row(data_type, position, record)
            rows_by_mbid[row["mbid"]] = row
            relations += relationship_rows(data_type, record)
            links += external_link_rows(data_type, record)
        if not rows_by_mbid:
            return MusicBrainzUpsertOutcome()
        tables = musicbrainz_tables(self._dialect)
        table = tables[name]
        moment = _time_parameter(self._dialect, seen_at)
        async with self._writing() as connection:
            stored = {
                str(mbid): data
                for mbid, data in await connection.execute(
                    select(table.c.mbid, table.c.data).where(table.c.mbid.in_(list(rows_by_mbid)))
                )
            }
            to_write = [
                {**row, "created_at": moment, "updated_at": moment}
                for mbid, row in rows_by_mbid.items()
                if stored.get(mbid) != row["data"]
            ]
            if to_write:
                insert = _insert(self._dialect, table)
                changed = {
                    column.name: insert.excluded[column.name]
                    for column in table.columns
                    if column.name not in ("mbid", "created_at")
                }
                await connection.execute(
                    insert.on_conflict_do_update(
                        index_elements=[table.c.mbid],
                        set_=changed,
                        where=table.c.data.is_distinct_from(insert.excluded.data),
                    ),
                    to_write,
                )
            await _add_relations(connection, self._dialect, tables["relationships"], relations, moment)
            await _add_links(connection, self._dialect, tables["external_links"], links, moment)
        inserted = sum(1 for row in to_write if row["mbid"] not in stored)
        return MusicBrainzUpsertOutcome(inserted, len(to_write) - inserted, len(rows_by_mbid) - len(to_write))

    async def musicbrainz_entity(self: _Store, data_type: str, mbid: str) -> dict[str, Any] | None:
        table = musicbrainz_tables(self._dialect)[
            MUSICBRAINZ_TABLE_OF_TYPE[require_musicbrainz_type(data_type)]
        ]
        key = canonical_mbid(mbid)
        if key is None:
            return None
        rows = await _read(self, select(table).where(table.c.mbid == key))
        if not rows:
            return None
        return {name: _aware(value) if name.endswith("_at") else value for name, value in rows[0].items()}

    async def musicbrainz_relations(self: _Store, mbid: str) -> tuple[StoredRelationship, ...]:
        table = musicbrainz_tables(self._dialect)["relationships"]
        key = canonical_mbid(mbid)
        if key is None:
            return ()
        statement = (
            select(*(table.c[name] for name in _NATURAL_KEY), table.c.ended)
            .where(or_(table.c.source_mbid == key, table.c.target_mbid == key))
            .order_by(*(table.c[name] for name in _NATURAL_KEY[:7]))
        )
        return tuple(
            StoredRelationship(
                source_mbid=str(row["source_mbid"]),
                target_mbid=str(row["target_mbid"]),
                source_entity_type=row["source_entity_type"],
                target_entity_type=row["target_entity_type"],
                relationship_type=row["relationship_type"],
                begin_date=row["begin_date"],
                end_date=row["end_date"],
                ended=bool(row["ended"]),
                attributes=tuple(row["attributes"]),
            )
            for row in await _read(self, statement)
        )

    async def external_links(self: _Store, discogs_artist_id: int) -> tuple[ExternalLink, ...]:
        tables = musicbrainz_tables(self._dialect)
        artists, links = tables["artists"], tables["external_links"]
        statement = (
            select(links.c.service_name, links.c.url)
            .distinct()
            .join_from(links, artists, and_(links.c.mbid == artists.c.mbid, links.c.entity_type == "artist"))
            .where(artists.c.discogs_artist_id == discogs_artist_id)
            .order_by(links.c.service_name, links.c.url)
        )
        return tuple(ExternalLink(row["service_name"], row["url"]) for row in await _read(self, statement))

    async def musicbrainz_counts(self: _Store) -> MusicBrainzCounts:
        tables = musicbrainz_tables(self._dialect)
        entities = {}
        for data_type in MUSICBRAINZ_DUMP_TYPES:
            table = tables[MUSICBRAINZ_TABLE_OF_TYPE[data_type]]
            discogs_column = table.c[DISCOGS_ID_FIELD[data_type]]
            [row] = await _read(
                self,
                select(func.count().label("total"), func.count(discogs_column).label("matched")).select_from(
                    table
                ),
            )
            entities[data_type] = EntityCount(int(row["total"]), int(row["matched"]))
        [row] = await _read(self, select(func.count().label("total")).select_from(tables["relationships"]))
        return MusicBrainzCounts(entities, int(row["total"]))


async def _read(store: _Store, statement: Any) -> list[dict[str, Any]]:
    with store._reachable():
        async with store.engine.connect() as connection:
            result = await connection.execute(statement)
            return [dict(row._mapping) for row in result]


async def _add_relations(
    connection: AsyncConnection,
    dialect: str,
    table: Table,
    rows: list[dict[str, Any]],
    moment: datetime | str,
) -> None:
    if not rows:
        return
    insert = _insert(dialect, table)
    if dialect == "postgresql":
        key: list[Any] = [table.c[name] for name in _NATURAL_KEY]
    else:  # the unique index reads NULL dates as '' (migration 0005)
        key = [
            func.coalesce(table.c[name], literal_column("''"))
            if name in ("begin_date", "end_date")
            else table.c[name]
            for name in _NATURAL_KEY
        ]
    await connection.execute(
        insert.on_conflict_do_update(
            index_elements=key,
            set_={"ended": insert.excluded.ended},
            where=table.c.ended.is_distinct_from(insert.excluded.ended),
        ),
        [{**row, "created_at": moment} for row in _unique(rows, _relationship_key)],
    )


async def _add_links(
    connection: AsyncConnection,
    dialect: str,
    table: Table,
    rows: list[dict[str, Any]],
    moment: datetime | str,
) -> None:
    if not rows:
        return
    insert = _insert(dialect, table)
    await connection.execute(
        insert.on_conflict_do_nothing(index_elements=[table.c[name] for name in _LINK_KEY]),
        [
            {**row, "created_at": moment}
            for row in _unique(rows, lambda row: tuple(row[n] for n in _LINK_KEY))
        ],
    )


def describe_musicbrainz(
    connection: Connection, dialect: str
) -> tuple[dict[str, frozenset[str]], set[tuple[str, str]]]:
    """The schema's tables as `musicbrainz.<table>` with their columns, and their primary keys,
    alike on both dialects (for StoreSchema)."""
    inspector = inspect(connection)
    if dialect == "postgresql":
        names = {name: name for name in inspector.get_table_names(schema=SCHEMA)}
        schema: str | None = SCHEMA
    else:
        prefix = f"{SCHEMA}_"
        names = {
            name.removeprefix(prefix): name for name in inspector.get_table_names() if name.startswith(prefix)
        }
        schema = None
    tables: dict[str, frozenset[str]] = {}
    unique_keys: set[tuple[str, str]] = set()
    for name, stored_name in names.items():
        columns = inspector.get_columns(stored_name, schema=schema)
        tables[f"{SCHEMA}.{name}"] = frozenset(column["name"] for column in columns)
        primary = inspector.get_pk_constraint(stored_name, schema=schema)["constrained_columns"]
        if len(primary) == 1:
            unique_keys.add((f"{SCHEMA}.{name}", primary[0]))
    return tables, unique_keys
