"""`discogsography extract`: the first stage of the pipeline, as one command.

Finds the dump (a given directory, or the newest complete version downloaded into DISCOGS_ROOT,
or with `--source musicbrainz` into MUSICBRAINZ_ROOT/<version>/), then publishes its records to the
bus with a resumable state marker, or writes them to `--output-dir` as JSON Lines. The two sources
never extract at once: a run holds the extraction lock (EXTRACTION_LOCK_FILE). While it runs,
`/health` on HEALTH_PORT shows per-file progress and `/metrics` the counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from prometheus_client import Counter

from adapters.dumps.discogs_site import DiscogsSite
from adapters.dumps.discogs_xml import DiscogsXmlReader
from adapters.dumps.download import DumpDownloader, HttpPoliteness, PoliteHttp
from adapters.dumps.extraction_lock import exclusive_extraction
from adapters.dumps.jsonl_output import JsonlOutput
from adapters.dumps.musicbrainz_jsonl import MusicBrainzReader
from adapters.dumps.musicbrainz_site import MusicBrainzSite
from adapters.dumps.musicbrainz_site import download_newest as download_musicbrainz
from adapters.dumps.quality_rules_file import QualityStageError, ScreeningReader, load_rule_set
from adapters.dumps.state_marker import StateMarkerFile
from applications.container import build_container
from applications.observability import health_app, serve_health
from applications.settings import Settings
from domain.dumps import DumpError, local_dump_files
from domain.extract import DumpFileInput, Extraction, ExtractionOutcome, Publisher
from domain.messages import UnroutableMessage
from domain.musicbrainz import is_version, local_musicbrainz_files
from domain.ports import Bus, RecordReader
from domain.records import MalformedRecord

log = structlog.get_logger("extractor")

RECORDS_PUBLISHED = Counter(
    "discogsography_extractor_records_published", "Records confirmed by the bus or written", ["data_type"]
)
RECORDS_MALFORMED = Counter(
    "discogsography_extractor_records_malformed", "Malformed records skipped", ["file"]
)


@dataclass(frozen=True)
class ExtractRequest:
    dump_dir: Path | None
    output_dir: Path | None
    version: str | None
    force: bool
    health_port: int | None
    periodic: bool = False
    source: str = "discogs"


def _now() -> datetime:
    return datetime.now(UTC)


async def _files_to_extract(settings: Settings, request: ExtractRequest) -> tuple[str, list[DumpFileInput]]:
    if request.dump_dir is not None:
        names = [path.name for path in request.dump_dir.iterdir() if path.is_file()]
        version, by_type = local_dump_files(names, request.version)
        return version, [
            DumpFileInput(request.dump_dir / name, data_type) for data_type, name in by_type.items()
        ]
    async with PoliteHttp(HttpPoliteness(user_agent=settings.user_agent)) as http:
        downloader = DumpDownloader(http, settings.discogs_root)
        dump = await downloader.download_newest(DiscogsSite(http, settings.discogs_data_url))
    return dump.version, [DumpFileInput(file.path, file.dump_file.kind, file.sha256) for file in dump.files]


async def _musicbrainz_files(
    settings: Settings, request: ExtractRequest
) -> tuple[str, Path, list[DumpFileInput]]:
    """The version, its directory and its files: those of `--dump-dir`, or the newest download."""
    if request.dump_dir is not None:
        by_type = local_musicbrainz_files(path.name for path in request.dump_dir.iterdir() if path.is_file())
        version = request.version or request.dump_dir.resolve().name
        if not is_version(version):
            raise DumpError(f"{request.dump_dir} is not named YYYYMMDD-HHMMSS: give the dump's --version")
        files = [DumpFileInput(request.dump_dir / name, data_type) for data_type, name in by_type.items()]
        return version, request.dump_dir, files
    async with PoliteHttp(HttpPoliteness(user_agent=settings.user_agent)) as http:
        site = MusicBrainzSite(http, settings.musicbrainz_dump_url)
        dump = await download_musicbrainz(http, settings.musicbrainz_root, site)
    return (
        dump.version,
        dump.directory,
        [DumpFileInput(path, data_type) for data_type, path in dump.files.items()],
    )


@dataclass(frozen=True)
class _Source:
    """What a source brings to a run: its dump files, their reader, its exchanges, its state marker."""

    version: str
    files: list[DumpFileInput]
    reader: RecordReader
    topic_prefix: str
    state_store: StateMarkerFile


async def _source(settings: Settings, request: ExtractRequest) -> _Source:
    if request.source == "musicbrainz":
        # Two passes (SPEC-ingest §9): the reader maps artist MBIDs to Discogs ids before the artists.
        version, directory, files = await _musicbrainz_files(settings, request)
        state_store = StateMarkerFile(directory, prefix=".mb_extraction_status_")
        return _Source(version, files, MusicBrainzReader(), settings.musicbrainz_exchange_prefix, state_store)
    # The rules file is checked before any download, so a typo costs seconds, not a dump.
    rules_file = settings.data_quality_rules
    rule_set = load_rule_set(rules_file) if rules_file is not None else None
    version, files = await _files_to_extract(settings, request)
    reader: RecordReader = DiscogsXmlReader()
    if rule_set is not None:
        # Beside the dump files, as the state marker: DISCOGS_ROOT/flagged/<version>/ for a download.
        reader = ScreeningReader(rule_set, files[0].path.parent / "flagged" / version)
    state_store = StateMarkerFile(files[0].path.parent)
    return _Source(version, files, reader, settings.discogs_exchange_prefix, state_store)


class _Progress:
    """What `/health` shows: the phase, the version and the records confirmed per file this run;
    unhealthy while the bus is away (its connection lost, or publishes failing and retried)."""

    def __init__(self) -> None:
        self.phase = "starting"
        self.version: str | None = None
        self.records_by_file: dict[str, int] = {}
        self.runs = 0
        self.bus: Bus | None = None  # the bus of the run in progress
        self.publish_error: str | None = None
        self.publish_retries = 0

    def on_publish_trouble(self, error: str | None) -> None:
        self.publish_error = error
        if error is None:
            log.info("publish_resumed", retries=self.publish_retries)
        else:
            self.publish_retries += 1
            log.warning("publish_retry", error=error, retries=self.publish_retries)

    def start(self, version: str, files: list[DumpFileInput]) -> None:
        self.phase, self.version = "extracting", version
        self.records_by_file = {file.name: 0 for file in files}
        self.runs += 1

    def on_batch(self, file_name: str, data_type: str, record_count: int) -> None:
        RECORDS_PUBLISHED.labels(data_type).inc(record_count)
        self.records_by_file[file_name] += record_count

    def report(self) -> dict[str, Any]:
        bus_available = self.bus is None or self.bus.available
        healthy = bus_available and self.publish_error is None
        return {
            "status": "healthy" if healthy else "unhealthy",
            "phase": self.phase,
            "version": self.version,
            "runs": self.runs,
            "records_this_run": self.records_by_file,
            "bus": "available" if bus_available else "reconnecting",
            "publish_retries": self.publish_retries,
            "publish_error": self.publish_error,
        }


def _note_malformed(problem: MalformedRecord) -> None:
    RECORDS_MALFORMED.labels(problem.file).inc()
    log.warning(
        "record_malformed",
        file=problem.file,
        line=problem.line,
        record_id=problem.record_id,
        error=str(problem),
    )


async def extract(settings: Settings, request: ExtractRequest, progress: _Progress) -> ExtractionOutcome:
    """Run one extraction; raises DumpError when the dump cannot be found or fetched, and
    QualityStageError when DATA_QUALITY_RULES names an unusable rules file."""
    source = await _source(settings, request)
    version, files = source.version, source.files
    progress.start(version, files)
    publisher: Publisher
    closers: list[Any] = []
    if request.output_dir is not None:
        output = JsonlOutput(request.output_dir)
        publisher, state_store = output, None
        closers.append(output.close)
    else:
        bus = build_container(settings).bus()
        publisher, state_store = bus, source.state_store
        closers.append(bus.close)
        progress.bus = bus
    extraction = Extraction(
        reader=source.reader,
        publisher=publisher,
        topic_prefix=source.topic_prefix,
        clock=_now,
        state_store=state_store,
        batch_size=settings.batch_size,
        on_malformed=_note_malformed,
        on_batch=progress.on_batch,
        on_publish_trouble=progress.on_publish_trouble,
    )
    try:
        log.info(
            "extraction_started", source=request.source, version=version, files=[file.name for file in files]
        )
        outcome = await extraction.run(version, files, force=request.force or settings.force_reprocess)
        progress.phase = "done" if outcome.ok else "failed"
        log.info(
            "extraction_finished",
            version=version,
            decision=outcome.decision.value,
            published=outcome.published,
            extraction_complete_sent=outcome.extraction_complete_sent,
            failed_files=[file.name for file in outcome.files if file.error],
        )
        return outcome
    finally:
        progress.bus = None
        for close in closers:
            await close()


def run_extract(settings: Settings, request: ExtractRequest) -> int:
    """The command: 0 when every file was extracted, 1 when one failed, 2 when nothing could start.

    With `periodic`, it then waits PERIODIC_CHECK_DAYS, or until `POST /trigger`, and runs again
    (a triggered run starts the version afresh); it leaves only on SIGTERM.
    """
    if request.output_dir is None and settings.rabbitmq is None:
        log.error(
            "extraction_needs_a_destination",
            error="publishing needs RABBITMQ_HOST; write files with --output-dir instead",
        )
        return 2

    async def one_run(progress: _Progress, forced: bool) -> int:
        try:
            # Never beside the other source's extraction (adapters/dumps/extraction_lock.py).
            async with exclusive_extraction(settings.extraction_lock_file, f"{request.source} extraction"):
                outcome = await extract(settings, replace(request, force=request.force or forced), progress)
        except (DumpError, QualityStageError) as error:
            progress.phase = "failed"
            log.error("extraction_impossible", error=str(error))
            return 2
        except UnroutableMessage as error:
            progress.phase = "failed"
            hint = "start the workers first: each declares its queues (docs/operations.md)"
            log.error("extraction_impossible", error=str(error), hint=hint)
            return 2
        for file in outcome.files:
            if file.error:
                log.error("file_failed", file=file.name, error=file.error)
        return 0 if outcome.ok else 1

    async def main() -> int:
        progress = _Progress()
        triggered = asyncio.Event()

        async def trigger() -> dict[str, Any]:
            triggered.set()
            return {"triggered": True, "phase": progress.phase}

        task = asyncio.current_task()
        if task is not None:
            # SIGTERM: stop after what is confirmed; the state marker lets the next run resume.
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        stop_health = asyncio.Event()
        health = None
        if request.health_port:
            app = health_app("extractor", progress.report, trigger=trigger if request.periodic else None)
            health = asyncio.create_task(serve_health(app, request.health_port, stop_health))
        try:
            status = await one_run(progress, forced=False)
            while request.periodic:
                progress.phase = "waiting"
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(triggered.wait(), timeout=settings.periodic_check_days * 86_400)
                forced = triggered.is_set()
                triggered.clear()
                status = await one_run(progress, forced=forced)
            return status
        except asyncio.CancelledError:
            log.info("extraction_stopped", reason="SIGTERM")
            return 0
        finally:
            stop_health.set()
            if health is not None:
                with contextlib.suppress(Exception):
                    await health

    return asyncio.run(main())
