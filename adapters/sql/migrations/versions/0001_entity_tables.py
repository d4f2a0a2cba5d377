"""Discogs entity tables: artists, labels, masters, releases (SPEC-tables §1).

One shape for all four: the whole normalized record as a JSON document, its sha256 and the
time it was last seen. PostgreSQL gets JSONB, expression and GIN indexes and a tsvector
index for search; SQLite gets JSON text, json_extract indexes and an FTS5 table per entity
kept in step by triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The document field each table is searched and listed by.
NAME_FIELD = {"artists": "name", "labels": "name", "masters": "title", "releases": "title"}
LOOKUP_FIELDS = {
    "artists": ("name",),
    "labels": ("name",),
    "masters": ("title", "year"),
    "releases": ("title", "year", "country"),
}


def _postgresql(table: str) -> list[str]:
    name_field = NAME_FIELD[table]
    statements = [
        f"CREATE TABLE IF NOT EXISTS {table} ("
        " data_id VARCHAR PRIMARY KEY,"
        " hash VARCHAR NOT NULL,"
        " data JSONB NOT NULL,"
        " updated_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        f"CREATE INDEX IF NOT EXISTS idx_{table}_hash ON {table} (hash)",
        f"CREATE INDEX IF NOT EXISTS idx_{table}_updated_at ON {table} (updated_at)",
    ]
    statements += [
        f"CREATE INDEX IF NOT EXISTS idx_{table}_{field} ON {table} ((data->>'{field}'))"
        for field in LOOKUP_FIELDS[table]
    ]
    statements.append(
        f"CREATE INDEX IF NOT EXISTS idx_{table}_fts ON {table} "
        f"USING GIN (to_tsvector('english', COALESCE(data->>'{name_field}', '')))"
    )
    if table == "releases":
        statements += [
            "CREATE INDEX IF NOT EXISTS idx_releases_genres ON releases USING GIN ((data->'genres'))",
            "CREATE INDEX IF NOT EXISTS idx_releases_labels ON releases USING GIN ((data->'labels'))",
        ]
    return statements


def _sqlite(table: str) -> list[str]:
    name_field = NAME_FIELD[table]
    name_value = f"json_extract(new.data, '$.{name_field}')"
    statements = [
        f"CREATE TABLE IF NOT EXISTS {table} ("
        " data_id TEXT PRIMARY KEY,"
        " hash TEXT NOT NULL,"
        " data JSON NOT NULL,"
        " updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        f"CREATE INDEX IF NOT EXISTS idx_{table}_hash ON {table} (hash)",
        f"CREATE INDEX IF NOT EXISTS idx_{table}_updated_at ON {table} (updated_at)",
    ]
    statements += [
        f"CREATE INDEX IF NOT EXISTS idx_{table}_{field} ON {table} (json_extract(data, '$.{field}'))"
        for field in LOOKUP_FIELDS[table]
    ]
    # A content-holding FTS5 table keyed by the entity row's rowid; prefix indexes make
    # autocomplete a lookup rather than a scan.
    statements += [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table}_fts USING fts5("
        f"{name_field}, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')",
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {table}_fts (rowid, {name_field}) VALUES (new.rowid, COALESCE({name_value}, '')); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_update AFTER UPDATE OF data ON {table} BEGIN "
        f"DELETE FROM {table}_fts WHERE rowid = old.rowid; "
        f"INSERT INTO {table}_fts (rowid, {name_field}) VALUES (new.rowid, COALESCE({name_value}, '')); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {table}_fts WHERE rowid = old.rowid; END",
    ]
    return statements


def upgrade() -> None:
    build = _sqlite if op.get_bind().dialect.name == "sqlite" else _postgresql
    for table in NAME_FIELD:
        for statement in build(table):
            op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in NAME_FIELD:
        if sqlite:
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
        op.execute(f"DROP TABLE IF EXISTS {table}")
