"""GraphQueries on Neo4j: the read side of Neo4jGraphStore, kept apart from its writes.

Each question runs in managed read transactions (`execute_read`: the driver retries transient
errors and may route to any member) under a server-side time limit. The Cypher is in
`adapters/neo4j/queries.py`; what turns rows into answers the same way on both stores is in
`domain.explore`. What the driver still raises is translated here: GraphStoreUnavailable when the
server went away, GraphQueryFailed when it refused a query or the query ran out of time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from neo4j import READ_ACCESS, AsyncDriver, AsyncManagedTransaction, unit_of_work
from neo4j.exceptions import (
    ConnectionAcquisitionTimeoutError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from adapters.neo4j import queries
from domain.explore import (
    CATEGORIES,
    PRECOMPUTED_COUNTS,
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
from domain.graph_writes import GraphStoreUnavailable

STORE_NAME = "Neo4j"

READ_TIMEOUT_SECONDS = 30.0
"""Server-side limit of one read transaction (the API's slow-query budget)."""

PATH_TIMEOUT_SECONDS = 120.0
"""A shortest path through the genre hubs may take longer (SPEC-api §4 /api/path)."""

Rows = list[list[Any]]
Result = TypeVar("Result")
Statement = tuple[str, Mapping[str, Any]]


def _names(values: Sequence[Any]) -> tuple[str, ...]:
    """Names sorted, the missing ones (nodes without a name) left out."""
    return tuple(sorted(str(value) for value in values if value is not None))


def _require_page(limit: int, offset: int = 0) -> None:
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must not be negative, not {limit} and {offset}")


class Neo4jGraphQueries:
    """The GraphQueries port for Neo4jGraphStore, which provides the driver, database and address."""

    _driver: AsyncDriver
    _database: str
    _uri: str

    async def _transaction(
        self, work: Callable[[AsyncManagedTransaction], Awaitable[Result]], time_limit: float
    ) -> Result:
        """Run `work` in one managed read transaction limited to `time_limit` seconds."""
        timed = unit_of_work(timeout=time_limit)(work)
        try:
            async with self._driver.session(
                database=self._database, default_access_mode=READ_ACCESS
            ) as session:
                return await session.execute_read(timed)
        except (ServiceUnavailable, SessionExpired, ConnectionAcquisitionTimeoutError) as error:
            raise GraphStoreUnavailable(STORE_NAME, self._uri, str(error) or type(error).__name__) from error
        except Neo4jError as error:
            if "TransactionTimedOut" in (error.code or ""):
                raise GraphQueryFailed(STORE_NAME, self._uri, str(error), timed_out=True) from error
            if error.is_retryable():
                raise GraphStoreUnavailable(STORE_NAME, self._uri, str(error)) from error
            raise GraphQueryFailed(STORE_NAME, self._uri, str(error)) from error
        except DriverError as error:
            raise GraphStoreUnavailable(STORE_NAME, self._uri, str(error) or type(error).__name__) from error

    async def _read_all(
        self, statements: Sequence[Statement], time_limit: float = READ_TIMEOUT_SECONDS
    ) -> list[Rows]:
        """The rows of each statement, all read in one transaction (one snapshot)."""

        async def work(tx: AsyncManagedTransaction) -> list[Rows]:
            answers: list[Rows] = []
            for statement, parameters in statements:
                result = await tx.run(statement, dict(parameters))
                answers.append(await result.values())
            return answers

        return await self._transaction(work, time_limit)

    async def _rows(
        self, statement: str, time_limit: float = READ_TIMEOUT_SECONDS, **parameters: Any
    ) -> Rows:
        [rows] = await self._read_all([(statement, parameters)], time_limit)
        return rows

    # --- centres ---------------------------------------------------------------------------------

    async def find_entity(self, entity_type: EntityType, name: str) -> EntityRef | None:
        rows = await self._rows(queries.find_entity(entity_type), name=name)
        if not rows:
            return None
        key, found_name = rows[0]
        return EntityRef(str(key), found_name or "", entity_type.value)

    async def _counts(
        self, entity_type: EntityType, key: str, categories: tuple[Category, ...]
    ) -> dict[Category, int]:
        """Each category's count: the stored aggregate where there is one, else counted now."""
        counts: dict[Category, int] = {}
        stored = PRECOMPUTED_COUNTS.get(entity_type, {})
        kept = tuple(category for category in categories if category in stored)
        if kept:
            properties = tuple(stored[category] for category in kept)
            rows = await self._rows(queries.node_properties(entity_type, properties), key=key)
            for category, value in zip(kept, rows[0] if rows else (), strict=False):
                if value is not None:
                    counts[category] = int(value)
        missing = tuple(category for category in categories if category not in counts)
        if missing:
            rows = await self._rows(queries.live_counts(entity_type, missing), key=key)
            counts.update(zip(missing, (int(value) for value in rows[0]), strict=True) if rows else ())
        return counts

    async def explore(self, entity_type: EntityType, name: str) -> Exploration | None:
        centre = await self.find_entity(entity_type, name)
        if centre is None:
            return None
        categories = CATEGORIES[entity_type]
        counts = await self._counts(entity_type, centre.id, categories)
        return Exploration(
            centre, tuple(CategoryCount(category, counts.get(category, 0)) for category in categories)
        )

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
        centre = await self.find_entity(entity_type, name)
        if centre is None:
            return ExpandPage((), 0)
        year_bound = before_year is not None and category is not Category.ALIASES
        parameters: dict[str, Any] = {"key": centre.id, "offset": offset, "limit": limit}
        if year_bound:
            parameters["before_year"] = before_year
        rows = await self._rows(queries.expand(entity_type, category, year_bound), **parameters)
        if not rows:
            return ExpandPage((), 0)
        total, page = rows[0]
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

    # --- node details ----------------------------------------------------------------------------

    async def node_details(self, node_type: NodeType, node_id: str) -> NodeDetails | None:
        if node_type is NodeType.ARTIST:
            rows = await self._rows(queries.ARTIST_DETAILS, key=node_id)
            if not rows:
                return None
            name, genres, styles, release_count, groups = rows[0]
            return ArtistDetails(
                node_id, name or "", _names(genres), _names(styles), int(release_count), _names(groups)
            )
        if node_type is NodeType.RELEASE:
            rows = await self._rows(queries.RELEASE_DETAILS, key=node_id)
            if not rows:
                return None
            title, year, artists, labels, genres, styles = rows[0]
            return ReleaseDetails(
                node_id, title or "", year, _names(artists), _names(labels), _names(genres), _names(styles)
            )
        entity_type = EntityType(node_type.value)
        rows = await self._rows(queries.node_properties(entity_type, ("name",)), key=node_id)
        if not rows:
            return None
        [name] = rows[0]
        if entity_type is EntityType.LABEL:
            counts = await self._counts(entity_type, node_id, (Category.RELEASES,))
            return LabelDetails(node_id, name or "", counts.get(Category.RELEASES, 0))
        counts = await self._counts(entity_type, node_id, (Category.ARTISTS,))
        return TagDetails(node_id, name or node_id, counts.get(Category.ARTISTS, 0))

    # --- trends, path, whole-graph figures ---------------------------------------------------------

    async def trends(self, entity_type: EntityType, name: str) -> tuple[YearCount, ...]:
        centre = await self.find_entity(entity_type, name)
        if centre is None:
            return ()
        rows = await self._rows(queries.trends(entity_type), key=centre.id)
        return tuple(YearCount(int(year), int(count)) for year, count in rows)

    async def shortest_path(
        self, start: EntityRef, end: EntityRef, max_depth: int
    ) -> tuple[PathStep, ...] | None:
        if max_depth < 1:
            raise ValueError(f"max_depth must be at least 1, not {max_depth}")
        start_type, end_type = EntityType(start.type), EntityType(end.type)
        if (start_type, start.id) == (end_type, end.id):
            rows = await self._rows(queries.node_properties(start_type, ("name",)), key=start.id)
            return (PathStep(start.id, rows[0][0] or "", start.type, None),) if rows else None
        rows = await self._rows(
            queries.shortest_path(start_type, end_type, max_depth),
            PATH_TIMEOUT_SECONDS,
            source=start.id,
            target=end.id,
        )
        if not rows:
            return None
        nodes, relationship_types = rows[0]
        return tuple(
            PathStep(
                str(key),
                node_name or "",
                label.lower(),
                relationship_types[position - 1] if position else None,
            )
            for position, (label, key, node_name) in enumerate(nodes)
        )

    async def graph_counts(self) -> GraphCounts:
        rows = await self._rows(queries.GRAPH_COUNTS)
        return GraphCounts(*(int(count) for count in rows[0]))

    async def year_range(self) -> tuple[int, int] | None:
        rows = await self._rows(queries.YEAR_RANGE)
        if not rows:
            return None
        low, high = rows[0]
        return int(low), int(high)

    async def genre_emergence(self, before_year: int) -> GenreEmergence:
        genres, styles = await self._read_all(
            [(queries.first_years(label), {"before_year": before_year}) for label in ("Genre", "Style")]
        )
        return GenreEmergence(
            tuple(FirstYear(name, int(year)) for name, year in genres),
            tuple(FirstYear(name, int(year)) for name, year in styles),
        )

    async def tag_names(self, entity_type: EntityType) -> tuple[str, ...]:
        if entity_type not in (EntityType.GENRE, EntityType.STYLE):
            raise ValueError(f"only genres and styles are listed by name, not {entity_type.value}")
        rows = await self._rows(queries.tag_names(entity_type.value.capitalize()))
        return tuple(str(name) for [name] in rows)

    async def artist_name(self, artist_id: str) -> str | None:
        rows = await self._rows(queries.node_properties(EntityType.ARTIST, ("name",)), key=artist_id)
        return str(rows[0][0]) if rows and rows[0][0] is not None else None

    async def genre_tree(self) -> tuple[GenreBranch, ...]:
        genres, pairs = await self._read_all(
            [(queries.GENRE_RELEASE_COUNTS, {}), (queries.GENRE_STYLE_PAIRS, {})]
        )
        if any(count is None for _, count in genres):
            # Aggregates not computed yet (a load still running): count the genres' releases now.
            genres = await self._rows(queries.LIVE_GENRE_RELEASE_COUNTS)
        return genre_branches(
            ((str(name), int(count)) for name, count in genres),
            ((str(genre), str(style), int(count)) for genre, style, count in pairs),
        )

    # --- collaboration -----------------------------------------------------------------------------

    async def collaborators(self, artist_id: str, limit: int) -> Page[Collaborator]:
        _require_page(limit)
        rows = await self._rows(queries.COLLABORATION_YEARS, key=artist_id)
        return collaborators_page(
            (YearShare(str(key), name, int(year), int(count)) for key, name, year, count in rows), limit
        )

    async def collaboration_network(self, artist_id: str, depth: int, limit: int) -> Page[NetworkMember]:
        if depth < 1:
            raise ValueError(f"depth must be at least 1, not {depth}")
        _require_page(limit)
        statements: list[Statement] = [(queries.ONE_HOP, {"key": artist_id})]
        if depth >= 2:
            statements.append((queries.TWO_HOPS, {"key": artist_id}))
        hops = await self._read_all(statements)
        one_hop, *two_hops = (
            [ArtistCount(str(key), name, int(count)) for key, name, count in rows] for rows in hops
        )
        return network_page(artist_id, one_hop, two_hops[0] if two_hops else [], limit)

    async def centrality(self, artist_id: str) -> Centrality | None:
        rows = await self._rows(queries.CENTRALITY, key=artist_id)
        if not rows:
            return None
        return Centrality(*(int(value) for value in rows[0]))

    async def neighbours(self, artist_id: str, limit: int) -> tuple[Neighbour, ...]:
        _require_page(limit)
        rows = await self._rows(queries.ONE_HOP, key=artist_id)
        chosen = strongest((ArtistCount(str(key), name, int(count)) for key, name, count in rows), limit)
        if not chosen:
            return ()
        genre_rows = await self._rows(queries.GENRES_OF_ARTISTS, keys=[artist.artist_id for artist in chosen])
        genre_counts: dict[str, list[tuple[str, int]]] = {}
        for key, genre, count in genre_rows:
            genre_counts.setdefault(str(key), []).append((str(genre), int(count)))
        return tuple(
            Neighbour(
                artist.artist_id,
                artist.artist_name or "",
                artist.shared,
                primary_genre(genre_counts.get(artist.artist_id, ())),
            )
            for artist in chosen
        )
