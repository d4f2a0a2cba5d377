"""Alembic environment for the document tables.

`discogsography schema-init` hands in an open connection (config.attributes["connection"])
so migrations run on the product's own async engine; run by hand (`alembic upgrade head`),
this file builds that engine from the product's settings.
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


async def run_migrations_from_settings() -> None:
    from applications.settings import Settings

    engine = create_async_engine(Settings.from_environ().table_store_url)
    async with engine.begin() as connection:
        await connection.run_sync(run_migrations_on)
    await engine.dispose()


given_connection = context.config.attributes.get("connection")
if given_connection is not None:
    run_migrations_on(given_connection)
else:
    asyncio.run(run_migrations_from_settings())
