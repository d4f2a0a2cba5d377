"""API latency on a big graph loaded through the pipeline: p50/p95/p99 per endpoint, 10 clients.

The synthetic dump (made when the directory has none; >= 1,000,000 releases for the issue's figure)
is loaded through the pipeline of `bench_pipeline`: on the services deployment by the extractor and
both workers as separate processes on RabbitMQ, Neo4j and PostgreSQL, then `discogsography web`
serves it with Redis as the cache; on the embedded deployment by `discogsography demo --dump-dir D
--no-serve` (timed), then `discogsography demo --dump-dir D --port N`, which re-reads the dump
(nothing to write) and serves LadybugDB, SQLite and its in-process cache. Rate limits are off.

Parameters come from the dump itself (the first `--sample` releases): popular artists and labels
(the most credited, "Various" among them) and ordinary ones (credited once or twice), all genres,
popular and rare styles, release and master ids, words of titles and names for search, name prefixes
for autocomplete, artist and label pairs for path at depth 6. Each endpoint is measured on its own,
`--clients` requests in flight (httpx.AsyncClient on loopback), in three passes:

1. warm-up: parameters of their own, not measured (connections, caches of the stores, JIT);
2. cold parameters (the headline): every request has parameters not asked before, and their cache
   keys are deleted from Redis first, so every request is a cache miss and reaches the stores;
3. repeated: the parameters of pass 2 again: cached endpoints answer from Redis or the process cache,
   the others from warm store pages.

Besides the percentiles each line gives the CPU seconds spent per request by the API process and by
the servers during the pass, so that a figure taken while other work shared the two cores can be
read, and what bounds an endpoint is visible (client, API process, Neo4j, PostgreSQL).

    .venv/bin/python -m tests.bench.bench_api --dump /tmp/bench/dump1m --releases 1000000
        [--deployment services|embedded|both] [--requests 200] [--clients 10] [--endpoints a,b]
        [--hold-file PATH]   # while PATH exists after measuring, keep everything up (to profile by hand)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis

from domain.exploring import SEARCH_TYPES, search_cache_key
from domain.tables import SearchQuery
from tests import servers
from tests.bench.bench_graph import read_records
from tests.bench.bench_pipeline import (
    RunFigures,
    add_common_options,
    embedded_environ,
    embedded_load,
    services_deployment,
)
from tests.bench.common import (
    ServerCpu,
    Watched,
    ensure_dump,
    forget_extraction_state,
    load_line,
    start_product,
    wait_for_quiet_machine,
)

Params = dict[str, str | int]


@dataclass(frozen=True)
class Call:
    """One request: a path, its query parameters and the cache key the API keeps its answer under."""

    path: str
    params: Params
    cache_key: str | None = None


# --- what the dump holds: the parameter pools -------------------------------------------------------


@dataclass
class DumpSample:
    """Names and ids drawn from the first releases of the dump, with how often each was credited."""

    artists: Counter[tuple[str, str]] = field(default_factory=Counter)
    labels: Counter[tuple[str, str]] = field(default_factory=Counter)
    genres: Counter[str] = field(default_factory=Counter)
    styles: Counter[str] = field(default_factory=Counter)
    releases: list[tuple[str, str]] = field(default_factory=list)
    masters: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, dump_dir: Path, manifest: Mapping[str, Any], limit: int) -> DumpSample:
        sample = cls()
        path = dump_dir / manifest["files"]["releases"]["name"]
        for release in itertools.islice(read_records(path, "releases"), limit):
            for credit in release.get("artists", ()):
                if credit.get("id") and credit.get("name"):
                    sample.artists[(credit["id"], credit["name"])] += 1
            for label in release.get("labels", ()):
                if label.get("id") and label.get("name"):
                    sample.labels[(label["id"], label["name"])] += 1
            sample.genres.update(release.get("genres", ()))
            sample.styles.update(release.get("styles", ()))
            sample.releases.append((release["id"], release.get("title") or ""))
            if release.get("master_id") not in (None, "0"):
                sample.masters.append(release["master_id"])
        return sample


def popular_and_ordinary(
    counts: Counter[Any], rng: random.Random, popular: int
) -> tuple[list[Any], list[Any]]:
    """The `popular` most frequent, and the rest shuffled (most of them seen once or twice)."""
    ranked = [item for item, _ in counts.most_common()]
    head, tail = ranked[:popular], ranked[popular:]
    rng.shuffle(tail)
    return head, tail


@dataclass
class Pools:
    """Parameter pools per kind; `take` hands out each value once (distinct parameters per pass)."""

    rng: random.Random
    popular_artists: list[tuple[str, str]]
    artists: list[tuple[str, str]]
    popular_labels: list[tuple[str, str]]
    labels: list[tuple[str, str]]
    genres: list[str]
    popular_styles: list[str]
    styles: list[str]
    releases: list[tuple[str, str]]
    words: list[str]
    used: set[tuple[str, Any]] = field(default_factory=set)

    @classmethod
    def from_sample(cls, sample: DumpSample, seed: int) -> Pools:
        rng = random.Random(seed)
        popular_artists, artists = popular_and_ordinary(sample.artists, rng, 10)
        popular_labels, labels = popular_and_ordinary(sample.labels, rng, 10)
        popular_styles, styles = popular_and_ordinary(sample.styles, rng, 20)
        releases = list(sample.releases)
        rng.shuffle(releases)
        words = sorted(
            {
                word.strip("'\"().,!?:;").lower()
                for _, title in releases[:20_000]
                for word in title.split()
                if len(word.strip("'\"().,!?:;")) >= 4
            }
        )
        rng.shuffle(words)
        return cls(
            rng,
            popular_artists,
            artists,
            popular_labels,
            labels,
            [genre for genre, _ in sample.genres.most_common()],
            popular_styles,
            styles,
            releases,
            words,
        )

    def take(self, kind: str, pool: Sequence[Any], reuse: bool = False) -> Any:
        """A value of `pool` not handed out before for `kind` (or any value when `reuse`)."""
        for _ in range(len(pool)):
            value = pool[self.rng.randrange(len(pool))]
            if reuse or (kind, value) not in self.used:
                self.used.add((kind, value))
                return value
        for value in pool:
            if (kind, value) not in self.used:
                self.used.add((kind, value))
                return value
        return pool[self.rng.randrange(len(pool))]

    def entity(self, kind: str, weights: Mapping[str, float]) -> tuple[str, str, str]:
        """(type, id, name) of an entity picked by the weights of artist-popular, artist, label-popular,
        label, genre, style-popular, style. Genres and styles are few: they may repeat."""
        choice = self.rng.choices(list(weights), list(weights.values()))[0]
        if choice.startswith("artist"):
            key, name = self.take(kind, self.popular_artists if choice == "artist-popular" else self.artists)
            return "artist", key, name
        if choice.startswith("label"):
            key, name = self.take(kind, self.popular_labels if choice == "label-popular" else self.labels)
            return "label", key, name
        if choice == "genre":
            genre = self.take(kind, self.genres, reuse=True)
            return "genre", genre, genre
        style = self.take(kind, self.popular_styles if choice == "style-popular" else self.styles)
        return "style", style, style


ENTITY_MIX = {
    "artist-popular": 0.05,
    "artist": 0.45,
    "label-popular": 0.05,
    "label": 0.2,
    "genre": 0.05,
    "style-popular": 0.1,
    "style": 0.1,
}
"""Who is explored, expanded and trended: mostly ordinary artists and labels, some hubs."""

CATEGORIES = {
    "artist": ("releases", "labels", "aliases"),
    "genre": ("releases", "artists", "labels", "styles"),
    "label": ("releases", "artists", "genres"),
    "style": ("releases", "artists", "labels", "genres"),
}


def _prefix(name: str, rng: random.Random) -> str:
    words = name.split()
    if len(words) > 1 and rng.random() < 0.3:
        return f"{words[0]} {words[1][: rng.randint(1, len(words[1]))]}"
    return name[: rng.randint(3, max(3, min(6, len(name))))]


def plan(endpoint: str, pools: Pools, count: int) -> list[Call]:
    """`count` calls of the endpoint with parameters not used before in this run (where there are
    enough: genres and the parameterless endpoints repeat)."""
    rng = pools.rng
    calls: list[Call] = []
    for _ in range(count):
        if endpoint == "autocomplete":
            kind = rng.choices(["artist", "label", "genre", "style"], [0.6, 0.3, 0.05, 0.05])[0]
            source = {"artist": pools.artists, "label": pools.labels}.get(kind)
            name = pools.take("autocomplete", source)[1] if source else pools.take("ac-tag", pools.styles)
            q = _prefix(name, rng)
            if len(q.strip()) < 3:
                q = name[:3]
            calls.append(
                Call("/api/autocomplete", {"q": q, "type": kind, "limit": 10}, autocomplete_key(q, kind, 10))
            )
        elif endpoint == "explore":
            kind, _, name = pools.entity("explore", ENTITY_MIX)
            key = f"explore:{kind}:{name}" if kind in ("artist", "label") else None
            calls.append(Call("/api/explore", {"name": name, "type": kind}, key))
        elif endpoint == "expand":
            kind, _, name = pools.entity("expand", ENTITY_MIX)
            params: Params = {
                "node_id": name,
                "type": kind,
                "category": rng.choice(CATEGORIES[kind]),
                "limit": 50,
            }
            if rng.random() < 0.2 and params["category"] != "aliases":
                params["before_year"] = rng.randint(1960, 2020)
            calls.append(Call("/api/expand", params))
        elif endpoint == "node":
            kind = rng.choices(
                ["artist", "release", "label", "genre", "style"], [0.4, 0.35, 0.15, 0.03, 0.07]
            )[0]
            if kind == "release":
                key = pools.take("node", pools.releases)[0]
            else:
                _, key, _ = pools.entity("node", {kind: 1.0})
            calls.append(Call(f"/api/node/{key}", {"type": kind}))
        elif endpoint == "search":
            words = [pools.take("search", pools.words)]
            if rng.random() < 0.3:
                words.append(pools.take("search", pools.words))
            q = " ".join(words)
            calls.append(Call("/api/search", {"q": q, "limit": 20}, search_key(q, 20)))
        elif endpoint == "trends":
            kind, _, name = pools.entity("trends", ENTITY_MIX)
            calls.append(
                Call(
                    "/api/trends",
                    {"name": name, "type": kind},
                    None if kind == "artist" else f"trends:{kind}:{name}",
                )
            )
        elif endpoint == "path":
            start = pools.take("path", pools.artists)
            if rng.random() < 0.2:
                end, end_type = pools.take("path", pools.labels), "label"
            elif rng.random() < 0.2:
                end, end_type = pools.take("path", pools.popular_artists, reuse=True), "artist"
            else:
                end, end_type = pools.take("path", pools.artists), "artist"
            calls.append(
                Call(
                    "/api/path",
                    {
                        "from_name": start[1],
                        "from_type": "artist",
                        "to_name": end[1],
                        "to_type": end_type,
                        "max_depth": 6,
                    },
                )
            )
        elif endpoint in ("collaborators", "network", "centrality", "cluster"):
            weights = {"artist-popular": 0.1, "artist": 0.9}
            _, key, _ = pools.entity(endpoint, weights)
            if endpoint == "collaborators":
                calls.append(Call(f"/api/collaborators/{key}", {"limit": 20}))
            elif endpoint == "network":
                calls.append(Call(f"/api/network/artist/{key}/collaborators", {"depth": 2, "limit": 50}))
            elif endpoint == "centrality":
                calls.append(Call(f"/api/network/artist/{key}/centrality", {}, f"network:centrality:{key}"))
            else:
                calls.append(Call(f"/api/network/cluster/{key}", {"limit": 50}, f"network:cluster:{key}:50"))
        elif endpoint == "genre-emergence":
            calls.append(Call("/api/explore/genre-emergence", {"before_year": rng.randint(1950, 2025)}))
        else:
            path, key = PARAMETERLESS[endpoint]
            calls.append(Call(path, {}, key))
    return calls


PARAMETERLESS = {
    "graph-stats": ("/api/graph/stats", None),
    "genre-tree": ("/api/genre-tree", "genre-tree"),
    "year-range": ("/api/explore/year-range", None),
}


def autocomplete_key(q: str, kind: str, limit: int) -> str:
    return f"autocomplete:{kind}:{q.strip().lower()}:{limit}"


def search_key(q: str, limit: int) -> str:
    """The key Exploring.search keeps a default search under (all types, no filters)."""
    query = SearchQuery(
        text=q.strip(),
        data_types=tuple(dict.fromkeys(SEARCH_TYPES.values())),
        genres=(),
        year_min=None,
        year_max=None,
        limit=limit,
        offset=0,
    )
    return search_cache_key(query)


# --- measuring -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    p95_ms: float


TARGETS = {name: Target(50.0) for name in ("autocomplete", "explore", "expand", "node", "search", "trends")}
TARGETS["path"] = Target(300.0)
HEADLINE = ("autocomplete", "explore", "expand", "node", "search", "trends", "path")
INFORMATION = (
    "graph-stats",
    "genre-tree",
    "year-range",
    "genre-emergence",
    "collaborators",
    "network",
    "centrality",
    "cluster",
)
SMALL_PASSES = {"graph-stats", "genre-tree", "year-range", "genre-emergence"}
"""Endpoints with few distinct parameters: measured on `--clients` requests, all sent at once."""


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of values sorted ascending."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(share * len(sorted_values) + 0.4999))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class PassFigures:
    endpoint: str
    run: str
    latencies_ms: list[float]
    statuses: Counter[int]
    seconds: float
    api_cpu: float
    client_cpu: float
    servers_cpu: dict[str, float]
    kinds: Counter[str] = field(default_factory=Counter)

    def p(self, share: float) -> float:
        return percentile(sorted(self.latencies_ms), share)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    def line(self) -> str:
        n = self.requests
        errors = {status: count for status, count in self.statuses.items() if status != 200}
        return (
            f"{self.endpoint:16} {self.run:8} n={n:4} p50 {self.p(0.5):8.1f} p95 {self.p(0.95):8.1f} "
            f"p99 {self.p(0.99):8.1f} max {max(self.latencies_ms, default=0):8.1f} ms  "
            f"{n / self.seconds:7.1f} req/s  cpu/req: api {1000 * self.api_cpu / n:6.1f} ms, "
            f"client {1000 * self.client_cpu / n:5.1f} ms, "
            + ", ".join(f"{name} {1000 * s / n:6.1f} ms" for name, s in self.servers_cpu.items() if s >= 0.01)
            + (f"  non-200: {errors}" if errors else "")
        )


async def run_pass(
    client: httpx.AsyncClient, calls: Sequence[Call], clients: int
) -> tuple[list[float], Counter[int], float]:
    """Send the calls with `clients` in flight; latency per call in ms, status counts, wall seconds."""
    pending: Iterator[Call] = iter(calls)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()

    async def one_client() -> None:
        for call in pending:
            began = time.perf_counter()
            try:
                response = await client.get(call.path, params=call.params)
                status = response.status_code
                await response.aclose()
            except httpx.TimeoutException:
                status = 599
            latencies.append(1000 * (time.perf_counter() - began))
            statuses[status] += 1

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, statuses, time.perf_counter() - started


@dataclass
class ApiTarget:
    """A running API: its address, its process, its cache (None: in-process), the PostgreSQL database."""

    name: str
    base_url: str
    process: Watched
    redis_url: str | None
    postgres_database: str | None


def forget_cached(api: ApiTarget, calls: Sequence[Call]) -> None:
    keys = [call.cache_key for call in calls if call.cache_key]
    if api.redis_url and keys:
        with redis.Redis.from_url(api.redis_url) as connection:
            for start in range(0, len(keys), 500):
                connection.delete(*keys[start : start + 500])


def cached_share(api: ApiTarget, calls: Sequence[Call]) -> str:
    """After a pass: how many of its cacheable answers Redis now holds (checks the computed keys)."""
    keys = [call.cache_key for call in calls if call.cache_key]
    if not api.redis_url or not keys:
        return ""
    with redis.Redis.from_url(api.redis_url) as connection:
        present = sum(int(connection.exists(key)) for key in keys)
    return f"{present}/{len(keys)} answers in Redis after the pass"


async def measure_endpoint(
    api: ApiTarget, pools: Pools, endpoint: str, requests: int, warmup: int, clients: int
) -> list[PassFigures]:
    count = clients if endpoint in SMALL_PASSES else requests
    warm = plan(endpoint, pools, clients if endpoint in SMALL_PASSES else warmup)
    cold = plan(endpoint, pools, count)
    figures = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=api.base_url, timeout=180.0, limits=limits) as client:
        await run_pass(client, warm, clients)
        forget_cached(api, cold)
        for run in ("cold", "repeated"):
            server_cpu = ServerCpu(api.postgres_database)
            server_cpu.start()
            api_before, client_before = api.process.live_cpu_seconds(), time.process_time()
            latencies, statuses, seconds = await run_pass(client, cold, clients)
            api_cpu = api.process.live_cpu_seconds() - api_before
            client_cpu = time.process_time() - client_before
            spent = {
                name: value
                for name, value in server_cpu.stop().items()
                if name != "postgres" and (name != "redis" or api.redis_url)
            }
            result = PassFigures(endpoint, run, latencies, statuses, seconds, api_cpu, client_cpu, spent)
            figures.append(result)
            print(f"  {result.line()}", flush=True)
            if run == "cold" and (share := cached_share(api, cold)):
                print(f"      {share}", flush=True)
    return figures


async def measure_api(api: ApiTarget, pools: Pools, options: argparse.Namespace) -> list[PassFigures]:
    print(f"== {api.name}: {load_line()}", flush=True)
    figures: list[PassFigures] = []
    for endpoint in options.endpoints.split(","):
        figures += await measure_endpoint(
            api, pools, endpoint, options.requests, options.warmup, options.clients
        )
    print(f"== {api.name} done: {load_line()}", flush=True)
    return figures


def summary(deployment: str, figures: Sequence[PassFigures]) -> str:
    """The markdown table of docs/benchmarks.md."""
    by_endpoint: dict[str, dict[str, PassFigures]] = {}
    for result in figures:
        by_endpoint.setdefault(result.endpoint, {})[result.run] = result
    lines = [
        f"{deployment}:",
        "| endpoint | n | cold p50 | cold p95 | cold p99 | repeated p50 | repeated p95 | repeated p99 "
        "| target p95 | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for endpoint, runs in by_endpoint.items():
        cold, repeated = runs["cold"], runs.get("repeated")
        target = TARGETS.get(endpoint)
        met = "" if target is None else ("yes" if cold.p(0.95) < target.p95_ms else "**no**")
        lines.append(
            f"| {endpoint} | {cold.requests} | {cold.p(0.5):.1f} | {cold.p(0.95):.1f} | {cold.p(0.99):.1f} | "
            + (
                f"{repeated.p(0.5):.1f} | {repeated.p(0.95):.1f} | {repeated.p(0.99):.1f} | "
                if repeated
                else "| | | "
            )
            + (f"{target.p95_ms:.0f} ms | {met} |" if target else "- | |")
        )
    return "\n".join(lines)


# --- deployments --------------------------------------------------------------------------------------------


def wait_healthy(watched: Watched, base_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if watched.poll() is not None:
            raise RuntimeError(f"{watched.name} exited with {watched.returncode}:\n{watched.log_tail()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).json().get("status") == "healthy":
                return
        except (httpx.HTTPError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{watched.name} not healthy after {timeout} s:\n{watched.log_tail()}")
        time.sleep(0.5)


@contextmanager
def serving(
    name: str, arguments: list[str], env: dict[str, str], log_dir: Path, port: int, timeout: float
) -> Iterator[Watched]:
    watched = start_product(name, arguments, env, log_dir)
    try:
        wait_healthy(watched, f"http://127.0.0.1:{port}", timeout)
        yield watched
    finally:
        watched.terminate()


def hold(options: argparse.Namespace) -> None:
    if options.hold_file:
        options.hold_file.touch()
        print(f"  holding while {options.hold_file} exists", flush=True)
        while options.hold_file.exists():
            time.sleep(2)


def run_services(
    options: argparse.Namespace, manifest: Mapping[str, Any], pools: Pools, log_dir: Path
) -> list[PassFigures]:
    forget_extraction_state(options.dump)
    server_env = servers.server_environ()
    with services_deployment(
        log_dir, options.graph_workers, options.table_workers, options.prefetch
    ) as deployment:
        load: RunFigures = deployment.load(options.dump, manifest, force=False)
        print(load.report(), flush=True)
        port = servers.free_port()
        env = deployment.env | {"RATE_LIMITS_ENABLED": "false", "API_PORT": str(port)}
        with serving("web", ["web", "--port", str(port)], env, log_dir, port, 300.0) as web:
            wait_for_quiet_machine(options.quiet_load, options.patience)
            api = ApiTarget(
                "services (Neo4j + PostgreSQL + Redis)",
                f"http://127.0.0.1:{port}",
                web,
                servers.redis_url(server_env),
                deployment.database,
            )
            figures = asyncio.run(measure_api(api, pools, options))
            hold(options)
        print(f"  API process peak RSS {web.peak_mb:,.0f} MB", flush=True)
    return figures


def run_embedded(
    options: argparse.Namespace, manifest: Mapping[str, Any], pools: Pools, log_dir: Path
) -> list[PassFigures]:
    with tempfile.TemporaryDirectory(prefix="bench-api-embedded-", dir=options.scratch) as scratch:
        data_dir = Path(scratch) / "var"
        wait_for_quiet_machine(options.quiet_load, options.patience)
        load = embedded_load(options.dump, data_dir, log_dir, manifest, "first load")
        print(load.report(), flush=True)
        port = servers.free_port()
        arguments = ["demo", "--dump-dir", str(options.dump), "--port", str(port)]
        env = embedded_environ(data_dir) | {"RATE_LIMITS_ENABLED": "false"}
        with serving("demo-serve", arguments, env, log_dir, port, 4 * 3600.0) as demo:
            wait_for_quiet_machine(options.quiet_load, options.patience)
            api = ApiTarget(
                "embedded (LadybugDB + SQLite + in-process cache)",
                f"http://127.0.0.1:{port}",
                demo,
                None,
                None,
            )
            figures = asyncio.run(measure_api(api, pools, options))
            hold(options)
        print(f"  demo process peak RSS {demo.peak_mb:,.0f} MB", flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_common_options(parser, default_releases=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="measured requests per endpoint and pass")
    parser.add_argument("--warmup", type=int, default=50, help="warm-up requests per endpoint")
    parser.add_argument("--clients", type=int, default=10, help="requests in flight")
    parser.add_argument("--sample", type=int, default=50_000, help="releases read for the parameters")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--endpoints", default=",".join(HEADLINE + INFORMATION))
    parser.add_argument("--hold-file", type=Path, help="after measuring, wait while this file exists")
    options = parser.parse_args(argv)
    manifest = ensure_dump(options.dump, options.releases)
    log_dir = options.logs or Path(tempfile.mkdtemp(prefix="bench-api-logs-"))
    print(f"dump {options.dump}: {manifest['records']}; logs in {log_dir}", flush=True)
    started = time.perf_counter()
    sample = DumpSample.read(options.dump, manifest, options.sample)
    print(
        f"parameters from {len(sample.releases):,} releases in {time.perf_counter() - started:.0f} s: "
        f"{len(sample.artists):,} artists, {len(sample.labels):,} labels, {len(sample.genres)} genres, "
        f"{len(sample.styles)} styles; most credited: {sample.artists.most_common(3)}",
        flush=True,
    )
    tables = []
    if options.deployment in ("services", "both"):
        figures = run_services(options, manifest, Pools.from_sample(sample, options.seed), log_dir)
        tables.append(summary("services", figures))
        print(tables[-1], flush=True)
    if options.deployment in ("embedded", "both"):
        figures = run_embedded(options, manifest, Pools.from_sample(sample, options.seed), log_dir)
        tables.append(summary("embedded", figures))
        print(tables[-1], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
