"""Where an extraction run stands, so that a killed run resumes instead of starting over.

One state per dump version (SPEC-ingest §7). Per file it keeps how many records the bus has
confirmed; a rerun skips those and re-sends at most the batches that were in flight. The run's
original `started_at` survives every resume: consumers purge rows older than it, so a resumed
run that reported its own later start would make them delete what the first attempt wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

STATE_FORMAT_VERSION = "1.0"


class Status(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"


class Decision(StrEnum):
    """What a new run does with the state it finds (SPEC-ingest §7 `should_process`)."""

    SKIP = "skip"  # the version was extracted completely
    CONTINUE = "continue"  # resume the pending files
    REPROCESS = "reprocess"  # start afresh with a new state


class StateFormatError(ValueError):
    """A state document that cannot be read back; callers treat the state as absent."""


@dataclass
class FileProgress:
    """One dump file's progress: records confirmed by the bus, and the file it came from."""

    data_type: str
    status: Status = Status.PENDING
    records_confirmed: int = 0
    batches_confirmed: int = 0
    source_checksum: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    error: str | None = None


@dataclass
class ExtractionState:
    version: str
    started_at: datetime
    status: Status = Status.IN_PROGRESS
    files: dict[str, FileProgress] = field(default_factory=dict)
    completed_at: datetime | None = None
    updated_at: datetime | None = None
    errors: list[str] = field(default_factory=list)

    def decide(self, force: bool = False) -> Decision:
        if force:
            return Decision.REPROCESS
        if self.status is Status.COMPLETED:
            return Decision.SKIP
        return Decision.CONTINUE

    def begin_file(self, file_name: str, data_type: str, source_checksum: str | None, now: datetime) -> int:
        """Mark a file in progress; returns how many of its records to skip (already confirmed).

        A completed file whose source bytes changed (another checksum) starts over.
        """
        progress = self.files.get(file_name)
        changed_source = (
            progress is not None
            and source_checksum is not None
            and progress.source_checksum is not None
            and progress.source_checksum != source_checksum
        )
        if progress is None or changed_source:
            progress = FileProgress(data_type=data_type, source_checksum=source_checksum)
            self.files[file_name] = progress
            self.status = Status.IN_PROGRESS
            self.completed_at = None
        if progress.status is Status.COMPLETED:
            return progress.records_confirmed
        progress.status = Status.IN_PROGRESS
        progress.started_at = progress.started_at or now
        progress.error = None
        if progress.source_checksum is None:
            progress.source_checksum = source_checksum
        self.updated_at = now
        return progress.records_confirmed

    def confirm_batch(self, file_name: str, record_count: int, now: datetime) -> None:
        progress = self.files[file_name]
        progress.records_confirmed += record_count
        progress.batches_confirmed += 1
        self.updated_at = now

    def complete_file(self, file_name: str, now: datetime) -> None:
        progress = self.files[file_name]
        progress.status = Status.COMPLETED
        progress.completed_at = now
        self.updated_at = now

    def fail_file(self, file_name: str, error: str, now: datetime) -> None:
        progress = self.files[file_name]
        progress.status = Status.FAILED
        progress.error = error
        self.errors.append(f"{file_name}: {error}")
        self.status = Status.FAILED
        self.updated_at = now

    def is_file_complete(self, file_name: str) -> bool:
        progress = self.files.get(file_name)
        return progress is not None and progress.status is Status.COMPLETED

    @property
    def all_files_complete(self) -> bool:
        return bool(self.files) and all(p.status is Status.COMPLETED for p in self.files.values())

    def record_counts(self) -> dict[str, int]:
        """Confirmed records per data type, as `extraction_complete` reports them."""
        counts: dict[str, int] = {}
        for progress in self.files.values():
            counts[progress.data_type] = counts.get(progress.data_type, 0) + progress.records_confirmed
        return counts

    def complete(self, now: datetime) -> None:
        self.status = Status.COMPLETED
        self.completed_at = now
        self.updated_at = now

    def to_document(self) -> dict[str, Any]:
        """A JSON-ready document; the field names follow the reference's marker where they overlap."""
        return {
            "metadata_version": STATE_FORMAT_VERSION,
            "current_version": self.version,
            "last_updated": _iso(self.updated_at),
            "processing_phase": {
                "status": self.status.value,
                "started_at": _iso(self.started_at),
                "completed_at": _iso(self.completed_at),
                "files_processed": sum(1 for p in self.files.values() if p.status is Status.COMPLETED),
                "files_total": len(self.files),
                "records_extracted": sum(p.records_confirmed for p in self.files.values()),
                "progress_by_file": {
                    name: {
                        "data_type": p.data_type,
                        "status": p.status.value,
                        "records_extracted": p.records_confirmed,
                        "batches_sent": p.batches_confirmed,
                        "source_checksum": p.source_checksum,
                        "started_at": _iso(p.started_at),
                        "completed_at": _iso(p.completed_at),
                        "error": p.error,
                    }
                    for name, p in self.files.items()
                },
                "errors": list(self.errors),
            },
        }

    @classmethod
    def from_document(cls, document: Any) -> ExtractionState:
        try:
            phase = document["processing_phase"]
            started_at = _parse_time(phase["started_at"])
            if started_at is None:
                raise StateFormatError("processing_phase.started_at is missing")
            files = {
                str(name): FileProgress(
                    data_type=str(entry["data_type"]),
                    status=Status(entry["status"]),
                    records_confirmed=int(entry["records_extracted"]),
                    batches_confirmed=int(entry["batches_sent"]),
                    source_checksum=entry.get("source_checksum"),
                    started_at=_parse_time(entry.get("started_at")),
                    completed_at=_parse_time(entry.get("completed_at")),
                    error=entry.get("error"),
                )
                for name, entry in phase["progress_by_file"].items()
            }
            return cls(
                version=str(document["current_version"]),
                started_at=started_at,
                status=Status(phase["status"]),
                files=files,
                completed_at=_parse_time(phase.get("completed_at")),
                updated_at=_parse_time(document.get("last_updated")),
                errors=[str(error) for error in phase.get("errors", [])],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise StateFormatError(f"unreadable extraction state: {error}") from error


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _parse_time(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(str(value))
