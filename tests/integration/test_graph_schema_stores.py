"""What each graph adapter builds from the one schema declaration, beyond the shared contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ladybug

from adapters.ladybug.graph_store import LadybugGraphStore
from domain.schema import (
    GRAPH_INDEXES,
    NODE_KINDS,
    RELATIONSHIP_TYPES,
    IndexKind,
    StoreUnavailable,
    unique_key_name,
)
from tests import servers


async def test_neo4j_has_the_reference_constraint_and_index_names(clean_neo4j: dict[str, str]) -> None:
    store = servers.new_neo4j_store(clean_neo4j)
    try:
        await store.ensure_schema()
        schema = await store.describe_schema()
        constraints, _, _ = await store.driver.execute_query("SHOW CONSTRAINTS YIELD name")
    finally:
        await store.close()

    assert {str(row["name"]) for row in constraints} >= {unique_key_name(kind) for kind in NODE_KINDS}
    assert {"artist_id", "release_id", "genre_name", "person_name", "user_id"} <= {
        str(row["name"]) for row in constraints
    }
    range_names = {index.name for index in GRAPH_INDEXES if index.kind is IndexKind.RANGE}
    assert range_names <= schema.indexes
    fulltext = {
        f"{index.label}.{index.property}" for index in GRAPH_INDEXES if index.kind is IndexKind.FULLTEXT
    }
    assert schema.searchable == fulltext


async def test_ladybug_has_a_typed_table_per_node_kind_and_relationship(tmp_path: Path) -> None:
    store = LadybugGraphStore(tmp_path / "graph.lbdb")
    try:
        await store.ensure_schema()
        schema = await store.describe_schema()
    finally:
        await store.close()

    for kind in NODE_KINDS:
        assert schema.tables[kind.label] == frozenset(kind.property_names), kind.label
    for relationship in RELATIONSHIP_TYPES:
        assert schema.relationship_endpoints[relationship.name] == frozenset(relationship.endpoints)
        assert schema.tables[relationship.name] == frozenset(name for name, _ in relationship.properties)


async def test_ladybug_adds_what_an_older_schema_lacks_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "graph.lbdb"
    database = ladybug.Database(str(path))
    connection = ladybug.Connection(database)
    connection.execute("CREATE NODE TABLE `Artist`(id STRING, name STRING, PRIMARY KEY(id))")
    connection.execute("CREATE NODE TABLE `Release`(id STRING, PRIMARY KEY(id))")
    connection.execute("CREATE REL TABLE `BY`(FROM `Release` TO `Artist`)")
    connection.execute("CREATE (:Artist {id: '1', name: 'The Persuader'})")
    connection.close()
    database.close()

    store = LadybugGraphStore(path)
    try:
        report = await store.ensure_schema()
        schema = await store.describe_schema()
    finally:
        await store.close()

    assert "Artist.sha256" in report.created
    assert "BY(Master->Artist)" in report.created
    assert "Artist" not in report.created
    assert schema.relationship_endpoints["BY"] == {("Release", "Artist"), ("Master", "Artist")}
    database = ladybug.Database(str(path))
    connection = ladybug.Connection(database)
    result = connection.execute("MATCH (a:Artist {id: '1'}) RETURN a.name, a.sha256")
    assert result.get_next() == ["The Persuader", None]
    connection.close()
    database.close()


async def test_ladybug_directory_held_by_another_process_is_reported_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "graph.lbdb"
    holder = subprocess.Popen(  # noqa: ASYNC220 - holds the directory for the whole test
        [
            sys.executable,
            "-c",
            "import ladybug, sys, time; d = ladybug.Database(sys.argv[1]); c = ladybug.Connection(d); "
            "c.execute('CREATE NODE TABLE T(id STRING, PRIMARY KEY(id))'); "
            "print('ready', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        store = LadybugGraphStore(path)
        try:
            error = None
            try:
                await store.ensure_schema()
            except Exception as raised:
                error = raised
        finally:
            await store.close()
    finally:
        holder.kill()
        holder.wait()

    assert isinstance(error, StoreUnavailable)
    assert error.store == "LadybugDB"
    assert str(path) in str(error)
