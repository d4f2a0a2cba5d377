"""The LadybugDB Cypher of the graph's read side (SPEC-api §4, §10), one query per GraphQueries question.

The same names as `adapters/neo4j/queries.py`; read them side by side. Where the text differs it is
for LadybugDB 0.22 (ladybug-notes.md):
- No `CALL { }` subqueries, and an ORDER BY in a WITH needs a LIMIT (no ranked `collect()`): a page
  and its total are two statements (`expand_page`, `category_total`), and each category, detail or
  figure is a statement of its own. They are point queries from one primary key, run back to back
  on one reader connection.
- The year bound stays in the MATCH: there is no year index to mislead the planner (Neo4j's text
  moves it after a WITH).
- Every query starts from the centre's primary key: `name =` on Artist or Label is a scan here, and
  a name lookup chained with neighbourhood matches scans relationship tables too, so names are
  resolved first (`find_entity`), alone.
- Per-artist neighbourhood reads are one statement per artist with a scalar `$key`: an `UNWIND`
  of ids, or `IN $ids`, scans whole relationship tables.
- `* SHORTEST 1..n` instead of shortestPath, `label()` instead of labels() and type(),
  `list_transform` instead of list comprehensions, node comparison by key. Its search runs from one
  end only, and through a genre it reaches a fifth of the graph at depth 3 (a path of length 4
  took 280-360 ms on 100k releases): the adapter grows `path_ball`s from both ends, joins the two
  halves with `short_path`, and leaves only longer paths to `shortest_path` (see
  adapters/ladybug/graph_queries.py).
- ON is a keyword: backticks everywhere, as in the Neo4j text.
"""

from __future__ import annotations

import functools

from domain.explore import (
    LISTED_TYPES,
    PATH_RELATIONSHIPS,
    RELEASE_LINKS,
    Category,
    EntityType,
    ReleaseLink,
)
from domain.graph_model import KIND_BY_LABEL


def quoted(name: str) -> str:
    return f"`{name}`"


ID_ORDER = "size({0}.`id`), {0}.`id`"
"""Decimal ids kept as text sort as numbers: shorter first, then by text (domain.explore.id_order)."""

YEAR_DESCENDING = "CASE WHEN r.`year` IS NULL THEN 1 ELSE 0 END, r.`year` DESC"
"""Releases by year, newest first, those without a year last (no NULLS LAST here)."""

ALIAS_TYPES = "`ALIAS_OF`|`MEMBER_OF`"
PATH_TYPES = "|".join(quoted(name) for name in PATH_RELATIONSHIPS)


def _centre(link: ReleaseLink, variable: str = "c", parameter: str = "key") -> str:
    return f"({variable}:{quoted(link.label)} {{{quoted(link.key)}: ${parameter}}})"


def _releases(entity_type: EntityType, before_year: bool) -> str:
    """`MATCH (c)<-[edge]-(r:Release)` from the centre's key, with the year bound when asked."""
    link = RELEASE_LINKS[entity_type]
    pattern = f"MATCH {_centre(link)}<-[:{quoted(link.edge)}]-(r:`Release`)"
    return pattern + (" WHERE r.`year` > 0 AND r.`year` <= $before_year" if before_year else "")


def _listed(category: Category) -> tuple[ReleaseLink, str]:
    """The listed nodes' link and the ORDER BY that ranks them after their release count."""
    link = RELEASE_LINKS[LISTED_TYPES[category]]
    then = ID_ORDER.format("x") if link.key == "id" else "x.`name`"
    return link, then


def _aliases() -> str:
    return f"MATCH (c:`Artist` {{`id`: $key}})-[:{ALIAS_TYPES}]-(x:`Artist`) WHERE x.`id` <> c.`id`"


# --- centres ---------------------------------------------------------------------------------


@functools.cache
def find_entity(entity_type: EntityType) -> str:
    """The node with exactly this name: the lowest id among artists or labels that share it."""
    link = RELEASE_LINKS[entity_type]
    node = f"(n:{quoted(link.label)} {{`name`: $name}})"
    if link.key == "name":
        return f"MATCH {node} RETURN n.`name` AS key, n.`name` AS name"
    return f"MATCH {node} RETURN n.`id`, n.`name` ORDER BY {ID_ORDER.format('n')} LIMIT 1"


@functools.cache
def node_properties(entity_type: EntityType, properties: tuple[str, ...]) -> str:
    """Properties of the centre, in the order asked: its name, its aggregates (SPEC-graph §4)."""
    values = ", ".join(f"c.{quoted(name)}" for name in properties)
    return f"MATCH {_centre(RELEASE_LINKS[entity_type])} RETURN {values}"


# --- expand (and the live counts of explore) ---------------------------------------------------


@functools.cache
def category_total(entity_type: EntityType, category: Category, before_year: bool) -> str:
    """How many children `expand` lists in the category: explore's live count, a page's total."""
    if category is Category.RELEASES:
        return f"{_releases(entity_type, before_year)} RETURN count(r)"
    if category is Category.ALIASES:
        return f"{_aliases()} RETURN count(DISTINCT x)"
    link, _ = _listed(category)
    return (
        f"{_releases(entity_type, before_year)} MATCH (r)-[:{quoted(link.edge)}]->(x:{quoted(link.label)}) "
        "RETURN count(DISTINCT x)"
    )


@functools.cache
def expand_page(entity_type: EntityType, category: Category, before_year: bool) -> str:
    """The page `$offset`, `$limit` of the category's ranked children: rows [id, name, year] for
    releases, [id, name] for aliases, [id, name, release_count] otherwise."""
    page = "SKIP $offset LIMIT $limit"
    if category is Category.RELEASES:
        return (
            f"{_releases(entity_type, before_year)} RETURN r.`id`, r.`title`, r.`year` "
            f"ORDER BY {YEAR_DESCENDING}, {ID_ORDER.format('r')} {page}"
        )
    if category is Category.ALIASES:
        return f"{_aliases()} RETURN DISTINCT x.`id` AS id, x.`name` AS name ORDER BY size(id), id {page}"
    link, then = _listed(category)
    return (
        f"{_releases(entity_type, before_year)} MATCH (r)-[:{quoted(link.edge)}]->(x:{quoted(link.label)}) "
        f"RETURN x.{quoted(link.key)}, x.`name`, count(r) AS release_count "
        f"ORDER BY release_count DESC, {then} {page}"
    )


# --- node details ------------------------------------------------------------------------------

ARTIST_RELEASE_COUNT = "MATCH (a:`Artist` {`id`: $key})<-[:`BY`]-(r:`Release`) RETURN count(r)"
ARTIST_GENRES = (
    "MATCH (a:`Artist` {`id`: $key})<-[:`BY`]-(:`Release`)-[:`IS`]->(g:`Genre`) RETURN DISTINCT g.`name`"
)
ARTIST_STYLES = (
    "MATCH (a:`Artist` {`id`: $key})<-[:`BY`]-(:`Release`)-[:`IS`]->(s:`Style`) RETURN DISTINCT s.`name`"
)
ARTIST_GROUPS = "MATCH (a:`Artist` {`id`: $key})-[:`MEMBER_OF`]->(g:`Artist`) RETURN g.`name`"

RELEASE = "MATCH (r:`Release` {`id`: $key}) RETURN r.`title`, r.`year`"
RELEASE_ARTISTS = "MATCH (r:`Release` {`id`: $key})-[:`BY`]->(a:`Artist`) RETURN a.`name`"
RELEASE_LABELS = "MATCH (r:`Release` {`id`: $key})-[:`ON`]->(l:`Label`) RETURN l.`name`"
RELEASE_GENRES = "MATCH (r:`Release` {`id`: $key})-[:`IS`]->(g:`Genre`) RETURN g.`name`"
RELEASE_STYLES = "MATCH (r:`Release` {`id`: $key})-[:`IS`]->(s:`Style`) RETURN s.`name`"


# --- trends, path, whole-graph figures -------------------------------------------------------


@functools.cache
def trends(entity_type: EntityType) -> str:
    return (
        f"{_releases(entity_type, False)} WHERE r.`year` > 0 RETURN r.`year` AS year, count(r) ORDER BY year"
    )


def _node(label: str, variable: str, parameter: str) -> str:
    return f"({variable}:{quoted(label)} {{{quoted(KIND_BY_LABEL[label].key)}: ${parameter}}})"


@functools.cache
def shortest_path(start_label: str, end_label: str, max_depth: int) -> str:
    """Rows of one path: per node [label, id or name, name or title], then the edge types in order.
    Any two labels a path can hold (the search meets in the middle, at a release or a master too).
    The depth is an int checked by the caller: Cypher takes no parameter there."""
    return (
        f"MATCH p = {_node(start_label, 'a', 'source')}-[:{PATH_TYPES}* SHORTEST 1..{max_depth:d}]-"
        f"{_node(end_label, 'b', 'target')} "
        "RETURN list_transform(nodes(p), n -> [label(n), coalesce(n.`id`, n.`name`), "
        "coalesce(n.`name`, n.`title`)]), list_transform(rels(p), e -> label(e)) LIMIT 1"
    )


def _step(variable: str, label: str) -> str:
    """[label, key, name or title] of a node whose label the query names."""
    kind = KIND_BY_LABEL[label]
    shown = "title" if "title" in kind.property_names else "name"
    return f"['{label}', {variable}.{quoted(kind.key)}, {variable}.{quoted(shown)}]"


@functools.cache
def short_path(start_label: str, end_label: str, length: int) -> str:
    """A path of exactly one or two edges, in the rows of `shortest_path`: a plain pattern from both
    keys costs a millisecond where the recursive search costs ten."""
    start, end = _node(start_label, "a", "source"), _node(end_label, "b", "target")
    if length == 1:
        return (
            f"MATCH {start}-[e:{PATH_TYPES}]-{end} "
            f"RETURN [{_step('a', start_label)}, {_step('b', end_label)}], [label(e)] LIMIT 1"
        )
    middle = "[label(x), coalesce(x.`id`, x.`name`), coalesce(x.`name`, x.`title`)]"
    return (
        f"MATCH {start}-[e1:{PATH_TYPES}]-(x)-[e2:{PATH_TYPES}]-{end} "
        f"RETURN [{_step('a', start_label)}, {middle}, {_step('b', end_label)}], "
        "[label(e1), label(e2)] LIMIT 1"
    )


@functools.cache
def path_degree(label: str) -> str:
    """How many relationships a path may follow out of the node: what a search from it costs."""
    return f"MATCH {_node(label, 'a', 'key')} RETURN COUNT {{ MATCH (a)-[:{PATH_TYPES}]-() }}"


@functools.cache
def path_ball(label: str, radius: int) -> str:
    """Every node within `radius` path steps of the node, with its distance."""
    return (
        f"MATCH p = {_node(label, 'a', 'key')}-[:{PATH_TYPES}* SHORTEST 1..{radius:d}]-(m) "
        "RETURN label(m), coalesce(m.`id`, m.`name`), length(p)"
    )


GRAPH_COUNTS = (
    "OPTIONAL MATCH (n:`Artist`) WITH count(n) AS artist "
    "OPTIONAL MATCH (n:`Label`) WITH artist, count(n) AS label "
    "OPTIONAL MATCH (n:`Release`) WITH artist, label, count(n) AS release "
    "OPTIONAL MATCH (n:`Master`) WITH artist, label, release, count(n) AS master "
    "OPTIONAL MATCH (n:`Genre`) WITH artist, label, release, master, count(n) AS genre "
    "OPTIONAL MATCH (n:`Style`) RETURN artist, label, release, master, genre, count(n) AS style"
)
"""Node counts per label (no CALL here: one aggregate after another; OPTIONAL, so that an empty
label does not end the chain)."""

YEAR_RANGE = "MATCH (r:`Release`) WHERE r.`year` > 0 RETURN min(r.`year`), max(r.`year`)"
"""A scan of the year column: LadybugDB has no range index (ladybug-notes.md)."""


@functools.cache
def first_years(label: str) -> str:
    return (
        f"MATCH (g:{quoted(label)}) WHERE g.`first_year` <= $before_year "
        "RETURN g.`name`, g.`first_year` ORDER BY g.`first_year`, g.`name`"
    )


@functools.cache
def tag_names(label: str) -> str:
    return f"MATCH (g:{quoted(label)}) RETURN g.`name` AS name ORDER BY name"


# --- collaboration -----------------------------------------------------------------------------

COLLABORATION_YEARS = (
    "MATCH (a:`Artist` {`id`: $key})<-[:`BY`]-(r:`Release`)-[:`BY`]->(x:`Artist`) "
    "WHERE r.`year` > 0 AND x.`id` <> a.`id` RETURN x.`id`, x.`name`, r.`year`, count(r)"
)
"""Per co-credited artist and year: how many releases of that year they share."""

ONE_HOP = (
    "MATCH (a:`Artist` {`id`: $key})<-[:`BY`]-(r:`Release`)-[:`BY`]->(x:`Artist`) "
    "WHERE x.`id` <> a.`id` RETURN x.`id`, x.`name`, count(r)"
)
"""Direct collaborators and how many releases each shares with the artist."""

TWO_HOPS = (
    "MATCH (a:`Artist` {`id`: $key})<-[:`BY`]-(:`Release`)-[:`BY`]->(m:`Artist`) WHERE m.`id` <> a.`id` "
    "WITH DISTINCT a, m "
    "MATCH (m)<-[:`BY`]-(:`Release`)-[:`BY`]->(x:`Artist`) WHERE x.`id` <> a.`id` AND x.`id` <> m.`id` "
    "RETURN x.`id`, x.`name`, count(DISTINCT m)"
)
"""Collaborators of collaborators, each with how many distinct collaborators lead to it; the direct
ones among them are dropped by domain.explore.network_page. DISTINCT m before the second expansion
made it 10x faster on a 100k-release graph (a collaborator met on many releases is expanded once)."""

DEGREES = (
    "MATCH (a:`Artist` {`id`: $key}) "
    "RETURN COUNT { MATCH (a)-[]->() } + COUNT { MATCH (a)<-[]-() } - COUNT { MATCH (a)-[]->(a) }, "
    "COUNT { MATCH (a)-[:`MEMBER_OF`]->(:`Artist`) }, COUNT { MATCH (a)-[:`ALIAS_OF`]->(:`Artist`) }"
)
"""Degree over every relationship table, each relationship once: an undirected `(a)-[]-()` meets a
self-loop (an artist listed as its own alias) from both ends. Then the groups and the aliases the
artist points at."""

COLLABORATION_COUNTS = (
    "MATCH (a:`Artist` {`id`: $key})<-[:`BY`]-(r:`Release`)-[:`BY`]->(x:`Artist`) WHERE x.`id` <> a.`id` "
    "RETURN count(DISTINCT x), count(DISTINCT r)"
)

ARTIST_GENRE_COUNTS = (
    "MATCH (x:`Artist` {`id`: $key})<-[:`BY`]-(r:`Release`)-[:`IS`]->(g:`Genre`) RETURN g.`name`, count(r)"
)
"""How many releases of one artist carry each genre (one statement per artist: see above)."""

GENRE_RELEASE_COUNTS = "MATCH (g:`Genre`) RETURN g.`name`, g.`release_count`"
LIVE_GENRE_RELEASE_COUNTS = (
    "MATCH (g:`Genre`) OPTIONAL MATCH (g)<-[:`IS`]-(r:`Release`) RETURN g.`name`, count(r)"
)
GENRE_STYLE_PAIRS = (
    "MATCH (g:`Genre`)<-[:`IS`]-(r:`Release`)-[:`IS`]->(s:`Style`) RETURN g.`name`, s.`name`, count(r)"
)
"""Releases per (genre, style) tagged on them together: the co-occurrence of the genre tree."""
