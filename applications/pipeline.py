"""One dump through the whole pipeline inside one process: extractor, both builders, maintenance.

The embedded deployment (and the demo) runs extraction and building in the same process over the
in-process bus; this is the same Extraction and the same BuildLoops the separate processes run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from adapters.dumps.discogs_xml import DiscogsXmlReader
from domain.build import BuildLoop, GraphSink, TableSink
from domain.dumps import DISCOGS_DUMP_TYPES, local_dump_files
from domain.extract import DumpFileInput, Extraction, ExtractionOutcome
from domain.messages import Subscription, Topic
from domain.ports import Bus, GraphStore, TableStore

CONSUMER_GROUPS = ("graphinator", "tableinator")


def now() -> datetime:
    return datetime.now(UTC)


def dump_files(dump_dir: Path, version: str | None = None) -> tuple[str, list[DumpFileInput]]:
    """The dump's version and its four files."""
    chosen, by_type = local_dump_files((path.name for path in dump_dir.iterdir()), version)
    return chosen, [DumpFileInput(dump_dir / name, data_type) for data_type, name in by_type.items()]


@dataclass(frozen=True)
class LoadReport:
    outcome: ExtractionOutcome
    loops: tuple[BuildLoop, ...]

    def written(self, consumer: str) -> dict[str, int]:
        return {b.data_type: b.counters.written for b in self.loops if b.subscription.consumer == consumer}

    def unchanged(self, consumer: str) -> dict[str, int]:
        return {b.data_type: b.counters.unchanged for b in self.loops if b.subscription.consumer == consumer}


async def load_dump(
    bus: Bus,
    graph: GraphStore,
    tables: TableStore,
    dump_dir: Path,
    prefix: str,
    version: str | None = None,
    force: bool = False,
    clock: Callable[[], datetime] = now,
    completion_timeout: float = 3600.0,
) -> LoadReport:
    """Builders up, one extraction of the dump, builders drained and stopped, maintenance done.

    Raises DumpError (from the reader) when a file cannot be read past; what was read before it is
    written. Builders always stop, also on failure.
    """
    graph_sink = GraphSink(graph)
    table_sink = TableSink(tables, clock=clock)
    loops = tuple(
        BuildLoop(bus, sink, Subscription(Topic(prefix, data_type), group))
        for sink, group in ((graph_sink, CONSUMER_GROUPS[0]), (table_sink, CONSUMER_GROUPS[1]))
        for data_type in DISCOGS_DUMP_TYPES
    )
    for build in loops:
        await bus.subscribe(build.subscription)
    running = [asyncio.create_task(build.run()) for build in loops]
    try:
        chosen, files = dump_files(dump_dir, version)
        extraction = Extraction(DiscogsXmlReader(), bus, prefix, clock)
        outcome = await extraction.run(chosen, files, force=force)
        if outcome.extraction_complete_sent:
            async with asyncio.timeout(completion_timeout):
                while not all(build.counters.extractions_complete for build in loops):  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
    finally:
        for build in loops:
            build.stop()
        await asyncio.gather(*running)
    await graph_sink.wait_for_maintenance()
    return LoadReport(outcome, loops)
