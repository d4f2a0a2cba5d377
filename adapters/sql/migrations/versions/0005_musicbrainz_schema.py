"""The musicbrainz schema: artists, labels, release groups, releases, relationships, external links
(SPEC-tables §3). Every MusicBrainz entity is kept, matched to Discogs or not.

PostgreSQL gets a schema `musicbrainz`. SQLite has no schemas: the tables carry the prefix
`musicbrainz_` in the main file instead of living in an attached database, so the embedded
deployment stays one file, one write transaction covers an entity and its relations, and no
connection needs an ATTACH before it can see them.

Relationships are unique on their natural key with NULL dates equal to each other: PostgreSQL by
UNIQUE NULLS NOT DISTINCT (15+), SQLite by a unique index over COALESCE of the dates.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTITY_TABLES = ("artists", "labels", "release_groups", "releases")

# Columns between `mbid` and `data` per entity table, as (name, PostgreSQL type, SQLite type);
# NOT NULL and defaults follow SPEC-tables §3.
_COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "artists": (
        ("name", "TEXT NOT NULL", "TEXT NOT NULL"),
        ("sort_name", "TEXT", "TEXT"),
        ("type", "TEXT", "TEXT"),
        ("gender", "TEXT", "TEXT"),
        ("begin_date", "TEXT", "TEXT"),
        ("end_date", "TEXT", "TEXT"),
        ("ended", "BOOLEAN NOT NULL DEFAULT false", "BOOLEAN NOT NULL DEFAULT 0"),
        ("area", "TEXT", "TEXT"),
        ("begin_area", "TEXT", "TEXT"),
        ("end_area", "TEXT", "TEXT"),
        ("disambiguation", "TEXT", "TEXT"),
        ("discogs_artist_id", "BIGINT", "INTEGER"),
        ("aliases", "JSONB NOT NULL DEFAULT '[]'", "JSON NOT NULL DEFAULT '[]'"),
        ("tags", "JSONB NOT NULL DEFAULT '[]'", "JSON NOT NULL DEFAULT '[]'"),
    ),
    "labels": (
        ("name", "TEXT NOT NULL", "TEXT NOT NULL"),
        ("type", "TEXT", "TEXT"),
        ("label_code", "INTEGER", "INTEGER"),
        ("begin_date", "TEXT", "TEXT"),
        ("end_date", "TEXT", "TEXT"),
        ("ended", "BOOLEAN NOT NULL DEFAULT false", "BOOLEAN NOT NULL DEFAULT 0"),
        ("area", "TEXT", "TEXT"),
        ("disambiguation", "TEXT", "TEXT"),
        ("discogs_label_id", "BIGINT", "INTEGER"),
    ),
    "release_groups": (
        ("name", "TEXT NOT NULL", "TEXT NOT NULL"),
        ("type", "TEXT", "TEXT"),
        ("secondary_types", "JSONB NOT NULL DEFAULT '[]'", "JSON NOT NULL DEFAULT '[]'"),
        ("first_release_date", "TEXT", "TEXT"),
        ("disambiguation", "TEXT", "TEXT"),
        ("discogs_master_id", "BIGINT", "INTEGER"),
    ),
    "releases": (
        ("name", "TEXT NOT NULL", "TEXT NOT NULL"),
        ("barcode", "TEXT", "TEXT"),
        ("status", "TEXT", "TEXT"),
        ("release_group_mbid", "UUID", "TEXT"),
        ("discogs_release_id", "BIGINT", "INTEGER"),
    ),
}
_DISCOGS_COLUMN = {
    "artists": "discogs_artist_id",
    "labels": "discogs_label_id",
    "release_groups": "discogs_master_id",
    "releases": "discogs_release_id",
}

_NATURAL_KEY = (
    "source_mbid, target_mbid, source_entity_type, target_entity_type, relationship_type, "
    "{begin}, {end}, attributes"
)


def _postgresql() -> list[str]:
    statements = ["CREATE SCHEMA IF NOT EXISTS musicbrainz"]
    for table in ENTITY_TABLES:
        columns = ", ".join(f"{name} {pg_type}" for name, pg_type, _ in _COLUMNS[table])
        statements.append(
            f"CREATE TABLE IF NOT EXISTS musicbrainz.{table} (mbid UUID PRIMARY KEY, {columns}, "
            "data JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
            "updated_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
    statements += [
        "CREATE TABLE IF NOT EXISTS musicbrainz.relationships ("
        " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " source_mbid UUID NOT NULL, target_mbid UUID NOT NULL,"
        " source_entity_type TEXT NOT NULL, target_entity_type TEXT NOT NULL,"
        " relationship_type TEXT NOT NULL, begin_date TEXT, end_date TEXT,"
        " ended BOOLEAN NOT NULL DEFAULT false, attributes JSONB NOT NULL DEFAULT '[]',"
        " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
        " CONSTRAINT uq_mb_relationships_natural_key UNIQUE NULLS NOT DISTINCT ("
        + _NATURAL_KEY.format(begin="begin_date", end="end_date")
        + "))",
        "CREATE TABLE IF NOT EXISTS musicbrainz.external_links ("
        " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " mbid UUID NOT NULL, entity_type TEXT NOT NULL, service_name TEXT NOT NULL, url TEXT NOT NULL,"
        " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
        " CONSTRAINT uq_mb_external_links UNIQUE (mbid, entity_type, service_name, url))",
    ]
    return statements + _indexes("musicbrainz.")


def _sqlite() -> list[str]:
    statements = []
    for table in ENTITY_TABLES:
        columns = ", ".join(f"{name} {sqlite_type}" for name, _, sqlite_type in _COLUMNS[table])
        statements.append(
            f"CREATE TABLE IF NOT EXISTS musicbrainz_{table} (mbid TEXT PRIMARY KEY, {columns}, "
            "data JSON NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "
            "updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
    statements += [
        "CREATE TABLE IF NOT EXISTS musicbrainz_relationships ("
        " id INTEGER PRIMARY KEY,"
        " source_mbid TEXT NOT NULL, target_mbid TEXT NOT NULL,"
        " source_entity_type TEXT NOT NULL, target_entity_type TEXT NOT NULL,"
        " relationship_type TEXT NOT NULL, begin_date TEXT, end_date TEXT,"
        " ended BOOLEAN NOT NULL DEFAULT 0, attributes JSON NOT NULL DEFAULT '[]',"
        " created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_mb_relationships_natural_key ON musicbrainz_relationships ("
        + _NATURAL_KEY.format(begin="coalesce(begin_date, '')", end="coalesce(end_date, '')")
        + ")",
        "CREATE TABLE IF NOT EXISTS musicbrainz_external_links ("
        " id INTEGER PRIMARY KEY,"
        " mbid TEXT NOT NULL, entity_type TEXT NOT NULL, service_name TEXT NOT NULL, url TEXT NOT NULL,"
        " created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,"
        " CONSTRAINT uq_mb_external_links UNIQUE (mbid, entity_type, service_name, url))",
    ]
    return statements + _indexes("musicbrainz_")


def _indexes(table_prefix: str) -> list[str]:
    """SPEC-tables §3's indexes; PostgreSQL creates an index in its table's schema."""
    statements = [
        f"CREATE INDEX IF NOT EXISTS idx_mb_{table}_{column} ON {table_prefix}{table} ({column}) "
        f"WHERE {column} IS NOT NULL"
        for table, column in _DISCOGS_COLUMN.items()
    ]
    statements += [
        f"CREATE INDEX IF NOT EXISTS idx_mb_{table}_name ON {table_prefix}{table} (name)"
        for table in ("artists", "labels")
    ]
    statements += [
        f"CREATE INDEX IF NOT EXISTS idx_mb_relationships_{name} ON {table_prefix}relationships ({column})"
        for name, column in (
            ("source_mbid", "source_mbid"),
            ("target_mbid", "target_mbid"),
            ("type", "relationship_type"),
        )
    ]
    statements += [
        f"CREATE INDEX IF NOT EXISTS idx_mb_external_links_{column} "
        f"ON {table_prefix}external_links ({column})"
        for column in ("mbid", "service_name")
    ]
    return statements


def upgrade() -> None:
    build = _sqlite if op.get_bind().dialect.name == "sqlite" else _postgresql
    for statement in build():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in (*ENTITY_TABLES, "relationships", "external_links"):
            op.execute(f"DROP TABLE IF EXISTS musicbrainz_{table}")
    else:
        op.execute("DROP SCHEMA IF EXISTS musicbrainz CASCADE")
