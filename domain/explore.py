"""The graph's read side as the domain sees it: what each exploration question asks and answers.

Both graph stores (Neo4j, LadybugDB) answer these questions with one query per port method; the
types here are what they return, store-independent, so that one contract suite compares them and the
web app turns them into the JSON of SPEC-api §4 and §10 without knowing which store answered.
Every list a store returns is already in the contract's order and within its limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

Item = TypeVar("Item")


class EntityType(StrEnum):
    """What explore, trends and path start from (SPEC-api §4): artists and labels by exact name,
    genres and styles by name (their id is their name)."""

    ARTIST = "artist"
    GENRE = "genre"
    LABEL = "label"
    STYLE = "style"


class NodeType(StrEnum):
    """What /api/node can describe."""

    ARTIST = "artist"
    RELEASE = "release"
    LABEL = "label"
    GENRE = "genre"
    STYLE = "style"


class Category(StrEnum):
    """The category nodes around an explored centre, and what `expand` lists for each."""

    RELEASES = "releases"
    ARTISTS = "artists"
    LABELS = "labels"
    GENRES = "genres"
    STYLES = "styles"
    ALIASES = "aliases"


CATEGORIES: dict[EntityType, tuple[Category, ...]] = {
    EntityType.ARTIST: (Category.RELEASES, Category.LABELS, Category.ALIASES),
    EntityType.GENRE: (Category.RELEASES, Category.ARTISTS, Category.LABELS, Category.STYLES),
    EntityType.LABEL: (Category.RELEASES, Category.ARTISTS, Category.GENRES),
    EntityType.STYLE: (Category.RELEASES, Category.ARTISTS, Category.LABELS, Category.GENRES),
}
"""Which categories each centre type shows, in display order (SPEC-api §4 /api/explore)."""

CATEGORY_TITLES: dict[Category, str] = {
    Category.RELEASES: "Releases",
    Category.ARTISTS: "Artists",
    Category.LABELS: "Labels",
    Category.GENRES: "Genres",
    Category.STYLES: "Styles",
    Category.ALIASES: "Aliases & Members",
}

PATH_RELATIONSHIPS: tuple[str, ...] = ("BY", "ON", "IS", "ALIAS_OF", "MEMBER_OF", "DERIVED_FROM")
"""The relationship types a shortest path may follow, in either direction (SPEC-api §4 /api/path)."""

YEAR_FLOOR = 1900
YEAR_CEILING = 2030
"""Bounds of the year scrubber: before_year and year-range answers are clamped to them."""


@dataclass(frozen=True, slots=True)
class EntityRef:
    """One node as explore and path name it: its id (the name for genres and styles), name and type."""

    id: str
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class CategoryCount:
    """One category node around a centre: how many children `expand` would list in total."""

    category: Category
    count: int


@dataclass(frozen=True, slots=True)
class Exploration:
    """A centre node and its categories, in CATEGORIES order."""

    center: EntityRef
    categories: tuple[CategoryCount, ...]


@dataclass(frozen=True, slots=True)
class Child:
    """One node listed by expand: a release (with its year), an alias or member (neither count nor
    year), or an artist, label, genre or style with how many releases tie it to the centre."""

    id: str
    name: str
    type: str
    year: int | None = None
    release_count: int | None = None


@dataclass(frozen=True, slots=True)
class ExpandPage:
    """One page of a category's children and how many there are in all.

    Orders: releases by year descending (no year last), then id; aliases by id; all others by
    release_count descending, then id.
    """

    children: tuple[Child, ...]
    total: int


@dataclass(frozen=True, slots=True)
class ArtistDetails:
    id: str
    name: str
    genres: tuple[str, ...]
    styles: tuple[str, ...]
    release_count: int
    groups: tuple[str, ...]
    """Names of the groups the artist is a MEMBER_OF."""


@dataclass(frozen=True, slots=True)
class ReleaseDetails:
    id: str
    name: str
    year: int | None
    artists: tuple[str, ...]
    labels: tuple[str, ...]
    genres: tuple[str, ...]
    styles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LabelDetails:
    id: str
    name: str
    release_count: int


@dataclass(frozen=True, slots=True)
class TagDetails:
    """A genre or a style: its name is its id."""

    id: str
    name: str
    artist_count: int


NodeDetails = ArtistDetails | ReleaseDetails | LabelDetails | TagDetails


@dataclass(frozen=True, slots=True)
class YearCount:
    year: int
    count: int


@dataclass(frozen=True, slots=True)
class PathStep:
    """One node of a path; `rel` is the type of the edge that led to it (None for the first)."""

    id: str
    name: str
    type: str
    rel: str | None


@dataclass(frozen=True, slots=True)
class FirstYear:
    """When a genre or style first appears on a release."""

    name: str
    first_year: int


@dataclass(frozen=True, slots=True)
class GenreEmergence:
    genres: tuple[FirstYear, ...]
    styles: tuple[FirstYear, ...]


@dataclass(frozen=True, slots=True)
class Collaborator:
    """An artist credited (BY) on the same releases as another, with the years they share (year > 0)."""

    artist_id: str
    artist_name: str
    release_count: int
    first_year: int
    last_year: int
    yearly_counts: tuple[YearCount, ...]


@dataclass(frozen=True, slots=True)
class TagCount:
    name: str
    release_count: int


@dataclass(frozen=True, slots=True)
class GenreBranch:
    """A genre with the styles tagged on its releases (co-occurrence), most frequent first."""

    name: str
    release_count: int
    styles: tuple[TagCount, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class NetworkMember:
    """An artist reached from another through shared releases: one hop or two (SPEC-api §10)."""

    artist_id: str
    artist_name: str
    distance: int
    collaboration_count: int


@dataclass(frozen=True, slots=True)
class Centrality:
    degree: int
    collaborator_count: int
    collaboration_releases: int
    group_count: int
    alias_count: int


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A direct collaborator with the genre most of its releases carry (None when it has none)."""

    artist_id: str
    artist_name: str
    shared_releases: int
    primary_genre: str | None


@dataclass(frozen=True, slots=True)
class GraphCounts:
    artists: int
    labels: int
    releases: int
    masters: int
    genres: int
    styles: int

    @property
    def total(self) -> int:
        return self.artists + self.labels + self.releases + self.masters + self.genres + self.styles


@dataclass(frozen=True, slots=True)
class Page(Generic[Item]):
    """Items within a limit, and how many there are in all."""

    items: tuple[Item, ...]
    total: int


@dataclass(frozen=True, slots=True)
class Cluster:
    """Collaborators grouped by their primary genre ("Unknown" when they have none)."""

    label: str
    members: tuple[Neighbour, ...]


UNKNOWN_CLUSTER = "Unknown"


def clusters_of(neighbours: tuple[Neighbour, ...]) -> tuple[Cluster, ...]:
    """Group neighbours by primary genre: biggest cluster first, ties by label; members keep order."""
    groups: dict[str, list[Neighbour]] = {}
    for neighbour in neighbours:
        groups.setdefault(neighbour.primary_genre or UNKNOWN_CLUSTER, []).append(neighbour)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return tuple(Cluster(label, tuple(members)) for label, members in ordered)
