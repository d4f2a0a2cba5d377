"""The graph's read side as the domain sees it: what each exploration question asks and answers.

Both graph stores (Neo4j, LadybugDB) answer these questions with one query per port method; the
types here are what they return, store-independent, so that one contract suite compares them and the
web app turns them into the JSON of SPEC-api §4 and §10 without knowing which store answered.
Every list a store returns is already in the contract's order and within its limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, NamedTuple, TypeVar

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
    release_count descending, then id. Ids are decimal text and sort as numbers (`id_order`);
    genres and styles, whose id is their name, sort by name. A node without a name or title (a stub
    nobody credited by name) is listed with an empty name.
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


# --- what both graph stores share when they read -------------------------------------------------


class GraphQueryFailed(Exception):
    """The graph store could not answer: it refused the query, or the query ran past its time limit
    (`timed_out`, which the API answers with 504). Unreachable stores raise GraphStoreUnavailable."""

    def __init__(self, store: str, address: str, reason: str, timed_out: bool = False) -> None:
        self.store = store
        self.address = address
        self.reason = reason
        self.timed_out = timed_out
        super().__init__(f"{store} at {address}: {reason}")


@dataclass(frozen=True, slots=True)
class ReleaseLink:
    """How a centre meets its releases: its node label, its key property and the Release edge to it."""

    label: str
    key: str
    edge: str


RELEASE_LINKS: Mapping[EntityType, ReleaseLink] = {
    EntityType.ARTIST: ReleaseLink("Artist", "id", "BY"),
    EntityType.GENRE: ReleaseLink("Genre", "name", "IS"),
    EntityType.LABEL: ReleaseLink("Label", "id", "ON"),
    EntityType.STYLE: ReleaseLink("Style", "name", "IS"),
}

LISTED_TYPES: Mapping[Category, EntityType] = {
    Category.ARTISTS: EntityType.ARTIST,
    Category.LABELS: EntityType.LABEL,
    Category.GENRES: EntityType.GENRE,
    Category.STYLES: EntityType.STYLE,
}
"""What a counted category lists: the nodes the centre's releases point at (releases and aliases aside)."""

PRECOMPUTED_COUNTS: Mapping[EntityType, Mapping[Category, str]] = {
    EntityType.GENRE: {
        Category.RELEASES: "release_count",
        Category.ARTISTS: "artist_count",
        Category.LABELS: "label_count",
        Category.STYLES: "style_count",
    },
    EntityType.STYLE: {
        Category.RELEASES: "release_count",
        Category.ARTISTS: "artist_count",
        Category.LABELS: "label_count",
        Category.GENRES: "genre_count",
    },
    EntityType.LABEL: {
        Category.RELEASES: "release_count",
        Category.ARTISTS: "artist_count",
        Category.GENRES: "genre_count",
    },
}
"""The aggregate properties (SPEC-graph §4) explore reads instead of counting: a genre's releases are
a fifth of the graph. One not computed yet (None) is counted live; artists are always counted live."""


def id_order(key: str) -> tuple[int, str]:
    """Numeric order of decimal ids kept as text: shorter first, then by text (`size(id), id` in Cypher)."""
    return len(key), key


class ArtistCount(NamedTuple):
    """An artist reached from another, and how many releases (or middle artists) lead to it."""

    artist_id: str
    artist_name: str | None
    shared: int


class YearShare(NamedTuple):
    """How many releases with this year two artists share."""

    artist_id: str
    artist_name: str | None
    year: int
    releases: int


def strongest(reached: Iterable[ArtistCount], limit: int) -> tuple[ArtistCount, ...]:
    """The `limit` artists with the highest count, then by id."""
    return tuple(sorted(reached, key=lambda artist: (-artist.shared, id_order(artist.artist_id)))[:limit])


def collaborators_page(shares: Iterable[YearShare], limit: int) -> Page[Collaborator]:
    """Fold per-year shares into collaborators: most shared releases first, then id."""
    years: dict[str, dict[int, int]] = {}
    names: dict[str, str] = {}
    for share in shares:
        years.setdefault(share.artist_id, {})[share.year] = share.releases
        names[share.artist_id] = share.artist_name or ""
    collaborators = [
        Collaborator(
            artist_id,
            names[artist_id],
            sum(counts.values()),
            min(counts),
            max(counts),
            tuple(YearCount(year, counts[year]) for year in sorted(counts)),
        )
        for artist_id, counts in years.items()
    ]
    collaborators.sort(key=lambda c: (-c.release_count, id_order(c.artist_id)))
    return Page(tuple(collaborators[:limit]), len(collaborators))


def network_page(
    artist_id: str, one_hop: Iterable[ArtistCount], two_hops: Iterable[ArtistCount], limit: int
) -> Page[NetworkMember]:
    """SPEC-api §10: direct collaborators (count = shared releases), then those only reached through
    them (count = distinct middle artists); by distance, count descending, then id."""
    members = {
        a.artist_id: NetworkMember(a.artist_id, a.artist_name or "", 1, a.shared)
        for a in one_hop
        if a.artist_id != artist_id
    }
    for reached in two_hops:
        if reached.artist_id != artist_id and reached.artist_id not in members:
            members[reached.artist_id] = NetworkMember(
                reached.artist_id, reached.artist_name or "", 2, reached.shared
            )
    ordered = sorted(
        members.values(), key=lambda m: (m.distance, -m.collaboration_count, id_order(m.artist_id))
    )
    return Page(tuple(ordered[:limit]), len(ordered))


def primary_genre(genre_counts: Iterable[tuple[str, int]]) -> str | None:
    """The genre most releases carry, the first by name on a tie; None without any."""
    ranked = sorted(genre_counts, key=lambda pair: (-pair[1], pair[0]))
    return ranked[0][0] if ranked else None


def genre_branches(
    genres: Iterable[tuple[str, int]], co_tags: Iterable[tuple[str, str, int]]
) -> tuple[GenreBranch, ...]:
    """Genres (name, release count) with their co-tagged styles (genre, style, releases with both),
    most releases first, then name, at both levels."""
    styles: dict[str, list[TagCount]] = {}
    for genre, style, count in co_tags:
        styles.setdefault(genre, []).append(TagCount(style, count))
    branches = [
        GenreBranch(
            name, count, tuple(sorted(styles.get(name, ()), key=lambda t: (-t.release_count, t.name)))
        )
        for name, count in genres
    ]
    return tuple(sorted(branches, key=lambda branch: (-branch.release_count, branch.name)))
