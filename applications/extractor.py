"""`discogsography extract`: the first stage of the pipeline, as one command.

Finds the dump (a given directory, or the newest complete version downloaded into
DISCOGS_ROOT), then publishes its records to the bus with a resumable state marker, or writes
them to `--output-dir` as JSON Lines. While it runs, `/health` on HEALTH_PORT shows per-file
progress and `/metrics` the counters.
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
from adapters.dumps.jsonl_output import JsonlOutput
from adapters.dumps.quality_rules_file import QualityStageError, ScreeningReader, load_rule_set
from adapters.dumps.state_marker import StateMarkerFile
from applications.container import build_container
from applications.observability import health_app, serve_health
from applications.settings import Settings
from domain.dumps import DumpError, local_dump_files
from domain.extract import DumpFileInput, Extraction, ExtractionOutcome, Publisher
from domain.ports import RecordReader
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


class _Progress:
    """What `/health` shows: the phase, the version and the records confirmed per file this run."""

    def __init__(self) -> None:
        self.phase = "starting"
        self.version: str | None = None
        self.records_by_file: dict[str, int] = {}
        self.runs = 0

    def start(self, version: str, files: list[DumpFileInput]) -> None:
        self.phase, self.version = "extracting", version
        self.records_by_file = {file.name: 0 for file in files}
        self.runs += 1

    def on_batch(self, file_name: str, data_type: str, record_count: int) -> None:
        RECORDS_PUBLISHED.labels(data_type).inc(record_count)
        self.records_by_file[file_name] += record_count

    def report(self) -> dict[str, Any]:
        return {
            "status": "healthy",
            "phase": self.phase,
            "version": self.version,
            "runs": self.runs,
            "records_this_run": self.records_by_file,
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
    # The rules file is checked before any download, so a typo costs seconds, not a dump.
    rules_file = settings.data_quality_rules
    rule_set = load_rule_set(rules_file) if rules_file is not None else None
    version, files = await _files_to_extract(settings, request)
    reader: RecordReader = DiscogsXmlReader()
    if rule_set is not None:
        # Beside the dump files, as the state marker: DISCOGS_ROOT/flagged/<version>/ for a download.
        reader = ScreeningReader(rule_set, files[0].path.parent / "flagged" / version)
    progress.start(version, files)
    publisher: Publisher
    closers: list[Any] = []
    if request.output_dir is not None:
        output = JsonlOutput(request.output_dir)
        publisher, state_store = output, None
        closers.append(output.close)
    else:
        bus = build_container(settings).bus()
        publisher, state_store = bus, StateMarkerFile(files[0].path.parent)
        closers.append(bus.close)
    extraction = Extraction(
        reader=reader,
        publisher=publisher,
        topic_prefix=settings.discogs_exchange_prefix,
        clock=_now,
        state_store=state_store,
        batch_size=settings.batch_size,
        on_malformed=_note_malformed,
        on_batch=progress.on_batch,
    )
    try:
        log.info("extraction_started", version=version, files=[file.name for file in files])
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
            outcome = await extract(settings, replace(request, force=request.force or forced), progress)
        except (DumpError, QualityStageError) as error:
            progress.phase = "failed"
            log.error("extraction_impossible", error=str(error))
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
