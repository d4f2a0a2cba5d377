"""What the LadybugDB graph store does beyond the shared contract: one writer, atomic batches,
client-side batches of maintenance."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import ladybug
import pytest

from adapters.ladybug import graph_store as ladybug_graph_store
from adapters.ladybug.graph_store import LadybugGraphStore
from domain.dedup import content_sha256
from domain.graph_writes import GraphWriteFailed


def release(release_id: str, **fields: Any) -> dict[str, Any]:
    record = {"id": release_id, **fields}
    return {**record, "sha256": content_sha256(record)}


async def test_concurrent_callers_queue_on_the_one_writer(tmp_path: Path) -> None:
    store = LadybugGraphStore(tmp_path / "graph.lbdb")
    try:
        await store.ensure_schema()
        batches = [
            [
                release(
                    str(batch * 100 + offset), artists=[{"id": "194", "name": "Various"}], genres=["Rock"]
                )
                for offset in range(20)
            ]
            for batch in range(1, 6)
        ]

        outcomes, signals = await asyncio.gather(
            asyncio.gather(*(store.write_batch("releases", batch) for batch in batches)),
            asyncio.gather(
                *(store.record_extraction_signal("20250601", kind) for kind in ("artists", "labels"))
            ),
        )

        assert [outcome.written for outcome in outcomes] == [20] * 5
        assert await store.count_relationships("BY") == 100
        assert max(signals, key=len) == {"artists", "labels"}
    finally:
        await store.close()


async def test_a_refused_statement_leaves_nothing_of_its_batch(tmp_path: Path) -> None:
    path = tmp_path / "graph.lbdb"
    database = ladybug.Database(str(path))
    connection = ladybug.Connection(database)
    connection.execute(
        "CREATE NODE TABLE `Release`(id STRING, title STRING, year INT64, formats STRING[], "
        "sha256 STRING, catalog_number STRING, PRIMARY KEY(id))"
    )
    connection.close()
    database.close()
    store = LadybugGraphStore(path)
    try:
        with pytest.raises(GraphWriteFailed) as raised:
            await store.write_batch("releases", [release("1", artists=[{"id": "2", "name": "A"}])])
        assert await store.count_nodes("Release") == 0

        await store.ensure_schema()
        outcome = await store.write_batch("releases", [release("1", artists=[{"id": "2", "name": "A"}])])
    finally:
        await store.close()

    assert raised.value.store == "LadybugDB"
    assert "Artist" in raised.value.statement
    assert outcome.written == 1


async def test_maintenance_spans_several_client_side_transactions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ladybug_graph_store, "STUB_DELETES_PER_TRANSACTION", 2)
    monkeypatch.setattr(ladybug_graph_store, "AGGREGATE_ROWS_PER_TRANSACTION", 3)
    store = LadybugGraphStore(tmp_path / "graph.lbdb")
    try:
        await store.ensure_schema()
        credits = [{"id": str(number), "name": "A"} for number in range(1, 6)]
        await store.write_batch("releases", [release("1", artists=credits)])
        await store.write_batch("releases", [release("1", title="no artists now")])
        labelled = [
            release(str(number), labels=[{"id": str(label), "name": "L"} for label in range(1, number + 1)])
            for number in range(2, 9)
        ]
        await store.write_batch("releases", labelled)

        removed = await store.remove_isolated_stubs()
        updated = await store.compute_aggregates()
        counts = [await store.get_node("Label", str(label)) for label in range(1, 9)]
    finally:
        await store.close()

    assert removed["Artist"] == 5
    assert updated["Label"] == 8
    assert [node["release_count"] if node else None for node in counts] == [7, 7, 6, 5, 4, 3, 2, 1]


async def test_a_closed_store_can_be_closed_again(tmp_path: Path) -> None:
    store = LadybugGraphStore(tmp_path / "graph.lbdb")
    await store.ensure_schema()
    await store.close()

    await store.close()
