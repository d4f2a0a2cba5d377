"""Word-prefix indexes for autocomplete on PostgreSQL.

Autocomplete matches each typed word as the prefix of a word of a name, unstemmed: the English
full-text index of 0001 holds stems ("generat" for "Generation"), which a half-typed word
("generati") does not prefix. A `simple`-configuration tsvector (lower-cased words, no stems, no
stop words) answers it through GIN. SQLite needs nothing: its FTS5 tables of 0001 hold unstemmed
words with prefix indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_FIELD = {"artists": "name", "labels": "name", "masters": "title", "releases": "title"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, name_field in NAME_FIELD.items():
        op.execute(
            f"CREATE INDEX IF NOT EXISTS idx_{table}_name_words ON {table} "
            f"USING GIN (to_tsvector('simple', COALESCE(data->>'{name_field}', '')))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table in NAME_FIELD:
        op.execute(f"DROP INDEX IF EXISTS idx_{table}_name_words")
