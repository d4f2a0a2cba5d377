"""Seen marks: when an unchanged record was last delivered, beside its entity table.

A re-run of an unchanged dump must rewrite no entity row, yet every record it delivers must count
as seen, so that the stale purge after it keeps the record. Moving `updated_at` would rewrite the
whole row: on PostgreSQL a new row version with a new entry in every index of the table (up to
ten, expression and GIN indexes among them), since `updated_at` is itself indexed; measured, that
made an unchanged re-run barely faster than the first load. The mark therefore lives in a narrow
table keyed like its entity table: `updated_at` says when the document was last written,
`<table>_seen.seen_at` when an unchanged copy was last delivered, and a row is fresh when either
is recent. On PostgreSQL `seen_at` carries no index and pages keep room (fillfactor 80), so moving
a mark is a heap-only update.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("artists", "labels", "masters", "releases")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        if sqlite:
            op.execute(
                f"CREATE TABLE IF NOT EXISTS {table}_seen "
                "(data_id TEXT PRIMARY KEY, seen_at TIMESTAMP NOT NULL) WITHOUT ROWID"
            )
        else:
            op.execute(
                f"CREATE TABLE IF NOT EXISTS {table}_seen "
                "(data_id VARCHAR PRIMARY KEY, seen_at TIMESTAMPTZ NOT NULL) WITH (fillfactor = 80)"
            )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table}_seen")
