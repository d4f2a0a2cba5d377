"""Alembic environment for the document tables.

`discogsography schema-init` hands in an open connection (config.attributes["connection"])
so migrations run on the product's own async engine. Run by hand, the database comes from
`-x url=...` (an async SQLAlchemy URL, e.g. `alembic -x url=sqlite+aiosqlite:///var/discogsography.sqlite
upgrade head`); adapters never read the applications' settings.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def run_migrations_on(connection: Connection) -> None:
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_on_url(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(run_migrations_on)
    await engine.dispose()


given_connection = context.config.attributes.get("connection")
if given_connection is not None:
    run_migrations_on(given_connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("name the database: alembic -x url=<async SQLAlchemy URL> upgrade head")
    asyncio.run(run_migrations_on_url(url))
