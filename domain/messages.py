"""The messages the extractor sends to the builders, and where they travel (docs/messages.md).

Three message types keep the reference's names and fields (SPEC-ingest §6): `data`,
`file_complete` and `extraction_complete`. Where the reference sends one record per message, a
`data` message here carries a batch of records, each with its own `id` and `sha256`, so that the
broker handles thousands of records per round trip instead of one.

This module holds the types and their mapping to JSON-ready Python values; turning those into
bytes is the adapters' job (adapters/codec.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DATA = "data"
FILE_COMPLETE = "file_complete"
EXTRACTION_COMPLETE = "extraction_complete"

DEFAULT_DELIVERY_LIMIT = 20


class MessageFormatError(ValueError):
    """A message that does not follow the envelope of docs/messages.md; says what is wrong."""


class BusError(Exception):
    """The bus could not do what was asked; the message names the exchange or queue."""


class UnroutableMessage(BusError):
    """No queue is bound to the exchange: nobody would receive the message, so it was not sent."""


class PublishRejected(BusError):
    """The broker refused the message (a negative publisher confirm)."""


class PublishTimeout(BusError):
    """No confirm came in time; the message may or may not have been stored, so a retry may duplicate it."""


class BusUnavailable(BusError):
    """The broker cannot be reached; retry later with backoff."""


class DeliveryLost(BusError):
    """The delivery can no longer be settled (its consumer or connection is gone); it will be redelivered."""


class DeliveryAlreadySettled(BusError):
    """A delivery is acked, requeued or rejected once; this one already was."""


@dataclass(frozen=True, slots=True)
class HashedRecord:
    """One normalized record as it travels: its fields (its `id` among them, as hashed) and their sha256."""

    fields: dict[str, Any]
    sha256: str

    def __post_init__(self) -> None:
        record_id = self.fields.get("id")
        if not isinstance(record_id, str) or not record_id:
            raise MessageFormatError(f"a record needs a non-empty string id, not {record_id!r}")
        if not isinstance(self.sha256, str):
            raise MessageFormatError(f"record {record_id}: sha256 must be a string, not {self.sha256!r}")
        if "sha256" in self.fields:
            raise MessageFormatError(f"record {record_id}: a field named sha256 would clash with the hash")

    @property
    def id(self) -> str:
        return str(self.fields["id"])


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """A `data` message: records of one type, in dump order."""

    records: tuple[HashedRecord, ...]


@dataclass(frozen=True, slots=True)
class FileComplete:
    """Sent to a type's exchange after the last batch of its dump file was confirmed."""

    data_type: str
    timestamp: datetime
    total_processed: int
    file: str

    def __post_init__(self) -> None:
        _require_time_zone("timestamp", self.timestamp)


@dataclass(frozen=True, slots=True)
class ExtractionComplete:
    """Sent once to each of a source's exchanges when every file of the dump version was published.

    `started_at` is the run's original start, kept across resumes: the table builder purges rows
    not seen since then.
    """

    version: str
    timestamp: datetime
    started_at: datetime
    record_counts: dict[str, int]

    def __post_init__(self) -> None:
        _require_time_zone("timestamp", self.timestamp)
        _require_time_zone("started_at", self.started_at)


Message = RecordBatch | FileComplete | ExtractionComplete


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message taken from a dead-letter queue, with why it landed there.

    `message` is None when the body could not be decoded; `body` always holds the bytes as stored.
    """

    reason: str
    message: Message | None
    body: bytes


@dataclass(frozen=True, slots=True)
class QueueStats:
    """A queue's depth as the dashboard shows it."""

    name: str
    ready: int
    unacked: int
    consumers: int


@dataclass(frozen=True, slots=True)
class SubscriptionStats:
    queue: QueueStats
    dead_letters: QueueStats


@dataclass(frozen=True, slots=True)
class Topic:
    """Where one source publishes one data type: the durable fanout exchange `{prefix}-{data_type}`."""

    prefix: str
    data_type: str

    @property
    def name(self) -> str:
        return f"{self.prefix}-{self.data_type}"


@dataclass(frozen=True, slots=True)
class Subscription:
    """A consumer group's share of a topic: every message published to the topic, once per group.

    The queue `{prefix}-{consumer}-{data_type}` dead-letters through the fanout exchange
    `{queue}.dlx` into `{queue}.dlq`; a message requeued more than `delivery_limit` times goes there too.
    """

    topic: Topic
    consumer: str
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT

    @property
    def queue_name(self) -> str:
        return f"{self.topic.prefix}-{self.consumer}-{self.topic.data_type}"

    @property
    def dead_letter_exchange_name(self) -> str:
        return f"{self.queue_name}.dlx"

    @property
    def dead_letter_queue_name(self) -> str:
        return f"{self.queue_name}.dlq"


def record_to_json(record: HashedRecord) -> dict[str, Any]:
    """The record as the reference lays out a `data` message, without `type`: id, sha256, then its fields."""
    return {"id": record.id, "sha256": record.sha256, **record.fields}


def message_to_json(message: Message) -> dict[str, Any]:
    """The message as JSON-ready values, in the field layout of docs/messages.md."""
    match message:
        case RecordBatch(records=records):
            return {"type": DATA, "records": [record_to_json(record) for record in records]}
        case FileComplete():
            return {
                "type": FILE_COMPLETE,
                "data_type": message.data_type,
                "timestamp": _rfc3339(message.timestamp),
                "total_processed": message.total_processed,
                "file": message.file,
            }
        case ExtractionComplete():
            return {
                "type": EXTRACTION_COMPLETE,
                "version": message.version,
                "timestamp": _rfc3339(message.timestamp),
                "started_at": _rfc3339(message.started_at),
                "record_counts": dict(message.record_counts),
            }


def message_from_json(document: Any) -> Message:
    """The message a decoded JSON document holds; MessageFormatError says what is missing or wrong.

    A reference `data` message (one record, its fields at the top level) is read as a batch of one.
    Unknown keys are ignored, so that a newer producer does not break an older consumer.
    """
    if not isinstance(document, dict):
        raise MessageFormatError(f"a message is a JSON object, not {type(document).__name__}")
    message_type = document.get("type")
    if message_type == DATA:
        if "records" not in document:
            single = {key: value for key, value in document.items() if key != "type"}
            return RecordBatch(records=(_record_from_json(single),))
        records = document["records"]
        if not isinstance(records, list):
            raise MessageFormatError("`records` of a data message is a list")
        return RecordBatch(records=tuple(_record_from_json(item) for item in records))
    if message_type == FILE_COMPLETE:
        return FileComplete(
            data_type=_text(document, "data_type"),
            timestamp=_time(document, "timestamp"),
            total_processed=_count(document, "total_processed"),
            file=_text(document, "file"),
        )
    if message_type == EXTRACTION_COMPLETE:
        record_counts = document.get("record_counts")
        if not isinstance(record_counts, dict) or not all(
            isinstance(count, int) and not isinstance(count, bool) for count in record_counts.values()
        ):
            raise MessageFormatError("`record_counts` of extraction_complete maps each type to a count")
        return ExtractionComplete(
            version=_text(document, "version"),
            timestamp=_time(document, "timestamp"),
            started_at=_time(document, "started_at"),
            record_counts=record_counts,
        )
    raise MessageFormatError(f"unknown message type {message_type!r}")


def _record_from_json(item: Any) -> HashedRecord:
    if not isinstance(item, dict):
        raise MessageFormatError(f"a record is a JSON object, not {type(item).__name__}")
    if "sha256" not in item:
        raise MessageFormatError(f"record {item.get('id')!r} has no sha256")
    return HashedRecord(
        fields={key: value for key, value in item.items() if key != "sha256"}, sha256=item["sha256"]
    )


def _text(document: dict[str, Any], key: str) -> str:
    value = document.get(key)
    if not isinstance(value, str):
        raise MessageFormatError(f"`{key}` of {document['type']} is a string, not {value!r}")
    return value


def _count(document: dict[str, Any], key: str) -> int:
    value = document.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MessageFormatError(f"`{key}` of {document['type']} is an integer, not {value!r}")
    return value


def _time(document: dict[str, Any], key: str) -> datetime:
    text = _text(document, key)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise MessageFormatError(
            f"`{key}` of {document['type']} is not an RFC 3339 time: {text!r}"
        ) from error
    if moment.tzinfo is None:
        raise MessageFormatError(f"`{key}` of {document['type']} has no UTC offset: {text!r}")
    return moment


def _rfc3339(moment: datetime) -> str:
    """UTC with microseconds and a `Z`, e.g. 2026-01-05T10:00:00.000000Z."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _require_time_zone(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise MessageFormatError(f"{name} must carry a time zone, not be naive: {moment.isoformat()}")
