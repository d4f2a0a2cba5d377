"""The message envelope (docs/messages.md): exact bytes, round trips, and precise errors for bad input."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.codec import decode_message, encode_message
from domain.messages import (
    ExtractionComplete,
    FileComplete,
    HashedRecord,
    Message,
    MessageFormatError,
    RecordBatch,
    Subscription,
    Topic,
    message_from_json,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "messages.md"

# Two Discogs artists as the extractor publishes them; each sha256 is that of the record's canonical JSON.
PERSUADER = HashedRecord(
    fields={
        "id": "1",
        "name": "The Persuader",
        "realname": "Jesper Dahlbäck",
        "namevariations": ["Persuader"],
    },
    sha256="96c45e10b68829fb2bcc62f292620036e372f2eb3f12221052138eee8b44d11a",
)
BARTH = HashedRecord(
    fields={"id": "2", "name": "Mr. James Barth & A.D.", "realname": "Cari Lekebusch & Alexi Delano"},
    sha256="d1d344535143e9bd92a06cbe43490abb5685a2bdd3207b4870adfd45e6e760d9",
)
DATA_BYTES = (
    b'{"type":"data","records":['
    b'{"id":"1","sha256":"96c45e10b68829fb2bcc62f292620036e372f2eb3f12221052138eee8b44d11a",'
    b'"name":"The Persuader","realname":"Jesper Dahlb\xc3\xa4ck","namevariations":["Persuader"]},'
    b'{"id":"2","sha256":"d1d344535143e9bd92a06cbe43490abb5685a2bdd3207b4870adfd45e6e760d9",'
    b'"name":"Mr. James Barth & A.D.","realname":"Cari Lekebusch & Alexi Delano"}]}'
)
FILE_COMPLETE = FileComplete(
    data_type="artists",
    timestamp=datetime(2026, 3, 1, 9, 30, 5, 250000, tzinfo=UTC),
    total_processed=9_957_079,
    file="discogs_20260301_artists.xml.gz",
)
FILE_COMPLETE_BYTES = (
    b'{"type":"file_complete","data_type":"artists","timestamp":"2026-03-01T09:30:05.250000Z",'
    b'"total_processed":9957079,"file":"discogs_20260301_artists.xml.gz"}'
)
EXTRACTION_COMPLETE = ExtractionComplete(
    version="20260301",
    timestamp=datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC),
    started_at=datetime(2026, 3, 1, 6, 0, tzinfo=timezone(timedelta(hours=1))),
    record_counts={"artists": 9957079, "labels": 2274406, "masters": 2462165, "releases": 18984530},
)
EXTRACTION_COMPLETE_BYTES = (
    b'{"type":"extraction_complete","version":"20260301","timestamp":"2026-03-02T23:59:59.000000Z",'
    b'"started_at":"2026-03-01T05:00:00.000000Z","record_counts":'
    b'{"artists":9957079,"labels":2274406,"masters":2462165,"releases":18984530}}'
)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (RecordBatch(records=(PERSUADER, BARTH)), DATA_BYTES),
        (FILE_COMPLETE, FILE_COMPLETE_BYTES),
        (EXTRACTION_COMPLETE, EXTRACTION_COMPLETE_BYTES),
    ],
)
def test_each_message_type_encodes_to_the_bytes_documented_in_docs(message: Message, expected: bytes) -> None:
    assert encode_message(message) == expected
    assert decode_message(expected) == message
    assert expected.decode() in DOCS.read_text(encoding="utf-8")


def test_a_reference_data_message_is_read_as_a_batch_of_one() -> None:
    reference = (
        b'{"type":"data","id":"1","sha256":"abc","name":"The Persuader","namevariations":["Persuader"]}'
    )

    assert decode_message(reference) == RecordBatch(
        records=(
            HashedRecord(
                fields={"id": "1", "name": "The Persuader", "namevariations": ["Persuader"]}, sha256="abc"
            ),
        )
    )


def test_timestamps_with_any_offset_and_nanoseconds_are_read_as_the_same_instant() -> None:
    document = orjson.loads(FILE_COMPLETE_BYTES)
    for text in ("2026-03-01T09:30:05.250000000+00:00", "2026-03-01T11:30:05.25+02:00"):
        assert message_from_json({**document, "timestamp": text}) == FILE_COMPLETE


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b"\x00not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"type":"delete"}', "unknown message type 'delete'"),
        (b'{"type":"data","records":{"id":"1"}}', "is a list"),
        (b'{"type":"data","records":[{"id":"1"}]}', "record '1' has no sha256"),
        (b'{"type":"data","records":[{"id":"","sha256":""}]}', "non-empty string id"),
        (b'{"type":"data","records":[{"id":7,"sha256":""}]}', "non-empty string id"),
        (b'{"type":"file_complete","data_type":"artists","timestamp":"2026-03-01T09:30:05",', "not JSON"),
        (
            b'{"type":"file_complete","data_type":"artists","timestamp":"2026-03-01T09:30:05",'
            b'"total_processed":1,"file":"f"}',
            "has no UTC offset",
        ),
        (
            b'{"type":"file_complete","data_type":"artists","timestamp":"2026-03-01T09:30:05Z",'
            b'"total_processed":"1","file":"f"}',
            "`total_processed` of file_complete is an integer",
        ),
        (
            b'{"type":"extraction_complete","version":"1","timestamp":"2026-03-01T09:30:05Z",'
            b'"started_at":"2026-03-01T09:30:05Z","record_counts":{"artists":true}}',
            "maps each type to a count",
        ),
    ],
)
def test_a_malformed_body_raises_message_format_error_saying_what_is_wrong(
    body: bytes, complaint: str
) -> None:
    with pytest.raises(MessageFormatError, match=complaint):
        decode_message(body)


def test_a_naive_time_is_refused_when_the_message_is_made() -> None:
    with pytest.raises(MessageFormatError, match="time zone"):
        FileComplete(data_type="artists", timestamp=datetime(2026, 3, 1), total_processed=0, file="f")


def test_queue_and_exchange_names_follow_the_reference() -> None:
    subscription = Subscription(Topic("discogsography-musicbrainz", "release-groups"), "brainzgraphinator")

    assert subscription.topic.name == "discogsography-musicbrainz-release-groups"
    assert subscription.queue_name == "discogsography-musicbrainz-brainzgraphinator-release-groups"
    assert subscription.dead_letter_exchange_name == subscription.queue_name + ".dlx"
    assert subscription.dead_letter_queue_name == subscription.queue_name + ".dlq"


# Round-trip properties over everything JSON can carry (orjson: 64-bit integers, finite floats,
# strings without lone surrogates).

texts = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)
records = st.builds(
    lambda record_id, fields, sha256: HashedRecord(fields={"id": record_id, **fields}, sha256=sha256),
    texts.filter(bool),
    st.dictionaries(texts.filter(lambda key: key not in ("id", "sha256")), json_values, max_size=6),
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64) | st.just(""),
)
moments = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=9, minutes=30))]),
)
counts = st.integers(min_value=0, max_value=2**63 - 1)
messages: st.SearchStrategy[Message] = st.one_of(
    st.builds(RecordBatch, records=st.lists(records, max_size=5).map(tuple)),
    st.builds(FileComplete, data_type=texts, timestamp=moments, total_processed=counts, file=texts),
    st.builds(
        ExtractionComplete,
        version=texts,
        timestamp=moments,
        started_at=moments,
        record_counts=st.dictionaries(texts, counts, max_size=5),
    ),
)


@given(messages)
def test_every_message_survives_encoding_and_decoding(message: Message) -> None:
    assert decode_message(encode_message(message)) == message


@given(st.lists(records, min_size=1, max_size=5))
def test_records_keep_their_order_ids_and_hashes_through_the_wire(batch: list[HashedRecord]) -> None:
    received = decode_message(encode_message(RecordBatch(records=tuple(batch))))

    assert isinstance(received, RecordBatch)
    assert [(record.id, record.sha256) for record in received.records] == [
        (record.id, record.sha256) for record in batch
    ]


ENVELOPE_KEYS = "records id sha256 data_type timestamp total_processed file version started_at record_counts"
envelope_keys = st.sampled_from(ENVELOPE_KEYS.split())
near_envelopes = st.builds(
    lambda message_type, fields: {"type": message_type, **fields},
    st.sampled_from(["data", "file_complete", "extraction_complete"]),
    st.dictionaries(envelope_keys, json_values | st.lists(st.dictionaries(envelope_keys, json_values))),
)


@given(st.binary(max_size=200) | json_values.map(orjson.dumps) | near_envelopes.map(orjson.dumps))
def test_any_body_decodes_or_raises_message_format_error(body: bytes) -> None:
    """Consumers dead-letter on MessageFormatError; any other exception would escape that path."""
    with suppress(MessageFormatError):
        decode_message(body)
