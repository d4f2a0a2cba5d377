"""The graph a Discogs record implies (SPEC-graph §2 to §4), as rows both graph adapters UNWIND.

One record gives a `GraphRecordRows`: its own node with every property its writer sets, the
nodes its edges point at (stubs), its edges, and for masters and releases the complete new
target lists the adapter uses to prune stale edges. `graph_batch` merges the rows of many records
of one type into one list of rows per statement shape, deduplicated, with the same keys and value
types in every row of a shape (LadybugDB rejects a parameter list of mixed types). Node labels,
key properties and relationship endpoints come from `domain.schema`.

Decisions where the spec leaves room (see also SPEC-graph §8):
- An id names an entity only when it is a positive decimal integer: the "0" placeholders of the
  2025 dumps and the names a 2017 alias or sublabel carries in place of an id give no stub and no
  edge. A record whose own id is not such an id, or that has no sha256, raises GraphRecordError.
- Stubs of Artist and Label carry the name they were credited with; the adapter sets it only
  where the node has no name yet, so the record's own name always wins and Various (194),
  Unknown Artist (355) and No Artist (118760), which never get a record, keep a name.
- SAME_AS targets are Artist stubs like any other edge target, although the reference MATCHes
  them: artists and releases load concurrently, and a MATCH would make the edge depend on which
  file got there first, which a hash-gated re-run would never repair.
- PART_OF counts distinct genre names: a record tagged "Rock" twice has exactly one genre.
- Release formats skip a format without a name (a list parameter holds strings only).
- `catalog_number` is the first label's non-empty catno, else None; None never erases a stored
  catalog number (the reference's `+=` metadata bag), see NodeShape.keep_when_null.

Credit categories (`categorize_role`): the six families of SPEC-graph §4 plus "other". Each family
lists the spec's examples and the common Discogs credit roles of its kind, after Discogs' own role
groups (Production; Technical, Mixing and Remix; Instruments, Vocal, Featuring and DJ Mix; Visual;
Management). Writing and arranging credits (Written-By, Composed By, Lyrics By, Arranged By,
Compiled By) have no family in the spec and are "other". A short fragment that sits inside common
roles of another family is left out ("rap" is inside "photography" and "graphics"). When two
fragments of equal length match, the family listed first wins (production before engineering:
"Producer, Mixed By" is production).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from domain.consumer_normalize import record_year
from domain.schema import NODE_KINDS, RELATIONSHIP_TYPES, NodeKind

# --- credit categories -------------------------------------------------------------------------

OTHER_CREDIT_CATEGORY = "other"

CREDIT_CATEGORIES: Mapping[str, tuple[str, ...]] = {
    "production": (
        "producer",
        "executive producer",
        "co-producer",
        "produced by",
        "production",
        "associate producer",
        "additional production",
        "supervised by",
        "supervisor",
    ),
    "engineering": (
        "engineer",
        "recorded by",
        "mixed by",
        "remix",
        "recording",
        "mixing",
        "mix",
        "edited by",
        "editing",
        "overdubbed by",
        "tape op",
        "technician",
        "sound design",
    ),
    "mastering": (
        "mastered by",
        "lacquer cut by",
        "cut by",
        "mastering engineer",
        "remastered by",
        "mastering",
        "remastering",
        "lacquer cut",
        "transferred by",
        "restoration",
        "restored by",
    ),
    "session": (
        "bass",
        "guitar",
        "drums",
        "drum",
        "vocals",
        "vocal",
        "voice",
        "choir",
        "chorus",
        "featuring",
        "piano",
        "keyboards",
        "organ",
        "synthesizer",
        "electronics",
        "sampler",
        "programmed by",
        "programming",
        "percussion",
        "congas",
        "bongos",
        "tambourine",
        "cymbal",
        "timpani",
        "vibraphone",
        "marimba",
        "xylophone",
        "glockenspiel",
        "strings",
        "violin",
        "viola",
        "cello",
        "harp",
        "sax",
        "trumpet",
        "trombone",
        "horn",
        "tuba",
        "flute",
        "clarinet",
        "oboe",
        "harmonica",
        "accordion",
        "banjo",
        "mandolin",
        "ukulele",
        "sitar",
        "tabla",
        "turntables",
        "scratches",
        "dj mix",
        "beatbox",
        "whistle",
        "handclaps",
        "narrator",
        "performer",
        "musician",
        "instruments",
        "soloist",
        "orchestra",
        "ensemble",
        "conductor",
        "concertmaster",
    ),
    "design": (
        "artwork",
        "design",
        "photography",
        "liner notes",
        "layout",
        "illustration",
        "art direction",
        "art director",
        "creative director",
        "graphic design",
        "graphics",
        "photo",
        "cover",
        "sleeve",
        "notes",
        "typography",
        "lettering",
        "calligraphy",
        "painting",
        "logo",
    ),
    "management": (
        "a&r",
        "a & r",
        "management",
        "manager",
        "production manager",
        "booking",
        "coordinator",
        "contractor",
        "promotion",
        "marketing",
        "legal",
    ),
}

_CATEGORY_OF_FRAGMENT: Mapping[str, str] = {
    fragment: category for category, fragments in CREDIT_CATEGORIES.items() for fragment in fragments
}
_CATEGORY_RANK: Mapping[str, int] = {category: rank for rank, category in enumerate(CREDIT_CATEGORIES)}
_FRAGMENTS_LONGEST_FIRST: tuple[tuple[str, str], ...] = tuple(
    sorted(
        _CATEGORY_OF_FRAGMENT.items(),
        key=lambda pair: (-len(pair[0]), _CATEGORY_RANK[pair[1]], pair[0]),
    )
)


@functools.lru_cache(maxsize=8192)
def categorize_role(role: str) -> str:
    """The credit family of a Discogs role: exact fragment, else the longest contained one."""
    normalized = role.strip().lower()
    exact = _CATEGORY_OF_FRAGMENT.get(normalized)
    if exact is not None:
        return exact
    for fragment, category in _FRAGMENTS_LONGEST_FIRST:
        if fragment in normalized:
            return category
    return OTHER_CREDIT_CATEGORY


# --- per-record rows ---------------------------------------------------------------------------

RowValue = str | int | list[str] | None
"""A property value in a row: strings, the nullable int `year`, the `formats` and `keep` lists."""

Row = dict[str, RowValue]
"""One map of an UNWIND parameter list."""

DEFAULT_NAMES: Mapping[str, tuple[str, str]] = {
    "artists": ("name", "Unknown Artist"),
    "labels": ("name", "Unknown Label"),
    "masters": ("title", "Unknown Master"),
    "releases": ("title", "Unknown Release"),
}
"""The property that names a record's node and its value when the record has none."""

_ARTIST_API_URL = "https://api.discogs.com/artists/{id}"


class GraphRecordError(ValueError):
    """A record the graph cannot hold: no usable id or no sha256. Dead-lettered, never retried."""

    def __init__(self, data_type: str, record_id: object, reason: str) -> None:
        self.data_type = data_type
        self.record_id = record_id
        self.reason = reason
        super().__init__(f"{data_type} record {record_id!r}: {reason}")


class NodeRef(NamedTuple):
    """A node by label and key value (the `id` of entities, the `name` of Genre/Style/Person)."""

    label: str
    key: str


class StubNode(NamedTuple):
    """A node an edge needs, MERGEd by key; `name` is the name it was credited with, if any."""

    ref: NodeRef
    name: str | None = None


class Edge(NamedTuple):
    """A relationship to MERGE; `properties` are CREDITED_ON's role and category, else empty."""

    type: str
    source: NodeRef
    target: NodeRef
    properties: tuple[tuple[str, str], ...] = ()


class KeptTargets(NamedTuple):
    """The complete new targets of a record's `type` edges to `target_label`; others are stale."""

    type: str
    target_label: str
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordNode:
    """A record's own node: label, key value and every property its writer sets (key included)."""

    label: str
    key: str
    properties: Row

    @property
    def ref(self) -> NodeRef:
        return NodeRef(self.label, self.key)


@dataclass(frozen=True, slots=True)
class GraphRecordRows:
    """Everything one record writes to the graph. `kept_targets` is empty for artists and labels,
    whose edges the reference never prunes."""

    data_type: str
    node: RecordNode
    stubs: tuple[StubNode, ...]
    edges: tuple[Edge, ...]
    kept_targets: tuple[KeptTargets, ...]


# --- statement shapes --------------------------------------------------------------------------

KIND_BY_LABEL: Mapping[str, NodeKind] = {kind.label: kind for kind in NODE_KINDS}


@dataclass(frozen=True, slots=True)
class NodeShape:
    """One node statement: rows carry exactly `properties` (the key first).

    A record shape MERGEs by key and SETs every property, except that a None in
    `keep_when_null` leaves the stored value. A stub shape MERGEs by key and sets each other
    property only where the node has none yet.
    """

    label: str
    key: str
    properties: tuple[str, ...]
    stub: bool
    keep_when_null: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EdgeShape:
    """One edge statement: rows carry `source` and `target` (key values) and the properties.

    `merge_properties` belong to the MERGE pattern (CREDITED_ON's role), `set_properties` are
    SET after it (its category). A prune row for this shape is `{"source", "keep"}`.
    """

    type: str
    source_label: str
    target_label: str
    merge_properties: tuple[str, ...] = ()
    set_properties: tuple[str, ...] = ()

    @property
    def source_key(self) -> str:
        return KIND_BY_LABEL[self.source_label].key

    @property
    def target_key(self) -> str:
        return KIND_BY_LABEL[self.target_label].key

    @property
    def row_keys(self) -> tuple[str, ...]:
        return ("source", "target", *self.merge_properties, *self.set_properties)


RECORD_NODE_SHAPES: Mapping[str, NodeShape] = {
    "artists": NodeShape(
        "Artist", "id", ("id", "name", "resource_url", "releases_url", "sha256"), stub=False
    ),
    "labels": NodeShape("Label", "id", ("id", "name", "sha256"), stub=False),
    "masters": NodeShape("Master", "id", ("id", "title", "year", "sha256"), stub=False),
    "releases": NodeShape(
        "Release",
        "id",
        ("id", "title", "year", "formats", "sha256", "catalog_number"),
        stub=False,
        keep_when_null=("catalog_number",),
    ),
}
"""The record node statement of each data type."""


def _stub_shape(kind: NodeKind) -> NodeShape:
    carries_name = kind.key != "name" and "name" in kind.property_names
    return NodeShape(kind.label, kind.key, (kind.key, "name") if carries_name else (kind.key,), stub=True)


STUB_NODE_SHAPES: Mapping[str, NodeShape] = {
    label: _stub_shape(KIND_BY_LABEL[label])
    for label in ("Artist", "Label", "Master", "Genre", "Style", "Person")
}
"""The stub statement of each label an edge can point at (a Release is only ever the record)."""

_EDGE_PROPERTY_ROLES: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "CREDITED_ON": (("role",), ("category",)),
}

_DISCOGS_RELATIONSHIPS = frozenset(
    {
        "BY",
        "ON",
        "DERIVED_FROM",
        "IS",
        "PART_OF",
        "MEMBER_OF",
        "ALIAS_OF",
        "SUBLABEL_OF",
        "CREDITED_ON",
        "SAME_AS",
    }
)

EDGE_SHAPES: Mapping[tuple[str, str, str], EdgeShape] = {
    (relationship.name, source, target): EdgeShape(
        relationship.name, source, target, *_EDGE_PROPERTY_ROLES.get(relationship.name, ((), ()))
    )
    for relationship in RELATIONSHIP_TYPES
    if relationship.name in _DISCOGS_RELATIONSHIPS
    for source, target in relationship.endpoints
}
"""Every (type, source label, target label) of SPEC-graph §3 a Discogs record writes."""


# --- reading the normalized record -------------------------------------------------------------


def _entity_id(value: object) -> str | None:
    """The value as a Discogs id if it names an entity: a positive decimal integer as text."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and value.strip("0"):
        return value
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _objects(record: Mapping[str, Any], field: str) -> list[Mapping[str, Any]]:
    """The objects of a normalized item list; nulls left by empty elements are skipped."""
    items = record.get(field)
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)]


def _distinct_texts(record: Mapping[str, Any], field: str) -> tuple[str, ...]:
    """The non-empty strings of a string list, first occurrence kept."""
    items = record.get(field)
    if not isinstance(items, list):
        return ()
    return tuple(dict.fromkeys(item for item in items if isinstance(item, str) and item))


class _CreditedEntity(NamedTuple):
    key: str
    name: str | None


def _credited_entities(items: Iterable[Mapping[str, Any]]) -> list[_CreditedEntity]:
    """The entities a list of credits names by id, with the name each was credited under."""
    credited = []
    for item in items:
        entity_id = _entity_id(item.get("id"))
        if entity_id is not None:
            credited.append(_CreditedEntity(entity_id, _text(item.get("name"))))
    return credited


class _RecordGraph:
    """Collects one record's stubs and edges, deduplicated in first-seen order."""

    def __init__(self, data_type: str, node: RecordNode) -> None:
        self._data_type = data_type
        self._node = node
        self.ref = node.ref
        self._stub_names: dict[NodeRef, str | None] = {}
        self._edges: dict[Edge, None] = {}
        self._kept_targets: list[KeptTargets] = []

    def node(self, label: str, key: str, name: str | None = None) -> NodeRef:
        """The ref of a node an edge needs; registered as a stub unless it is the record."""
        ref = NodeRef(label, key)
        if ref != self.ref and self._stub_names.get(ref) is None:
            self._stub_names[ref] = name
        return ref

    def link(self, edge_type: str, source: NodeRef, target: NodeRef, *properties: tuple[str, str]) -> None:
        self._edges.setdefault(Edge(edge_type, source, target, properties))

    def keep(self, edge_type: str, target_label: str, keys: Iterable[str]) -> None:
        self._kept_targets.append(KeptTargets(edge_type, target_label, tuple(dict.fromkeys(keys))))

    def rows(self) -> GraphRecordRows:
        return GraphRecordRows(
            self._data_type,
            self._node,
            tuple(StubNode(ref, name) for ref, name in self._stub_names.items()),
            tuple(self._edges),
            tuple(self._kept_targets),
        )


def _record_identity(data_type: str, record: Mapping[str, Any]) -> tuple[str, str]:
    """The record's id and sha256; raises GraphRecordError when either is unusable."""
    record_id = _entity_id(record.get("id"))
    if record_id is None:
        raise GraphRecordError(data_type, record.get("id"), "id is not a positive Discogs id")
    sha256 = _text(record.get("sha256"))
    if sha256 is None:
        raise GraphRecordError(data_type, record_id, "sha256 is missing")
    return record_id, sha256


def _record_graph(
    data_type: str, record: Mapping[str, Any], record_id: str, sha256: str, **properties: RowValue
) -> _RecordGraph:
    """A collector around the record's node: id, (defaulted) name or title, `properties`, sha256."""
    shape = RECORD_NODE_SHAPES[data_type]
    name_property, default_name = DEFAULT_NAMES[data_type]
    row: Row = {
        "id": record_id,
        name_property: _text(record.get(name_property)) or default_name,
        "sha256": sha256,
        **properties,
    }
    node = RecordNode(shape.label, record_id, {key: row[key] for key in shape.properties})
    return _RecordGraph(data_type, node)


# --- one function per data type ----------------------------------------------------------------


def _artist_rows(record: Mapping[str, Any], current_year: int) -> GraphRecordRows:
    artist_id, sha256 = _record_identity("artists", record)
    resource_url = _ARTIST_API_URL.format(id=artist_id)
    graph = _record_graph(
        "artists",
        record,
        artist_id,
        sha256,
        resource_url=resource_url,
        releases_url=f"{resource_url}/releases",
    )
    for member in _credited_entities(_objects(record, "members")):
        graph.link("MEMBER_OF", graph.node("Artist", member.key, member.name), graph.ref)
    for group in _credited_entities(_objects(record, "groups")):
        graph.link("MEMBER_OF", graph.ref, graph.node("Artist", group.key, group.name))
    for alias in _credited_entities(_objects(record, "aliases")):
        graph.link("ALIAS_OF", graph.node("Artist", alias.key, alias.name), graph.ref)
    return graph.rows()


def _label_rows(record: Mapping[str, Any], current_year: int) -> GraphRecordRows:
    graph = _record_graph("labels", record, *_record_identity("labels", record))
    parent = record.get("parentLabel")
    # The 2017 dumps give parentLabel as bare text (a name, no id): no entity to link.
    if isinstance(parent, dict):
        for parent_label in _credited_entities([parent]):
            graph.link("SUBLABEL_OF", graph.ref, graph.node("Label", parent_label.key, parent_label.name))
    for sublabel in _credited_entities(_objects(record, "sublabels")):
        graph.link("SUBLABEL_OF", graph.node("Label", sublabel.key, sublabel.name), graph.ref)
    return graph.rows()


def _link_artists_and_classification(graph: _RecordGraph, record: Mapping[str, Any]) -> None:
    """BY, IS and PART_OF, shared by masters and releases, with their kept target lists."""
    artists = _credited_entities(_objects(record, "artists"))
    for artist in artists:
        graph.link("BY", graph.ref, graph.node("Artist", artist.key, artist.name))
    graph.keep("BY", "Artist", (artist.key for artist in artists))
    genres = _distinct_texts(record, "genres")
    styles = _distinct_texts(record, "styles")
    for genre in genres:
        graph.link("IS", graph.ref, graph.node("Genre", genre))
    for style in styles:
        graph.link("IS", graph.ref, graph.node("Style", style))
    graph.keep("IS", "Genre", genres)
    graph.keep("IS", "Style", styles)
    if len(genres) == 1:
        for style in styles:
            graph.link("PART_OF", graph.node("Style", style), graph.node("Genre", genres[0]))


def _master_rows(record: Mapping[str, Any], current_year: int) -> GraphRecordRows:
    year = record_year("masters", record, current_year)
    graph = _record_graph("masters", record, *_record_identity("masters", record), year=year)
    _link_artists_and_classification(graph, record)
    return graph.rows()


def _release_rows(record: Mapping[str, Any], current_year: int) -> GraphRecordRows:
    labels = _objects(record, "labels")
    formats = [name for fmt in _objects(record, "formats") if (name := _text(fmt.get("name")))]
    graph = _record_graph(
        "releases",
        record,
        *_record_identity("releases", record),
        year=record_year("releases", record, current_year),
        formats=formats,
        catalog_number=_text(labels[0].get("catno")) if labels else None,
    )
    _link_artists_and_classification(graph, record)
    on_labels = _credited_entities(labels)
    for label in on_labels:
        graph.link("ON", graph.ref, graph.node("Label", label.key, label.name))
    graph.keep("ON", "Label", (label.key for label in on_labels))
    master_id = _entity_id(record.get("master_id"))
    if master_id is not None:
        graph.link("DERIVED_FROM", graph.ref, graph.node("Master", master_id))
    graph.keep("DERIVED_FROM", "Master", () if master_id is None else (master_id,))
    _link_credits(graph, _objects(record, "extraartists"))
    return graph.rows()


def _link_credits(graph: _RecordGraph, extraartists: Sequence[Mapping[str, Any]]) -> None:
    """CREDITED_ON for each credit with a name and a role; SAME_AS when it names an artist."""
    for credit in extraartists:
        name = _text(credit.get("name"))
        role = _text(credit.get("role"))
        if name is None or role is None:
            continue
        person = graph.node("Person", name)
        graph.link("CREDITED_ON", person, graph.ref, ("role", role), ("category", categorize_role(role)))
        artist_id = _entity_id(credit.get("id"))
        if artist_id is not None:
            graph.link("SAME_AS", person, graph.node("Artist", artist_id, name))


_ROWS_BY_DATA_TYPE: Mapping[str, Callable[[Mapping[str, Any], int], GraphRecordRows]] = {
    "artists": _artist_rows,
    "labels": _label_rows,
    "masters": _master_rows,
    "releases": _release_rows,
}


def graph_record_rows(data_type: str, record: Mapping[str, Any], current_year: int) -> GraphRecordRows:
    """The nodes, edges and kept targets one normalized record implies.

    `record` is the SPEC-ingest §4 record with `id` and `sha256`; a consumer-side `year`
    already present is recomputed the same way. Raises GraphRecordError for a record the
    graph cannot hold, ValueError for a data type that is not a Discogs one.
    """
    rows_of = _ROWS_BY_DATA_TYPE.get(data_type)
    if rows_of is None:
        raise ValueError(f"not a Discogs data type: {data_type!r}")
    return rows_of(record, current_year)


# --- batches -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphBatch:
    """The rows of many records of one type, one list per statement, no list empty.

    Write order: `record_nodes`, then `stub_nodes`, then `prunes` (delete each source's edges of
    that shape whose target key is not in `keep`), then `edges` (MATCH both ends, MERGE).
    """

    data_type: str
    record_shape: NodeShape
    record_nodes: list[Row]
    stub_nodes: Mapping[NodeShape, list[Row]]
    prunes: Mapping[EdgeShape, list[Row]]
    edges: Mapping[EdgeShape, list[Row]]

    @property
    def record_ids(self) -> list[str]:
        return [str(row["id"]) for row in self.record_nodes]


def graph_batch(data_type: str, records: Iterable[GraphRecordRows]) -> GraphBatch:
    """Merge the rows of records of one type; of two records with one id the later one wins.

    Stubs that are records of the batch are dropped (their record row creates them); a stub's
    name is the first credited name seen.
    """
    latest: dict[str, GraphRecordRows] = {}
    for record_rows in records:
        if record_rows.data_type != data_type:
            raise ValueError(f"a {record_rows.data_type} record in a batch of {data_type}")
        latest.pop(record_rows.node.key, None)
        latest[record_rows.node.key] = record_rows

    record_refs = {record_rows.node.ref for record_rows in latest.values()}
    stub_names: dict[NodeRef, str | None] = {}
    edges: dict[Edge, None] = {}
    prunes: dict[EdgeShape, list[Row]] = {}
    for record_rows in latest.values():
        for stub in record_rows.stubs:
            if stub.ref not in record_refs and stub_names.get(stub.ref) is None:
                stub_names[stub.ref] = stub.name
        edges.update(dict.fromkeys(record_rows.edges))
        source = record_rows.node.ref
        for kept in record_rows.kept_targets:
            shape = EDGE_SHAPES[(kept.type, source.label, kept.target_label)]
            prunes.setdefault(shape, []).append({"source": source.key, "keep": list(kept.keys)})

    return GraphBatch(
        data_type,
        RECORD_NODE_SHAPES[data_type],
        [dict(record_rows.node.properties) for record_rows in latest.values()],
        _stub_rows(stub_names),
        prunes,
        _edge_rows(edges),
    )


def _stub_rows(stub_names: Mapping[NodeRef, str | None]) -> dict[NodeShape, list[Row]]:
    rows: dict[NodeShape, list[Row]] = {}
    for ref, name in stub_names.items():
        shape = STUB_NODE_SHAPES[ref.label]
        row: Row = {shape.key: ref.key}
        if "name" in shape.properties[1:]:
            row["name"] = name
        rows.setdefault(shape, []).append(row)
    return rows


def _edge_rows(edges: Iterable[Edge]) -> dict[EdgeShape, list[Row]]:
    rows: dict[EdgeShape, list[Row]] = {}
    for edge in edges:
        shape = EDGE_SHAPES[(edge.type, edge.source.label, edge.target.label)]
        rows.setdefault(shape, []).append(
            {"source": edge.source.key, "target": edge.target.key, **dict(edge.properties)}
        )
    return rows
