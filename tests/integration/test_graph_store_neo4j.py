"""What the Neo4j graph store does beyond the shared contract: outages, concurrency, chunked maintenance."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.neo4j import graph_store as neo4j_graph_store
from adapters.neo4j.graph_store import Neo4jGraphStore
from domain.dedup import content_sha256
from domain.graph_writes import GraphStoreUnavailable
from domain.schema import StoreUnavailable
from tests import servers


def release(release_id: str, **fields: Any) -> dict[str, Any]:
    record = {"id": release_id, **fields}
    return {**record, "sha256": content_sha256(record)}


async def test_unreachable_server_is_reported_unavailable_for_the_caller_to_retry() -> None:
    store = Neo4jGraphStore("bolt://127.0.0.1:9", "neo4j", "wrong", connection_timeout=0.5)
    try:
        with pytest.raises(GraphStoreUnavailable) as raised:
            await store.write_batch("releases", [release("1", title="Lost")])
    finally:
        await store.close()

    assert isinstance(raised.value, StoreUnavailable)
    assert raised.value.store == "Neo4j"
    assert "127.0.0.1:9" in str(raised.value)


async def test_concurrent_batches_sharing_hub_nodes_all_commit(clean_neo4j: dict[str, str]) -> None:
    store = servers.new_neo4j_store(clean_neo4j)
    try:
        await store.ensure_schema()
        batches = [
            [
                release(
                    str(batch * 100 + offset),
                    artists=[{"id": "194", "name": "Various"}, {"id": str(offset + 1), "name": "A"}],
                    labels=[{"id": "5", "name": "Hub Label"}],
                    genres=["Rock", "Pop"],
                    styles=["Punk"],
                )
                for offset in range(50)
            ]
            for batch in range(1, 5)
        ]

        outcomes = await asyncio.gather(*(store.write_batch("releases", batch) for batch in batches))

        assert [outcome.written for outcome in outcomes] == [50, 50, 50, 50]
        assert await store.count_nodes("Release") == 200
        assert await store.count_nodes("Artist") == 51
        assert await store.count_relationships("BY") == 400
        assert await store.count_relationships("IS") == 600
    finally:
        await store.close()


async def test_label_aggregates_span_several_pages_and_chunks(
    clean_neo4j: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neo4j_graph_store, "AGGREGATE_KEYS_PAGE", 7)
    monkeypatch.setattr(neo4j_graph_store, "LABEL_AGGREGATE_CHUNK", 3)
    store = servers.new_neo4j_store(clean_neo4j)
    try:
        await store.ensure_schema()
        records = [
            release(str(number), labels=[{"id": str(label), "name": "L"} for label in range(1, number + 1)])
            for number in range(1, 21)
        ]
        await store.write_batch("releases", records)

        updated = await store.compute_aggregates()

        assert updated["Label"] == 20
        for label in range(1, 21):
            node = await store.get_node("Label", str(label))
            assert node is not None
            assert node["release_count"] == 21 - label, label
    finally:
        await store.close()


async def test_isolated_stub_cleanup_spans_several_inner_transactions(
    clean_neo4j: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neo4j_graph_store, "STUB_ROWS_PER_TRANSACTION", 2)
    store = servers.new_neo4j_store(clean_neo4j)
    try:
        await store.ensure_schema()
        credits = [{"id": str(number), "name": "A"} for number in range(1, 6)]
        await store.write_batch("releases", [release("1", artists=credits)])
        await store.write_batch("releases", [release("1", title="no artists now")])

        removed = await store.remove_isolated_stubs()

        assert removed["Artist"] == 5
        assert await store.count_nodes("Artist") == 0
    finally:
        await store.close()


async def test_concurrent_extraction_signals_lose_none(clean_neo4j: dict[str, str]) -> None:
    store = servers.new_neo4j_store(clean_neo4j)
    try:
        await store.ensure_schema()

        await asyncio.gather(
            *(
                store.record_extraction_signal("20250601", kind)
                for kind in ("artists", "labels", "masters", "releases")
            )
        )

        latch = await store.get_node("ExtractionCompletion", "20250601")
    finally:
        await store.close()

    assert latch is not None
    assert latch["signals"] == ["artists", "labels", "masters", "releases"]
