"""The Neo4j Cypher of the graph writes, maintenance and reads, generated from the domain's shapes.

`adapters/ladybug/cypher.py` has the same functions in LadybugDB's dialect; read them side by
side. Where that one differs it is for the LadybugDB planner or binder (ladybug-notes.md): it
projects keys with WITH before MERGE, CASTs typed columns, and it reads aggregates grouped over
whole tables instead of per node. Labels, types and properties are backticked in both, and all
come from `domain.schema` and `domain.graph_model`, never from input.
"""

from __future__ import annotations

import functools

from domain.graph_model import KIND_BY_LABEL, EdgeShape, NodeShape
from domain.graph_writes import Aggregate


def quoted(name: str) -> str:
    return f"`{name}`"


def node_pattern(variable: str, label: str, key_value: str) -> str:
    """`(n:`Label` {`key`: value})` for the label's key property."""
    return f"({variable}:{quoted(label)} {{{quoted(KIND_BY_LABEL[label].key)}: {key_value}}})"


# --- batch writes (one UNWIND statement per shape) ---------------------------------------------


def stored_hashes_query(label: str) -> str:
    """The hash gate: the stored sha256 (None for a stub) of each `$keys` node that exists."""
    return (
        f"UNWIND $keys AS key MATCH {node_pattern('n', label, 'key')} "
        "RETURN n.`id` AS key, n.`sha256` AS sha256"
    )


@functools.cache
def node_statement(shape: NodeShape) -> str:
    """MERGE the rows' nodes by key. A record sets every property (a None in `keep_when_null` keeps
    the stored value); a stub sets a property only where the node has none, so a record's own
    name always wins over a credited one."""
    merge = f"UNWIND $rows AS row MERGE {node_pattern('n', shape.label, f'row.{quoted(shape.key)}')}"
    others = [name for name in shape.properties if name != shape.key]
    if shape.stub:
        if not others:
            return merge
        missing = " OR ".join(f"(n.{quoted(p)} IS NULL AND row.{quoted(p)} IS NOT NULL)" for p in others)
        fills = ", ".join(f"n.{quoted(p)} = coalesce(n.{quoted(p)}, row.{quoted(p)})" for p in others)
        return f"{merge} WITH n, row WHERE {missing} SET {fills}"
    sets = ", ".join(
        f"n.{quoted(p)} = coalesce(row.{quoted(p)}, n.{quoted(p)})"
        if p in shape.keep_when_null
        else f"n.{quoted(p)} = row.{quoted(p)}"
        for p in others
    )
    return f"{merge} SET {sets}"


@functools.cache
def prune_statement(shape: EdgeShape) -> str:
    """Delete each `row.source`'s edges of this shape whose target key is not in `row.keep`."""
    return (
        f"UNWIND $rows AS row "
        f"MATCH {node_pattern('s', shape.source_label, 'row.source')}"
        f"-[e:{quoted(shape.type)}]->(t:{quoted(shape.target_label)}) "
        f"WHERE NOT t.{quoted(shape.target_key)} IN row.keep DELETE e"
    )


@functools.cache
def edge_statement(shape: EdgeShape) -> str:
    """MATCH both ends (their nodes were MERGEd earlier in the transaction), MERGE the edge."""
    merge_key = ", ".join(f"{quoted(p)}: row.{quoted(p)}" for p in shape.merge_properties)
    pattern = f"[e:{quoted(shape.type)}{f' {{{merge_key}}}' if merge_key else ''}]"
    statement = (
        f"UNWIND $rows AS row "
        f"MATCH {node_pattern('s', shape.source_label, 'row.source')} "
        f"MATCH {node_pattern('t', shape.target_label, 'row.target')} "
        f"MERGE (s)-{pattern}->(t)"
    )
    if shape.set_properties:
        statement += " SET " + ", ".join(f"e.{quoted(p)} = row.{quoted(p)}" for p in shape.set_properties)
    return statement


# --- completion latch --------------------------------------------------------------------------

LATCH_OPEN = (
    "MERGE (c:`ExtractionCompletion` {`version`: $version}) "
    "ON CREATE SET c.`created_at` = $now SET c.`updated_at` = $now RETURN c.`signals` AS signals"
)
"""Writing `updated_at` first takes the node's write lock, so a concurrent signal waits and then
reads this one's signals instead of overwriting them."""
LATCH_STORE = "MATCH (c:`ExtractionCompletion` {`version`: $version}) SET c.`signals` = $signals"


# --- stub cleanup ------------------------------------------------------------------------------


def remove_isolated_stubs_statement(label: str, rows_per_transaction: int) -> str:
    """SPEC-graph §4: the driving MATCH outside, the deletes in transactions of bounded size."""
    return (
        f"MATCH (n:{quoted(label)}) WHERE n.`sha256` IS NULL AND NOT EXISTS {{ (n)--() }} "
        f"CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF {rows_per_transaction} ROWS "
        f"RETURN count(*) AS removed"
    )


# --- aggregates --------------------------------------------------------------------------------


def keys_page_query(label: str) -> str:
    """A page of a label's keys in key order after `$after` (keyset pagination on the unique index)."""
    key = quoted(KIND_BY_LABEL[label].key)
    return (
        f"MATCH (n:{quoted(label)}) WHERE n.{key} > $after "
        f"RETURN n.{key} AS key ORDER BY n.{key} LIMIT $limit"
    )


@functools.cache
def aggregate_statement(aggregate: Aggregate) -> str:
    """Compute and SET the statistics of the `$keys` nodes, one subquery per figure."""
    node = node_pattern("g", aggregate.label, "key")
    releases = f"(g)<-[:{quoted(aggregate.release_edge)}]-"
    first_year = (
        ", min(CASE WHEN r.`year` > 0 THEN r.`year` END) AS first_year" if aggregate.first_year else ""
    )
    parts = [
        f"UNWIND $keys AS key MATCH {node}",
        f"CALL (g) {{ OPTIONAL MATCH {releases}(r:`Release`) "
        f"RETURN count(DISTINCT r) AS release_count{first_year} }}",
    ]
    for count in aggregate.neighbour_counts:
        parts.append(
            f"CALL (g) {{ OPTIONAL MATCH {releases}(:`Release`)-[:{quoted(count.edge_type)}]->"
            f"(x:{quoted(count.target_label)}) RETURN count(DISTINCT x) AS {count.property} }}"
        )
    parts.append("SET " + ", ".join(f"g.{quoted(p)} = {p}" for p in aggregate.properties))
    return " ".join(parts)


# --- reads -------------------------------------------------------------------------------------


def count_nodes_query(label: str) -> str:
    return f"MATCH (n:{quoted(label)}) RETURN count(n) AS count"


def count_relationships_query(relationship_type: str) -> str:
    return f"MATCH ()-[e:{quoted(relationship_type)}]->() RETURN count(e) AS count"


def node_query(label: str) -> str:
    return f"MATCH {node_pattern('n', label, '$key')} RETURN properties(n) AS properties"


def neighbour_query(
    label: str, relationship_type: str, other_label: str, outgoing: bool, properties: tuple[str, ...]
) -> str:
    """The key of each `other_label` node joined to `$key` by this type, and the edge's properties."""
    arrow_in, arrow_out = ("-", "->") if outgoing else ("<-", "-")
    node = node_pattern("n", label, "$key")
    returns = [
        f"m.{quoted(KIND_BY_LABEL[other_label].key)} AS key",
        *(f"e.{quoted(p)} AS {p}" for p in properties),
    ]
    return (
        f"MATCH {node}{arrow_in}[e:{quoted(relationship_type)}]{arrow_out}(m:{quoted(other_label)}) "
        f"RETURN {', '.join(returns)}"
    )
