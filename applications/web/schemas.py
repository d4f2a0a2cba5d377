"""The request and response shapes of the read API, as typed classes quart-schema turns into OpenAPI.

Query strings are validated against these models before a handler runs (422 with the field and the
reason otherwise); responses are checked against theirs, so the published schema is what is served.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.explore import YEAR_CEILING, YEAR_FLOOR
from domain.exploring import MAX_TEXT_LENGTH

EntityTypeName = Literal["artist", "genre", "label", "style"]
NodeTypeName = Literal["artist", "release", "label", "genre", "style"]
CategoryName = Literal["releases", "artists", "labels", "genres", "styles", "aliases"]

MAX_OFFSET = 1_000_000
"""Deepest page offset accepted; past it a request is refused rather than scanning that far."""

NAME_PATTERN = r"\S"
"""A name holds at least one character that is not white space (JSON Schema patterns are unanchored)."""
QUERY_PATTERN = r"\S[\s\S]+\S"
"""A query holds at least 3 characters once trimmed."""

Text = Field(min_length=1, max_length=MAX_TEXT_LENGTH, pattern=NAME_PATTERN)


class Query(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Error(BaseModel):
    """What went wrong. 400: the request asks for something the contract does not allow; 404: the named
    entity does not exist; 422: a parameter is missing, malformed or out of bounds; 429: too many
    requests from this client (see Retry-After); 503: a store is unavailable; 504: the traversal took
    longer than its budget."""

    error: str


# -- requests ------------------------------------------------------------------------------------


class AutocompleteQuery(Query):
    q: str = Field(
        min_length=3, max_length=MAX_TEXT_LENGTH, pattern=QUERY_PATTERN, description="At least 3 characters."
    )
    type: EntityTypeName = "artist"
    limit: int = Field(10, ge=1, le=50)


class ExploreQuery(Query):
    name: str = Text
    type: EntityTypeName = "artist"


class ExpandQuery(Query):
    node_id: str = Field(
        min_length=1,
        max_length=MAX_TEXT_LENGTH,
        pattern=NAME_PATTERN,
        description="The name of the centre node.",
    )
    type: EntityTypeName = "artist"
    category: CategoryName
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    before_year: int | None = Field(None, ge=YEAR_FLOOR, le=YEAR_CEILING)


class NodeQuery(Query):
    type: NodeTypeName = "artist"


class TrendsQuery(Query):
    name: str = Text
    type: EntityTypeName = "artist"


class PathQuery(Query):
    from_name: str = Text
    from_type: EntityTypeName = "artist"
    to_name: str = Text
    to_type: EntityTypeName = "artist"
    max_depth: int = Field(6, ge=1, le=10)


class EmergenceQuery(Query):
    before_year: int = Field(ge=YEAR_FLOOR, le=YEAR_CEILING)


class CollaboratorsQuery(Query):
    limit: int = Field(20, ge=1, le=100)


class NetworkQuery(Query):
    depth: int = Field(2, ge=1, le=3)
    limit: int = Field(50, ge=1, le=200)


class ClusterQuery(Query):
    limit: int = Field(50, ge=1, le=200)


class SearchRequest(Query):
    q: str = Field(
        min_length=3, max_length=MAX_TEXT_LENGTH, pattern=QUERY_PATTERN, description="At least 3 characters."
    )
    types: str | None = Field(
        None, max_length=200, description="Comma-separated: artist,label,master,release."
    )
    genres: str | None = Field(None, max_length=2_000, description="Comma-separated genre names.")
    year_min: int | None = Field(None, ge=1000, le=9999)
    year_max: int | None = Field(None, ge=1000, le=9999)
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


# -- responses -----------------------------------------------------------------------------------


class NameMatch(BaseModel):
    id: str
    name: str
    score: float


class AutocompleteResponse(BaseModel):
    results: list[NameMatch]


class EntityRef(BaseModel):
    id: str
    name: str
    type: str


class CategoryNode(BaseModel):
    id: str
    name: str
    category: CategoryName
    count: int


class ExploreResponse(BaseModel):
    center: EntityRef
    categories: list[CategoryNode]


class Child(BaseModel):
    id: str
    name: str
    type: str
    year: int | None = Field(None, description="Releases only.")
    release_count: int | None = Field(None, description="Artists, labels, genres and styles only.")


class ExpandResponse(BaseModel):
    children: list[Child]
    total: int
    offset: int
    limit: int
    has_more: bool


class NodeResponse(BaseModel):
    """An artist, release, label, genre or style; which fields are present depends on the type."""

    id: str
    name: str
    type: NodeTypeName
    genres: list[str] | None = None
    styles: list[str] | None = None
    release_count: int | None = None
    groups: list[str] | None = None
    year: int | None = None
    artists: list[str] | None = None
    labels: list[str] | None = None
    artist_count: int | None = None


class YearCount(BaseModel):
    year: int
    count: int


class TrendsResponse(BaseModel):
    name: str
    type: EntityTypeName
    data: list[YearCount]


class PathStep(BaseModel):
    id: str
    name: str
    type: str
    rel: str | None


class PathResponse(BaseModel):
    found: bool
    length: int | None
    path: list[PathStep]


class GraphCounts(BaseModel):
    artists: int
    labels: int
    releases: int
    masters: int
    genres: int
    styles: int


class GraphStatsResponse(BaseModel):
    total_entities: int
    counts: GraphCounts


class YearRangeResponse(BaseModel):
    min_year: int | None
    max_year: int | None


class FirstYear(BaseModel):
    name: str
    first_year: int


class EmergenceResponse(BaseModel):
    genres: list[FirstYear]
    styles: list[FirstYear]


class StyleCount(BaseModel):
    name: str
    release_count: int


class GenreBranch(BaseModel):
    name: str
    release_count: int
    styles: list[StyleCount]


class GenreTreeResponse(BaseModel):
    genres: list[GenreBranch]


class Collaborator(BaseModel):
    artist_id: str
    artist_name: str
    release_count: int
    first_year: int
    last_year: int
    yearly_counts: list[YearCount]


class CollaboratorsResponse(BaseModel):
    artist_id: str
    artist_name: str
    collaborators: list[Collaborator]
    total: int


class NetworkMember(BaseModel):
    artist_id: str
    artist_name: str
    distance: int
    collaboration_count: int


class NetworkResponse(BaseModel):
    artist_id: str
    artist_name: str
    depth: int
    collaborators: list[NetworkMember]
    total: int


class CentralityFigures(BaseModel):
    degree: int
    collaborator_count: int
    collaboration_releases: int
    group_count: int
    alias_count: int


class CentralityResponse(BaseModel):
    artist_id: str
    artist_name: str
    centrality: CentralityFigures


class ClusterMember(BaseModel):
    artist_id: str
    artist_name: str
    shared_releases: int


class Cluster(BaseModel):
    cluster_label: str
    members: list[ClusterMember]
    size: int


class ClusterResponse(BaseModel):
    artist_id: str
    artist_name: str
    clusters: list[Cluster]
    total_clusters: int
    total_members: int


class SearchFacets(BaseModel):
    type: dict[str, int]
    genre: dict[str, int]
    decade: dict[str, int]


class SearchMetadata(BaseModel):
    year: int | None = None
    genres: list[str] | None = None


class SearchResult(BaseModel):
    type: Literal["artist", "label", "master", "release"]
    id: str
    name: str
    highlight: str = Field(description="The name as HTML with the matched words in <b>; the rest is escaped.")
    relevance: float
    metadata: SearchMetadata


class Pagination(BaseModel):
    limit: int
    offset: int
    has_more: bool


class SearchResponse(BaseModel):
    query: str
    total: int
    facets: SearchFacets
    results: list[SearchResult]
    pagination: Pagination


class HealthResponse(BaseModel):
    status: Literal["healthy", "starting"]
    service: str
    timestamp: str


class MusicBrainzArtistResponse(BaseModel):
    discogs_id: int
    mbid: str
    type: str | None
    gender: str | None
    begin_date: str | None
    end_date: str | None
    area: str | None
    begin_area: str | None
    disambiguation: str | None


class Relationship(BaseModel):
    type: str
    target_id: str
    target_name: str | None
    direction: Literal["outgoing", "incoming"]
    begin_date: str | None
    end_date: str | None
    attributes: list[str]


class RelationshipsResponse(BaseModel):
    discogs_id: int
    relationships: list[Relationship]


class ExternalLink(BaseModel):
    service: str
    url: str


class ExternalLinksResponse(BaseModel):
    discogs_id: int
    links: list[ExternalLink]


class EntityEnrichment(BaseModel):
    total_mb: int
    matched_to_discogs: int
    enriched_in_neo4j: int


class RelationshipEnrichment(BaseModel):
    total_in_mb: int
    created_in_neo4j: int


class MusicBrainzStatus(BaseModel):
    artists: EntityEnrichment
    labels: EntityEnrichment
    releases: EntityEnrichment
    relationships: RelationshipEnrichment


class EnrichmentStatusResponse(BaseModel):
    musicbrainz: MusicBrainzStatus
