"""GraphQueries' contract (SPEC-api §4, §10), passed alike by Neo4j and LadybugDB.

The sample dump xml2db_20200806 goes through the pipeline once per store (aggregates included). Every
expected answer is computed here from the XML itself, with the independent counter of
tests/integration/test_graph_counts.py plus the names, titles and years it reads, never through
`domain.graph_model` or an adapter. Small hand-built graphs cover what the samples lack: no path, the
depth limit, the same node at both ends, ties between ids, releases without a year, counts before
the aggregates exist, a self-alias.
"""

from __future__ import annotations

import gzip
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from adapters.ladybug.graph_store import LadybugGraphStore
from adapters.memory.bus import MemoryBus
from adapters.neo4j.graph_store import Neo4jGraphStore
from adapters.sql.table_store import SqlTableStore, sqlite_url
from domain.explore import (
    CATEGORIES,
    ArtistDetails,
    Category,
    Centrality,
    Child,
    EntityRef,
    EntityType,
    FirstYear,
    GenreEmergence,
    GraphCounts,
    LabelDetails,
    NodeType,
    PathStep,
    ReleaseDetails,
    TagDetails,
)
from domain.ports import GraphStore
from tests import servers
from tests.contract.test_graph_store_contract import credit, hashed, release
from tests.integration.test_graph_counts import RECORD_LABEL, ExpectedGraph, Ref, entity_id, item_id, text
from tests.integration.test_pipeline import Deployment, load
from tests.samples import samples_dir

DUMP = samples_dir() / "discogs" / "xml2db_20200806"
CURRENT_YEAR = datetime.now(UTC).year
PATH_TYPES = ("BY", "ON", "IS", "ALIAS_OF", "MEMBER_OF", "DERIVED_FROM")
DEFAULT_NAMES = {"Artist": "Unknown Artist", "Label": "Unknown Label", "Master": "Unknown Master"}
LINKS = {
    "artist": ("Artist", "BY"),
    "label": ("Label", "ON"),
    "genre": ("Genre", "IS"),
    "style": ("Style", "IS"),
}
LISTED = {"artists": "Artist", "labels": "Label", "genres": "Genre", "styles": "Style"}

Element = etree._Element


# --- the answers, from the XML -----------------------------------------------------------------


def release_year(released: str | None) -> int | None:
    """SPEC-ingest §4's consumer year: the first four characters, kept when plausible (1860..next year)."""
    try:
        year = int((released or "")[:4])
    except ValueError:
        return None
    return year if 1860 <= year <= CURRENT_YEAR + 1 else None


def item_name(item: Element) -> str | None:
    """The name a credit or list item carries: a `name` attribute, a <name> child, or its own text."""
    if item.get("name") is not None:
        return item.get("name") or None
    if len(item):
        return text(item.find("name"))
    return text(item)


def numeric(key: str) -> tuple[int, str]:
    return len(key), key


class SampleGraph(ExpectedGraph):
    """The graph the dump implies, with what the answers show: names, titles and years."""

    def __init__(self) -> None:
        super().__init__()
        self.own_names: dict[Ref, str] = {}
        self.credited_names: dict[Ref, set[str]] = defaultdict(set)
        self.years: dict[str, int | None] = {}

    def add_record(self, record: Element) -> None:
        super().add_record(record)
        record_id = entity_id(record.get("id") or text(record.find("id")))
        if record_id is None:
            return
        label = RECORD_LABEL[record.tag]
        if record.tag in ("artist", "label"):
            self.own_names[(label, record_id)] = text(record.find("name")) or DEFAULT_NAMES[label]
        else:
            default = "Unknown Release" if label == "Release" else DEFAULT_NAMES[label]
            self.own_names[(label, record_id)] = text(record.find("title")) or default
        if record.tag == "release":
            self.years[record_id] = release_year(text(record.find("released")))
        credits = {
            "artist": [("members/name", "Artist"), ("groups/name", "Artist"), ("aliases/name", "Artist")],
            "label": [("sublabels/label", "Label"), ("parentLabel", "Label")],
            "master": [("artists/artist", "Artist")],
            "release": [("artists/artist", "Artist"), ("labels/label", "Label")],
        }[record.tag]
        for path, credited_label in credits:
            for item in record.findall(path):
                if (key := item_id(item)) and (name := item_name(item)):
                    self.credited_names[(credited_label, key)].add(name)

    def finish(self) -> SampleGraph:
        """Index releases and their targets once all records are in."""
        self.releases = sorted((key for label, key in self.records if label == "Release"), key=numeric)
        self.targets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.releases_of: dict[Ref, set[str]] = defaultdict(set)
        for edge_type in ("BY", "ON", "IS"):
            for source, target, *_ in self.edges[edge_type]:
                if source[0] == "Release":  # type: ignore[index]
                    self.targets[source[1]][target[0]].add(target[1])  # type: ignore[index]
                    self.releases_of[target].add(source[1])  # type: ignore[index]
        return self

    def names(self, ref: Ref) -> set[str]:
        """The names the node may show: its record's, else any it was credited with (first writer wins)."""
        if ref[0] in ("Genre", "Style"):
            return {ref[1]}
        if ref in self.own_names:
            return {self.own_names[ref]}
        return self.credited_names.get(ref) or {""}

    def name(self, ref: Ref) -> str:
        [name] = self.names(ref)
        return name

    def centre_releases(self, entity_type: str, key: str, before_year: int | None = None) -> set[str]:
        label, _ = LINKS[entity_type]
        releases = self.releases_of[(label, key)]
        if before_year is None:
            return set(releases)
        return {r for r in releases if (year := self.years[r]) is not None and 0 < year <= before_year}

    def artist_links(self, key: str) -> set[str]:
        """Artists joined to this one by ALIAS_OF or MEMBER_OF, either way, itself left out."""
        linked = set()
        for edge_type in ("ALIAS_OF", "MEMBER_OF"):
            for source, target, *_ in self.edges[edge_type]:
                if source == ("Artist", key):
                    linked.add(target[1])  # type: ignore[index]
                if target == ("Artist", key):
                    linked.add(source[1])  # type: ignore[index]
        return linked - {key}

    def listed(
        self, entity_type: str, key: str, category: str, before_year: int | None
    ) -> list[tuple[str, int]]:
        """(child key, releases of the centre linking it) ranked as expand ranks them."""
        label = LISTED[category]
        counts = Counter(
            child
            for release_id in self.centre_releases(entity_type, key, before_year)
            for child in self.targets[release_id][label]
        )
        order = numeric if label in ("Artist", "Label") else (lambda name: (0, name))
        return sorted(counts.items(), key=lambda item: (-item[1], order(item[0])))

    def ranked_releases(self, entity_type: str, key: str, before_year: int | None) -> list[str]:
        releases = self.centre_releases(entity_type, key, before_year)
        return sorted(
            releases,
            key=lambda r: (self.years[r] is None, -(self.years[r] or 0), numeric(r)),
        )

    def count(self, entity_type: str, key: str, category: str) -> int:
        if category == "releases":
            return len(self.centre_releases(entity_type, key))
        if category == "aliases":
            return len(self.artist_links(key))
        return len(self.listed(entity_type, key, category, None))

    def co_credited(self, key: str, with_year: bool) -> dict[str, set[str]]:
        """Other artists BY the artist's releases, and the releases they share."""
        shared: dict[str, set[str]] = defaultdict(set)
        for release_id in self.centre_releases("artist", key):
            if with_year and not self.years[release_id]:
                continue
            for other in self.targets[release_id]["Artist"] - {key}:
                shared[other].add(release_id)
        return shared

    def path_neighbours(self, ref: Ref) -> dict[Ref, set[str]]:
        if not hasattr(self, "_adjacency"):
            self._adjacency: dict[Ref, dict[Ref, set[str]]] = defaultdict(lambda: defaultdict(set))
            for edge_type in PATH_TYPES:
                for source, target, *_ in self.edges[edge_type]:
                    self._adjacency[source][target].add(edge_type)  # type: ignore[index]
                    self._adjacency[target][source].add(edge_type)  # type: ignore[index]
        return self._adjacency[ref]

    def distance(self, start: Ref, end: Ref) -> int | None:
        """Breadth-first search over the path relationships, undirected."""
        seen = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if node == end:
                return seen[node]
            for other in self.path_neighbours(node):
                if other not in seen:
                    seen[other] = seen[node] + 1
                    queue.append(other)
        return None


def sample_graph() -> SampleGraph:
    graph = SampleGraph()
    for path in sorted(DUMP.iterdir()):
        for record in etree.fromstring(gzip.decompress(path.read_bytes())):
            graph.add_record(record)
    return graph.finish()


@pytest.fixture(scope="module")
def dump() -> SampleGraph:
    return sample_graph()


# --- the stores --------------------------------------------------------------------------------


async def load_samples(store: GraphStore, directory: Path) -> None:
    """The sample dump through the pipeline (in-process bus, SQLite tables), maintenance included."""
    tables = SqlTableStore(sqlite_url(directory / "tables.sqlite"))
    bus = MemoryBus(max_ready=1_000)
    try:
        await store.ensure_schema()
        await tables.ensure_schema()
        await load(Deployment(bus, store, tables), DUMP, None, force=False)
    finally:
        await bus.close()
        await tables.close()


async def holds_samples(store: GraphStore, dump: SampleGraph) -> bool:
    """Whether the store still holds the whole sample graph (another test may have wiped Neo4j)."""
    return await store.count_nodes("Release") == len(dump.releases) and await store.count_nodes(
        "Artist"
    ) == len(dump.nodes["Artist"])


@pytest.fixture(scope="module", params=["neo4j", "ladybug"])
async def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[GraphStore]:
    """One store per module holding the samples; Neo4j under the run's lock."""
    directory = tmp_path_factory.mktemp(f"samples-{request.param}")
    store: GraphStore
    if request.param == "neo4j":
        request.getfixturevalue("neo4j_lock")
        neo4j = servers.new_neo4j_store(request.getfixturevalue("server_env"))
        await servers.wipe_neo4j(neo4j)
        store = neo4j
    else:
        store = LadybugGraphStore(directory / "graph.lbdb")
    await load_samples(store, directory)
    try:
        yield store
    finally:
        if isinstance(store, Neo4jGraphStore):
            await servers.wipe_neo4j(store)
        await store.close()


@pytest.fixture
async def samples(loaded: GraphStore, dump: SampleGraph, tmp_path: Path) -> GraphStore:
    """The sample graph, loaded again if a hand-built test wiped Neo4j in between."""
    if not await holds_samples(loaded, dump):
        assert isinstance(loaded, Neo4jGraphStore)
        await servers.wipe_neo4j(loaded)
        await load_samples(loaded, tmp_path)
    return loaded


def artists_with_releases(dump: SampleGraph, at_least: int) -> list[str]:
    counts = Counter(artist for release_id in dump.releases for artist in dump.targets[release_id]["Artist"])
    return sorted((key for key, count in counts.items() if count >= at_least), key=numeric)


def assert_children(
    children: Iterable[Child], expected: list[tuple[str, Any]], field: str, dump: SampleGraph, label: str
) -> None:
    """Ids, order and years or counts exactly; each name one the node may show."""
    children = list(children)
    assert [(child.id, getattr(child, field)) for child in children] == expected
    for child in children:
        assert child.name in dump.names((label, child.id)), (label, child.id, child.name)


# --- centres -----------------------------------------------------------------------------------


async def test_find_entity_takes_exact_names_only(samples: GraphStore, dump: SampleGraph) -> None:
    for label, entity_type in (("Artist", EntityType.ARTIST), ("Label", EntityType.LABEL)):
        by_name: dict[str, list[str]] = defaultdict(list)
        for key in dump.nodes[label]:
            if len(dump.names((label, key))) == 1 and dump.name((label, key)):
                by_name[dump.name((label, key))].append(key)
        for name in sorted(by_name)[::7]:
            lowest = min(by_name[name], key=numeric)
            assert await samples.find_entity(entity_type, name) == EntityRef(lowest, name, entity_type.value)
        assert await samples.find_entity(entity_type, "persuader") is None
    assert await samples.find_entity(EntityType.ARTIST, "The Persuader") == EntityRef(
        "1", "The Persuader", "artist"
    )
    assert await samples.find_entity(EntityType.ARTIST, "the persuader") is None
    assert await samples.find_entity(EntityType.ARTIST, "The Persuader ") is None
    for label, entity_type in (("Genre", EntityType.GENRE), ("Style", EntityType.STYLE)):
        for name in dump.nodes[label]:
            assert await samples.find_entity(entity_type, name) == EntityRef(name, name, entity_type.value)
    assert await samples.find_entity(EntityType.GENRE, "Deep House") is None, "a style is not a genre"
    assert await samples.find_entity(EntityType.GENRE, "rock") is None


async def test_explore_counts_every_category_as_the_dump_implies(
    samples: GraphStore, dump: SampleGraph
) -> None:
    centres = [("artist", key) for key in artists_with_releases(dump, 2)]
    centres += [("label", key) for key in ("5", "1818", "7704", "1610", "169635")]
    centres += [("genre", key) for key in sorted(dump.nodes["Genre"])]
    centres += [("style", key) for key in sorted(dump.nodes["Style"])[::5]]
    for entity_type, key in centres:
        label, _ = LINKS[entity_type]
        name = min(dump.names((label, key)))
        if len(dump.names((label, key))) > 1 or not name:
            continue  # a stub credited under two names, or under none: found by id only
        centre = await samples.find_entity(EntityType(entity_type), name)
        assert centre is not None
        if centre.id != key:  # another node shares the name and has a lower id
            continue
        exploration = await samples.explore(EntityType(entity_type), name)
        assert exploration is not None
        assert exploration.center == centre
        assert [(c.category.value, c.count) for c in exploration.categories] == [
            (category.value, dump.count(entity_type, key, category.value))
            for category in CATEGORIES[EntityType(entity_type)]
        ], (entity_type, key)


async def test_artist_aliases_count_aliases_members_and_groups_once(
    samples: GraphStore, dump: SampleGraph
) -> None:
    for key, name in (("62", "John Tejada"), ("59", "Kerri Chandler"), ("96", "Håkan Lidbo")):
        exploration = await samples.explore(EntityType.ARTIST, name)
        assert exploration is not None
        counts = {c.category: c.count for c in exploration.categories}
        assert counts[Category.ALIASES] == len(dump.artist_links(key)) > 3


# --- expand ------------------------------------------------------------------------------------

EXPANDED = [
    ("artist", "95537", "releases"),
    ("artist", "62", "releases"),
    ("artist", "62", "labels"),
    ("artist", "194", "labels"),
    ("artist", "62", "aliases"),
    ("artist", "96", "aliases"),
    ("label", "1818", "releases"),
    ("label", "1818", "artists"),
    ("label", "7704", "genres"),
    ("genre", "Jazz", "releases"),
    ("genre", "Electronic", "artists"),
    ("genre", "Rock", "labels"),
    ("genre", "Pop", "styles"),
    ("style", "House", "releases"),
    ("style", "Deep House", "artists"),
    ("style", "Pop Rock", "labels"),
    ("style", "Experimental", "genres"),
]


def expected_page(
    dump: SampleGraph, entity_type: str, key: str, category: str, before_year: int | None
) -> tuple[list[tuple[str, Any]], str, str]:
    """The full ranked list (key, year or count), the field compared and the children's label."""
    if category == "releases":
        ranked = dump.ranked_releases(entity_type, key, before_year)
        return [(r, dump.years[r]) for r in ranked], "year", "Release"
    if category == "aliases":
        return [(a, None) for a in sorted(dump.artist_links(key), key=numeric)], "year", "Artist"
    return dump.listed(entity_type, key, category, before_year), "release_count", LISTED[category]


@pytest.mark.parametrize(("entity_type", "key", "category"), EXPANDED)
async def test_expand_lists_every_child_in_order_page_by_page(
    samples: GraphStore, dump: SampleGraph, entity_type: str, key: str, category: str
) -> None:
    label, _ = LINKS[entity_type]
    name = dump.name((label, key))
    expected, field, child_label = expected_page(dump, entity_type, key, category, None)
    assert len(expected) >= 3
    whole = await samples.expand(EntityType(entity_type), name, Category(category), 1000, 0, None)
    assert whole.total == len(expected)
    assert_children(whole.children, expected, field, dump, child_label)
    assert {child.type for child in whole.children} == {child_label.lower()}
    size = max(1, len(expected) // 3)
    for offset in range(0, len(expected) + size, size):
        page = await samples.expand(EntityType(entity_type), name, Category(category), size, offset, None)
        assert page.total == len(expected)
        assert page.children == whole.children[offset : offset + size]
    empty = await samples.expand(EntityType(entity_type), name, Category(category), 0, 0, None)
    assert (empty.children, empty.total) == ((), len(expected))


@pytest.mark.parametrize(
    ("entity_type", "key", "category", "before_year"),
    [
        ("artist", "95537", "releases", 1990),
        ("artist", "194", "labels", 1985),
        ("label", "1818", "artists", 2000),
        ("genre", "Jazz", "releases", 1975),
        ("genre", "Rock", "styles", 1980),
        ("style", "Pop Rock", "genres", 1990),
        ("artist", "62", "aliases", 1900),
    ],
)
async def test_expand_before_year_keeps_releases_from_year_1_to_that_year(
    samples: GraphStore, dump: SampleGraph, entity_type: str, key: str, category: str, before_year: int
) -> None:
    label, _ = LINKS[entity_type]
    expected, field, child_label = expected_page(dump, entity_type, key, category, before_year)
    unbounded, _, _ = expected_page(dump, entity_type, key, category, None)
    assert len(expected) > 0, "the bound keeps some children"
    if category != "aliases":
        assert expected != unbounded, "and drops or recounts others"
    page = await samples.expand(
        EntityType(entity_type), dump.name((label, key)), Category(category), 500, 0, before_year
    )
    assert page.total == len(expected)
    assert_children(page.children, expected, field, dump, child_label)


async def test_expand_of_an_unknown_centre_is_empty(samples: GraphStore) -> None:
    for entity_type in EntityType:
        for category in CATEGORIES[entity_type]:
            page = await samples.expand(entity_type, "No Such Name", category, 10, 0, 2000)
            assert (page.children, page.total) == ((), 0)


# --- node details, trends ----------------------------------------------------------------------


async def test_node_details_show_what_the_dump_holds(samples: GraphStore, dump: SampleGraph) -> None:
    for key in ("1", "62", "95537", "194", "59"):
        releases = dump.centre_releases("artist", key)
        groups = [target[1] for source, target in dump.edges["MEMBER_OF"] if source == ("Artist", key)]
        assert await samples.node_details(NodeType.ARTIST, key) == ArtistDetails(
            key,
            dump.name(("Artist", key)),
            tuple(sorted({g for r in releases for g in dump.targets[r]["Genre"]})),
            tuple(sorted({s for r in releases for s in dump.targets[r]["Style"]})),
            len(releases),
            tuple(sorted(dump.name(("Artist", group)) for group in groups)),  # type: ignore[arg-type]
        )
    for key in dump.releases[::50]:
        links = dump.targets[key]
        assert await samples.node_details(NodeType.RELEASE, key) == ReleaseDetails(
            key,
            dump.name(("Release", key)),
            dump.years[key],
            tuple(sorted(dump.name(("Artist", a)) for a in links["Artist"])),
            tuple(sorted(dump.name(("Label", label)) for label in links["Label"])),
            tuple(sorted(links["Genre"])),
            tuple(sorted(links["Style"])),
        )
    for key in ("5", "1818", "7704"):
        assert await samples.node_details(NodeType.LABEL, key) == LabelDetails(
            key, dump.name(("Label", key)), len(dump.centre_releases("label", key))
        )
    for node_type, name in ((NodeType.GENRE, "Jazz"), (NodeType.STYLE, "Deep House")):
        artists = dump.listed(node_type.value, name, "artists", None)
        assert await samples.node_details(node_type, name) == TagDetails(name, name, len(artists))
    for node_type in NodeType:
        assert await samples.node_details(node_type, "999999999") is None


async def test_trends_count_releases_per_year_oldest_first(samples: GraphStore, dump: SampleGraph) -> None:
    for entity_type, key in (
        ("artist", "95537"),
        ("artist", "194"),
        ("label", "1818"),
        ("genre", "Rock"),
        ("style", "House"),
    ):
        label, _ = LINKS[entity_type]
        years = Counter(y for r in dump.centre_releases(entity_type, key) if (y := dump.years[r]))
        trend = await samples.trends(EntityType(entity_type), dump.name((label, key)))
        assert [(point.year, point.count) for point in trend] == sorted(years.items())
        assert len(trend) > 1
    assert await samples.trends(EntityType.ARTIST, "No Such Artist") == ()


# --- path --------------------------------------------------------------------------------------


def assert_path_is_real(dump: SampleGraph, steps: tuple[PathStep, ...], start: Ref, end: Ref) -> None:
    """Each step names a node of the dump, and each edge into it is one the dump has, either way."""
    refs = [(step.type.capitalize(), step.id) for step in steps]
    assert (refs[0], refs[-1]) == (start, end)
    assert steps[0].rel is None
    for step, ref in zip(steps, refs, strict=True):
        assert step.name in dump.names(ref), (ref, step.name)
    for previous, ref, step in zip(refs, refs[1:], steps[1:], strict=False):
        assert step.rel in dump.path_neighbours(previous)[ref], (previous, ref, step.rel)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (("Artist", "1"), ("Artist", "62")),
        (("Artist", "95537"), ("Genre", "Jazz")),
        (("Label", "5"), ("Style", "Pop Rock")),
        (("Artist", "59"), ("Label", "1818")),
        (("Style", "Deep House"), ("Genre", "Classical")),
        (("Artist", "2"), ("Artist", "3")),
        (("Artist", "1"), ("Artist", "7103538")),
        (("Artist", "2"), ("Artist", "7228232")),
    ],
)
async def test_shortest_path_is_as_short_as_the_dump_allows_and_follows_real_edges(
    samples: GraphStore, dump: SampleGraph, start: Ref, end: Ref
) -> None:
    distance = dump.distance(start, end)
    assert distance is not None
    assert distance >= 2
    refs = [EntityRef(key, dump.name((label, key)), label.lower()) for label, key in (start, end)]
    steps = await samples.shortest_path(refs[0], refs[1], 10)
    assert steps is not None
    assert len(steps) == distance + 1
    assert_path_is_real(dump, steps, start, end)
    assert await samples.shortest_path(refs[0], refs[1], distance) is not None
    assert await samples.shortest_path(refs[0], refs[1], distance - 1) is None
    backwards = await samples.shortest_path(refs[1], refs[0], distance)
    assert backwards is not None
    assert len(backwards) == distance + 1


# --- whole-graph figures -----------------------------------------------------------------------


async def test_graph_counts_and_year_range_are_the_dumps(samples: GraphStore, dump: SampleGraph) -> None:
    counts = await samples.graph_counts()
    expected = [
        len(dump.nodes[label]) for label in ("Artist", "Label", "Release", "Master", "Genre", "Style")
    ]
    assert [
        counts.artists,
        counts.labels,
        counts.releases,
        counts.masters,
        counts.genres,
        counts.styles,
    ] == expected
    assert counts.total == sum(expected)
    years = [year for year in dump.years.values() if year]
    assert await samples.year_range() == (min(years), max(years))


async def test_genre_emergence_lists_first_years_up_to_the_bound(
    samples: GraphStore, dump: SampleGraph
) -> None:
    for before_year in (1900, 1960, 1985, 2030):
        emergence = await samples.genre_emergence(before_year)
        for label, found in (("Genre", emergence.genres), ("Style", emergence.styles)):
            first_years = {}
            for name in dump.nodes[label]:
                years = [y for r in dump.releases_of[(label, name)] if (y := dump.years[r])]
                if years and min(years) <= before_year:
                    first_years[name] = min(years)
            assert [(f.name, f.first_year) for f in found] == sorted(
                first_years.items(), key=lambda i: (i[1], i[0])
            )


async def test_tag_names_and_artist_names(samples: GraphStore, dump: SampleGraph) -> None:
    assert await samples.tag_names(EntityType.GENRE) == tuple(sorted(dump.nodes["Genre"]))
    assert await samples.tag_names(EntityType.STYLE) == tuple(sorted(dump.nodes["Style"]))
    for key in ("1", "194", "95537", "62"):
        assert await samples.artist_name(key) == dump.name(("Artist", key))
    assert await samples.artist_name("999999999") is None
    with pytest.raises(ValueError, match="genres and styles"):
        await samples.tag_names(EntityType.ARTIST)


async def test_genre_tree_holds_every_genre_and_its_co_tagged_styles(
    samples: GraphStore, dump: SampleGraph
) -> None:
    tree = await samples.genre_tree()
    expected = []
    for genre in dump.nodes["Genre"]:
        releases = dump.releases_of[("Genre", genre)]
        styles = Counter(style for r in releases for style in dump.targets[r]["Style"])
        ranked = sorted(styles.items(), key=lambda item: (-item[1], item[0]))
        expected.append((genre, len(releases), ranked))
    expected.sort(key=lambda branch: (-branch[1], branch[0]))
    assert [
        (b.name, b.release_count, [(s.name, s.release_count) for s in b.styles]) for b in tree
    ] == expected


# --- collaboration -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["95537", "283469", "571862", "837588"])
async def test_collaborators_share_releases_with_a_year(
    samples: GraphStore, dump: SampleGraph, key: str
) -> None:
    shared = dump.co_credited(key, with_year=True)
    expected = []
    for other, releases in shared.items():
        years = Counter(dump.years[r] for r in releases)
        expected.append((other, len(releases), min(years), max(years), sorted(years.items())))
    expected.sort(key=lambda c: (-c[1], numeric(c[0])))
    if key == "837588":
        assert not expected, "its shared releases have no year"
        assert dump.co_credited(key, with_year=False)
    page = await samples.collaborators(key, 5)
    assert page.total == len(expected)
    assert [
        (
            c.artist_id,
            c.release_count,
            c.first_year,
            c.last_year,
            [(y.year, y.count) for y in c.yearly_counts],
        )
        for c in page.items
    ] == expected[:5]
    for collaborator in page.items:
        assert collaborator.artist_name in dump.names(("Artist", collaborator.artist_id))
    assert (await samples.collaborators("999999999", 5)).total == 0


def expected_network(dump: SampleGraph, key: str, depth: int) -> list[tuple[str, int, int]]:
    one_hop = {other: len(releases) for other, releases in dump.co_credited(key, with_year=False).items()}
    members = {other: (1, count) for other, count in one_hop.items()}
    if depth >= 2:
        middles: dict[str, set[str]] = defaultdict(set)
        for middle in one_hop:
            for other in dump.co_credited(middle, with_year=False):
                if other != key and other not in one_hop:
                    middles[other].add(middle)
        members.update({other: (2, len(through)) for other, through in middles.items()})
    return sorted(((k, d, c) for k, (d, c) in members.items()), key=lambda m: (m[1], -m[2], numeric(m[0])))


@pytest.mark.parametrize(
    ("key", "depth"), [("95537", 1), ("95537", 2), ("95537", 3), ("283469", 2), ("571862", 3), ("837588", 2)]
)
async def test_collaboration_network_reaches_one_or_two_hops(
    samples: GraphStore, dump: SampleGraph, key: str, depth: int
) -> None:
    expected = expected_network(dump, key, depth)
    if depth >= 2:
        assert any(distance == 2 for _, distance, _ in expected)
    page = await samples.collaboration_network(key, depth, 200)
    assert page.total == len(expected)
    assert [(m.artist_id, m.distance, m.collaboration_count) for m in page.items] == expected
    first = await samples.collaboration_network(key, depth, 3)
    assert (first.items, first.total) == (page.items[:3], len(expected))


async def test_centrality_counts_edges_collaborators_groups_and_aliases(
    samples: GraphStore, dump: SampleGraph
) -> None:
    for key in ("1", "62", "95537", "59", "194", "96"):
        ref = ("Artist", key)
        degree = sum(
            1 for edges in dump.edges.values() for source, target, *_ in edges if ref in (source, target)
        )
        shared = dump.co_credited(key, with_year=False)
        centrality = await samples.centrality(key)
        assert centrality is not None
        assert (
            centrality.degree,
            centrality.collaborator_count,
            centrality.collaboration_releases,
            centrality.group_count,
            centrality.alias_count,
        ) == (
            degree,
            len(shared),
            len(set().union(*shared.values())),
            sum(1 for source, _, *_ in dump.edges["MEMBER_OF"] if source == ref),
            sum(1 for source, _, *_ in dump.edges["ALIAS_OF"] if source == ref),
        ), key
    assert await samples.centrality("999999999") is None


async def test_neighbours_carry_their_primary_genre(samples: GraphStore, dump: SampleGraph) -> None:
    for key in ("95537", "283469", "62"):
        shared = dump.co_credited(key, with_year=False)
        ranked = sorted(shared, key=lambda other: (-len(shared[other]), numeric(other)))[:4]
        expected = []
        for other in ranked:
            genres = Counter(
                g for r in dump.centre_releases("artist", other) for g in dump.targets[r]["Genre"]
            )
            primary = min(genres.items(), key=lambda item: (-item[1], item[0]))[0] if genres else None
            expected.append((other, len(shared[other]), primary))
        neighbours = await samples.neighbours(key, 4)
        assert [(n.artist_id, n.shared_releases, n.primary_genre) for n in neighbours] == expected
    assert await samples.neighbours("999999999", 4) == ()


# --- any text ----------------------------------------------------------------------------------

HOSTILE_NAMES = [
    "",
    " ",
    "'",
    '"',
    "\\",
    "\\'; MATCH (n) DETACH DELETE n //",
    "`) RETURN 1 //",
    "${name}",
    "The Persuader' OR '1'='1",
    '+-&&||!(){}[]^"~*?:\\/',
    "AND OR NOT *",
    "\x00nul",
    "é" * 10_000,
    "🎵" * 10_000,
    "x" * 10_000,
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
async def test_any_text_as_a_name_or_id_finds_nothing_and_raises_nothing(
    samples: GraphStore, name: str
) -> None:
    for entity_type in EntityType:
        assert await samples.find_entity(entity_type, name) is None
        assert await samples.explore(entity_type, name) is None
        assert await samples.trends(entity_type, name) == ()
        for category in CATEGORIES[entity_type]:
            assert (await samples.expand(entity_type, name, category, 10, 0, 1990)).total == 0
    for node_type in NodeType:
        assert await samples.node_details(node_type, name) is None
    assert await samples.artist_name(name) is None
    assert await samples.centrality(name) is None
    assert await samples.neighbours(name, 10) == ()
    assert (await samples.collaborators(name, 10)).total == 0
    assert (await samples.collaboration_network(name, 2, 10)).total == 0
    ghost = EntityRef(name, name, "artist")
    assert await samples.shortest_path(ghost, EntityRef("1", "The Persuader", "artist"), 4) is None
    assert await samples.graph_counts() is not None


# --- hand-built graphs: what the samples do not show --------------------------------------------


def artist(artist_id: str, name: str, **links: list[tuple[str, str]]) -> dict[str, Any]:
    """An artist record; `links` maps members, groups or aliases to (id, name) pairs."""
    record: dict[str, Any] = {"id": artist_id, "name": name}
    for field, pairs in links.items():
        record[field] = [{"id": key, "name": other} for key, other in pairs]
    return hashed(record)


def on_label(label_id: str, name: str) -> dict[str, str]:
    return {"id": label_id, "name": name, "catno": ""}


def chain_releases() -> list[dict[str, Any]]:
    """Artists 301 to 304 in a chain of releases, each shared by two neighbours in the chain."""
    return [
        release("201", title="One", released="1971", artists=[credit("301", "Ann"), credit("302", "Bob")]),
        release("202", title="Two", released="1972", artists=[credit("302", "Bob"), credit("303", "Cid")]),
        release("203", title="Three", released="1973", artists=[credit("303", "Cid"), credit("304", "Dee")]),
    ]


async def test_path_respects_the_depth_and_finds_nothing_between_unlinked_nodes(
    graph_store: GraphStore,
) -> None:
    await graph_store.ensure_schema()
    await graph_store.write_batch("releases", chain_releases())
    await graph_store.write_batch(
        "artists",
        [
            artist("304", "Dee", groups=[("306", "Dee's Band")], aliases=[("307", "D")]),
            artist("305", "Loner"),
        ],
    )
    ann, dee, loner = (
        EntityRef("301", "Ann", "artist"),
        EntityRef("304", "Dee", "artist"),
        EntityRef("305", "Loner", "artist"),
    )

    steps = await graph_store.shortest_path(ann, dee, 6)

    assert steps == (
        PathStep("301", "Ann", "artist", None),
        PathStep("201", "One", "release", "BY"),
        PathStep("302", "Bob", "artist", "BY"),
        PathStep("202", "Two", "release", "BY"),
        PathStep("303", "Cid", "artist", "BY"),
        PathStep("203", "Three", "release", "BY"),
        PathStep("304", "Dee", "artist", "BY"),
    )
    assert await graph_store.shortest_path(ann, dee, 5) is None
    assert await graph_store.shortest_path(ann, loner, 10) is None
    band = await graph_store.shortest_path(
        EntityRef("303", "Cid", "artist"), EntityRef("306", "Dee's Band", "artist"), 3
    )
    assert [(step.id, step.rel) for step in band or ()] == [
        ("303", None),
        ("203", "BY"),
        ("304", "BY"),
        ("306", "MEMBER_OF"),
    ]
    alias = await graph_store.shortest_path(EntityRef("307", "D", "artist"), dee, 1)
    assert alias == (PathStep("307", "D", "artist", None), PathStep("304", "Dee", "artist", "ALIAS_OF"))
    assert await graph_store.shortest_path(ann, ann, 1) == (PathStep("301", "Ann", "artist", None),)
    assert (
        await graph_store.shortest_path(
            EntityRef("999", "Ghost", "artist"), EntityRef("999", "Ghost", "artist"), 3
        )
        is None
    )
    with pytest.raises(ValueError, match="max_depth"):
        await graph_store.shortest_path(ann, dee, 0)


async def test_ties_follow_numeric_ids_and_releases_without_a_year_come_last(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    twin = [credit("10", "Twin")]
    await graph_store.write_batch(
        "releases",
        [
            release("100", title="C", released="1990", artists=twin, labels=[on_label("9", "Nine")]),
            release("9", title="A", released="1990-05-00", artists=twin, labels=[on_label("10", "Ten")]),
            release("10", title="B", released="1990", artists=twin, labels=[on_label("9", "Nine")]),
            release("11", title="D", artists=twin, labels=[on_label("10", "Ten")]),
            release("12", title="E", released="2001", artists=[credit("9", "Twin"), credit("500", None)]),
        ],
    )

    assert await graph_store.find_entity(EntityType.ARTIST, "Twin") == EntityRef("9", "Twin", "artist")
    page = await graph_store.expand(EntityType.ARTIST, "Twin", Category.RELEASES, 10, 0, None)
    assert page.total == 1
    assert await graph_store.node_details(NodeType.ARTIST, "10") == ArtistDetails("10", "Twin", (), (), 4, ())
    releases = await graph_store.expand(EntityType.LABEL, "Ten", Category.RELEASES, 10, 0, None)
    assert [(child.id, child.year) for child in releases.children] == [("9", 1990), ("11", None)]
    labels = await graph_store.expand(EntityType.ARTIST, "Nine", Category.LABELS, 10, 0, None)
    assert labels.total == 0, "Nine is a label, not an artist"
    by_twin = await graph_store.collaborators("9", 10)
    assert [(c.artist_id, c.artist_name) for c in by_twin.items] == [("500", "")], (
        "a stub credited without a name"
    )
    await graph_store.write_batch("artists", [artist("10", "Twin Ten")])
    ten = await graph_store.expand(EntityType.ARTIST, "Twin Ten", Category.RELEASES, 10, 0, None)
    assert [(child.id, child.name, child.year) for child in ten.children] == [
        ("9", "A", 1990),
        ("10", "B", 1990),
        ("100", "C", 1990),
        ("11", "D", None),
    ]
    both_labels = await graph_store.expand(EntityType.ARTIST, "Twin Ten", Category.LABELS, 10, 0, None)
    assert [(child.id, child.release_count) for child in both_labels.children] == [("9", 2), ("10", 2)]
    up_to_1990 = await graph_store.expand(EntityType.ARTIST, "Twin Ten", Category.LABELS, 10, 0, 1990)
    assert [(child.id, child.release_count) for child in up_to_1990.children] == [("9", 2), ("10", 1)]


async def test_counts_are_live_until_the_aggregates_are_computed_and_agree_after(
    graph_store: GraphStore,
) -> None:
    await graph_store.ensure_schema()
    await graph_store.write_batch(
        "releases",
        [
            release(
                "1",
                title="A",
                released="1965",
                artists=[credit("7", "Ann")],
                labels=[on_label("3", "Lab")],
                genres=["Jazz", "Rock"],
                styles=["Bop"],
            ),
            release(
                "2",
                title="B",
                released="1960",
                artists=[credit("8", "Bob")],
                labels=[on_label("3", "Lab")],
                genres=["Jazz"],
                styles=["Bop", "Cool"],
            ),
            release("3", title="C", artists=[credit("7", "Ann")], genres=["Rock"]),
        ],
    )

    async def answers() -> list[Any]:
        return [
            await graph_store.explore(EntityType.GENRE, "Jazz"),
            await graph_store.explore(EntityType.STYLE, "Bop"),
            await graph_store.explore(EntityType.LABEL, "Lab"),
            await graph_store.node_details(NodeType.LABEL, "3"),
            await graph_store.node_details(NodeType.GENRE, "Rock"),
            await graph_store.genre_tree(),
        ]

    before = await answers()
    jazz = before[0]
    assert jazz is not None
    assert [(c.category, c.count) for c in jazz.categories] == [
        (Category.RELEASES, 2),
        (Category.ARTISTS, 2),
        (Category.LABELS, 1),
        (Category.STYLES, 2),
    ]
    assert before[2] is not None
    assert [c.count for c in before[2].categories] == [2, 2, 2]
    assert before[3] == LabelDetails("3", "Lab", 2)
    assert before[4] == TagDetails("Rock", "Rock", 1)
    assert [(b.name, b.release_count, [(s.name, s.release_count) for s in b.styles]) for b in before[5]] == [
        ("Jazz", 2, [("Bop", 2), ("Cool", 1)]),
        ("Rock", 2, [("Bop", 1)]),
    ]
    assert await graph_store.genre_emergence(2030) == GenreEmergence((), ()), (
        "no first_year before aggregates"
    )

    await graph_store.compute_aggregates()

    assert await answers() == before
    assert await graph_store.genre_emergence(1962) == GenreEmergence(
        (FirstYear("Jazz", 1960),), (FirstYear("Bop", 1960), FirstYear("Cool", 1960))
    )


async def test_a_self_alias_is_one_relationship_and_no_alias_of_its_own(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    await graph_store.write_batch(
        "artists", [artist("40", "Echo", aliases=[("40", "Echo"), ("41", "Ekko")], groups=[("42", "Band")])]
    )

    exploration = await graph_store.explore(EntityType.ARTIST, "Echo")
    assert exploration is not None
    assert [(c.category, c.count) for c in exploration.categories] == [
        (Category.RELEASES, 0),
        (Category.LABELS, 0),
        (Category.ALIASES, 2),
    ]
    aliases = await graph_store.expand(EntityType.ARTIST, "Echo", Category.ALIASES, 10, 0, None)
    assert [(child.id, child.name) for child in aliases.children] == [("41", "Ekko"), ("42", "Band")]
    assert await graph_store.centrality("40") == Centrality(3, 0, 0, 1, 1)


async def test_an_empty_graph_answers_empty(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()

    assert await graph_store.graph_counts() == GraphCounts(0, 0, 0, 0, 0, 0)
    assert await graph_store.year_range() is None
    assert await graph_store.genre_tree() == ()
    assert await graph_store.tag_names(EntityType.STYLE) == ()
    assert await graph_store.genre_emergence(2030) == GenreEmergence((), ())
    assert await graph_store.explore(EntityType.GENRE, "Rock") is None


async def test_arguments_outside_the_contract_are_refused(graph_store: GraphStore) -> None:
    await graph_store.ensure_schema()
    with pytest.raises(ValueError, match="no aliases category"):
        await graph_store.expand(EntityType.GENRE, "Rock", Category.ALIASES, 10, 0, None)
    with pytest.raises(ValueError, match="negative"):
        await graph_store.expand(EntityType.GENRE, "Rock", Category.RELEASES, -1, 0, None)
    with pytest.raises(ValueError, match="negative"):
        await graph_store.expand(EntityType.GENRE, "Rock", Category.RELEASES, 10, -5, None)
    with pytest.raises(ValueError, match="depth"):
        await graph_store.collaboration_network("1", 0, 10)
