"""Ports: what the domain needs from the outside world, as typing.Protocol.

Each port is named for what the domain asks of it, not for the tool behind it; every
port has one contract suite in tests/contract/ that all of its adapters pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from domain.explore import (
    Category,
    Centrality,
    Collaborator,
    EntityRef,
    EntityType,
    ExpandPage,
    Exploration,
    GenreBranch,
    GenreEmergence,
    GraphCounts,
    Neighbour,
    NetworkMember,
    NodeDetails,
    NodeType,
    Page,
    PathStep,
    YearCount,
)
from domain.graph_model import Edge
from domain.graph_writes import GraphWriteOutcome
from domain.messages import DeadLetter, HashedRecord, Message, Subscription, SubscriptionStats, Topic
from domain.musicbrainz_model import (
    ArtistRelationship,
    EnrichmentCounts,
    EnrichmentOutcome,
    ExternalLink,
    MusicBrainzArtist,
    MusicBrainzCounts,
    MusicBrainzUpsertOutcome,
    StoredRelationship,
)
from domain.records import FROM_START, MalformedRecord, Record, ResumePoint
from domain.schema import SchemaReport, StoreSchema
from domain.tables import NameMatch, PurgeDecision, SearchPage, SearchQuery, UpsertOutcome


class GraphQueries(Protocol):
    """The questions the explorer and the API ask the graph (SPEC-api §4, §10), one query each.

    Names are matched exactly; an unknown centre gives None (or an empty answer where noted), and so
    does any text: names and ids are only ever query parameters. Results come in the contract's
    order, within the limit asked; `domain.explore` says which. "Then id" is numeric order of the
    decimal ids (`domain.explore.id_order`). A node without a name shows an empty one. Arguments
    outside the contract (a category the centre type does not show, a negative limit or offset, a
    depth below 1, a type that is not a genre or style for `tag_names`) raise ValueError. A store
    that cannot be reached raises GraphStoreUnavailable; a query it refuses or that runs past the
    store's time limit raises domain.explore.GraphQueryFailed (`timed_out` set for the latter).
    """

    async def find_entity(self, entity_type: EntityType, name: str) -> EntityRef | None:
        """The artist or label with exactly this name (the lowest id, numerically, when several share
        it), or the genre or style (its id is its name)."""
        ...

    async def explore(self, entity_type: EntityType, name: str) -> Exploration | None:
        """The centre and the count of each of its categories (CATEGORIES order).

        Each count is the `total` that `expand` gives without `before_year`. Genres, styles and labels
        read the aggregates of `compute_aggregates` (PRECOMPUTED_COUNTS), counting live only those not
        computed yet; artists are counted live. Aliases are the distinct artists joined to the artist by
        ALIAS_OF or MEMBER_OF in either direction (aliases, members and groups), the artist itself not
        among them.
        """
        ...

    async def expand(
        self,
        entity_type: EntityType,
        name: str,
        category: Category,
        limit: int,
        offset: int,
        before_year: int | None,
    ) -> ExpandPage:
        """One page of the centre's children in a category; empty for an unknown centre.

        `before_year` keeps only releases with 0 < year <= before_year, for every category but aliases
        (children of the other categories are then counted over those releases only). A child's
        `release_count` is how many of the centre's releases link it.
        """
        ...

    async def node_details(self, node_type: NodeType, node_id: str) -> NodeDetails | None:
        """What /api/node shows about one node, or None. Names come sorted: an artist's genres and
        styles are those of its releases, its groups the names of the artists it is a MEMBER_OF; a
        label's release count and a genre's or style's artist count are the aggregates (live before
        they are computed)."""
        ...

    async def trends(self, entity_type: EntityType, name: str) -> tuple[YearCount, ...]:
        """Releases of the entity per year (year > 0), oldest first; empty for an unknown entity."""
        ...

    async def shortest_path(
        self, start: EntityRef, end: EntityRef, max_depth: int
    ) -> tuple[PathStep, ...] | None:
        """A shortest undirected path over PATH_RELATIONSHIPS of at most `max_depth` edges, or None.

        Any one of several shortest paths. The first step has `rel` None. From a node to itself the
        path is that node alone (length 0), or None when the node does not exist.
        """
        ...

    async def graph_counts(self) -> GraphCounts:
        """How many artists, labels, releases, masters, genres and styles the graph holds."""
        ...

    async def year_range(self) -> tuple[int, int] | None:
        """The smallest and largest Release.year above 0, or None when no release has a year."""
        ...

    async def genre_emergence(self, before_year: int) -> GenreEmergence:
        """Genres and styles with a precomputed first_year <= `before_year`, by first_year, then name
        (none before `compute_aggregates` ran)."""
        ...

    async def tag_names(self, entity_type: EntityType) -> tuple[str, ...]:
        """Every genre (or style) name, sorted; the sets are small (hundreds)."""
        ...

    async def artist_name(self, artist_id: str) -> str | None:
        """The name of the artist with this id (None when absent or a nameless stub)."""
        ...

    async def collaborators(self, artist_id: str, limit: int) -> Page[Collaborator]:
        """Artists BY the same releases (with year > 0), most shared releases first, then id; `total`
        counts all of them. Empty for an unknown artist."""
        ...

    async def genre_tree(self) -> tuple[GenreBranch, ...]:
        """Every genre with its release count and its co-tagged styles, most releases first, then name.

        A style's count is how many releases carry both (co-occurrence, not PART_OF); the genre's is
        its aggregate, counted live before `compute_aggregates` ran. Reads every IS edge of the graph.
        """
        ...

    async def collaboration_network(self, artist_id: str, depth: int, limit: int) -> Page[NetworkMember]:
        """Collaborators at one hop and, when depth >= 2, at two hops (SPEC-api §10); distance, then count
        descending, then id. One hop counts shared releases, two hops the distinct direct collaborators
        that lead there; depth 3 answers as 2. `total` counts all of them."""
        ...

    async def centrality(self, artist_id: str) -> Centrality | None:
        """Degree, collaborator and membership counts of an artist (no graph algorithm library).

        Degree counts every relationship of the node once, of any type and direction (a self-alias
        once); collaboration_releases are its releases with another artist; group_count and
        alias_count its outgoing MEMBER_OF and ALIAS_OF.
        """
        ...

    async def neighbours(self, artist_id: str, limit: int) -> tuple[Neighbour, ...]:
        """Direct collaborators with their primary genre, most shared releases first, then id.

        The primary genre is the one most of the collaborator's own releases carry, the first by name
        on a tie.
        """
        ...


class GraphStore(GraphQueries, Protocol):
    """The knowledge graph (Neo4j on the servers, LadybugDB embedded)."""

    @property
    def address(self) -> str:
        """Where the store lives, for messages a person reads (bolt URI or directory)."""
        ...

    async def ensure_schema(self) -> SchemaReport:
        """Create the keys, indexes and tables that are missing; touch nothing that exists."""
        ...

    async def describe_schema(self) -> StoreSchema:
        """What the store holds now, in the store-independent terms of domain.schema."""
        ...

    async def write_batch(self, data_type: str, records: Sequence[Mapping[str, Any]]) -> GraphWriteOutcome:
        """Write one type's records (SPEC-ingest §4 shape, `id` and `sha256`) in one transaction.

        Hash gate first: a record whose stored sha256 equals its own is not written. The others
        get their node, stubs, stale-edge prunes (masters, releases) and edges of
        `domain.graph_model`, all MERGEs, so a redelivered batch changes nothing. A record the
        model refuses is returned in `rejected` and the rest is written. Raises
        GraphStoreUnavailable when the store cannot take the write now (retry the batch later),
        GraphWriteFailed when it refused a statement, ValueError for a type that is not Discogs'.
        """
        ...

    async def record_extraction_signal(self, version: str, data_type: str) -> frozenset[str]:
        """Add `data_type` to the durable ExtractionCompletion latch of `version`; return all signalled."""
        ...

    async def remove_isolated_stubs(self) -> dict[str, int]:
        """Delete Artist, Label, Master and Release nodes with no sha256 and no edge; how many per label."""
        ...

    async def compute_aggregates(self) -> dict[str, int]:
        """Set the Genre, Style and Label statistics of SPEC-graph §4; how many nodes per label."""
        ...

    async def count_nodes(self, label: str) -> int:
        """How many nodes carry the label."""
        ...

    async def count_relationships(self, relationship_type: str) -> int:
        """How many relationships have the type."""
        ...

    async def get_node(self, label: str, key: str) -> dict[str, Any] | None:
        """The properties a node has (unset ones left out; timestamps UTC-aware), or None."""
        ...

    async def edges_of(self, label: str, key: str, relationship_type: str) -> frozenset[Edge]:
        """The node's relationships of the type, either direction, with their set properties."""
        ...

    async def close(self) -> None:
        """Release connections and file handles."""
        ...

    # --- MusicBrainz enrichment (SPEC-graph §5, SPEC-api §14; rules in domain.musicbrainz_model) ---

    async def enrich_batch(self, data_type: str, records: Sequence[Mapping[str, Any]]) -> EnrichmentOutcome:
        """Write one MusicBrainz type's records (SPEC-ingest §9 shape) in one transaction.

        Sets `mbid` and the `mb_` properties on the Discogs node each record's Discogs id names,
        never creating a node, and, for artists, MERGEs the MusicBrainz edges between two Discogs
        artists that both exist. Only what differs is written, so a second load changes nothing.
        A record without an id comes back in `rejected`. Raises GraphStoreUnavailable when the store
        cannot take the write now, MusicBrainzTypeError for a type that is not MusicBrainz'.
        """
        ...

    async def musicbrainz_artist(self, artist_id: str) -> MusicBrainzArtist | None:
        """The MusicBrainz properties of a Discogs artist, or None when it has no `mbid` (or no node)."""
        ...

    async def musicbrainz_relationships(self, artist_id: str) -> tuple[ArtistRelationship, ...]:
        """The artist's MusicBrainz edges, both directions, by type, then direction, then other id."""
        ...

    async def enrichment_counts(self) -> EnrichmentCounts:
        """Nodes carrying an `mbid` per MusicBrainz data type, and MusicBrainz edges."""
        ...


class TableStore(Protocol):
    """The document tables (PostgreSQL on the servers, SQLite embedded)."""

    @property
    def address(self) -> str:
        """Where the store lives, for messages a person reads (host:port/db or file path)."""
        ...

    async def ensure_schema(self) -> SchemaReport:
        """Bring the tables to the newest migration; a store already there is left as it is."""
        ...

    async def describe_schema(self) -> StoreSchema:
        """What the store holds now, in the store-independent terms of domain.schema."""
        ...

    async def upsert_batch(
        self, data_type: str, records: Sequence[Mapping[str, Any]], seen_at: datetime
    ) -> UpsertOutcome:
        """Store a batch of records of one type (SPEC-ingest §4 shape, `id` and `sha256` at top level).

        A row is written, as the record after `normalize_for_consumers`, only when it is new or its
        hash differs from the stored one (its `updated_at` then becomes `seen_at`); an unchanged row
        is not rewritten, only marked seen at `seen_at`. A later time already stored is kept, so a
        redelivery changes nothing. All or nothing: InvalidRecord for a record without a string
        `id` or `sha256`, UnknownDataType for a type without a table.
        """
        ...

    async def purge_stale(
        self,
        data_type: str,
        started_at: datetime,
        record_count: int,
        dead_lettered: bool,
        max_delete_fraction: float,
    ) -> PurgeDecision:
        """Delete the rows neither written nor seen since the run's original start, unless a veto applies.

        The vetoes are SPEC-tables §2's; the decision carries the figures to log.

        `record_count` is the run's count for the type (0 when absent); `dead_lettered` says whether
        this run dead-lettered records of the type. Counting and deleting happen in one transaction.
        """
        ...

    async def count(self, data_type: str) -> int:
        """How many rows the type's table holds."""
        ...

    async def get(self, data_type: str, data_id: str) -> dict[str, Any] | None:
        """The stored document of one record, or None."""
        ...

    async def search(self, query: SearchQuery) -> SearchPage:
        """Full-text search over names and titles (SPEC-tables §6); any text is taken as plain words."""
        ...

    async def autocomplete(self, data_type: str, prefix: str, limit: int) -> list[NameMatch]:
        """Entities whose name has, for every typed word, a word starting with it; shortest name first."""
        ...

    async def close(self) -> None:
        """Release the connection pool."""
        ...

    # --- the musicbrainz schema (SPEC-tables §3, SPEC-api §14; rows in domain.musicbrainz_model) ---

    async def upsert_musicbrainz(
        self, data_type: str, records: Sequence[Mapping[str, Any]], seen_at: datetime
    ) -> MusicBrainzUpsertOutcome:
        """Store a batch of MusicBrainz records of one type, matched or not, in one transaction.

        An entity row is written only when new or different (its `updated_at` then becomes
        `seen_at`); its relations (canonical orientation) and external links are added where
        missing. All or nothing: InvalidRecord for a record whose id is not a UUID or that has no
        name, MusicBrainzTypeError for a type that is not MusicBrainz'.
        """
        ...

    async def musicbrainz_entity(self, data_type: str, mbid: str) -> dict[str, Any] | None:
        """Every column of one entity row (times UTC-aware, JSON decoded), or None."""
        ...

    async def musicbrainz_relations(self, mbid: str) -> tuple[StoredRelationship, ...]:
        """The relationship rows with this MBID at either end, in their natural key's order."""
        ...

    async def external_links(self, discogs_artist_id: int) -> tuple[ExternalLink, ...]:
        """The links of the MusicBrainz artists matched to this Discogs artist, by service, then URL."""
        ...

    async def musicbrainz_counts(self) -> MusicBrainzCounts:
        """Rows per MusicBrainz data type and how many carry a Discogs id; relationship rows."""
        ...


class Delivery(Protocol):
    """One message handed to a consumer; settle it once, only after its effects are committed."""

    @property
    def message(self) -> Message:
        """The decoded message (a body that does not decode never reaches a consumer: it is dead-lettered)."""
        ...

    @property
    def redelivered(self) -> bool:
        """True when an earlier delivery of this message was requeued or its consumer died unsettled."""
        ...

    async def ack(self) -> None:
        """Remove the message from the queue for good."""
        ...

    async def requeue(self) -> None:
        """Put the message back at the head of the queue; past the delivery limit it is dead-lettered."""
        ...

    async def reject(self, reason: str) -> None:
        """Move the whole message to the dead-letter queue, with `reason` in its headers."""
        ...

    async def dead_letter_record(self, record: HashedRecord, reason: str) -> None:
        """Send one record of this batch to the dead-letter queue; the delivery itself stays to be settled.

        Isolates a bad record: the consumer dead-letters it, writes the rest, then acks the delivery.
        """
        ...


class Consumer(Protocol):
    """Deliveries of one queue, at most `prefetch` unsettled at a time, in queue order."""

    def __aiter__(self) -> Consumer: ...

    async def __anext__(self) -> Delivery:
        """The next delivery, waiting for one; cancelling the wait loses nothing."""
        ...

    async def stop(self) -> None:
        """Take no more deliveries and end the iteration; those already taken can still be settled."""
        ...


class Bus(Protocol):
    """Carries messages from the extractor to every consumer group, at least once (RabbitMQ or in-process).

    Leaving a `consume` context, normally or not, returns the deliveries it left unsettled to the
    queue, flagged redelivered: a consumer that dies loses nothing.
    """

    async def publish(self, topic: Topic, message: Message) -> None:
        """Store the message in every queue subscribed to the topic, durably, before returning.

        Raises UnroutableMessage when no queue is subscribed, PublishRejected or PublishTimeout when
        the broker does not confirm it, BusUnavailable when the broker cannot be reached.
        """
        ...

    async def subscribe(self, subscription: Subscription) -> None:
        """Create the group's queue, dead-letter exchange and queue, bound to the topic; idempotent."""
        ...

    def consume(self, subscription: Subscription, prefetch: int) -> AbstractAsyncContextManager[Consumer]:
        """Deliveries of the group's queue (subscribing first), `prefetch` of them unsettled at most."""
        ...

    async def take_dead_letters(self, subscription: Subscription, limit: int) -> list[DeadLetter]:
        """Remove and return up to `limit` messages of the group's dead-letter queue, oldest first."""
        ...

    async def stats(self, subscription: Subscription) -> SubscriptionStats | None:
        """Depth of the group's queue and dead-letter queue; None when it was never subscribed.

        On RabbitMQ the figures come from the management API and lag the broker by a few seconds.
        """
        ...

    async def close(self) -> None:
        """Close the connection; consumers still open lose their unsettled deliveries to redelivery."""
        ...

    @property
    def available(self) -> bool:
        """False while the broker cannot be reached and the bus is reconnecting (health endpoints
        report it); True otherwise, also before first use. An in-process bus is always available."""
        ...


class RecordReader(Protocol):
    """A dump file read as a stream of normalized, hashed records, in file order, in flat memory.

    A sync iterator: a consumer that is async runs it in a worker thread.
    """

    def read(
        self,
        path: Path,
        resume: ResumePoint = FROM_START,
        on_malformed: Callable[[MalformedRecord], None] | None = None,
    ) -> Iterator[Record]:
        """Yield the records of `path` that come after `resume`.

        Each malformed record goes to `on_malformed` (None: logged) and is skipped; too many of
        them, or a fault the file cannot be read past (truncated or corrupt compression, bytes
        that are not UTF-8, characters XML forbids), raise DumpFileError once every record before
        it has been yielded. ResumePointNotFound (a DumpFileError) means the file ends before the
        resume point.
        """
        ...


JsonValue = dict[str, Any] | list[Any] | str | int | float | bool | None
"""What a cache holds: a JSON document, as the API serves it."""


class Cache(Protocol):
    """Answers kept for a while so a repeated question skips the stores (Redis, or in process).

    Cache-aside only: a miss or an unreachable cache means "compute it", never an error.
    """

    async def get(self, key: str) -> JsonValue | None:
        """The value stored under `key` and not yet expired, or None."""
        ...

    async def set(self, key: str, value: JsonValue, ttl_seconds: int) -> None:
        """Store `value` under `key` for `ttl_seconds`; a cache that cannot take it drops it silently."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...
