"""The read use cases behind the HTTP API: one method per endpoint, answers as the JSON of the contract.

Each method checks what the request asks against SPEC-api §4, §10, §11 (and SPEC-tables §6 for
search), asks the graph or table store one question, and shapes the answer. Answers that the
contract caches are kept in the Cache port under its keys and lifetimes, so that the Redis keys of
the services deployment are the reference's and a repeat skips the store.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from domain.explore import (
    CATEGORIES,
    CATEGORY_TITLES,
    YEAR_CEILING,
    YEAR_FLOOR,
    ArtistDetails,
    Category,
    EntityType,
    LabelDetails,
    NodeDetails,
    NodeType,
    ReleaseDetails,
    TagDetails,
    clusters_of,
)
from domain.ports import Cache, GraphStore, JsonValue, TableStore
from domain.tables import SearchHit, SearchPage, SearchQuery, prefix_score, query_words

Json = dict[str, Any]
Result = TypeVar("Result")

DAY = 24 * 3600
HOUR = 3600

ENRICHMENT_TYPES = ("artists", "labels", "releases")
"""The MusicBrainz entity kinds /api/enrichment/status reports (SPEC-api §14)."""

SEARCH_TYPES: dict[str, str] = {
    "artist": "artists",
    "label": "labels",
    "master": "masters",
    "release": "releases",
}
"""The `types` of /api/search and the tables behind them."""

AUTOCOMPLETE_TABLES: dict[EntityType, str] = {EntityType.ARTIST: "artists", EntityType.LABEL: "labels"}
"""Names that autocomplete looks up in the table store's name index; genres and styles are few and
are matched from the graph's full list."""

MIN_QUERY_LENGTH = 3
MAX_TEXT_LENGTH = 500
"""Longest name or query text accepted: longer ones are refused before any store sees them (Discogs
names and titles stay well below it)."""

PATH_TIMEOUT_SECONDS = 30.0
SLOW_QUERY_TIMEOUT_SECONDS = 30.0
"""How long the traversals the contract lets time out (path, collaborators, network, genre tree) may
run before the caller gets a 504."""


class InvalidRequest(ValueError):
    """The request asks for something the contract does not allow (HTTP 400)."""


class NotFound(LookupError):
    """The entity the request names does not exist (HTTP 404)."""


class QueryTimedOut(TimeoutError):
    """A traversal took longer than its budget (HTTP 504)."""


def _checked_text(text: str, what: str, minimum: int = 1) -> str:
    stripped = text.strip()
    if len(stripped) < minimum:
        raise InvalidRequest(f"{what} must be at least {minimum} characters")
    if len(stripped) > MAX_TEXT_LENGTH:
        raise InvalidRequest(f"{what} must be at most {MAX_TEXT_LENGTH} characters")
    return stripped


def _entity_type(value: str, allowed: Sequence[str] | None = None) -> EntityType:
    try:
        entity_type = EntityType(value)
    except ValueError:
        raise InvalidRequest(f"type must be one of {', '.join(t.value for t in EntityType)}") from None
    if allowed is not None and entity_type.value not in allowed:
        raise InvalidRequest(f"type must be one of {', '.join(allowed)}")
    return entity_type


def safe_highlight(highlight: str) -> str:
    """The store's highlight as HTML that shows the name as text: only the <b> markers stay markup."""
    return html.escape(highlight, quote=True).replace("&lt;b&gt;", "<b>").replace("&lt;/b&gt;", "</b>")


def search_cache_key(query: SearchQuery) -> str:
    """`search:<md5>` of the normalized request, as the reference keys it (SPEC-tables §6)."""
    normalized = {
        "q": query.text.strip().lower(),
        "types": sorted(query.data_types),
        "genres": sorted(query.genres),
        "year_min": query.year_min,
        "year_max": query.year_max,
        "limit": query.limit,
        "offset": query.offset,
    }
    digest = hashlib.md5(json.dumps(normalized, sort_keys=True).encode(), usedforsecurity=False)
    return f"search:{digest.hexdigest()}"


@dataclass(frozen=True, slots=True)
class Timeouts:
    path: float = PATH_TIMEOUT_SECONDS
    slow_query: float = SLOW_QUERY_TIMEOUT_SECONDS


class Exploring:
    """The explorer's questions over one graph store, one table store and one cache."""

    def __init__(
        self, graph: GraphStore, tables: TableStore, cache: Cache, timeouts: Timeouts = Timeouts()
    ) -> None:
        self._graph = graph
        self._tables = tables
        self._cache = cache
        self._timeouts = timeouts

    async def _cached(self, key: str | None, ttl: int, compute: Callable[[], Awaitable[Json]]) -> Json:
        if key is None:
            return await compute()
        cached = await self._cache.get(key)
        if isinstance(cached, dict):
            return cached
        answer = await compute()
        value: JsonValue = answer
        await self._cache.set(key, value, ttl)
        return answer

    async def _within(self, seconds: float, work: Awaitable[Result], what: str) -> Result:
        try:
            return await asyncio.wait_for(work, seconds)
        except TimeoutError:
            raise QueryTimedOut(f"{what} timed out after {seconds:g} s") from None

    # -- /api/autocomplete ----------------------------------------------------------------------

    async def autocomplete(self, q: str, type_: str, limit: int) -> Json:
        text = _checked_text(q, "q", MIN_QUERY_LENGTH)
        entity_type = _entity_type(type_)
        key = f"autocomplete:{entity_type.value}:{text.lower()}:{limit}"
        return await self._cached(key, HOUR, lambda: self._autocomplete(text, entity_type, limit))

    async def _autocomplete(self, text: str, entity_type: EntityType, limit: int) -> Json:
        table = AUTOCOMPLETE_TABLES.get(entity_type)
        if table is not None:
            matches = await self._tables.autocomplete(table, text, limit)
            results = [{"id": m.data_id, "name": m.name, "score": round(m.score, 4)} for m in matches]
            return {"results": results}
        words = query_words(text)
        if not words:
            return {"results": []}
        names = await self._graph.tag_names(entity_type)
        found = [name for name in names if _has_word_prefixes(name, words)]
        found.sort(key=lambda name: (len(name), name.lower(), name))
        return {
            "results": [
                {"id": n, "name": n, "score": round(prefix_score(words, n), 4)} for n in found[:limit]
            ]
        }

    # -- /api/explore, /api/expand, /api/node -----------------------------------------------------

    async def explore(self, name: str, type_: str) -> Json:
        text = _checked_text(name, "name")
        entity_type = _entity_type(type_)
        key = f"explore:{entity_type.value}:{text}" if entity_type in AUTOCOMPLETE_TABLES else None
        return await self._cached(key, DAY, lambda: self._explore(text, entity_type))

    async def _explore(self, name: str, entity_type: EntityType) -> Json:
        exploration = await self._graph.explore(entity_type, name)
        if exploration is None:
            raise NotFound(f"{entity_type.value.capitalize()} '{name}' not found")
        center = exploration.center
        return {
            "center": {"id": center.id, "name": center.name, "type": center.type},
            "categories": [
                {
                    "id": f"cat-{c.category.value}",
                    "name": CATEGORY_TITLES[c.category],
                    "category": c.category.value,
                    "count": c.count,
                }
                for c in exploration.categories
            ],
        }

    async def expand(
        self, node_id: str, type_: str, category: str, limit: int, offset: int, before_year: int | None
    ) -> Json:
        name = _checked_text(node_id, "node_id")
        entity_type = _entity_type(type_)
        try:
            wanted = Category(category)
        except ValueError:
            wanted = None
        if wanted is None or wanted not in CATEGORIES[entity_type]:
            allowed = ", ".join(c.value for c in CATEGORIES[entity_type])
            raise InvalidRequest(f"category for type {entity_type.value} must be one of {allowed}")
        page = await self._graph.expand(entity_type, name, wanted, limit, offset, before_year)
        children: list[Json] = []
        for child in page.children:
            item: Json = {"id": child.id, "name": child.name, "type": child.type}
            if wanted is Category.RELEASES:
                item["year"] = child.year
            elif wanted is not Category.ALIASES:
                item["release_count"] = child.release_count
            children.append(item)
        return {
            "children": children,
            "total": page.total,
            "offset": offset,
            "limit": limit,
            "has_more": offset + len(children) < page.total,
        }

    async def node(self, node_id: str, type_: str) -> Json:
        key = node_id.strip()
        try:
            node_type = NodeType(type_)
        except ValueError:
            raise InvalidRequest(f"type must be one of {', '.join(t.value for t in NodeType)}") from None
        details = await self._graph.node_details(node_type, key) if 0 < len(key) <= MAX_TEXT_LENGTH else None
        if details is None:
            raise NotFound(f"{node_type.value.capitalize()} '{key}' not found")
        return _node_json(details, node_type)

    # -- /api/trends, /api/path -------------------------------------------------------------------

    async def trends(self, name: str, type_: str) -> Json:
        text = _checked_text(name, "name")
        entity_type = _entity_type(type_)
        key = f"trends:{entity_type.value}:{text}" if entity_type is not EntityType.ARTIST else None
        return await self._cached(key, DAY, lambda: self._trends(text, entity_type))

    async def _trends(self, name: str, entity_type: EntityType) -> Json:
        if await self._graph.find_entity(entity_type, name) is None:
            raise NotFound(f"{entity_type.value.capitalize()} '{name}' not found")
        counts = await self._graph.trends(entity_type, name)
        return {
            "name": name,
            "type": entity_type.value,
            "data": [{"year": c.year, "count": c.count} for c in counts],
        }

    async def path(self, from_name: str, from_type: str, to_name: str, to_type: str, max_depth: int) -> Json:
        start_name, end_name = _checked_text(from_name, "from_name"), _checked_text(to_name, "to_name")
        start_type, end_type = _entity_type(from_type), _entity_type(to_type)
        start = await self._graph.find_entity(start_type, start_name)
        if start is None:
            raise NotFound(f"{start_type.value.capitalize()} '{start_name}' not found")
        end = await self._graph.find_entity(end_type, end_name)
        if end is None:
            raise NotFound(f"{end_type.value.capitalize()} '{end_name}' not found")
        steps = await self._within(
            self._timeouts.path, self._graph.shortest_path(start, end, max_depth), "Path search"
        )
        if steps is None:
            return {"found": False, "length": None, "path": []}
        return {
            "found": True,
            "length": len(steps) - 1,
            "path": [{"id": s.id, "name": s.name, "type": s.type, "rel": s.rel} for s in steps],
        }

    # -- /api/graph/stats, /api/explore/year-range, /api/explore/genre-emergence, /api/genre-tree --

    async def graph_stats(self) -> Json:
        counts = await self._graph.graph_counts()
        return {
            "total_entities": counts.total,
            "counts": {
                "artists": counts.artists,
                "labels": counts.labels,
                "releases": counts.releases,
                "masters": counts.masters,
                "genres": counts.genres,
                "styles": counts.styles,
            },
        }

    async def year_range(self) -> Json:
        found = await self._graph.year_range()
        if found is None:
            return {"min_year": None, "max_year": None}
        low, high = found
        return {
            "min_year": min(max(low, YEAR_FLOOR), YEAR_CEILING),
            "max_year": min(max(high, YEAR_FLOOR), YEAR_CEILING),
        }

    async def genre_emergence(self, before_year: int) -> Json:
        emergence = await self._graph.genre_emergence(before_year)
        return {
            "genres": [{"name": g.name, "first_year": g.first_year} for g in emergence.genres],
            "styles": [{"name": s.name, "first_year": s.first_year} for s in emergence.styles],
        }

    async def genre_tree(self) -> Json:
        return await self._cached("genre-tree", 300, self._genre_tree)

    async def _genre_tree(self) -> Json:
        branches = await self._within(self._timeouts.slow_query, self._graph.genre_tree(), "Genre tree")
        return {
            "genres": [
                {
                    "name": b.name,
                    "release_count": b.release_count,
                    "styles": [{"name": s.name, "release_count": s.release_count} for s in b.styles],
                }
                for b in branches
            ]
        }

    # -- /api/collaborators, /api/network/* -------------------------------------------------------

    async def _artist_name(self, artist_id: str) -> str:
        key = artist_id.strip()
        name = await self._graph.artist_name(key) if 0 < len(key) <= MAX_TEXT_LENGTH else None
        if name is None:
            raise NotFound(f"Artist '{key}' not found")
        return name

    async def collaborators(self, artist_id: str, limit: int) -> Json:
        name = await self._artist_name(artist_id)
        page = await self._within(
            self._timeouts.slow_query, self._graph.collaborators(artist_id, limit), "Collaborator query"
        )
        return {
            "artist_id": artist_id,
            "artist_name": name,
            "collaborators": [
                {
                    "artist_id": c.artist_id,
                    "artist_name": c.artist_name,
                    "release_count": c.release_count,
                    "first_year": c.first_year,
                    "last_year": c.last_year,
                    "yearly_counts": [{"year": y.year, "count": y.count} for y in c.yearly_counts],
                }
                for c in page.items
            ],
            "total": page.total,
        }

    async def network_collaborators(self, artist_id: str, depth: int, limit: int) -> Json:
        name = await self._artist_name(artist_id)
        page = await self._within(
            self._timeouts.slow_query,
            self._graph.collaboration_network(artist_id, depth, limit),
            "Collaboration network query",
        )
        return {
            "artist_id": artist_id,
            "artist_name": name,
            "depth": depth,
            "collaborators": [
                {
                    "artist_id": m.artist_id,
                    "artist_name": m.artist_name,
                    "distance": m.distance,
                    "collaboration_count": m.collaboration_count,
                }
                for m in page.items
            ],
            "total": page.total,
        }

    async def centrality(self, artist_id: str) -> Json:
        key = artist_id.strip()
        return await self._cached(f"network:centrality:{key}", HOUR, lambda: self._centrality(key))

    async def _centrality(self, artist_id: str) -> Json:
        name = await self._artist_name(artist_id)
        centrality = await self._within(
            self._timeouts.slow_query, self._graph.centrality(artist_id), "Centrality query"
        )
        if centrality is None:
            raise NotFound(f"Artist '{artist_id}' not found")
        return {
            "artist_id": artist_id,
            "artist_name": name,
            "centrality": {
                "degree": centrality.degree,
                "collaborator_count": centrality.collaborator_count,
                "collaboration_releases": centrality.collaboration_releases,
                "group_count": centrality.group_count,
                "alias_count": centrality.alias_count,
            },
        }

    async def cluster(self, artist_id: str, limit: int) -> Json:
        key = artist_id.strip()
        return await self._cached(f"network:cluster:{key}:{limit}", HOUR, lambda: self._cluster(key, limit))

    async def _cluster(self, artist_id: str, limit: int) -> Json:
        name = await self._artist_name(artist_id)
        neighbours = await self._within(
            self._timeouts.slow_query, self._graph.neighbours(artist_id, limit), "Cluster query"
        )
        clusters = clusters_of(neighbours)
        return {
            "artist_id": artist_id,
            "artist_name": name,
            "clusters": [
                {
                    "cluster_label": c.label,
                    "members": [
                        {
                            "artist_id": m.artist_id,
                            "artist_name": m.artist_name,
                            "shared_releases": m.shared_releases,
                        }
                        for m in c.members
                    ],
                    "size": len(c.members),
                }
                for c in clusters
            ],
            "total_clusters": len(clusters),
            "total_members": len(neighbours),
        }

    # -- /api/artist/{id}/musicbrainz, /relationships, /external-links, /api/enrichment/status -----

    async def artist_musicbrainz(self, artist_id: int) -> Json:
        found = await self._graph.musicbrainz_artist(str(artist_id))
        if found is None:
            raise NotFound("No MusicBrainz data for this artist")
        return {
            "discogs_id": artist_id,
            "mbid": found.mbid,
            "type": found.type,
            "gender": found.gender,
            "begin_date": found.begin_date,
            "end_date": found.end_date,
            "area": found.area,
            "begin_area": found.begin_area,
            "disambiguation": found.disambiguation,
        }

    async def artist_relationships(self, artist_id: int) -> Json:
        await self._artist_name(str(artist_id))
        relationships = await self._graph.musicbrainz_relationships(str(artist_id))
        return {
            "discogs_id": artist_id,
            "relationships": [
                {
                    "type": r.type,
                    "target_id": r.target_id,
                    "target_name": r.target_name,
                    "direction": r.direction,
                    "begin_date": r.begin_date,
                    "end_date": r.end_date,
                    "attributes": list(r.attributes),
                }
                for r in relationships
            ],
        }

    async def artist_external_links(self, artist_id: int) -> Json:
        links = await self._tables.external_links(artist_id)
        return {
            "discogs_id": artist_id,
            "links": [{"service": link.service, "url": link.url} for link in links],
        }

    async def enrichment_status(self) -> Json:
        stored = await self._tables.musicbrainz_counts()
        graph = await self._graph.enrichment_counts()
        status: Json = {}
        for data_type in ENRICHMENT_TYPES:
            counts = stored.entities.get(data_type)
            status[data_type] = {
                "total_mb": counts.total if counts else 0,
                "matched_to_discogs": counts.matched_to_discogs if counts else 0,
                "enriched_in_neo4j": graph.enriched.get(data_type, 0),
            }
        status["relationships"] = {
            "total_in_mb": stored.relationships,
            "created_in_neo4j": graph.relationships,
        }
        return {"musicbrainz": status}

    # -- /api/search ------------------------------------------------------------------------------

    async def search(
        self,
        q: str,
        types: str | None,
        genres: str | None,
        year_min: int | None,
        year_max: int | None,
        limit: int,
        offset: int,
    ) -> Json:
        text = _checked_text(q, "q", MIN_QUERY_LENGTH)
        wanted = _csv(types) or list(SEARCH_TYPES)
        unknown = [t for t in wanted if t not in SEARCH_TYPES]
        if unknown:
            raise InvalidRequest(f"types must be among {', '.join(SEARCH_TYPES)}")
        if year_min is not None and year_max is not None and year_min > year_max:
            raise InvalidRequest("year_min must not be greater than year_max")
        query = SearchQuery(
            text=text,
            data_types=tuple(dict.fromkeys(SEARCH_TYPES[t] for t in wanted)),
            genres=tuple(dict.fromkeys(_csv(genres))),
            year_min=year_min,
            year_max=year_max,
            limit=limit,
            offset=offset,
        )
        return await self._cached(search_cache_key(query), HOUR, lambda: self._search(query))

    async def _search(self, query: SearchQuery) -> Json:
        page: SearchPage = await self._tables.search(query)
        singular = {table: name for name, table in SEARCH_TYPES.items()}
        return {
            "query": query.text,
            "total": page.total,
            "facets": {
                "type": {singular[t]: n for t, n in page.facets.types.items()},
                "genre": dict(page.facets.genres),
                "decade": dict(page.facets.decades),
            },
            "results": [_hit_json(hit, singular[hit.data_type]) for hit in page.hits],
            "pagination": {"limit": query.limit, "offset": query.offset, "has_more": page.has_more},
        }


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _has_word_prefixes(name: str, words: list[str]) -> bool:
    name_words = query_words(name)
    return all(any(candidate.startswith(word) for candidate in name_words) for word in words)


def _hit_json(hit: SearchHit, type_name: str) -> Json:
    metadata: Json = {}
    if hit.year is not None:
        metadata["year"] = hit.year
    if hit.genres is not None:
        metadata["genres"] = list(hit.genres)
    return {
        "type": type_name,
        "id": hit.data_id,
        "name": hit.name,
        "highlight": safe_highlight(hit.highlight),
        "relevance": round(hit.relevance, 4),
        "metadata": metadata,
    }


def _node_json(details: NodeDetails, node_type: NodeType) -> Json:
    match details:
        case ArtistDetails():
            return {
                "id": details.id,
                "name": details.name,
                "type": "artist",
                "genres": list(details.genres),
                "styles": list(details.styles),
                "release_count": details.release_count,
                "groups": list(details.groups),
            }
        case ReleaseDetails():
            return {
                "id": details.id,
                "name": details.name,
                "type": "release",
                "year": details.year,
                "artists": list(details.artists),
                "labels": list(details.labels),
                "genres": list(details.genres),
                "styles": list(details.styles),
            }
        case LabelDetails():
            return {
                "id": details.id,
                "name": details.name,
                "type": "label",
                "release_count": details.release_count,
            }
        case TagDetails():
            return {
                "id": details.id,
                "name": details.name,
                "type": node_type.value,
                "artist_count": details.artist_count,
            }
