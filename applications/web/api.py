"""The read API's routes (SPEC-api §4, §10, §11): each parses its query string, calls one use case.

Handlers hold no rule: validation bounds live in `schemas`, behaviour in `domain.exploring`. The
handler docstrings are the operations' OpenAPI text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from quart import Blueprint, current_app
from quart_rate_limiter import rate_limit
from quart_schema import document_response, tag, validate_querystring, validate_response

from applications.web import schemas
from domain.exploring import Exploring

api = Blueprint("api", __name__, url_prefix="/api")

MINUTE = timedelta(minutes=1)
Json = dict[str, Any]
F = TypeVar("F", bound=Callable[..., Any])


def exploring() -> Exploring:
    return cast(Exploring, current_app.extensions["exploring"])


def errors(*codes: int) -> Callable[[F], F]:
    """Document the `{"error": ...}` answers a route can give, besides 503 which any route can."""

    def decorate(handler: F) -> F:
        for code in (*codes, 503):
            handler = document_response(schemas.Error, code)(handler)
        return handler

    return decorate


@api.get("/autocomplete")
@tag(["explore"])
@rate_limit(30, MINUTE)
@validate_querystring(schemas.AutocompleteQuery)
@validate_response(schemas.AutocompleteResponse)
@errors(400, 422, 429)
async def autocomplete(query_args: schemas.AutocompleteQuery) -> Json:
    """Names that start with the typed words.

    Artists and labels come from the name index, genres and styles from the graph; every typed word
    (at least 3 characters in all) must start a word of the name. Shortest names first.
    """
    return await exploring().autocomplete(query_args.q, query_args.type, query_args.limit)


@api.get("/explore")
@tag(["explore"])
@validate_querystring(schemas.ExploreQuery)
@validate_response(schemas.ExploreResponse)
@errors(404, 422)
async def explore(query_args: schemas.ExploreQuery) -> Json:
    """An entity found by its exact name, with the category nodes around it and their sizes."""
    return await exploring().explore(query_args.name, query_args.type)


@api.get("/expand")
@tag(["explore"])
@validate_querystring(schemas.ExpandQuery)
@validate_response(schemas.ExpandResponse)
@errors(400, 422)
async def expand(query_args: schemas.ExpandQuery) -> Json:
    """One page of a category's children. `node_id` is the centre's name.

    Releases come newest first (no year last), aliases by id, the rest by how many of the centre's
    releases tie them to it. `before_year` keeps only releases from year 1 up to that year.
    """
    q = query_args
    return await exploring().expand(q.node_id, q.type, q.category, q.limit, q.offset, q.before_year)


@api.get("/node/<node_id>")
@tag(["explore"])
@validate_querystring(schemas.NodeQuery)
@validate_response(schemas.NodeResponse)
@errors(400, 404, 422)
async def node(node_id: str, query_args: schemas.NodeQuery) -> Json:
    """What the graph holds about one artist, release, label (by id), genre or style (by name)."""
    return await exploring().node(node_id, query_args.type)


@api.get("/trends")
@tag(["explore"])
@validate_querystring(schemas.TrendsQuery)
@validate_response(schemas.TrendsResponse)
@errors(404, 422)
async def trends(query_args: schemas.TrendsQuery) -> Json:
    """Releases per year of an artist, label, genre or style, oldest year first."""
    return await exploring().trends(query_args.name, query_args.type)


@api.get("/path")
@tag(["explore"])
@validate_querystring(schemas.PathQuery)
@validate_response(schemas.PathResponse)
@errors(404, 422, 504)
async def path(query_args: schemas.PathQuery) -> Json:
    """A shortest path between two entities over credits, labels, genres, aliases, memberships and masters.

    Edges are followed in either direction, at most `max_depth` of them. `found` is false when no
    path is that short.
    """
    q = query_args
    return await exploring().path(q.from_name, q.from_type, q.to_name, q.to_type, q.max_depth)


@api.get("/graph/stats")
@tag(["explore"])
@validate_response(schemas.GraphStatsResponse)
@errors()
async def graph_stats() -> Json:
    """How many artists, labels, releases, masters, genres and styles the graph holds."""
    return await exploring().graph_stats()


@api.get("/explore/year-range")
@tag(["explore"])
@validate_response(schemas.YearRangeResponse)
@errors()
async def year_range() -> Json:
    """The first and last release year, within 1900..2030, for the year scrubber."""
    return await exploring().year_range()


@api.get("/explore/genre-emergence")
@tag(["explore"])
@validate_querystring(schemas.EmergenceQuery)
@validate_response(schemas.EmergenceResponse)
@errors(422)
async def genre_emergence(query_args: schemas.EmergenceQuery) -> Json:
    """Genres and styles that had appeared on a release by `before_year`, earliest first."""
    return await exploring().genre_emergence(query_args.before_year)


@api.get("/genre-tree")
@tag(["explore"])
@rate_limit(30, MINUTE)
@validate_response(schemas.GenreTreeResponse)
@errors(429, 504)
async def genre_tree() -> Json:
    """Every genre with its release count and the styles tagged on its releases."""
    return await exploring().genre_tree()


@api.get("/collaborators/<artist_id>")
@tag(["network"])
@rate_limit(30, MINUTE)
@validate_querystring(schemas.CollaboratorsQuery)
@validate_response(schemas.CollaboratorsResponse)
@errors(404, 422, 429, 504)
async def collaborators(artist_id: str, query_args: schemas.CollaboratorsQuery) -> Json:
    """Artists credited on the same releases, with the years they worked together."""
    return await exploring().collaborators(artist_id, query_args.limit)


@api.get("/network/artist/<artist_id>/collaborators")
@tag(["network"])
@rate_limit(30, MINUTE)
@validate_querystring(schemas.NetworkQuery)
@validate_response(schemas.NetworkResponse)
@errors(404, 422, 429, 504)
async def network_collaborators(artist_id: str, query_args: schemas.NetworkQuery) -> Json:
    """Collaborators one hop away and, with depth 2 or more, their collaborators too."""
    return await exploring().network_collaborators(artist_id, query_args.depth, query_args.limit)


@api.get("/network/artist/<artist_id>/centrality")
@tag(["network"])
@rate_limit(30, MINUTE)
@validate_response(schemas.CentralityResponse)
@errors(404, 429, 504)
async def centrality(artist_id: str) -> Json:
    """How connected an artist is: degree, collaborators, shared releases, groups and aliases."""
    return await exploring().centrality(artist_id)


@api.get("/network/cluster/<artist_id>")
@tag(["network"])
@rate_limit(30, MINUTE)
@validate_querystring(schemas.ClusterQuery)
@validate_response(schemas.ClusterResponse)
@errors(404, 422, 429, 504)
async def cluster(artist_id: str, query_args: schemas.ClusterQuery) -> Json:
    """An artist's direct collaborators grouped by the genre most of their releases carry."""
    return await exploring().cluster(artist_id, query_args.limit)


@api.get("/artist/<int:artist_id>/musicbrainz")
@tag(["musicbrainz"])
@rate_limit(30, MINUTE)
@validate_response(schemas.MusicBrainzArtistResponse)
@errors(404, 429)
async def artist_musicbrainz(artist_id: int) -> Json:
    """What MusicBrainz says about a Discogs artist: type, gender, dates, areas, disambiguation."""
    return await exploring().artist_musicbrainz(artist_id)


@api.get("/artist/<int:artist_id>/relationships")
@tag(["musicbrainz"])
@rate_limit(30, MINUTE)
@validate_response(schemas.RelationshipsResponse)
@errors(404, 429)
async def artist_relationships(artist_id: int) -> Json:
    """The artist's MusicBrainz relationships to other Discogs artists, both directions."""
    return await exploring().artist_relationships(artist_id)


@api.get("/artist/<int:artist_id>/external-links")
@tag(["musicbrainz"])
@rate_limit(30, MINUTE)
@validate_response(schemas.ExternalLinksResponse)
@errors(404, 429)
async def artist_external_links(artist_id: int) -> Json:
    """Pages about the artist elsewhere (Wikipedia, Wikidata, AllMusic, ...), by service."""
    return await exploring().artist_external_links(artist_id)


@api.get("/enrichment/status")
@tag(["musicbrainz"])
@rate_limit(10, MINUTE)
@validate_response(schemas.EnrichmentStatusResponse)
@errors(429)
async def enrichment_status() -> Json:
    """How much of the catalogue MusicBrainz reached: rows, matches to Discogs, enriched graph nodes."""
    return await exploring().enrichment_status()


@api.get("/search")
@tag(["search"])
@rate_limit(30, MINUTE)
@validate_querystring(schemas.SearchRequest)
@validate_response(schemas.SearchResponse)
@errors(400, 422, 429)
async def search(query_args: schemas.SearchRequest) -> Json:
    """Full-text search over artist and label names and master and release titles.

    Words are matched as plain words (no query syntax). Year bounds keep entities without a year;
    the genre filter keeps entities without genres. Facets ignore the year and genre filters.
    """
    q = query_args
    return await exploring().search(q.q, q.types, q.genres, q.year_min, q.year_max, q.limit, q.offset)
