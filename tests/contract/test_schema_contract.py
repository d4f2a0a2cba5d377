"""schema-init's contract: every store of a port ends with the declared schema, and a
second run changes nothing."""

from __future__ import annotations

from domain.ports import GraphStore, TableStore
from domain.schema import ENTITY_COLUMNS, ENTITY_TABLES, NODE_KINDS, entity_lookup_indexes


async def test_graph_schema_second_run_creates_nothing_and_changes_nothing(graph_store: GraphStore) -> None:
    first = await graph_store.ensure_schema()
    after_first = await graph_store.describe_schema()
    second = await graph_store.ensure_schema()
    after_second = await graph_store.describe_schema()

    assert first.changed
    assert second.created == ()
    assert after_second == after_first


async def test_graph_schema_keeps_every_node_kind_key_unique(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    schema = await graph_store.describe_schema()

    expected = {(kind.label, kind.key) for kind in NODE_KINDS}
    assert expected <= schema.unique_keys


async def test_graph_schema_on_an_empty_store_describes_no_keys(graph_store: GraphStore) -> None:
    schema = await graph_store.describe_schema()

    assert not {(kind.label, kind.key) for kind in NODE_KINDS} & schema.unique_keys


async def test_table_schema_second_run_creates_nothing_and_changes_nothing(table_store: TableStore) -> None:
    first = await table_store.ensure_schema()
    after_first = await table_store.describe_schema()
    second = await table_store.ensure_schema()
    after_second = await table_store.describe_schema()

    assert first.changed
    assert second.created == ()
    assert after_second == after_first


async def test_entity_tables_have_the_document_columns_keyed_by_data_id(table_store: TableStore) -> None:
    await table_store.ensure_schema()
    schema = await table_store.describe_schema()

    for table in ENTITY_TABLES:
        assert schema.tables[table] == ENTITY_COLUMNS, table
        assert (table, "data_id") in schema.unique_keys


async def test_entity_tables_have_lookup_indexes_and_full_text_search(table_store: TableStore) -> None:
    await table_store.ensure_schema()
    schema = await table_store.describe_schema()

    for table in ENTITY_TABLES:
        missing = entity_lookup_indexes(table) - schema.indexes
        assert not missing, f"{table} lacks {sorted(missing)}"
    assert schema.searchable == frozenset(ENTITY_TABLES)
