"""The extract use case on fakes: batching, confirmation, resume, failure of one file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.dedup import canonical_json, sha256_hex
from domain.dumps import DumpError, local_dump_files
from domain.extract import DumpFileInput, Extraction
from domain.extraction_state import ExtractionState
from domain.messages import (
    BusUnavailable,
    ExtractionComplete,
    FileComplete,
    Message,
    PublishRejected,
    PublishTimeout,
    RecordBatch,
    Topic,
    UnroutableMessage,
)
from domain.records import FROM_START, DataType, DumpFileError, MalformedRecord, Record, ResumePoint

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def record(data_type: str, number: int) -> Record:
    document = {"id": str(number), "name": f"name {number}"}
    canonical = canonical_json(document)
    return Record(str(number), DataType(data_type), sha256_hex(canonical), document, canonical)


class FakeReader:
    """Yields `count` records per file; optionally fails after `fail_after` records of one file."""

    def __init__(self, counts: dict[str, int], fail_file: str | None = None, fail_after: int = 0) -> None:
        self.counts = counts
        self.fail_file = fail_file
        self.fail_after = fail_after
        self.resumes: list[tuple[str, int]] = []

    def read(
        self,
        path: Path,
        resume: ResumePoint = FROM_START,
        on_malformed: Callable[[MalformedRecord], None] | None = None,
    ) -> Iterator[Record]:
        self.resumes.append((path.name, resume.records_done))
        data_type = path.name.split("_")[-1].split(".")[0]
        for number in range(resume.records_done + 1, self.counts[path.name] + 1):
            if path.name == self.fail_file and number > self.fail_after:
                raise DumpFileError(path.name, "truncated gzip", line=None, byte_offset=1234)
            if number == 3 and on_malformed is not None:
                on_malformed(MalformedRecord(path.name, 10, 100, "x", "bad record"))
            yield record(data_type, number)


class RecordingPublisher:
    def __init__(self, fail_on_batch: int | None = None) -> None:
        self.messages: list[tuple[str, Message]] = []
        self.batches = 0
        self.fail_on_batch = fail_on_batch

    async def publish(self, topic: Topic, message: Message) -> None:
        if isinstance(message, RecordBatch):
            self.batches += 1
            if self.batches == self.fail_on_batch:
                raise ConnectionError("broker went away")
        self.messages.append((topic.name, message))


class MemoryStates:
    def __init__(self) -> None:
        self.saved: dict[str, dict[str, object]] = {}

    def load(self, version: str) -> ExtractionState | None:
        document = self.saved.get(version)
        return ExtractionState.from_document(document) if document else None

    def save(self, state: ExtractionState, *, durable: bool = False) -> None:
        self.saved[state.version] = state.to_document()


FILES = [DumpFileInput(Path(f"discogs_20261101_{t}.xml.gz"), t) for t in ("artists", "labels")]
COUNTS = {"discogs_20261101_artists.xml.gz": 7, "discogs_20261101_labels.xml.gz": 4}


def extraction(reader: FakeReader, publisher: RecordingPublisher, states: MemoryStates) -> Extraction:
    return Extraction(reader, publisher, "test", lambda: NOW, states, batch_size=3)


async def test_records_go_out_in_batches_then_file_and_extraction_completion() -> None:
    publisher = RecordingPublisher()
    outcome = await extraction(FakeReader(COUNTS), publisher, MemoryStates()).run("20261101", FILES)

    artists = [m for topic, m in publisher.messages if topic == "test-artists"]
    assert [len(m.records) for m in artists if isinstance(m, RecordBatch)] == [3, 3, 1]
    assert isinstance(artists[-2], FileComplete)
    assert artists[-2].total_processed == 7
    assert isinstance(artists[-1], ExtractionComplete)
    assert artists[-1].record_counts == {"artists": 7, "labels": 4}
    assert outcome.ok
    assert outcome.extraction_complete_sent
    assert [f.malformed for f in outcome.files] == [1, 1]


async def test_a_failed_publish_leaves_the_state_at_the_last_confirmed_batch_and_a_rerun_resumes() -> None:
    states = MemoryStates()
    reader = FakeReader(COUNTS)
    with pytest.raises(ConnectionError):
        await extraction(reader, RecordingPublisher(fail_on_batch=2), states).run("20261101", FILES)

    publisher = RecordingPublisher()
    await extraction(reader, publisher, states).run("20261101", FILES)

    assert reader.resumes[-2:] == [
        ("discogs_20261101_artists.xml.gz", 3),
        ("discogs_20261101_labels.xml.gz", 0),
    ]
    resent = [r.id for _, m in publisher.messages if isinstance(m, RecordBatch) for r in m.records]
    assert resent[:4] == ["4", "5", "6", "7"]


class FlakyPublisher(RecordingPublisher):
    """Fails each publish of the `failing` batch numbers once with `error`, as a restarting broker does."""

    def __init__(self, failing: dict[int, Exception]) -> None:
        super().__init__()
        self.failing = failing
        self.attempts = 0

    async def publish(self, topic: Topic, message: Message) -> None:
        self.attempts += 1
        if self.attempts in self.failing:
            raise self.failing[self.attempts]
        await super().publish(topic, message)


async def test_publishes_are_retried_with_capped_backoff_while_the_bus_is_away_and_nothing_is_lost() -> None:
    away = {n: BusUnavailable("RabbitMQ at 127.0.0.1:5672 unreachable") for n in range(2, 10)}
    publisher = FlakyPublisher(away | {10: PublishTimeout("no confirm"), 11: PublishRejected("nacked")})
    states = MemoryStates()
    delays: list[float] = []
    troubles: list[str | None] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    run = Extraction(
        FakeReader(COUNTS), publisher, "test", lambda: NOW, states, batch_size=3,
        on_publish_trouble=troubles.append, sleep=sleep,
    )  # fmt: skip
    outcome = await run.run("20261101", FILES)

    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0, 60.0]
    assert troubles[0] == "BusUnavailable: RabbitMQ at 127.0.0.1:5672 unreachable"
    assert troubles[-1] is None, "recovery is reported"
    artists = [m for topic, m in publisher.messages if topic == "test-artists"]
    sent = [r.id for m in artists if isinstance(m, RecordBatch) for r in m.records]
    assert sent == [str(n) for n in range(1, 8)], "each batch once, in order"
    assert outcome.ok
    assert outcome.extraction_complete_sent


async def test_a_publish_nobody_is_subscribed_to_is_not_retried() -> None:
    publisher = FlakyPublisher({1: UnroutableMessage("no queue is bound")})

    with pytest.raises(UnroutableMessage):
        await extraction(FakeReader(COUNTS), publisher, MemoryStates()).run("20261101", FILES)

    assert publisher.attempts == 1


async def test_a_completed_version_is_skipped_unless_forced() -> None:
    states = MemoryStates()
    reader = FakeReader(COUNTS)
    await extraction(reader, RecordingPublisher(), states).run("20261101", FILES)

    again = RecordingPublisher()
    skipped = await extraction(reader, again, states).run("20261101", FILES)
    forced = await extraction(reader, again, states).run("20261101", FILES, force=True)

    assert skipped.decision.value == "skip"
    assert forced.published == 11


async def test_a_broken_file_fails_alone_and_no_extraction_complete_is_sent() -> None:
    publisher = RecordingPublisher()
    reader = FakeReader(COUNTS, fail_file="discogs_20261101_artists.xml.gz", fail_after=4)

    outcome = await extraction(reader, publisher, MemoryStates()).run("20261101", FILES)

    assert not outcome.ok
    assert "truncated gzip" in (outcome.files[0].error or "")
    assert outcome.files[0].published == 3, "the full batch before the fault was delivered"
    assert outcome.files[1].published == 4
    assert not any(isinstance(m, ExtractionComplete) for _, m in publisher.messages)


def test_local_dump_files_pick_the_newest_versioned_set() -> None:
    names = [
        "discogs_20250101_artists.xml.gz",
        "discogs_20250201_artists.xml.gz",
        "discogs_20250201_releases.xml",
        "discogs_20250201_CHECKSUM.txt",
        "notes.txt",
    ]

    assert local_dump_files(names) == (
        "20250201",
        {"artists": "discogs_20250201_artists.xml.gz", "releases": "discogs_20250201_releases.xml"},
    )
    assert local_dump_files(names, "20250101")[1] == {"artists": "discogs_20250101_artists.xml.gz"}


def test_local_dump_files_name_what_is_missing() -> None:
    with pytest.raises(DumpError, match="carry no version"):
        local_dump_files(["discogs_artists.xml.gz"])
    assert local_dump_files(["discogs_artists.xml.gz"], "20250101")[1] == {
        "artists": "discogs_artists.xml.gz"
    }
    with pytest.raises(DumpError, match="no Discogs dump files"):
        local_dump_files(["readme.md"])
