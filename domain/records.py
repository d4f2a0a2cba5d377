"""Discogs records as the pipeline carries them, and the normalization that shapes them.

A reader turns each record element of a dump into a raw JSON value (SPEC-ingest §3, §11 rules
1-10: attributes as `@name`, text as `#text`, repeated children as arrays, blank text ignored); this
module takes it from there: the record id, the always-on normalization of SPEC-ingest §4 (rules
11-16) and the content hash of §5. Everything here is pure: no I/O, no parser objects, so the rules
that decide a record's digest are tested on plain dicts.

All values stay strings, null, lists or objects; nothing is coerced, trimmed or Unicode-normalized,
because every such change would give a digest the reference system does not give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.dedup import CanonicalSerializer, canonical_json, sha256_hex
from domain.dumps import DumpError

JsonObject = dict[str, Any]
"""A record document or one of its objects (the JSON boundary: values are str, None, list, dict)."""

UNKNOWN_RECORD_ID = "unknown"
"""The id of a record that has neither an `id` attribute nor a plain `<id>` child (rule 10)."""

WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
"""Unicode White_Space, what Rust's `str::trim` strips: text made only of these is blank (rule 3),
so `not text.strip(WHITE_SPACE)` tests blankness (an NBSP-only field is blank). Python's
`str.isspace` differs: it also counts U+001C-U+001F, which the reference keeps as text.
"""


class DataType(StrEnum):
    """The four Discogs dump files; the value is the file's type and its root element name."""

    ARTISTS = "artists"
    LABELS = "labels"
    MASTERS = "masters"
    RELEASES = "releases"

    @property
    def record_element(self) -> str:
        """The name of the element that holds one record (`artist` for artists)."""
        return self.value.removesuffix("s")

    @classmethod
    def from_element(cls, name: str) -> DataType | None:
        """The type whose root (`releases`) or record element (`release`) has this name, if any."""
        for data_type in cls:
            if name in (data_type.value, data_type.record_element):
                return data_type
        return None


@dataclass(frozen=True, slots=True)
class Record:
    """One normalized record, ready to publish.

    `document` is the normalized record; it holds the record's `id` (the `id` attribute renamed for
    masters and releases, the `<id>` child for artists and labels) unless the element had none, and
    then `id` is "unknown". `canonical_json` holds the exact bytes whose sha256 is `sha256`, so a
    publisher can embed them without serializing the document again. `data_type` is a DataType
    for Discogs; a MusicBrainz record (domain.musicbrainz) has its own type, an empty `sha256`
    and empty `canonical_json`, since that pipeline hashes nothing (SPEC-ingest §5).
    """

    id: str
    data_type: str
    sha256: str
    document: JsonObject
    canonical_json: bytes


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """Where a rerun of one file picks up: after `records_done` records, or after record `last_id`.

    Only records that are delivered count (malformed and dropped ones do not), so the count a
    consumer keeps matches the count a reader skips. The default resumes nowhere: read from the
    start.
    """

    records_done: int = 0
    last_id: str | None = None

    def __post_init__(self) -> None:
        if self.records_done < 0:
            raise ValueError(f"records_done must be >= 0, not {self.records_done}")
        if self.records_done and self.last_id is not None:
            raise ValueError("resume after a record count or after a record id, not both")


FROM_START = ResumePoint()


class MalformedRecord(DumpError):
    """A record that cannot be read; it is reported and skipped, and the file goes on.

    `line` (1-based) and `byte_offset` (0-based, in the decompressed XML) locate the record's start
    tag, or the fault itself when it is known more precisely; `record_id` is None when even the id
    could not be read.
    """

    def __init__(self, file: str, line: int, byte_offset: int, record_id: str | None, reason: str) -> None:
        where = f"line {line}, byte {byte_offset}"
        which = f"record {record_id}" if record_id is not None else "record with unknown id"
        super().__init__(f"{file}: malformed {which} at {where}: {reason}")
        self.file = file
        self.line = line
        self.byte_offset = byte_offset
        self.record_id = record_id
        self.reason = reason


class DumpFileError(DumpError):
    """A dump file that cannot be read past a point: every record before it was delivered, none after.

    Raised for a truncated or corrupt gzip stream, bytes that are not UTF-8, characters XML forbids,
    XML that ends before its root element closes, or too many malformed records. `line` is None
    when only the byte offset (in the decompressed XML) is known. `content` names what the
    position counts in ("the JSON Lines" for a MusicBrainz dump).
    """

    def __init__(
        self, file: str, reason: str, *, line: int | None, byte_offset: int, content: str = "the XML"
    ) -> None:
        where = f"line {line}, byte {byte_offset}" if line is not None else f"byte {byte_offset}"
        super().__init__(f"{file}: {reason} (at {where} of {content})")
        self.file = file
        self.reason = reason
        self.line = line
        self.byte_offset = byte_offset


class TooManyMalformedRecords(DumpFileError):
    """More malformed records in one file than a reader accepts: the file is abandoned."""


class ResumePointNotFound(DumpFileError):
    """The record a rerun should resume after is not in the file: it changed since the first run."""


def record_id(raw: JsonObject) -> str:
    """The record id of rule 10: the `id` attribute, else a plain-string `<id>` child, else "unknown"."""
    attribute = raw.get("@id")
    if isinstance(attribute, str):
        return attribute
    child = raw.get("id")
    return child if isinstance(child, str) else UNKNOWN_RECORD_ID


def strip(obj: JsonObject) -> JsonObject:
    """One level of `@k` → `k` and `#text` → `name` (rule 11); a renamed key wins over a child.

    Keys are renamed in sorted order, so `#text` is renamed before `@name` overwrites it; `#text`
    is kept as it is when the object already has a `name`.
    """
    stripped = dict(obj)
    renamed = [key for key in obj if key[:1] == "@" or key == "#text"]
    if not renamed:
        return stripped  # most credits and tracks: nothing to rename, nothing to sort
    had_name = "name" in obj
    for key in sorted(renamed):
        if key == "#text":
            if not had_name:
                stripped["name"] = stripped.pop(key)
        else:
            stripped[key[1:]] = stripped.pop(key)
    return stripped


def unwrap(container: Any, key: str) -> list[Any]:
    """The items of a container element (rule 12): `<genres><genre>a</genre></genres>` → ["a"].

    null or an object without `key` → []; an array (the container repeated) passes as it is; a
    scalar becomes a one-item list. Nulls among the items are kept.
    """
    if container is None:
        return []
    if isinstance(container, list):
        return container
    if isinstance(container, dict):
        items = container.get(key)
        if items is None:
            return []
        return items if isinstance(items, list) else [items]
    return [container]


def item_list(container: Any, key: str) -> list[Any]:
    """Unwrapped items with objects stripped and bare strings read as ids (rule 13)."""
    return [_list_item(item) for item in unwrap(container, key)]


def _list_item(item: Any) -> Any:
    if isinstance(item, dict):
        return strip(item)
    if isinstance(item, str):
        return {"id": item}
    return item


def _strip_if_object(item: Any) -> Any:
    return strip(item) if isinstance(item, dict) else item


def _set_list(document: JsonObject, field: str, items: Callable[[Any], list[Any]]) -> None:
    """Replace `field` by its list form, or remove it when that list is empty (rule 13)."""
    if field not in document:
        return
    values = items(document[field])
    if values:
        document[field] = values
    else:
        del document[field]


def _normalize_artist(raw: JsonObject) -> JsonObject:
    document = dict(raw)
    for field in ("members", "groups", "aliases"):
        _set_list(document, field, lambda container: item_list(container, "name"))
    return document


def _normalize_label(raw: JsonObject) -> JsonObject:
    document = dict(raw)
    parent = document.get("parentLabel")
    if isinstance(parent, dict):
        document["parentLabel"] = strip(parent)
    _set_list(document, "sublabels", lambda container: item_list(container, "label"))
    return document


def _normalize_master(raw: JsonObject) -> JsonObject:
    document = strip(raw)
    _set_list(document, "artists", lambda container: item_list(container, "artist"))
    _set_list(document, "genres", lambda container: unwrap(container, "genre"))
    _set_list(document, "styles", lambda container: unwrap(container, "style"))
    return document


def _normalize_release(raw: JsonObject) -> JsonObject:
    document = strip(raw)
    _set_list(document, "artists", lambda container: item_list(container, "artist"))
    _set_list(document, "labels", lambda container: item_list(container, "label"))
    _set_list(document, "extraartists", lambda container: item_list(container, "artist"))
    _set_list(document, "genres", lambda container: unwrap(container, "genre"))
    _set_list(document, "styles", lambda container: unwrap(container, "style"))
    _set_list(
        document,
        "formats",
        lambda container: [_strip_if_object(item) for item in unwrap(container, "format")],
    )
    master = document.get("master_id")
    if isinstance(master, dict):
        # Rule 15: <master_id is_main_release="true">123</master_id> → "123".
        if "#text" in master:
            document["master_id"] = master["#text"]
        elif "id" in master:
            document["master_id"] = master["id"]
    return document


_NORMALIZERS: dict[DataType, Callable[[JsonObject], JsonObject]] = {
    DataType.ARTISTS: _normalize_artist,
    DataType.LABELS: _normalize_label,
    DataType.MASTERS: _normalize_master,
    DataType.RELEASES: _normalize_release,
}


def normalize(data_type: DataType, raw: JsonObject) -> JsonObject:
    """The normalized document of SPEC-ingest §4 (rules 11-16); `raw` itself is left unchanged.

    Artists and labels keep their top level as parsed (their id is an `<id>` child); masters and
    releases have it stripped (`@id` → `id`, `@status` → `status`). Only the fields the spec lists
    are reshaped; tracklist, companies, identifiers, videos, images and series keep the raw shape.
    """
    return _NORMALIZERS[data_type](raw)


def make_record(
    data_type: DataType, raw: Any, serialize: CanonicalSerializer = canonical_json
) -> Record | None:
    """The record for one parsed record element, or None when the element is not an object.

    Rule 2: an element with neither attributes nor children (empty or text only) is dropped and not
    counted. Rule 10: when the element has an `id` attribute, an `<id>` child is removed.
    `serialize` may replace `canonical_json` by a faster function that gives the same bytes.
    """
    if not isinstance(raw, dict):
        return None
    identifier = record_id(raw)
    if "@id" in raw and "id" in raw:
        raw = {key: value for key, value in raw.items() if key != "id"}
    document = normalize(data_type, raw)
    canonical = serialize(document)
    return Record(
        id=identifier,
        data_type=data_type,
        sha256=sha256_hex(canonical),
        document=document,
        canonical_json=canonical,
    )
