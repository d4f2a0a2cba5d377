"""Graph-write throughput per type into Neo4j and LadybugDB, first load and unchanged re-run.

Reads a synthetic dump (`tests/bench/synthetic_dump.py`, generated when the directory has none)
with lxml into the normalized records of SPEC-ingest §4, keeping only the fields the graph reads,
and hashes them; that part is not timed. Then, per store: schema, the four types in the order
labels, artists, masters, releases through `GraphStore.write_batch`, timed per type; the same again
(everything unchanged: the hash gate skips all); and a check of the relationship counts against
the dump's manifest. Neo4j is wiped first, under the test suites' lock.

    python -m tests.bench.bench_graph --dump /tmp/dump50k --releases 50000 [--store neo4j|ladybug|both]
        [--batch-size 2000] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isal import igzip
from lxml import etree

from adapters.ladybug.graph_store import LadybugGraphStore
from domain.dedup import content_sha256
from domain.ports import GraphStore
from tests import servers
from tests.bench.common import CHECKED_RELATIONSHIPS, wipe_big_neo4j
from tests.bench.synthetic_dump import DUMP_TYPES, generate_dump

LOAD_ORDER = ("labels", "artists", "masters", "releases")
Record = dict[str, Any]


# --- reading the dump: a light conversion of the fields the graph reads -------------------------


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    return found.text if found is not None and found.text else None


def _named_ids(element: etree._Element, path: str) -> list[dict[str, Any]]:
    """`<name id="2">X</name>` items as `{"id", "name"}` (artist members, groups, aliases; sublabels)."""
    return [{"id": item.get("id"), "name": item.text} for item in element.iterfind(path)]


def _credits(element: etree._Element, path: str) -> list[dict[str, Any]]:
    return [
        {"id": _text(artist, "id"), "name": _text(artist, "name"), "role": _text(artist, "role")}
        for artist in element.iterfind(path)
    ]


def _strings(element: etree._Element, path: str) -> list[str]:
    return [item.text for item in element.iterfind(path) if item.text]


def _artist(element: etree._Element) -> Record:
    return {
        "id": _text(element, "id"),
        "name": _text(element, "name"),
        "members": _named_ids(element, "members/name"),
        "groups": _named_ids(element, "groups/name"),
        "aliases": _named_ids(element, "aliases/name"),
    }


def _label(element: etree._Element) -> Record:
    parent = element.find("parentLabel")
    return {
        "id": _text(element, "id"),
        "name": _text(element, "name"),
        "parentLabel": None if parent is None else {"id": parent.get("id"), "name": parent.text},
        "sublabels": _named_ids(element, "sublabels/label"),
    }


def _master(element: etree._Element) -> Record:
    return {
        "id": element.get("id"),
        "title": _text(element, "title"),
        "year": _text(element, "year"),
        "artists": _credits(element, "artists/artist"),
        "genres": _strings(element, "genres/genre"),
        "styles": _strings(element, "styles/style"),
    }


def _release(element: etree._Element) -> Record:
    return {
        "id": element.get("id"),
        "title": _text(element, "title"),
        "released": _text(element, "released"),
        "artists": _credits(element, "artists/artist"),
        "extraartists": _credits(element, "extraartists/artist"),
        "labels": [dict(label.attrib) for label in element.iterfind("labels/label")],
        "formats": [dict(fmt.attrib) for fmt in element.iterfind("formats/format")],
        "genres": _strings(element, "genres/genre"),
        "styles": _strings(element, "styles/style"),
        "master_id": _text(element, "master_id"),
    }


_CONVERTERS = {"artists": _artist, "labels": _label, "masters": _master, "releases": _release}


def read_records(path: Path, data_type: str) -> Iterator[Record]:
    """The file's records, normalized enough for the graph (empty lists omitted), with their sha256."""
    convert = _CONVERTERS[data_type]
    with igzip.open(path, "rb") as stream:
        for _, element in etree.iterparse(stream, tag=data_type.removesuffix("s")):
            if element.getparent() is not None and element.getparent().getparent() is None:
                record = {key: value for key, value in convert(element).items() if value not in ([], None)}
                record["sha256"] = content_sha256(record)
                yield record
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]


# --- timing -------------------------------------------------------------------------------------


@dataclass
class Stage:
    store: str
    run: str
    data_type: str
    records: int
    written: int
    unchanged: int
    seconds: float
    client_cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


async def write_all(
    store: GraphStore, data_type: str, records: Sequence[Record], batch_size: int, concurrency: int
) -> tuple[int, int]:
    """Write the records in batches, `concurrency` batches in flight; (written, unchanged)."""
    gate = asyncio.Semaphore(concurrency)
    written = unchanged = 0

    async def one(batch: Sequence[Record]) -> None:
        nonlocal written, unchanged
        async with gate:
            outcome = await store.write_batch(data_type, batch)
        if outcome.rejected:
            raise RuntimeError(f"rejected {data_type}: {outcome.rejected[:3]}")
        written += outcome.written
        unchanged += outcome.unchanged

    await asyncio.gather(
        *(one(records[start : start + batch_size]) for start in range(0, len(records), batch_size))
    )
    return written, unchanged


async def bench_store(
    name: str, store: GraphStore, dump: dict[str, list[Record]], batch_size: int, concurrency: int
) -> list[Stage]:
    await store.ensure_schema()
    stages = []
    for run in ("first load", "unchanged re-run"):
        for data_type in LOAD_ORDER:
            started, cpu_started = time.perf_counter(), time.process_time()
            written, unchanged = await write_all(store, data_type, dump[data_type], batch_size, concurrency)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            stages.append(Stage(name, run, data_type, len(dump[data_type]), written, unchanged, elapsed, cpu))
            print_stage(stages[-1])
    return stages


def print_stage(stage: Stage) -> None:
    print(
        f"{stage.store:8} {stage.run:17} {stage.data_type:9} {stage.records:>8,} records "
        f"{stage.seconds:8.2f} s {stage.rate:>10,.0f} records/s  written {stage.written:,} "
        f"unchanged {stage.unchanged:,}  this process's CPU {stage.client_cpu_seconds:.1f} s",
        flush=True,
    )


async def relationship_counts(store: GraphStore) -> dict[str, int]:
    return {kind: await store.count_relationships(kind) for kind in CHECKED_RELATIONSHIPS}


async def run(arguments: argparse.Namespace) -> int:
    dump_dir: Path = arguments.dump
    if not (dump_dir / "manifest.json").exists():
        print(f"generating a synthetic dump of {arguments.releases:,} releases in {dump_dir}", flush=True)
        generate_dump(dump_dir, releases=arguments.releases)
    manifest = json.loads((dump_dir / "manifest.json").read_text())
    started = time.perf_counter()
    dump = {
        data_type: list(read_records(dump_dir / manifest["files"][data_type]["name"], data_type))
        for data_type in DUMP_TYPES
    }
    print(
        f"read {sum(map(len, dump.values())):,} records in {time.perf_counter() - started:.1f} s", flush=True
    )
    # The dump held in memory is millions of objects that a worker never holds; without this, every
    # full collection during the writes would scan them and the figures would measure that instead.
    gc.freeze()

    failures = 0
    stores = ("neo4j", "ladybug") if arguments.store == "both" else (arguments.store,)
    for name in stores:
        if name == "neo4j":
            env = servers.server_environ()
            with servers.exclusive_neo4j():
                neo4j = servers.new_neo4j_store(env)
                try:
                    await wipe_big_neo4j(neo4j)
                    await bench_store(name, neo4j, dump, arguments.batch_size, arguments.concurrency)
                    counts = await relationship_counts(neo4j)
                    await wipe_big_neo4j(neo4j)
                finally:
                    await neo4j.close()
        else:
            with tempfile.TemporaryDirectory(prefix="bench-graph-") as directory:
                ladybug = LadybugGraphStore(Path(directory) / "graph.lbdb")
                try:
                    await bench_store(name, ladybug, dump, arguments.batch_size, arguments.concurrency)
                    counts = await relationship_counts(ladybug)
                finally:
                    await ladybug.close()
        expected = {kind: manifest["relationships"][kind] for kind in CHECKED_RELATIONSHIPS}
        if counts != expected:
            failures += 1
            print(f"{name}: relationship counts {counts} differ from the manifest's {expected}", flush=True)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_rss_mb:,.0f} MB", flush=True)
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dump", type=Path, required=True, help="synthetic dump directory (made if missing)")
    parser.add_argument(
        "--releases", type=int, default=50_000, help="releases to generate when making the dump"
    )
    parser.add_argument("--store", choices=("neo4j", "ladybug", "both"), default="both")
    parser.add_argument("--batch-size", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=1, help="batches in flight per type")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
