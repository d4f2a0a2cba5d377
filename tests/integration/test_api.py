"""The HTTP API on both deployments, loaded with the real 2020-08-06 sample dump through the pipeline.

Embedded: LadybugDB, SQLite, in-process bus and cache. Servers: Neo4j, PostgreSQL, RabbitMQ and Redis.
Expected answers are computed here from the dump's XML (tests.integration.test_graph_counts'
independent counter, plus names, titles and years read here), never through the app's own code.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from lxml import etree
from quart import Quart
from quart.typing import TestClientProtocol as Client

from adapters.ladybug.graph_store import LadybugGraphStore
from adapters.memory.bus import MemoryBus
from adapters.memory.cache import MemoryCache
from adapters.rabbitmq.bus import RabbitMQBus
from adapters.redis.cache import RedisCache
from adapters.sql.table_store import SqlTableStore, sqlite_url
from applications.pipeline import load_dump
from applications.settings import WebSettings
from applications.web.app import create_app
from domain.exploring import Exploring, Timeouts
from domain.ports import Bus, Cache, GraphStore, TableStore
from tests import servers
from tests.integration.test_graph_counts import ExpectedGraph, entity_id, text
from tests.samples import samples_dir

DUMP = samples_dir() / "discogs" / "xml2db_20200806"
PREFIX = "discogsography-discogs"
WEB = WebSettings(
    host="127.0.0.1", port=0, cors_origins=("http://localhost:3000",), rate_limits=False, trusted_proxy_hops=0
)
CURRENT_YEAR = datetime.now(UTC).year


# --- what the dump says, read apart from the pipeline ---------------------------------------------


def release_year(released: str | None) -> int | None:
    """The year of a `released` value: its leading four digits, when in 1860..next year."""
    match = re.match(r"\s*(\d{4})", released or "")
    year = int(match.group(1)) if match else None
    return year if year is not None and 1860 <= year <= CURRENT_YEAR + 1 else None


@dataclass
class Dump:
    graph: ExpectedGraph = field(default_factory=ExpectedGraph)
    artist_names: dict[str, str] = field(default_factory=dict)
    label_names: dict[str, str] = field(default_factory=dict)
    release_titles: dict[str, str] = field(default_factory=dict)
    release_years: dict[str, int | None] = field(default_factory=dict)

    def targets(self, edge_type: str, source_label: str, target: tuple[str, str]) -> set[str]:
        """Ids of the `source_label` nodes with an `edge_type` edge into `target`."""
        return {s[1] for s, t, *_ in self.graph.edges[edge_type] if t == target and s[0] == source_label}

    def releases_by(self, artist_id: str) -> set[str]:
        return self.targets("BY", "Release", ("Artist", artist_id))


def read_dump(dump: Path) -> Dump:
    found = Dump()
    for path in sorted(dump.iterdir()):
        for record in etree.fromstring(gzip.decompress(path.read_bytes())):
            found.graph.add_record(record)
            record_id = entity_id(record.get("id") or text(record.find("id")))
            if record_id is None:
                continue
            if record.tag == "artist":
                found.artist_names[record_id] = text(record.find("name")) or ""
            elif record.tag == "label":
                found.label_names[record_id] = text(record.find("name")) or ""
            elif record.tag == "release":
                found.release_titles[record_id] = text(record.find("title")) or ""
                found.release_years[record_id] = release_year(text(record.find("released")))
    return found


DUMP_FACTS = read_dump(DUMP)


def busiest_artist() -> str:
    """The artist with a record, a name of its own and the most releases in the dump."""
    names = Counter(DUMP_FACTS.artist_names.values())
    candidates = [
        artist_id for artist_id, name in DUMP_FACTS.artist_names.items() if name and names[name] == 1
    ]
    return max(candidates, key=lambda a: (len(DUMP_FACTS.releases_by(a)), -int(a)))


def expected_graph_stats() -> dict[str, Any]:
    """`/api/graph/stats` of the dump: its entities per kind."""
    nodes = DUMP_FACTS.graph.nodes
    counts = {
        "artists": len(nodes["Artist"]),
        "labels": len(nodes["Label"]),
        "releases": len(nodes["Release"]),
        "masters": len(nodes["Master"]),
        "genres": len(nodes["Genre"]),
        "styles": len(nodes["Style"]),
    }
    return {"total_entities": sum(counts.values()), "counts": counts}


def expected_artist_categories(artist_id: str) -> list[dict[str, Any]]:
    """`/api/explore`'s categories of an artist: its releases, their labels, its aliases and members."""
    releases = DUMP_FACTS.releases_by(artist_id)
    labels = {t[1] for s, t in DUMP_FACTS.graph.edges["ON"] if s[1] in releases}
    related = {
        other[1]
        for edge_type in ("ALIAS_OF", "MEMBER_OF")
        for s, t in DUMP_FACTS.graph.edges[edge_type]
        for other in ((t,) if s == ("Artist", artist_id) else (s,) if t == ("Artist", artist_id) else ())
    }
    return [
        {"id": "cat-releases", "name": "Releases", "category": "releases", "count": len(releases)},
        {"id": "cat-labels", "name": "Labels", "category": "labels", "count": len(labels)},
        {"id": "cat-aliases", "name": "Aliases & Members", "category": "aliases", "count": len(related)},
    ]


# --- the two deployments, loaded once per module ---------------------------------------------------


@dataclass
class Loaded:
    name: str
    graph: GraphStore
    tables: TableStore
    cache: Cache

    def app(self, web: WebSettings = WEB, timeouts: Timeouts | None = None) -> Quart:
        return create_app(Exploring(self.graph, self.tables, self.cache, timeouts or Timeouts()), web)


@pytest.fixture(scope="module", params=["embedded", "servers"])
async def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Loaded]:
    graph: GraphStore
    bus: Bus
    cache: Cache
    if request.param == "embedded":
        directory = tmp_path_factory.mktemp("api")
        graph = LadybugGraphStore(directory / "graph.lbdb")
        tables = SqlTableStore(sqlite_url(directory / "tables.sqlite"))
        bus = MemoryBus(max_ready=1_000)
        cache = MemoryCache()
    else:
        env = request.getfixturevalue("server_env")
        request.getfixturevalue("neo4j_lock")
        vhost = request.getfixturevalue("rabbitmq_vhost")
        database = request.getfixturevalue("postgres_database")
        await servers.empty_vhost(env, vhost)
        await servers.empty_database(env, database)
        neo4j = servers.new_neo4j_store(env)
        await servers.wipe_neo4j(neo4j)
        graph = neo4j
        tables = SqlTableStore(servers.postgres_url(env, database))
        bus = RabbitMQBus(servers.rabbitmq_url(env, vhost), servers.rabbitmq_management_url(env))
        cache = RedisCache(servers.redis_url(env), key_prefix=servers.new_key_prefix())
    await graph.ensure_schema()
    await tables.ensure_schema()
    await load_dump(bus, graph, tables, DUMP, PREFIX)
    await bus.close()
    try:
        yield Loaded(request.param, graph, tables, cache)
    finally:
        await cache.close()
        await tables.close()
        await graph.close()


@pytest.fixture
def client(loaded: Loaded) -> Client:
    return loaded.app().test_client()


async def get_json(client: Client, path: str, status: int = 200, **params: Any) -> Any:
    response = await client.get(path, query_string=params)
    body = await response.get_json()
    assert response.status_code == status, body
    return body


# --- answers ----------------------------------------------------------------------------------------


async def test_graph_stats_count_every_entity_of_the_dump(client: Client) -> None:
    body = await get_json(client, "/api/graph/stats")

    assert body == expected_graph_stats()


async def test_explore_an_artist_shows_its_categories_with_their_sizes(client: Client) -> None:
    artist_id = busiest_artist()
    name = DUMP_FACTS.artist_names[artist_id]

    body = await get_json(client, "/api/explore", name=name, type="artist")

    assert body["center"] == {"id": artist_id, "name": name, "type": "artist"}
    assert body["categories"] == expected_artist_categories(artist_id)


async def test_expand_pages_through_an_artists_releases_newest_first(client: Client) -> None:
    artist_id = busiest_artist()
    name = DUMP_FACTS.artist_names[artist_id]
    releases = DUMP_FACTS.releases_by(artist_id)
    years = DUMP_FACTS.release_years
    expected_order = sorted(releases, key=lambda r: (years[r] is None, -(years[r] or 0), int(r)))

    first = await get_json(client, "/api/expand", node_id=name, type="artist", category="releases", limit=2)
    rest = await get_json(
        client, "/api/expand", node_id=name, type="artist", category="releases", limit=200, offset=2
    )

    assert first["total"] == rest["total"] == len(releases)
    assert first["has_more"] is (len(releases) > 2)
    assert rest["has_more"] is False
    children = first["children"] + rest["children"]
    assert [c["id"] for c in children] == expected_order
    assert children[0] == {
        "id": expected_order[0],
        "name": DUMP_FACTS.release_titles[expected_order[0]],
        "type": "release",
        "year": years[expected_order[0]],
    }


async def test_expand_before_a_year_keeps_only_releases_up_to_it(client: Client) -> None:
    artist_id = busiest_artist()
    name = DUMP_FACTS.artist_names[artist_id]
    dated = sorted(y for r in DUMP_FACTS.releases_by(artist_id) if (y := DUMP_FACTS.release_years[r]))
    cut = dated[len(dated) // 2]

    body = await get_json(
        client, "/api/expand", node_id=name, type="artist", category="releases", limit=200, before_year=cut
    )

    assert body["total"] == sum(1 for y in dated if y <= cut)
    assert all(0 < c["year"] <= cut for c in body["children"])


async def test_node_describes_an_artist(client: Client) -> None:
    artist_id = busiest_artist()

    body = await get_json(client, f"/api/node/{artist_id}", type="artist")

    assert body["id"] == artist_id
    assert body["name"] == DUMP_FACTS.artist_names[artist_id]
    assert body["release_count"] == len(DUMP_FACTS.releases_by(artist_id))


async def test_trends_count_a_genres_releases_per_year(client: Client) -> None:
    electronic = DUMP_FACTS.targets("IS", "Release", ("Genre", "Electronic"))
    per_year = Counter(y for r in electronic if (y := DUMP_FACTS.release_years[r]))

    body = await get_json(client, "/api/trends", name="Electronic", type="genre")

    assert body == {
        "name": "Electronic",
        "type": "genre",
        "data": [{"year": year, "count": per_year[year]} for year in sorted(per_year)],
    }


async def test_path_joins_two_artists_of_one_release(client: Client) -> None:
    by_release: dict[str, list[str]] = defaultdict(list)
    for source, target in DUMP_FACTS.graph.edges["BY"]:
        if source[0] == "Release" and target[1] in DUMP_FACTS.artist_names:
            by_release[source[1]].append(target[1])
    names = Counter(DUMP_FACTS.artist_names.values())
    _release, (first, second) = next(
        (release, pair[:2])
        for release, pair in sorted(by_release.items())
        if len(pair) >= 2
        and pair[0] != pair[1]
        and all(names[DUMP_FACTS.artist_names[a]] == 1 for a in pair[:2])
    )

    body = await get_json(
        client,
        "/api/path",
        from_name=DUMP_FACTS.artist_names[first],
        to_name=DUMP_FACTS.artist_names[second],
        max_depth=2,
    )

    assert body["found"] is True
    assert body["length"] == 2
    assert body["path"][0] == {
        "id": first,
        "name": DUMP_FACTS.artist_names[first],
        "type": "artist",
        "rel": None,
    }
    assert body["path"][1]["type"] == "release"
    assert body["path"][1]["rel"] == "BY"
    assert body["path"][2]["id"] == second


async def test_search_finds_an_artist_by_its_name(client: Client) -> None:
    artist_id = busiest_artist()
    name = DUMP_FACTS.artist_names[artist_id]

    body = await get_json(client, "/api/search", q=name, types="artist")

    assert artist_id in [r["id"] for r in body["results"]]
    hit = next(r for r in body["results"] if r["id"] == artist_id)
    assert hit["type"] == "artist"
    assert hit["name"] == name
    assert "<b>" in hit["highlight"]
    assert body["pagination"] == {"limit": 20, "offset": 0, "has_more": body["total"] > len(body["results"])}


async def test_autocomplete_suggests_names_starting_with_the_typed_words(client: Client) -> None:
    artist_id = busiest_artist()
    name = DUMP_FACTS.artist_names[artist_id]
    typed = name[:4]

    artists = await get_json(client, "/api/autocomplete", q=typed, type="artist", limit=50)
    genres = await get_json(client, "/api/autocomplete", q="elec", type="genre")

    assert artist_id in [r["id"] for r in artists["results"]]
    assert genres["results"][0] == {"id": "Electronic", "name": "Electronic", "score": pytest.approx(0.4)}


async def test_year_range_spans_the_release_years(client: Client) -> None:
    years = [y for y in DUMP_FACTS.release_years.values() if y]

    body = await get_json(client, "/api/explore/year-range")

    assert body == {"min_year": max(min(years), 1900), "max_year": min(max(years), 2030)}


async def test_without_musicbrainz_data_the_views_are_empty_and_say_so(client: Client) -> None:
    artist_id = busiest_artist()

    status = await get_json(client, "/api/enrichment/status")
    missing = await get_json(client, f"/api/artist/{artist_id}/musicbrainz", 404)
    links = await get_json(client, f"/api/artist/{artist_id}/external-links")
    relationships = await get_json(client, f"/api/artist/{artist_id}/relationships")

    empty = {"total_mb": 0, "matched_to_discogs": 0, "enriched_in_neo4j": 0}
    assert status == {
        "musicbrainz": {
            "artists": empty,
            "labels": empty,
            "releases": empty,
            "relationships": {"total_in_mb": 0, "created_in_neo4j": 0},
        }
    }
    assert missing == {"error": "No MusicBrainz data for this artist"}
    assert links == {"discogs_id": int(artist_id), "links": []}
    assert relationships == {"discogs_id": int(artist_id), "relationships": []}
    await get_json(client, "/api/artist/99999999999/relationships", 404)


# --- behaviour at the edges --------------------------------------------------------------------------


async def test_an_unknown_name_is_404_with_an_error_body(client: Client) -> None:
    body = await get_json(client, "/api/explore", 404, name="No Such Artist Anywhere", type="artist")

    assert body == {"error": "Artist 'No Such Artist Anywhere' not found"}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/search", {"q": "rock", "types": "artist,spaceship"}),
        ("/api/expand", {"node_id": "Electronic", "type": "genre", "category": "aliases"}),
        ("/api/search", {"q": "rock", "year_min": 2000, "year_max": 1990}),
    ],
)
async def test_requests_the_contract_does_not_allow_are_400(
    client: Client, path: str, params: dict[str, Any]
) -> None:
    body = await get_json(client, path, 400, **params)

    assert set(body) == {"error"}


@pytest.mark.parametrize(
    ("path", "params", "bad"),
    [
        ("/api/autocomplete", {"q": "rock", "limit": -1}, "limit"),
        ("/api/autocomplete", {"q": "rock", "limit": 10**30}, "limit"),
        ("/api/autocomplete", {"q": "rock", "type": "spaceship"}, "type"),
        (
            "/api/expand",
            {"node_id": "Rock", "type": "genre", "category": "releases", "before_year": 99999},
            "before_year",
        ),
        ("/api/path", {"from_name": "a", "to_name": "b", "max_depth": 11}, "max_depth"),
        ("/api/explore/genre-emergence", {}, "before_year"),
        ("/api/search", {"q": "rock", "limit": "many"}, "limit"),
        ("/api/autocomplete", {"q": "ab"}, "q"),
        ("/api/search", {"q": "  a  "}, "q"),
        ("/api/explore", {"name": "x" * 10_000}, "name"),
    ],
)
async def test_parameters_out_of_bounds_are_422_naming_the_parameter(
    client: Client, path: str, params: dict[str, Any], bad: str
) -> None:
    body = await get_json(client, path, 422, **params)

    assert body["error"].startswith(f"Invalid parameters: {bad}: ")
    assert len(body["error"]) < 500


HOSTILE = [
    '" OR 1=1 --',
    "a') DETACH DELETE n //",
    'AND OR NOT ~ * ? : \\ / + - && || ! ( ) { } [ ] ^ "',
    "Björk 🎶 ß Ǆ \u200b",
    "\\\\\\'",
    "x" * 10_000,
    "%00%ff",
]


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_text_gets_an_answer_or_a_4xx_never_a_500(client: Client, hostile: str) -> None:
    probes: list[tuple[str, dict[str, Any]]] = [
        ("/api/autocomplete", {"q": hostile, "type": "artist"}),
        ("/api/autocomplete", {"q": hostile, "type": "genre"}),
        ("/api/explore", {"name": hostile, "type": "label"}),
        ("/api/expand", {"node_id": hostile, "type": "style", "category": "releases"}),
        ("/api/trends", {"name": hostile, "type": "artist"}),
        ("/api/path", {"from_name": hostile, "to_name": hostile}),
        ("/api/search", {"q": hostile, "genres": hostile}),
        (f"/api/node/{quote(hostile[:2000], safe='')}", {"type": "release"}),
        (f"/api/collaborators/{quote(hostile[:2000], safe='')}", {}),
    ]
    before = await get_json(client, "/api/graph/stats")

    for path, params in probes:
        response = await client.get(path, query_string=params)
        assert response.status_code in (200, 400, 404, 422), (path, response.status_code)
        assert "error" in await response.get_json() or response.status_code == 200

    assert await get_json(client, "/api/graph/stats") == before


async def test_every_response_carries_the_security_headers(client: Client) -> None:
    for path in ("/api/graph/stats", "/api/explore?name=x", "/openapi.json", "/nowhere"):
        response = await client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["Permissions-Policy"] == "geolocation=(), microphone=(), camera=()"


async def test_cors_answers_allowed_origins_only(client: Client) -> None:
    allowed = await client.options(
        "/api/graph/stats",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"},
    )
    other = await client.get("/api/graph/stats", headers={"Origin": "http://evil.example"})

    assert allowed.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "Access-Control-Allow-Origin" not in other.headers


async def test_an_unknown_route_is_a_json_404(client: Client) -> None:
    body = await get_json(client, "/api/nowhere", 404)

    assert set(body) == {"error"}


async def test_a_slow_traversal_is_a_504(loaded: Loaded) -> None:
    client = loaded.app(timeouts=Timeouts(path=1e-9, slow_query=1e-9)).test_client()
    artist_id = busiest_artist()
    name = DUMP_FACTS.artist_names[artist_id]

    body = await get_json(client, "/api/path", 504, from_name=name, to_name="Electronic", to_type="genre")

    assert "timed out" in body["error"]


async def test_rate_limits_answer_429_past_the_limit(loaded: Loaded) -> None:
    limited = WebSettings(host="127.0.0.1", port=0, cors_origins=(), rate_limits=True, trusted_proxy_hops=0)
    client = loaded.app(limited).test_client()

    statuses = [
        (await client.get("/api/autocomplete", query_string={"q": f"abc{i}"})).status_code for i in range(31)
    ]
    stats = await client.get("/api/graph/stats")

    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert stats.status_code == 200, "limits are per endpoint"


async def test_explore_answers_are_cached_under_the_reference_key(loaded: Loaded) -> None:
    client = loaded.app().test_client()
    name = DUMP_FACTS.artist_names[busiest_artist()]

    body = await get_json(client, "/api/explore", name=name, type="artist")

    assert await loaded.cache.get(f"explore:artist:{name}") == body


async def test_openapi_documents_every_endpoint_and_the_docs_work_offline(client: Client) -> None:
    spec = await get_json(client, "/openapi.json")
    docs = await client.get("/docs")
    page = await docs.get_data(as_text=True)
    script = re.search(r'src="([^"]*swagger-ui-bundle\.js)"', page)

    expected_paths = {
        "/api/autocomplete",
        "/api/explore",
        "/api/expand",
        "/api/node/{node_id}",
        "/api/trends",
        "/api/path",
        "/api/graph/stats",
        "/api/explore/year-range",
        "/api/explore/genre-emergence",
        "/api/genre-tree",
        "/api/collaborators/{artist_id}",
        "/api/network/artist/{artist_id}/collaborators",
        "/api/network/artist/{artist_id}/centrality",
        "/api/network/cluster/{artist_id}",
        "/api/search",
        "/api/artist/{artist_id}/musicbrainz",
        "/api/artist/{artist_id}/relationships",
        "/api/artist/{artist_id}/external-links",
        "/api/enrichment/status",
        "/health",
    }
    assert expected_paths <= set(spec["paths"])
    assert "http" not in page.replace("http-equiv", "")
    assert script is not None
    asset = await client.get(script.group(1))
    assert asset.status_code == 200
    assert len(await asset.get_data()) > 100_000
