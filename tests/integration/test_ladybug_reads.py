"""LadybugGraphStore answers reads on its own reader connections, never on the writer's thread
(ladybug-notes.md, "Concurrency"): a read does not queue behind a write, and closing the store
closes the readers before the database."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from adapters.ladybug.graph_store import LadybugGraphStore
from domain.explore import Category, EntityType
from tests.contract.test_graph_store_contract import credit, release


async def test_a_read_is_answered_while_the_writer_is_busy(tmp_path: Path) -> None:
    store = LadybugGraphStore(tmp_path / "graph.lbdb")
    await store.ensure_schema()
    await store.write_batch(
        "releases", [release("1", title="One", released="1999", artists=[credit("7", "Ann")])]
    )
    writer_free = threading.Event()
    busy_writer = asyncio.ensure_future(store._on_writer(writer_free.wait))
    try:
        async with asyncio.timeout(10):
            page = await store.expand(EntityType.ARTIST, "Ann", Category.RELEASES, 10, 0, None)
        assert [child.id for child in page.children] == ["1"]
        assert not busy_writer.done(), "the writer was still busy while the read was answered"
    finally:
        writer_free.set()
        await busy_writer
        await store.close()


async def test_reads_after_a_write_see_it_and_close_ends_the_readers(tmp_path: Path) -> None:
    store = LadybugGraphStore(tmp_path / "graph.lbdb")
    await store.ensure_schema()
    assert await store.find_entity(EntityType.ARTIST, "Ann") is None
    await store.write_batch("releases", [release("1", title="One", artists=[credit("7", "Ann")])])

    found = await asyncio.gather(*(store.find_entity(EntityType.ARTIST, "Ann") for _ in range(6)))

    assert {ref.id if ref else None for ref in found} == {"7"}
    await store.close()
    reopened = LadybugGraphStore(tmp_path / "graph.lbdb")
    try:
        assert await reopened.artist_name("7") == "Ann"
    finally:
        await reopened.close()
