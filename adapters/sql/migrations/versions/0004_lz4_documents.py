"""PostgreSQL: compress new documents with lz4 instead of pglz, where the server has it.

A release document (~3 kB of JSONB) is compressed when written and decompressed by every
expression index and every read of a field; lz4 does both several times faster than the default
pglz at a similar ratio, which is most of the server time a first load spends outside JSON parsing.
Documents already stored keep their compression until rewritten. SQLite stores text: nothing to do.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("artists", "labels", "masters", "releases")

# A server built without lz4 lists only pglz among the compression methods.
_LZ4_AVAILABLE = "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"


def _set_compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" or not bind.execute(text(_LZ4_AVAILABLE)).scalar():
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN data SET COMPRESSION {method}")


def upgrade() -> None:
    _set_compression("lz4")


def downgrade() -> None:
    _set_compression("pglz")
