"""GraphQueries on LadybugDB: the read side of LadybugGraphStore, beside its single writer.

Reads never touch the writer connection: they run on a small pool of reader threads, each with its
own Connection on the same Database (ladybug-notes.md, "Concurrency": readers run in parallel with
each other and with the writer, on MVCC snapshots). A reader connection only ever runs MATCH ...
RETURN, so it never attempts a write and never meets the crash that follows a refused write
transaction. One question is one job on one reader thread: its statements (LadybugDB has no
subqueries, so a question may take several) run back to back without hand-offs. The Cypher is in
`adapters/ladybug/queries.py`; what turns rows into answers the same way on both stores is in
`domain.explore`.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import ladybug

from adapters.ladybug import queries
from domain.explore import (
    CATEGORIES,
    PRECOMPUTED_COUNTS,
    RELEASE_LINKS,
    ArtistCount,
    ArtistDetails,
    Category,
    CategoryCount,
    Centrality,
    Child,
    Collaborator,
    EntityRef,
    EntityType,
    ExpandPage,
    Exploration,
    FirstYear,
    GenreBranch,
    GenreEmergence,
    GraphCounts,
    GraphQueryFailed,
    LabelDetails,
    Neighbour,
    NetworkMember,
    NodeDetails,
    NodeType,
    Page,
    PathStep,
    ReleaseDetails,
    TagDetails,
    YearCount,
    YearShare,
    collaborators_page,
    genre_branches,
    network_page,
    primary_genre,
    strongest,
)

STORE_NAME = "LadybugDB"

READERS = min(2, os.cpu_count() or 1)
"""Reader threads (and connections): two at most, and no more than the cores (ladybug-notes.md)."""

READ_TIMEOUT_MS = 30_000
PATH_TIMEOUT_MS = 120_000
"""Per-statement limits: the API's slow-query budget, and SPEC-api §4's for a path."""

Rows = list[list[Any]]
Result = TypeVar("Result")


class Reader:
    """One reader thread's connection: runs read statements and translates what LadybugDB raises."""

    def __init__(self, database: Any, address: str) -> None:
        self.database = database
        self.address = address
        self.broken = False
        self._connection: Any = ladybug.Connection(database)
        # One thread per query: two readers then overlap fully (ladybug-notes.md, 1.74x on 2 cores).
        self._connection.set_max_threads_for_exec(1)
        self._timeout_ms = READ_TIMEOUT_MS
        self._connection.set_query_timeout(READ_TIMEOUT_MS)

    def rows(self, statement: str, timeout_ms: int = READ_TIMEOUT_MS, **parameters: Any) -> Rows:
        if timeout_ms != self._timeout_ms:
            self._connection.set_query_timeout(timeout_ms)
            self._timeout_ms = timeout_ms
        try:
            result = self._connection.execute(statement, parameters)
            found: Rows = []
            while result.has_next():
                found.append(result.get_next())
            return found
        except RuntimeError as error:
            # The client caches prepared statements, failed ones included: start afresh next time.
            self.broken = True
            timed_out = "Interrupted" in str(error)
            raise GraphQueryFailed(STORE_NAME, self.address, str(error), timed_out=timed_out) from error

    def close(self) -> None:
        self._connection.close()


class ReadPool:
    """Reader threads, each with its own connection, opened on first use."""

    def __init__(self, size: int = READERS) -> None:
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="ladybug-reader")
        self._local = threading.local()
        self._readers: set[Reader] = set()
        self._lock = threading.Lock()

    async def run(self, database: Any, address: str, work: Callable[[Reader], Result]) -> Result:
        """`work(reader)` on a reader thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._in_thread, database, address, work)

    def _in_thread(self, database: Any, address: str, work: Callable[[Reader], Result]) -> Result:
        reader: Reader | None = getattr(self._local, "reader", None)
        if reader is None or reader.broken or reader.database is not database:
            if reader is not None:
                self._forget(reader)
            reader = Reader(database, address)
            self._local.reader = reader
            with self._lock:
                self._readers.add(reader)
        return work(reader)

    def _forget(self, reader: Reader) -> None:
        with self._lock:
            self._readers.discard(reader)
        reader.close()

    def _close(self) -> None:
        self._threads.shutdown(wait=True)
        with self._lock:
            readers, self._readers = self._readers, set()
        for reader in readers:
            reader.close()

    async def close(self) -> None:
        """Let running reads finish, then close every reader connection (before the Database)."""
        await asyncio.to_thread(self._close)


def _names(rows: Rows) -> tuple[str, ...]:
    """The first column's names sorted, missing ones (nodes without a name) left out."""
    return tuple(sorted(str(name) for [name, *_] in rows if name is not None))


def _require_page(limit: int, offset: int = 0) -> None:
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must not be negative, not {limit} and {offset}")


def _find(reader: Reader, entity_type: EntityType, name: str) -> EntityRef | None:
    rows = reader.rows(queries.find_entity(entity_type), name=name)
    if not rows:
        return None
    key, found_name = rows[0]
    return EntityRef(str(key), found_name or "", entity_type.value)


def _counts(
    reader: Reader, entity_type: EntityType, key: str, categories: tuple[Category, ...]
) -> dict[Category, int]:
    """Each category's count: the stored aggregate where there is one, else counted now."""
    counts: dict[Category, int] = {}
    stored = PRECOMPUTED_COUNTS.get(entity_type, {})
    kept = tuple(category for category in categories if category in stored)
    if kept:
        properties = tuple(stored[category] for category in kept)
        rows = reader.rows(queries.node_properties(entity_type, properties), key=key)
        for category, value in zip(kept, rows[0] if rows else (), strict=False):
            if value is not None:
                counts[category] = int(value)
    for category in categories:
        if category not in counts:
            [[total]] = reader.rows(queries.category_total(entity_type, category, False), key=key)
            counts[category] = int(total)
    return counts


def _explore(entity_type: EntityType, name: str, reader: Reader) -> Exploration | None:
    centre = _find(reader, entity_type, name)
    if centre is None:
        return None
    categories = CATEGORIES[entity_type]
    counts = _counts(reader, entity_type, centre.id, categories)
    return Exploration(centre, tuple(CategoryCount(category, counts[category]) for category in categories))


def _expand(
    entity_type: EntityType,
    name: str,
    category: Category,
    limit: int,
    offset: int,
    before_year: int | None,
    reader: Reader,
) -> ExpandPage:
    centre = _find(reader, entity_type, name)
    if centre is None:
        return ExpandPage((), 0)
    year_bound = before_year is not None and category is not Category.ALIASES
    # A None parameter binds as BOOL here: the year bound is in the text only when asked.
    bound: dict[str, Any] = {"before_year": before_year} if year_bound else {}
    [[total]] = reader.rows(queries.category_total(entity_type, category, year_bound), key=centre.id, **bound)
    if not total or offset >= total or limit == 0:
        return ExpandPage((), int(total))
    page = reader.rows(
        queries.expand_page(entity_type, category, year_bound),
        key=centre.id,
        offset=offset,
        limit=limit,
        **bound,
    )
    if category is Category.RELEASES:
        children = tuple(Child(str(key), title or "", "release", year=year) for key, title, year in page)
    elif category is Category.ALIASES:
        children = tuple(Child(str(key), child_name or "", "artist") for key, child_name in page)
    else:
        child_type = category.value.removesuffix("s")
        children = tuple(
            Child(str(key), child_name or "", child_type, release_count=int(count))
            for key, child_name, count in page
        )
    return ExpandPage(children, int(total))


def _node_details(node_type: NodeType, node_id: str, reader: Reader) -> NodeDetails | None:
    if node_type is NodeType.ARTIST:
        rows = reader.rows(queries.node_properties(EntityType.ARTIST, ("name",)), key=node_id)
        if not rows:
            return None
        [[release_count]] = reader.rows(queries.ARTIST_RELEASE_COUNT, key=node_id)
        return ArtistDetails(
            node_id,
            rows[0][0] or "",
            _names(reader.rows(queries.ARTIST_GENRES, key=node_id)),
            _names(reader.rows(queries.ARTIST_STYLES, key=node_id)),
            int(release_count),
            _names(reader.rows(queries.ARTIST_GROUPS, key=node_id)),
        )
    if node_type is NodeType.RELEASE:
        rows = reader.rows(queries.RELEASE, key=node_id)
        if not rows:
            return None
        title, year = rows[0]
        return ReleaseDetails(
            node_id,
            title or "",
            year,
            *(
                _names(reader.rows(statement, key=node_id))
                for statement in (
                    queries.RELEASE_ARTISTS,
                    queries.RELEASE_LABELS,
                    queries.RELEASE_GENRES,
                    queries.RELEASE_STYLES,
                )
            ),
        )
    entity_type = EntityType(node_type.value)
    rows = reader.rows(queries.node_properties(entity_type, ("name",)), key=node_id)
    if not rows:
        return None
    [name] = rows[0]
    if entity_type is EntityType.LABEL:
        counts = _counts(reader, entity_type, node_id, (Category.RELEASES,))
        return LabelDetails(node_id, name or "", counts[Category.RELEASES])
    counts = _counts(reader, entity_type, node_id, (Category.ARTISTS,))
    return TagDetails(node_id, name or node_id, counts[Category.ARTISTS])


def _trends(entity_type: EntityType, name: str, reader: Reader) -> tuple[YearCount, ...]:
    centre = _find(reader, entity_type, name)
    if centre is None:
        return ()
    rows = reader.rows(queries.trends(entity_type), key=centre.id)
    return tuple(YearCount(int(year), int(count)) for year, count in rows)


Node = tuple[str, str]
"""A node as a path search holds it: label and key."""

BALL_RADII: tuple[tuple[int, int], ...] = ((2_000, 2), (50_000, 1))
"""How far a path search may reach around an end, by the end's degree: two steps around a node of
2,000 edges is some ten thousand nodes, around a genre a fifth of the graph; a bigger hub stays 0."""


class _Ball:
    """The nodes within `radius` steps of one end of a path, with their distance."""

    def __init__(self, node: Node, degree: int) -> None:
        self.node = node
        self.radius = 0
        self.nodes = {node: 0}
        self.largest = next((radius for most, radius in BALL_RADII if degree <= most), 0)
        self.whole = degree == 0
        """Everything the end reaches is inside: the ball stopped growing before its radius."""

    def grow(self, reader: Reader) -> None:
        self.radius += 1
        rows = reader.rows(queries.path_ball(self.node[0], self.radius), key=self.node[1])
        self.nodes = {self.node: 0} | {(str(label), str(key)): int(distance) for label, key, distance in rows}
        self.whole = max(self.nodes.values()) < self.radius


def _path(reader: Reader, statement: str, start: Node, end: Node) -> tuple[list[list[Any]], list[str]]:
    """The path rows a statement finds from `start` to `end`: nodes and edge types, empty if none."""
    rows = reader.rows(statement, PATH_TIMEOUT_MS, source=start[1], target=end[1])
    if not rows:
        return [], []
    nodes, relationship_types = rows[0]
    return nodes, relationship_types


def _half(reader: Reader, ball: _Ball, middle: Node) -> tuple[list[list[Any]], list[str]]:
    """The path from a ball's end to a node inside it, whose length the ball knows (one or two edges:
    a plain pattern finds it in a millisecond, the recursive search takes ten)."""
    return _path(reader, queries.short_path(ball.node[0], middle[0], ball.nodes[middle]), ball.node, middle)


def _meet(reader: Reader, ball_a: _Ball, ball_b: _Ball, max_depth: int) -> tuple[list[list[Any]], list[str]]:
    """Grow the smaller ball a step at a time until the two meet, the depth is spent, or one holds all
    its end reaches; the path then joins the two halves. Past the largest balls, one recursive search
    over the whole depth decides."""
    while True:
        meetings = sorted(
            (ball_a.nodes[node] + ball_b.nodes[node], node)
            for node in ball_a.nodes.keys() & ball_b.nodes.keys()
        )
        if meetings:
            # Each ball holds every node within its radius: the nearest meeting is a shortest path.
            length, middle = meetings[0]
            if length > max_depth:
                return [], []
            nodes, types = _half(reader, ball_a, middle) if middle != ball_a.node else ([], [])
            if middle != ball_b.node:
                back_nodes, back_types = _half(reader, ball_b, middle)
                nodes, types = nodes[:-1] + back_nodes[::-1], types + back_types[::-1]
            return nodes, types
        if ball_a.whole or ball_b.whole or ball_a.radius + ball_b.radius >= max_depth:
            return [], []
        growing = [ball for ball in (ball_a, ball_b) if ball.radius < min(ball.largest, max_depth)]
        if not growing:
            statement = queries.shortest_path(ball_a.node[0], ball_b.node[0], max_depth)
            return _path(reader, statement, ball_a.node, ball_b.node)
        min(growing, key=lambda ball: len(ball.nodes)).grow(reader)


def _shortest_path(
    start: EntityRef, end: EntityRef, max_depth: int, reader: Reader
) -> tuple[PathStep, ...] | None:
    """LadybugDB's own search runs from one end, and two steps past a genre it holds a fifth of the
    graph; searched from both ends, the genre is where they meet (`_meet`)."""
    a = (RELEASE_LINKS[EntityType(start.type)].label, start.id)
    b = (RELEASE_LINKS[EntityType(end.type)].label, end.id)
    degrees = [reader.rows(queries.path_degree(label), key=key) for label, key in (a, b)]
    if not degrees[0] or not degrees[1]:
        return None
    if a == b:
        rows = reader.rows(queries.node_properties(EntityType(start.type), ("name",)), key=start.id)
        return (PathStep(start.id, rows[0][0] or "", start.type, None),)
    nodes, relationship_types = _meet(
        reader, _Ball(a, degrees[0][0][0]), _Ball(b, degrees[1][0][0]), max_depth
    )
    if not nodes:
        return None
    return tuple(
        PathStep(str(key), name or "", label.lower(), relationship_types[position - 1] if position else None)
        for position, (label, key, name) in enumerate(nodes)
    )


def _genre_tree(reader: Reader) -> tuple[GenreBranch, ...]:
    genres = reader.rows(queries.GENRE_RELEASE_COUNTS)
    if any(count is None for _, count in genres):
        # Aggregates not computed yet (a load still running): count the genres' releases now.
        genres = reader.rows(queries.LIVE_GENRE_RELEASE_COUNTS)
    pairs = reader.rows(queries.GENRE_STYLE_PAIRS)
    return genre_branches(
        ((str(name), int(count)) for name, count in genres),
        ((str(genre), str(style), int(count)) for genre, style, count in pairs),
    )


def _network(artist_id: str, depth: int, limit: int, reader: Reader) -> Page[NetworkMember]:
    one_hop = [ArtistCount(str(k), n, int(c)) for k, n, c in reader.rows(queries.ONE_HOP, key=artist_id)]
    two_hops = []
    if depth >= 2 and one_hop:
        two_hops = [
            ArtistCount(str(k), n, int(c)) for k, n, c in reader.rows(queries.TWO_HOPS, key=artist_id)
        ]
    return network_page(artist_id, one_hop, two_hops, limit)


def _centrality(artist_id: str, reader: Reader) -> Centrality | None:
    rows = reader.rows(queries.DEGREES, key=artist_id)
    if not rows:
        return None
    degree, groups, aliases = rows[0]
    [[collaborators, releases]] = reader.rows(queries.COLLABORATION_COUNTS, key=artist_id)
    return Centrality(int(degree), int(collaborators), int(releases), int(groups), int(aliases))


def _neighbours(artist_id: str, limit: int, reader: Reader) -> tuple[Neighbour, ...]:
    rows = reader.rows(queries.ONE_HOP, key=artist_id)
    chosen = strongest((ArtistCount(str(key), name, int(count)) for key, name, count in rows), limit)
    return tuple(
        Neighbour(
            artist.artist_id,
            artist.artist_name or "",
            artist.shared,
            primary_genre(
                (str(genre), int(count))
                for genre, count in reader.rows(queries.ARTIST_GENRE_COUNTS, key=artist.artist_id)
            ),
        )
        for artist in chosen
    )


class LadybugGraphQueries:
    """The GraphQueries port for LadybugGraphStore, which opens the Database and owns the pool."""

    _path: Any
    _database: Any
    _read_pool: ReadPool

    if TYPE_CHECKING:

        def _open(self) -> Any: ...

        async def _on_writer(self, work: Callable[..., Result], *args: Any) -> Result: ...

    async def _reading(self, work: Callable[[Reader], Result]) -> Result:
        """Run `work` on a reader thread, the Database opened first (by the writer, which owns it)."""
        if self._database is None:
            await self._on_writer(self._open)
        return await self._read_pool.run(self._database, str(self._path), work)

    async def find_entity(self, entity_type: EntityType, name: str) -> EntityRef | None:
        return await self._reading(partial(_find, entity_type=entity_type, name=name))

    async def explore(self, entity_type: EntityType, name: str) -> Exploration | None:
        return await self._reading(partial(_explore, entity_type, name))

    async def expand(
        self,
        entity_type: EntityType,
        name: str,
        category: Category,
        limit: int,
        offset: int,
        before_year: int | None,
    ) -> ExpandPage:
        if category not in CATEGORIES[entity_type]:
            raise ValueError(f"a {entity_type.value} has no {category.value} category")
        _require_page(limit, offset)
        return await self._reading(partial(_expand, entity_type, name, category, limit, offset, before_year))

    async def node_details(self, node_type: NodeType, node_id: str) -> NodeDetails | None:
        return await self._reading(partial(_node_details, node_type, node_id))

    async def trends(self, entity_type: EntityType, name: str) -> tuple[YearCount, ...]:
        return await self._reading(partial(_trends, entity_type, name))

    async def shortest_path(
        self, start: EntityRef, end: EntityRef, max_depth: int
    ) -> tuple[PathStep, ...] | None:
        if max_depth < 1:
            raise ValueError(f"max_depth must be at least 1, not {max_depth}")
        return await self._reading(partial(_shortest_path, start, end, max_depth))

    async def graph_counts(self) -> GraphCounts:
        rows = await self._reading(lambda reader: reader.rows(queries.GRAPH_COUNTS))
        return GraphCounts(*(int(count) for count in rows[0]))

    async def year_range(self) -> tuple[int, int] | None:
        rows = await self._reading(lambda reader: reader.rows(queries.YEAR_RANGE))
        low, high = rows[0]
        return None if low is None else (int(low), int(high))

    async def genre_emergence(self, before_year: int) -> GenreEmergence:
        def read(reader: Reader) -> GenreEmergence:
            genres, styles = (
                tuple(
                    FirstYear(str(name), int(year))
                    for name, year in reader.rows(queries.first_years(label), before_year=before_year)
                )
                for label in ("Genre", "Style")
            )
            return GenreEmergence(genres, styles)

        return await self._reading(read)

    async def tag_names(self, entity_type: EntityType) -> tuple[str, ...]:
        if entity_type not in (EntityType.GENRE, EntityType.STYLE):
            raise ValueError(f"only genres and styles are listed by name, not {entity_type.value}")
        statement = queries.tag_names(entity_type.value.capitalize())
        rows = await self._reading(lambda reader: reader.rows(statement))
        return tuple(str(name) for [name] in rows)

    async def artist_name(self, artist_id: str) -> str | None:
        statement = queries.node_properties(EntityType.ARTIST, ("name",))
        rows = await self._reading(lambda reader: reader.rows(statement, key=artist_id))
        return str(rows[0][0]) if rows and rows[0][0] is not None else None

    async def collaborators(self, artist_id: str, limit: int) -> Page[Collaborator]:
        _require_page(limit)
        rows = await self._reading(lambda reader: reader.rows(queries.COLLABORATION_YEARS, key=artist_id))
        return collaborators_page(
            (YearShare(str(key), name, int(year), int(count)) for key, name, year, count in rows), limit
        )

    async def genre_tree(self) -> tuple[GenreBranch, ...]:
        return await self._reading(_genre_tree)

    async def collaboration_network(self, artist_id: str, depth: int, limit: int) -> Page[NetworkMember]:
        if depth < 1:
            raise ValueError(f"depth must be at least 1, not {depth}")
        _require_page(limit)
        return await self._reading(partial(_network, artist_id, depth, limit))

    async def centrality(self, artist_id: str) -> Centrality | None:
        return await self._reading(partial(_centrality, artist_id))

    async def neighbours(self, artist_id: str, limit: int) -> tuple[Neighbour, ...]:
        _require_page(limit)
        return await self._reading(partial(_neighbours, artist_id, limit))
