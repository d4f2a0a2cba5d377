"""The extract use case: dump files in, batches of normalized, hashed records out.

Each file is read by a RecordReader in a worker thread (parsing is CPU work, publishing waits
on the broker: the two overlap) and published in batches; a batch counts as done only once the
publisher has confirmed it, and only then does the state move on. A rerun of the same version
skips completed files and, inside a file, the records already confirmed: it re-sends at most
the batches that were in flight. `extraction_complete` goes to every type's topic once all four
files are complete, carrying the run's original start.

While the bus is away (the broker restarts or cannot be reached) a publish is retried with capped
exponential backoff, the same message each time, so the run waits instead of failing and loses
nothing; the reader waits meanwhile (its queue is bounded).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from domain.extraction_state import Decision, ExtractionState
from domain.messages import (
    BusUnavailable,
    ExtractionComplete,
    FileComplete,
    HashedRecord,
    Message,
    PublishRejected,
    PublishTimeout,
    RecordBatch,
    Topic,
)
from domain.ports import RecordReader
from domain.records import DumpFileError, MalformedRecord, Record, ResumePoint

DEFAULT_BATCH_SIZE = 500
_QUEUED_BATCHES = 4  # parsed batches waiting for the publisher; bounds memory
MAX_BACKOFF_SECONDS = 60.0
# Worth retrying: the broker is away, or did not confirm (the retry may store a message twice, which
# the consumers' idempotent writes absorb), or refused it for now (a full queue, a quorum queue
# without its quorum). UnroutableMessage is not: no consumer group ever subscribed.
RETRIED_PUBLISH_ERRORS = (BusUnavailable, PublishTimeout, PublishRejected)


class Publisher(Protocol):
    """The publishing half of the Bus port (a file writer offers the same)."""

    async def publish(self, topic: Topic, message: Message) -> None: ...


class StateStore(Protocol):
    """Where the extraction state of a dump version is kept between runs."""

    def load(self, version: str) -> ExtractionState | None: ...

    def save(self, state: ExtractionState, *, durable: bool = False) -> None: ...


@dataclass(frozen=True)
class DumpFileInput:
    """One dump file to extract: where it is, what it holds, and its checksum when known."""

    path: Path
    data_type: str
    source_checksum: str | None = None

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class FileOutcome:
    name: str
    data_type: str
    published: int = 0
    skipped_as_confirmed: int = 0
    malformed: int = 0
    already_complete: bool = False
    error: str | None = None


@dataclass
class ExtractionOutcome:
    version: str
    decision: Decision
    files: list[FileOutcome] = field(default_factory=list)
    extraction_complete_sent: bool = False

    @property
    def ok(self) -> bool:
        return all(outcome.error is None for outcome in self.files)

    @property
    def published(self) -> int:
        return sum(outcome.published for outcome in self.files)


@dataclass
class Extraction:
    """Collaborators of one extraction run; `state_store` None means no resume (file output)."""

    reader: RecordReader
    publisher: Publisher
    topic_prefix: str
    clock: Callable[[], datetime]
    state_store: StateStore | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    on_malformed: Callable[[MalformedRecord], None] | None = None
    on_batch: Callable[[str, str, int], None] | None = None  # file name, data type, records in the batch
    # Called with the error before each wait for a publish retry, and with None once a publish
    # succeeds again: what /health reports.
    on_publish_trouble: Callable[[str | None], None] | None = None
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _malformed_by_file: dict[str, int] = field(default_factory=dict)

    async def run(
        self, version: str, files: Sequence[DumpFileInput], force: bool = False
    ) -> ExtractionOutcome:
        state = self._load_state(version, force)
        decision = Decision.CONTINUE
        if state is None:
            state = ExtractionState(version=version, started_at=self.clock())
            decision = Decision.REPROCESS
        elif state.decide(force) is Decision.SKIP:
            return ExtractionOutcome(version, Decision.SKIP)
        outcome = ExtractionOutcome(version, decision)
        for dump_file in files:
            outcome.files.append(await self._extract_file(state, dump_file))
        # Every given file was begun in `state`, so this also says each of them is complete.
        if outcome.ok and state.all_files_complete:
            await self._announce_completion(state, sorted({f.data_type for f in files}))
            outcome.extraction_complete_sent = True
        return outcome

    def _load_state(self, version: str, force: bool) -> ExtractionState | None:
        if self.state_store is None or force:
            return None
        return self.state_store.load(version)

    def _save(self, state: ExtractionState, durable: bool = False) -> None:
        if self.state_store is not None:
            self.state_store.save(state, durable=durable)

    async def _extract_file(self, state: ExtractionState, dump_file: DumpFileInput) -> FileOutcome:
        outcome = FileOutcome(dump_file.name, dump_file.data_type)
        already_confirmed = state.begin_file(
            dump_file.name, dump_file.data_type, dump_file.source_checksum, self.clock()
        )
        if state.is_file_complete(dump_file.name):
            outcome.already_complete = True
            return outcome
        outcome.skipped_as_confirmed = already_confirmed
        self._save(state)
        topic = Topic(self.topic_prefix, dump_file.data_type)
        self._malformed_by_file[dump_file.name] = 0
        try:
            async for batch in self._batches(dump_file.path, ResumePoint(records_done=already_confirmed)):
                message = RecordBatch(tuple(HashedRecord(record.document, record.sha256) for record in batch))
                await self._publish(topic, message)
                state.confirm_batch(dump_file.name, len(batch), self.clock())
                outcome.published += len(batch)
                self._save(state)
                if self.on_batch is not None:
                    self.on_batch(dump_file.name, dump_file.data_type, len(batch))
        except DumpFileError as error:
            outcome.error = str(error)
            state.fail_file(dump_file.name, str(error), self.clock())
            self._save(state, durable=True)
            return outcome
        finally:
            outcome.malformed = self._malformed_by_file.pop(dump_file.name, 0)
        total = state.files[dump_file.name].records_confirmed
        await self._publish(topic, FileComplete(dump_file.data_type, self.clock(), total, dump_file.name))
        state.complete_file(dump_file.name, self.clock())
        self._save(state, durable=True)
        return outcome

    async def _announce_completion(self, state: ExtractionState, data_types: Sequence[str]) -> None:
        message = ExtractionComplete(
            version=state.version,
            timestamp=self.clock(),
            started_at=state.started_at,
            record_counts=state.record_counts(),
        )
        for data_type in data_types:
            await self._publish(Topic(self.topic_prefix, data_type), message)
        state.complete(self.clock())
        self._save(state, durable=True)

    async def _publish(self, topic: Topic, message: Message) -> None:
        """Publish until the bus confirms, waiting 1 s, then twice as long each time up to a minute,
        while the bus is away; the batch is kept until then, so the state never moves past it."""
        delay = 1.0
        troubled = False
        while True:
            try:
                await self.publisher.publish(topic, message)
            except RETRIED_PUBLISH_ERRORS as error:
                troubled = True
                if self.on_publish_trouble is not None:
                    self.on_publish_trouble(f"{type(error).__name__}: {error}")
                await self.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
                continue
            if troubled and self.on_publish_trouble is not None:
                self.on_publish_trouble(None)
            return

    def _count_malformed(self, file_name: str) -> Callable[[MalformedRecord], None]:
        def note(problem: MalformedRecord) -> None:
            self._malformed_by_file[file_name] = self._malformed_by_file.get(file_name, 0) + 1
            if self.on_malformed is not None:
                self.on_malformed(problem)

        return note

    def _batches(self, path: Path, resume: ResumePoint) -> AsyncIterator[list[Record]]:
        return batches_in_thread(
            lambda: self.reader.read(path, resume, self._count_malformed(path.name)), self.batch_size
        )


async def batches_in_thread(
    records: Callable[[], Iterable[Record]], batch_size: int
) -> AsyncIterator[list[Record]]:
    """Batches of a sync record iterator that runs in a worker thread, through a bounded queue.

    When the consumer stops early (a publish failed), the thread stops at its next batch.
    An exception of the iterator is raised here after every batch before it was yielded.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[list[Record] | BaseException | None] = asyncio.Queue(maxsize=_QUEUED_BATCHES)
    stopped = threading.Event()

    def hand_over(item: list[Record] | BaseException | None) -> bool:
        if stopped.is_set():
            return False
        asyncio.run_coroutine_threadsafe(queue.put(item), loop).result()
        return True

    def produce() -> None:
        try:
            batch: list[Record] = []
            for record in records():
                batch.append(record)
                if len(batch) >= batch_size:
                    if not hand_over(batch):
                        return
                    batch = []
            if batch and not hand_over(batch):
                return
            hand_over(None)
        except Exception as error:  # handed to the consuming coroutine, which raises it
            hand_over(error)

    producer = loop.run_in_executor(None, produce)
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stopped.set()
        while not queue.empty():
            queue.get_nowait()
        with contextlib.suppress(Exception):
            await producer
