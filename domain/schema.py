"""The stores' schema, declared once as data.

The graph's node kinds, relationship types and indexes (SPEC-graph §1 to §3) live here so that
both graph adapters derive their DDL from one declaration: Neo4j turns keys into uniqueness
constraints and indexes into range/fulltext indexes; LadybugDB, which is schema-first, turns
node kinds into node tables with primary keys and relationship types into FROM/TO tables.
The SQL tables are declared by the Alembic migrations; their store-independent shape is
described by `TableSpec` so that one contract suite can check PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class PropertyType(Enum):
    """The value kinds the graph stores; each adapter maps them to its own types."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    STRING_LIST = "string_list"
    TIMESTAMP = "timestamp"


@dataclass(frozen=True)
class NodeKind:
    """A node label, its key property (unique) and the properties its writers set."""

    label: str
    key: str
    properties: tuple[tuple[str, PropertyType], ...]

    @property
    def property_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.properties)


@dataclass(frozen=True)
class RelationshipType:
    """A relationship type, the (from label, to label) pairs it joins, and its properties."""

    name: str
    endpoints: tuple[tuple[str, str], ...]
    properties: tuple[tuple[str, PropertyType], ...] = ()


class IndexKind(Enum):
    RANGE = "range"
    FULLTEXT = "fulltext"


@dataclass(frozen=True)
class GraphIndex:
    """A named secondary index of SPEC-graph §1 (keys are not indexes here: see NodeKind.key)."""

    name: str
    kind: IndexKind
    label: str
    property: str


_S = PropertyType.STRING
_I = PropertyType.INTEGER
_L = PropertyType.STRING_LIST
_T = PropertyType.TIMESTAMP

_MB_ARTIST = (
    ("mbid", _S),
    ("mb_type", _S),
    ("mb_gender", _S),
    ("mb_begin_date", _S),
    ("mb_end_date", _S),
    ("mb_area", _S),
    ("mb_begin_area", _S),
    ("mb_end_area", _S),
    ("mb_disambiguation", _S),
    ("mb_updated_at", _T),
)

NODE_KINDS: tuple[NodeKind, ...] = (
    NodeKind(
        "Artist",
        "id",
        (("id", _S), ("name", _S), ("resource_url", _S), ("releases_url", _S), ("sha256", _S), *_MB_ARTIST),
    ),
    NodeKind(
        "Label",
        "id",
        (
            ("id", _S),
            ("name", _S),
            ("sha256", _S),
            ("release_count", _I),
            ("artist_count", _I),
            ("genre_count", _I),
            ("mbid", _S),
            ("mb_type", _S),
            ("mb_label_code", _I),
            ("mb_begin_date", _S),
            ("mb_end_date", _S),
            ("mb_area", _S),
            ("mb_updated_at", _T),
        ),
    ),
    NodeKind(
        "Master",
        "id",
        (
            ("id", _S),
            ("title", _S),
            ("year", _I),
            ("sha256", _S),
            ("mbid", _S),
            ("mb_type", _S),
            ("mb_secondary_types", _L),
            ("mb_first_release_date", _S),
            ("mb_disambiguation", _S),
            ("mb_updated_at", _T),
        ),
    ),
    NodeKind(
        "Release",
        "id",
        (
            ("id", _S),
            ("title", _S),
            ("year", _I),
            ("formats", _L),
            ("sha256", _S),
            ("catalog_number", _S),
            ("mbid", _S),
            ("mb_barcode", _S),
            ("mb_status", _S),
            ("mb_release_group_mbid", _S),
            ("mb_updated_at", _T),
        ),
    ),
    NodeKind(
        "Genre",
        "name",
        (
            ("name", _S),
            ("release_count", _I),
            ("artist_count", _I),
            ("label_count", _I),
            ("style_count", _I),
            ("first_year", _I),
        ),
    ),
    NodeKind(
        "Style",
        "name",
        (
            ("name", _S),
            ("release_count", _I),
            ("artist_count", _I),
            ("label_count", _I),
            ("genre_count", _I),
            ("first_year", _I),
        ),
    ),
    NodeKind("Person", "name", (("name", _S), ("credit_count", _I))),
    NodeKind("User", "id", (("id", _S), ("discogs_username", _S))),
    NodeKind(
        "ExtractionCompletion",
        "version",
        (("version", _S), ("signals", _L), ("created_at", _T), ("updated_at", _T)),
    ),
)

_ARTIST_TO_ARTIST = (("Artist", "Artist"),)
# MusicBrainz edges (SPEC-graph §3, §5) say where they come from and carry the relation's dates and
# attributes (domain.musicbrainz_model); Discogs MEMBER_OF edges leave them unset.
_MB_SOURCE = (("source", _S), ("begin_date", _S), ("end_date", _S), ("attributes", _L))

RELATIONSHIP_TYPES: tuple[RelationshipType, ...] = (
    RelationshipType("BY", (("Release", "Artist"), ("Master", "Artist"))),
    RelationshipType("ON", (("Release", "Label"),)),
    RelationshipType("DERIVED_FROM", (("Release", "Master"),)),
    RelationshipType(
        "IS",
        (("Release", "Genre"), ("Release", "Style"), ("Master", "Genre"), ("Master", "Style")),
    ),
    RelationshipType("PART_OF", (("Style", "Genre"),)),
    RelationshipType("MEMBER_OF", _ARTIST_TO_ARTIST, _MB_SOURCE),
    RelationshipType("ALIAS_OF", _ARTIST_TO_ARTIST),
    RelationshipType("SUBLABEL_OF", (("Label", "Label"),)),
    RelationshipType("CREDITED_ON", (("Person", "Release"),), (("role", _S), ("category", _S))),
    RelationshipType("SAME_AS", (("Person", "Artist"),)),
    RelationshipType(
        "COLLECTED",
        (("User", "Release"),),
        (
            ("instance_id", _I),
            ("rating", _I),
            ("folder_id", _I),
            ("date_added", _S),
            ("synced_at", _T),
        ),
    ),
    RelationshipType(
        "WANTS", (("User", "Release"),), (("rating", _I), ("date_added", _S), ("synced_at", _T))
    ),
    *(
        RelationshipType(name, _ARTIST_TO_ARTIST, _MB_SOURCE)
        for name in (
            "COLLABORATED_WITH",
            "TAUGHT",
            "TRIBUTE_TO",
            "FOUNDED",
            "SUPPORTED",
            "SUBGROUP_OF",
            "RENAMED_TO",
        )
    ),
)

_R = IndexKind.RANGE
_F = IndexKind.FULLTEXT

GRAPH_INDEXES: tuple[GraphIndex, ...] = (
    GraphIndex("artist_sha256", _R, "Artist", "sha256"),
    GraphIndex("label_sha256", _R, "Label", "sha256"),
    GraphIndex("master_sha256", _R, "Master", "sha256"),
    GraphIndex("release_sha256", _R, "Release", "sha256"),
    GraphIndex("artist_name", _R, "Artist", "name"),
    GraphIndex("label_name", _R, "Label", "name"),
    GraphIndex("release_year_index", _R, "Release", "year"),
    GraphIndex("master_year_index", _R, "Master", "year"),
    GraphIndex("genre_first_year_index", _R, "Genre", "first_year"),
    GraphIndex("style_first_year_index", _R, "Style", "first_year"),
    GraphIndex("person_credit_count", _R, "Person", "credit_count"),
    GraphIndex("artist_mbid", _R, "Artist", "mbid"),
    GraphIndex("label_mbid", _R, "Label", "mbid"),
    GraphIndex("release_mbid", _R, "Release", "mbid"),
    GraphIndex("master_mbid", _R, "Master", "mbid"),
    GraphIndex("artist_name_fulltext", _F, "Artist", "name"),
    GraphIndex("label_name_fulltext", _F, "Label", "name"),
    GraphIndex("genre_name_fulltext", _F, "Genre", "name"),
    GraphIndex("style_name_fulltext", _F, "Style", "name"),
    GraphIndex("person_name_fulltext", _F, "Person", "name"),
    GraphIndex("release_title_fulltext", _F, "Release", "title"),
)


def unique_key_name(kind: NodeKind) -> str:
    """The reference's constraint name for a node kind's key: `artist_id`, `genre_name`, ..."""
    return f"{kind.label.lower()}_{kind.key}"


# The four Discogs entity tables of SPEC-tables §1 share one shape.
ENTITY_TABLES: tuple[str, ...] = ("artists", "labels", "masters", "releases")
ENTITY_COLUMNS: frozenset[str] = frozenset({"data_id", "hash", "data", "updated_at"})


# The `musicbrainz` schema of SPEC-tables §3: PostgreSQL schema `musicbrainz`, SQLite table name
# prefix `musicbrainz_`; both stores describe these tables as `musicbrainz.<table>`.
_MB_ENTITY = "mbid name data created_at updated_at"
_MB_LIFE = "begin_date end_date ended"
MUSICBRAINZ_TABLES: dict[str, frozenset[str]] = {
    f"musicbrainz.{table}": frozenset(columns.split())
    for table, columns in {
        "artists": f"{_MB_ENTITY} {_MB_LIFE} sort_name type gender area begin_area end_area "
        "disambiguation discogs_artist_id aliases tags",
        "labels": f"{_MB_ENTITY} {_MB_LIFE} type label_code area disambiguation discogs_label_id",
        "release_groups": f"{_MB_ENTITY} type secondary_types first_release_date disambiguation "
        "discogs_master_id",
        "releases": f"{_MB_ENTITY} barcode status release_group_mbid discogs_release_id",
        "relationships": "id source_mbid target_mbid source_entity_type target_entity_type "
        "relationship_type begin_date end_date ended attributes created_at",
        "external_links": "id mbid entity_type service_name url created_at",
    }.items()
}
MUSICBRAINZ_INDEXES: frozenset[str] = frozenset(
    [
        "idx_mb_artists_discogs_artist_id",
        "idx_mb_labels_discogs_label_id",
        "idx_mb_release_groups_discogs_master_id",
        "idx_mb_releases_discogs_release_id",
        "idx_mb_artists_name",
        "idx_mb_labels_name",
        "idx_mb_relationships_source_mbid",
        "idx_mb_relationships_target_mbid",
        "idx_mb_relationships_type",
        "idx_mb_external_links_mbid",
        "idx_mb_external_links_service_name",
    ]
)
"""SPEC-tables §3's indexes (partial on the Discogs ids), named alike on both stores."""


def entity_lookup_indexes(table: str) -> frozenset[str]:
    """Index names every table store keeps on an entity table (hash, freshness, name/title/year)."""
    names = {f"idx_{table}_hash", f"idx_{table}_updated_at"}
    if table in ("artists", "labels"):
        names.add(f"idx_{table}_name")
    else:
        names.update({f"idx_{table}_title", f"idx_{table}_year"})
    if table == "releases":
        names.add("idx_releases_country")
    return frozenset(names)


@dataclass(frozen=True)
class StoreSchema:
    """What a store holds, in terms both adapters of a port can answer.

    `unique_keys` are (label or table, property) pairs whose values the store keeps unique;
    `indexes` are the names of secondary indexes; `tables` maps a table (node label, relationship
    type or SQL table) to its columns; `relationship_endpoints` maps a relationship table to
    its (from, to) label pairs (schema-first stores only); `searchable` names what has a
    full-text index.
    """

    unique_keys: frozenset[tuple[str, str]] = frozenset()
    indexes: frozenset[str] = frozenset()
    tables: dict[str, frozenset[str]] = field(default_factory=dict)
    relationship_endpoints: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    searchable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SchemaReport:
    """What one ensure_schema run did: the objects it created (empty on a second run)."""

    store: str
    address: str
    created: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.created)


class SchemaError(Exception):
    """A schema statement failed; names the store, its address and the statement."""

    def __init__(self, store: str, address: str, statement: str, reason: str) -> None:
        self.store = store
        self.address = address
        self.statement = statement
        self.reason = reason
        super().__init__(f"{store} at {address}: {reason}\n  statement: {statement}")


class StoreUnavailable(Exception):
    """A store could not be reached at all; names the store and its address."""

    def __init__(self, store: str, address: str, reason: str) -> None:
        self.store = store
        self.address = address
        self.reason = reason
        super().__init__(f"{store} at {address} is unreachable: {reason}")
