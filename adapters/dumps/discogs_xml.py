"""Streaming reader of the Discogs monthly XML dumps (SPEC-ingest §3 and §11).

The decompressed stream is cut into one byte string per record element (`<release …>…</release>`
at depth 2) by a small scanner, and each record is parsed on its own by lxml. That, rather than one
`iterparse` over the whole file, is what lets a malformed record be reported and skipped while the
file goes on (libxml2 cannot resume after a well-formedness error), gives every fault an exact
line and byte offset, and keeps memory flat without any element clearing: at most one record and
one chunk are held at a time. It is also faster: `fromstring` on a record costs less than an
`iterparse` step over the same bytes.

libxml2 and the reference tokenizer read a few things differently; each record is adjusted so that
the result is the reference's (SPEC-ingest §11):
- a literal CR in text survives (the reference does no end-of-line normalization; the 2025 files
  are CRLF), so CRs in text are handed to lxml as `&#13;`;
- unknown entities and a bare `&` stay literal text, bad character references become U+FFFD, an
  attribute value that fails to decode is kept raw, and of duplicate attributes the first wins.
  libxml2 rejects all of these, so this rewrite only runs on a record lxml refused.
Where we deliberately differ (the issue asks for it): bytes that are not UTF-8 and characters XML
forbids (literal or as references) end the file with DumpFileError instead of being replaced.
"""

from __future__ import annotations

import importlib
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import IO, Any, Final, Protocol, cast

import orjson
import structlog
from lxml import etree

from domain.dedup import canonical_json
from domain.records import (
    FROM_START,
    WHITE_SPACE,
    DataType,
    DumpFileError,
    JsonObject,
    MalformedRecord,
    Record,
    ResumePoint,
    ResumePointNotFound,
    TooManyMalformedRecords,
    make_record,
    record_id,
)


def _zlib_module() -> ModuleType:
    """ISA-L's zlib when installed (it inflates about twice as fast), else the standard one."""
    try:
        return importlib.import_module("isal.isal_zlib")
    except ImportError:
        return zlib


_ZLIB = _zlib_module()

log = structlog.get_logger(__name__)

MAX_MALFORMED_RECORDS: Final = 100
"""More malformed records than this in one file abandon the file (the issue's limit)."""

MAX_RECORD_BYTES = 16 * 1024 * 1024
"""A record element larger than this is malformed: the largest real one is a few hundred KB, and
the bound keeps memory flat when an end tag is missing."""

_READ_BYTES = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WINDOW_BITS = 16 + 15  # zlib's "gzip wrapper, 32 KB window"
_UTF8_BOM = b"\xef\xbb\xbf"

_NAME = re.compile(rb"[^\s/>!?<]+")
_START_TAG = re.compile(rb"<([^\s/>!?<]+)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/?)>")
_NAME_DELIMITERS = frozenset(b" \t\r\n/>")
_INVALID_XML_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


RawRecordFilter = Callable[[DataType, JsonObject], JsonObject | None]
"""A stage between parsing and normalization (the data-quality rules): it gets each record as parsed
and returns the record to normalize, or None to drop it."""


@dataclass(frozen=True, slots=True)
class _RecordBytes:
    """The bytes of one depth-2 element and where it starts in the decompressed XML."""

    name: str
    data: bytes
    line: int
    byte_offset: int


class DiscogsXmlReader:
    """The RecordReader for Discogs dump files: `.xml.gz` (one or more gzip members) or plain XML."""

    def __init__(self, max_malformed: int = MAX_MALFORMED_RECORDS) -> None:
        self._max_malformed = max_malformed

    def read(
        self,
        path: Path,
        resume: ResumePoint = FROM_START,
        on_malformed: Callable[[MalformedRecord], None] | None = None,
    ) -> Iterator[Record]:
        """Yield the normalized, hashed records of `path` in file order, after `resume`."""
        return read_records(path, resume, on_malformed, max_malformed=self._max_malformed)


def read_records(
    path: Path,
    resume: ResumePoint = FROM_START,
    on_malformed: Callable[[MalformedRecord], None] | None = None,
    *,
    max_malformed: int = MAX_MALFORMED_RECORDS,
    raw_filter: RawRecordFilter | None = None,
) -> Iterator[Record]:
    """Yield the records of one dump file as a stream, in file order, after `resume`.

    A malformed record goes to `on_malformed` (default: a warning in the log) and is skipped; the
    file is abandoned with TooManyMalformedRecords at the malformed record number
    `max_malformed + 1`. A fault the file cannot be read past raises DumpFileError once every
    record before it has been yielded. Records up to the resume point are parsed, to count them
    exactly as a first run delivered them, but neither normalized nor hashed.
    `raw_filter` sees every record object, those before the resume point too (a record it drops
    was not delivered, so it does not count toward the resume point).
    """
    file_name = str(path)
    report = on_malformed if on_malformed is not None else log_malformed
    parser = _record_parser()
    resume_gate = ResumeGate(resume)
    malformed_count = 0
    with path.open("rb") as dump_file:
        scanner = _RecordScanner(file_name, _xml_chunks(dump_file))
        data_type = scanner.read_root()
        for element in scanner.elements():
            if isinstance(element, _RecordBytes):
                try:
                    record = _read_record(element, data_type, parser, resume_gate, file_name, raw_filter)
                except MalformedRecord as fault:
                    element = fault
                else:
                    if record is not None:
                        yield record
                    continue
            malformed_count += 1
            report(element)
            if malformed_count > max_malformed:
                raise TooManyMalformedRecords(
                    file_name,
                    f"more than {max_malformed} malformed records; the rest of the file is not read",
                    line=element.line,
                    byte_offset=element.byte_offset,
                )
        if not resume_gate.passed:
            raise ResumePointNotFound(
                file_name,
                f"cannot resume after {resume_gate.describe()}: the file ends before it",
                line=scanner.line,
                byte_offset=scanner.byte_offset,
            )


def _read_record(
    element: _RecordBytes,
    data_type: DataType,
    parser: etree.XMLParser,
    resume_gate: ResumeGate,
    file_name: str,
    raw_filter: RawRecordFilter | None,
) -> Record | None:
    """The record for one record element; None when it is dropped (rule 2, or by `raw_filter`) or
    before the resume point."""
    raw = _element_value(cast(_XmlElement, _parse_record(element, parser, file_name)))
    if not isinstance(raw, dict):
        return None
    if raw_filter is not None:
        raw = raw_filter(data_type, raw)
        if raw is None:
            return None
    if resume_gate.holds_back(raw):
        return None
    record = make_record(data_type, raw, fast_canonical_json)
    if record is not None and "id" not in record.document:
        # Without an id no consumer can key the record; it would only turn up as "unknown" downstream.
        raise _malformed(element, file_name, "the record has no id", element.line)
    return record


def fast_canonical_json(document: Mapping[str, Any]) -> bytes:
    """`domain.dedup.canonical_json`'s bytes, six times faster (tests/unit/test_dedup.py checks it)."""
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        # orjson stops at 255 levels of nesting; libxml2 allows 256 elements, up to 512 JSON levels.
        return canonical_json(document)


class ResumeGate:
    """Holds back the records a previous run delivered: the first N, or those up to a given id."""

    def __init__(self, resume: ResumePoint) -> None:
        self._records_left = resume.records_done
        self._last_id = resume.last_id

    @property
    def passed(self) -> bool:
        """Whether the resume point has been reached."""
        return not self._records_left and self._last_id is None

    def holds_back(self, raw: dict[str, Any]) -> bool:
        """Whether this record (an object, in file order) lies at or before the resume point."""
        if self._records_left:
            self._records_left -= 1
            return True
        if self._last_id is not None:
            if record_id(raw) == self._last_id:
                self._last_id = None
            return True
        return False

    def describe(self) -> str:
        """The resume point still ahead, for an error message."""
        if self._last_id is not None:
            return f"record id {self._last_id}"
        return f"{self._records_left} more records"


def log_malformed(fault: MalformedRecord) -> None:
    log.warning(
        "malformed_record",
        file=fault.file,
        line=fault.line,
        byte_offset=fault.byte_offset,
        record_id=fault.record_id,
        reason=fault.reason,
    )


# --- decompression -------------------------------------------------------------------------------


class _CorruptStream(Exception):
    """The compressed stream cannot be inflated past this point; the scanner adds the position."""


def _xml_chunks(dump_file: IO[bytes]) -> Iterator[bytes]:
    """The decompressed bytes of a gzip file (any number of members) or of a plain XML file."""
    head = dump_file.read(len(_GZIP_MAGIC))
    if head != _GZIP_MAGIC:
        if head:
            yield head
        while chunk := dump_file.read(_READ_BYTES):
            yield chunk
        return
    yield from _inflate(head, dump_file)


def _inflate(pending: bytes, dump_file: IO[bytes]) -> Iterator[bytes]:
    # A hand-driven decompressor rather than a gzip file object: a file object drops what it
    # inflated in the call that meets a truncation, and every record before it must be delivered.
    compressed_read = 0
    while True:
        decompressor = _ZLIB.decompressobj(wbits=_GZIP_WINDOW_BITS)
        while not decompressor.eof:
            if not pending:
                pending = dump_file.read(_READ_BYTES)
                if not pending:
                    raise _CorruptStream(
                        f"truncated gzip: the file ends after {compressed_read} compressed bytes, "
                        "inside a gzip member"
                    )
            compressed_read += len(pending)
            try:
                output = decompressor.decompress(pending, _READ_BYTES)
                while output:
                    yield output
                    output = decompressor.decompress(decompressor.unconsumed_tail, _READ_BYTES)
            except _ZLIB.error as error:
                raise _CorruptStream(
                    f"corrupt gzip data ({error}) within the first {compressed_read} compressed bytes"
                ) from error
            pending = b""
        pending = decompressor.unused_data
        compressed_read -= len(pending)
        if not pending:
            pending = dump_file.read(_READ_BYTES)
            if not pending:
                return
        if not pending.strip(b"\0"):
            # Zero padding after the last member is accepted, as gzip(1) accepts it.
            while pending and not pending.strip(b"\0"):
                pending = dump_file.read(_READ_BYTES)
            if pending:
                raise _CorruptStream(f"data that is not gzip after {compressed_read} compressed bytes")
            return


# --- cutting the stream into records -------------------------------------------------------------


class _RecordScanner:
    """Cuts a decompressed dump into the byte strings of its depth-2 elements.

    It checks the document's frame (prolog, a root element that names a dump type, nothing after
    it) and finds each element's end tag by counting same-named tags, which `sublabels/label`
    needs. `elements()` yields `_RecordBytes` for record elements (other depth-2 elements are
    ignored, as the reference ignores them) and MalformedRecord where no well-formed element can be
    cut: a stray end tag, an element with no end tag before the next record's line, an oversized one.
    """

    def __init__(self, file_name: str, chunks: Iterator[bytes]) -> None:
        self._file_name = file_name
        self._chunks = chunks
        self._buffer = b""
        self._position = 0  # next byte of _buffer to look at
        self._buffer_offset = 0  # stream offset of _buffer[0]
        self._line = 1  # line number at _line_position
        self._line_position = 0
        self._at_end = False
        self._root = ""
        self._record_element = ""

    @property
    def line(self) -> int:
        """The line of the scanner's current position (1-based)."""
        return self._line_at(self._position)

    @property
    def byte_offset(self) -> int:
        """The stream offset of the scanner's current position."""
        return self._buffer_offset + self._position

    def read_root(self) -> DataType:
        """Read up to the root element and return the dump type it names."""
        self._root = self._read_prolog()
        data_type = DataType.from_element(self._root)
        if data_type is None:
            raise self._error(
                f"root element <{self._root}> is not a Discogs dump (artists, labels, masters, releases)",
                self._position,
            )
        self._record_element = data_type.record_element
        return data_type

    def elements(self) -> Iterator[_RecordBytes | MalformedRecord]:
        """The record elements of the document (after `read_root`), then a check of its end."""
        if self._root == self._record_element:
            # A single record as the whole document: test fixtures do this, dumps never do.
            yield from self._cut_element()
        else:
            start_tag = self._start_tag()
            self._position = start_tag.end()
            if not start_tag.group(2):
                yield from self._read_body()
        self._read_epilog()

    # buffer management

    def _fill(self) -> bool:
        """Read one more chunk, dropping what lies before the current position; False at the end.

        Any index into the buffer held across this call must be shifted by the old position.
        """
        if self._at_end:
            return False
        self._line_at(self._position)
        try:
            chunk = next(self._chunks, b"")
        except _CorruptStream as error:
            raise self._error(str(error), len(self._buffer)) from error
        if not chunk:
            self._at_end = True
            return False
        keep_from = self._position
        self._buffer = self._buffer[keep_from:] + chunk
        self._buffer_offset += keep_from
        self._position = 0
        self._line_position -= keep_from
        return True

    def _line_at(self, index: int) -> int:
        if index > self._line_position:
            self._line += self._buffer.count(b"\n", self._line_position, index)
            self._line_position = index
        return self._line

    def _error(self, reason: str, index: int) -> DumpFileError:
        line = self._line + self._buffer.count(b"\n", self._line_position, index)
        return DumpFileError(self._file_name, reason, line=line, byte_offset=self._buffer_offset + index)

    def _find(self, token: bytes) -> int:
        """Index of `token` at or after the current position, reading on as needed; -1 at the end."""
        searched_from = self._position
        while True:
            found = self._buffer.find(token, searched_from)
            if found >= 0:
                return found
            searched_from = max(self._position, len(self._buffer) - len(token) + 1)
            shift = self._position
            if not self._fill():
                return -1
            searched_from -= shift

    def _ensure(self, byte_count: int) -> bool:
        """Whether `byte_count` bytes are buffered from the current position, reading on as needed."""
        while len(self._buffer) - self._position < byte_count:
            if not self._fill():
                return False
        return True

    def _at(self, prefix: bytes) -> bool:
        return self._buffer.startswith(prefix, self._position)

    # document frame

    def _skip_past(self, closing: bytes, what: str) -> None:
        """Move past the next `closing` (the end of a comment, PI, CDATA section or declaration)."""
        end = self._find(closing)
        if end < 0:
            raise self._error(f"end of file inside {what}", self._position)
        self._position = end + len(closing)

    def _skip_white_space(self) -> None:
        while True:
            rest = self._buffer[self._position :].lstrip(b" \t\r\n")
            self._position = len(self._buffer) - len(rest)
            if rest or not self._fill():
                return

    def _read_prolog(self) -> str:
        """Skip a BOM, XML declaration, comments and DOCTYPE; return the root element's name."""
        self._ensure(len(_UTF8_BOM))
        if self._at(_UTF8_BOM):
            self._position = len(_UTF8_BOM)
        while True:
            self._skip_white_space()
            self._ensure(len(b"<!DOCTYPE"))
            if self._at(b"<?"):
                self._skip_past(b"?>", "a processing instruction")
            elif self._at(b"<!--"):
                self._skip_past(b"-->", "a comment")
            elif self._at(b"<!DOCTYPE"):
                self._skip_doctype()
            elif self._at(b"<"):
                return self._element_name()
            elif self._position >= len(self._buffer):
                raise self._error("no root element: the file is empty", self._position)
            else:
                raise self._error("not an XML document: text before the root element", self._position)

    def _skip_doctype(self) -> None:
        close = self._find(b">")
        if close < 0:
            raise self._error("end of file inside <!DOCTYPE", self._position)
        if self._buffer.find(b"[", self._position, close) >= 0:
            self._skip_past(b"]", "the DOCTYPE internal subset")
            close = self._find(b">")
            if close < 0:
                raise self._error("end of file inside <!DOCTYPE", self._position)
        self._position = close + 1

    def _read_epilog(self) -> None:
        """Accept only white space, comments and processing instructions after the root element."""
        while True:
            self._skip_white_space()
            self._ensure(len(b"<!--"))
            if self._position >= len(self._buffer):
                return
            if self._at(b"<!--"):
                self._skip_past(b"-->", "a comment")
            elif self._at(b"<?"):
                self._skip_past(b"?>", "a processing instruction")
            else:
                raise self._error("content after the end of the root element", self._position)

    def _element_name(self) -> str:
        """The name of the tag at the current position (reading on until the name is complete)."""
        while True:
            match = _NAME.match(self._buffer, self._position + 1)
            if match is not None and match.end() < len(self._buffer):
                return match.group().decode("utf-8", "replace")
            if match is None and self._position + 1 < len(self._buffer):
                raise self._error("a tag without a name", self._position)
            if not self._fill():
                raise self._error("end of file inside a tag", self._position)

    def _start_tag(self) -> re.Match[bytes]:
        """The complete start tag at the current position (reading on as needed)."""
        while True:
            match = _START_TAG.match(self._buffer, self._position)
            if match is not None:
                return match
            if self._buffer.find(b">", self._position) >= 0 or not self._fill():
                raise self._error(f"malformed start tag of the root element <{self._root}>", self._position)

    # records

    def _read_body(self) -> Iterator[_RecordBytes | MalformedRecord]:
        """The depth-2 elements of the root, until its end tag."""
        root_end_tag = b"</" + self._root.encode()
        truncated = f"end of file before </{self._root}>: the file is truncated"
        while True:
            tag_start = self._find(b"<")
            if tag_start < 0:
                raise self._error(truncated, len(self._buffer))
            if tag_start > self._position:
                self._check_text(self._position, tag_start)
                self._position = tag_start
            self._ensure(len(b"<![CDATA["))
            if self._at(b"</"):
                close = self._find(b">")
                if close < 0:
                    raise self._error(truncated, len(self._buffer))
                if self._buffer[self._position : close].rstrip() == root_end_tag:
                    self._position = close + 1
                    return
                yield self._malformed_markup(close + 1, "an end tag that closes no open element")
            elif self._at(b"<!--"):
                self._skip_past(b"-->", "a comment")
            elif self._at(b"<?"):
                self._skip_past(b"?>", "a processing instruction")
            elif self._at(b"<![CDATA["):
                self._skip_past(b"]]>", "a CDATA section")
            elif self._at(b"<!"):
                close = self._find(b">")
                if close < 0:
                    raise self._error(truncated, len(self._buffer))
                yield self._malformed_markup(close + 1, "a markup declaration inside the root element")
            else:
                for element in self._cut_element():
                    if isinstance(element, MalformedRecord) or element.name == self._record_element:
                        yield element

    def _check_text(self, start: int, end: int) -> None:
        """Text between records is ignored, but it must still be UTF-8 and legal XML characters."""
        text = self._buffer[start:end]
        if not text.isspace():
            _raise_if_not_xml_text(text, self._file_name, self._line_at(start), self._buffer_offset + start)

    def _malformed_markup(self, end: int, reason: str) -> MalformedRecord:
        """Report the markup from the current position to `end` and move past it."""
        fault = MalformedRecord(self._file_name, self.line, self.byte_offset, None, reason)
        self._position = end
        return fault

    def _cut_element(self) -> Iterator[_RecordBytes | MalformedRecord]:
        """Yield the element that starts at the current position, and move past it."""
        name = self._element_name()
        while True:
            end = self._element_end(name.encode())
            if end is not None:
                break
            if len(self._buffer) - self._position > MAX_RECORD_BYTES:
                yield from self._give_up_on_element(name)
                return
            if not self._fill():
                raise self._error(f"end of file inside <{name}>: the file is truncated", len(self._buffer))
        element_end, closed = end
        start = self._position
        element = _RecordBytes(
            name, self._buffer[start:element_end], self._line_at(start), self._buffer_offset + start
        )
        self._position = element_end
        if closed:
            yield element
        else:
            yield _malformed(element, self._file_name, f"no </{name}> before the next <{name}> line")

    def _element_end(self, name: bytes) -> tuple[int, bool] | None:
        """Where the element at the current position ends, or None if its end is not buffered yet.

        Also says whether its end tag was found. In dumps every record starts a line, so a line
        that starts with a same-named tag before the end tag is the next record, and the element is
        cut before it, unterminated (a missing end tag then costs one record, not the rest).
        """
        buffer = self._buffer
        start_tag = _START_TAG.match(buffer, self._position)
        if start_tag is None:
            tag_end = buffer.find(b">", self._position)
            if tag_end < 0:
                return None
            scan = tag_end + 1  # libxml2 will say what is wrong with this start tag
        elif start_tag.group(2):
            return start_tag.end(), True
        else:
            scan = start_tag.end()
        open_token = b"<" + name
        close_token = b"</" + name
        next_line_token = b"\n" + open_token
        depth = 1
        while True:
            close = buffer.find(close_token, scan)
            next_line_element = _find_tag(buffer, next_line_token, scan, close if close >= 0 else len(buffer))
            if next_line_element >= 0:
                return next_line_element + 1, False
            if close < 0:
                return None
            depth += _count_open_tags(buffer, open_token, scan, close)
            after_name = close + len(close_token)
            if after_name >= len(buffer):
                return None
            if buffer[after_name] not in _NAME_DELIMITERS:
                scan = after_name  # a longer name, such as </labels>
                continue
            close_end = buffer.find(b">", after_name)
            if close_end < 0:
                return None
            depth -= 1
            if depth == 0:
                return close_end + 1, True
            scan = close_end + 1

    def _give_up_on_element(self, name: str) -> Iterator[MalformedRecord]:
        """Report an element with no end within MAX_RECORD_BYTES; resume at the next line it starts."""
        fault = MalformedRecord(
            self._file_name,
            self.line,
            self.byte_offset,
            _quick_record_id(self._buffer[self._position : self._position + 4096]),
            f"no </{name}> within {MAX_RECORD_BYTES} bytes",
        )
        next_line_token = b"\n<" + name.encode()
        self._position += 1
        while True:
            found = _find_tag(self._buffer, next_line_token, self._position, len(self._buffer))
            if found >= 0:
                self._position = found + 1
                break
            self._position = max(self._position, len(self._buffer) - len(next_line_token))
            if not self._fill():
                raise self._error(f"end of file inside <{name}>: the file is truncated", len(self._buffer))
        if name == self._record_element:
            yield fault


def _find_tag(buffer: bytes, token: bytes, start: int, end: int) -> int:
    """The first `token` in buffer[start:end] that is followed by a name delimiter, or -1."""
    found = buffer.find(token, start, end)
    while found >= 0:
        after = found + len(token)
        if after < len(buffer) and buffer[after] in _NAME_DELIMITERS:
            return found
        found = buffer.find(token, after, end)
    return -1


def _count_open_tags(buffer: bytes, open_token: bytes, start: int, end: int) -> int:
    """How many same-named elements open (and do not close themselves) in buffer[start:end]."""
    count = 0
    found = _find_tag(buffer, open_token, start, end)
    while found >= 0:
        tag = _START_TAG.match(buffer, found)
        if tag is None or not tag.group(2):
            count += 1
        found = _find_tag(buffer, open_token, found + len(open_token), end)
    return count


_QUICK_ID = re.compile(rb"""^<[^>]*?\sid\s*=\s*["']([^"'<>]*)["']|<id>([^<]*)</id>""")


def _quick_record_id(data: bytes) -> str | None:
    """The record id read straight from the bytes, for reports about records lxml cannot read."""
    match = _QUICK_ID.search(data)
    if match is None:
        return None
    return (match.group(1) or match.group(2) or b"").decode("utf-8", "replace") or None


def _malformed(item: _RecordBytes, file_name: str, reason: str, line: int | None = None) -> MalformedRecord:
    return MalformedRecord(
        file_name,
        line if line is not None else item.line,
        item.byte_offset,
        _quick_record_id(item.data),
        reason,
    )


# --- parsing one record --------------------------------------------------------------------------

_MARKUP = re.compile(
    rb"(<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"
    rb"|</?[^\s/>!?<]+(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>)",
    re.DOTALL,
)
_CDATA_START = b"<![CDATA["


def _record_parser() -> etree.XMLParser:
    """A parser for one file's records (lxml parsers must not be shared between threads)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        huge_tree=False,
    )


def _parse_record(item: _RecordBytes, parser: etree.XMLParser, file_name: str) -> etree._Element:
    """The lxml element of one record, parsed with the reference's reading of CR and entities."""
    data = item.data
    if b"\r" in data:
        data = _keep_carriage_returns(data)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        syntax_error = error
    _raise_if_not_xml_text(item.data, file_name, item.line, item.byte_offset)
    repaired = _repair_references(data, file_name, item)
    if repaired != data:
        try:
            return etree.fromstring(repaired, parser)
        except etree.XMLSyntaxError as error:
            syntax_error = error
    line = item.line + (syntax_error.lineno or 1) - 1
    raise _malformed(item, file_name, syntax_error.msg, line)


def _keep_carriage_returns(data: bytes) -> bytes:
    """CRs in text as `&#13;`, so libxml2 keeps them; CDATA turned into the equivalent text.

    CRs inside tags stay literal: in an attribute value libxml2 then makes each CR, LF or CRLF one
    space, which is the reference's reading too.
    """
    pieces = _MARKUP.split(data)
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            pieces[index] = piece.replace(b"\r", b"&#13;")
        elif piece.startswith(_CDATA_START):
            content = piece[len(_CDATA_START) : -3]
            pieces[index] = _escape_text(content).replace(b"\r", b"&#13;")
    return b"".join(pieces)


def _escape_text(raw: bytes) -> bytes:
    return raw.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")


def _raise_if_not_xml_text(data: bytes, file_name: str, line: int, byte_offset: int) -> None:
    """DumpFileError at the first byte that is not UTF-8 or the first character XML forbids."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = error.start
        raise DumpFileError(
            file_name,
            f"invalid UTF-8 (byte 0x{data[bad]:02x})",
            line=line + data.count(b"\n", 0, bad),
            byte_offset=byte_offset + bad,
        ) from error
    forbidden = _INVALID_XML_CHARACTER.search(text)
    if forbidden is not None:
        prefix = text[: forbidden.start()].encode("utf-8")
        raise DumpFileError(
            file_name,
            f"character U+{ord(forbidden.group()):04X} is not allowed in XML",
            line=line + prefix.count(b"\n"),
            byte_offset=byte_offset + len(prefix),
        )


_PREDEFINED_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"apos", b"quot"})
_TEXT_REFERENCE = re.compile(rb"&([^;&]*)(;?)")
_ATTRIBUTE = re.compile(rb"""(\s+)([^\s=/>]+)(\s*=\s*)(["'])(.*?)\4""", re.DOTALL)
_REPLACEMENT_CHARACTER_REFERENCE = b"&#65533;"
_LARGEST_CODE_POINT = 0x10FFFF
_MAX_REFERENCE_DIGITS = len(str(_LARGEST_CODE_POINT))  # more digits are beyond Unicode in any base
_SURROGATES = range(0xD800, 0xE000)


def _repair_references(data: bytes, file_name: str, item: _RecordBytes) -> bytes:
    """Rewrite what libxml2 refuses so that it reads as the reference reads it (rules 6 and 7)."""
    pieces = _MARKUP.split(data)
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            text = _TEXT_REFERENCE.sub(lambda match: _text_reference(match, file_name, item), piece)
            pieces[index] = text.replace(b"]]>", b"]]&gt;")  # XML forbids it in text, the reference does not
        elif piece.startswith(b"<") and piece[1:2] not in (b"/", b"!", b"?"):
            pieces[index] = _repair_start_tag(piece, file_name, item)
    return b"".join(pieces)


def _text_reference(match: re.Match[bytes], file_name: str, item: _RecordBytes) -> bytes:
    body, semicolon = match.group(1), match.group(2)
    if not semicolon or (body not in _PREDEFINED_ENTITIES and not body.startswith(b"#")):
        return b"&amp;" + match.group()[1:]  # a bare & or an unknown entity stays literal
    if body in _PREDEFINED_ENTITIES:
        return match.group()
    code_point = _character_reference_value(body)
    if code_point is None:
        return _REPLACEMENT_CHARACTER_REFERENCE
    _raise_if_forbidden_code_point(code_point, file_name, item)
    return match.group()


def _character_reference_value(body: bytes) -> int | None:
    """The code point of `#123` or `#x7B`, or None when the reference gives U+FFFD for it."""
    digits, base = (body[2:], 16) if body.startswith(b"#x") else (body[1:], 10)
    allowed = b"0123456789abcdefABCDEF" if base == 16 else b"0123456789"
    if not digits or digits.strip(allowed) or len(digits.lstrip(b"0")) > _MAX_REFERENCE_DIGITS:
        return None  # also keeps int() away from its limit on huge digit strings
    value = int(digits, base)
    if value == 0 or value in _SURROGATES or value > _LARGEST_CODE_POINT:
        return None
    return value


def _raise_if_forbidden_code_point(code_point: int, file_name: str, item: _RecordBytes) -> None:
    if _INVALID_XML_CHARACTER.match(chr(code_point)):
        raise DumpFileError(
            file_name,
            f"character reference to U+{code_point:04X}, which XML does not allow, in the record "
            f"starting here",
            line=item.line,
            byte_offset=item.byte_offset,
        )


def _repair_start_tag(tag: bytes, file_name: str, item: _RecordBytes) -> bytes:
    """Drop repeated attributes (the first wins), keep undecodable values raw, accept a literal `<`."""
    seen: set[bytes] = set()

    def attribute(match: re.Match[bytes]) -> bytes:
        space, name, equals, quote, value = match.groups()
        if name in seen:
            return b""
        seen.add(name)
        if _attribute_value_decodes(value, file_name, item):
            value = value.replace(b"<", b"&lt;")
        else:
            value = (
                _escape_text(value).replace(b"\t", b"&#9;").replace(b"\n", b"&#10;").replace(b"\r", b"&#13;")
            )
        return space + name + equals + quote + value + quote

    return _ATTRIBUTE.sub(attribute, tag)


def _attribute_value_decodes(value: bytes, file_name: str, item: _RecordBytes) -> bool:
    """Whether every `&` in an attribute value starts a reference the reference can resolve."""
    for match in _TEXT_REFERENCE.finditer(value):
        body, semicolon = match.group(1), match.group(2)
        if not semicolon:
            return False
        if body in _PREDEFINED_ENTITIES:
            continue
        if not body.startswith(b"#"):
            return False
        code_point = _character_reference_value(body)
        if code_point is None:
            return False
        _raise_if_forbidden_code_point(code_point, file_name, item)
    return True


# --- element to JSON -----------------------------------------------------------------------------


class _XmlElement(Protocol):
    """What the conversion reads of an lxml element (lxml gives str names and values, never bytes)."""

    tag: str
    text: str | None
    tail: str | None

    def items(self) -> list[tuple[str, str]]: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[_XmlElement]: ...


def _element_value(element: _XmlElement) -> Any:
    """The JSON value of an element by SPEC-ingest §11 rules 3-5 (xmltodict-compatible).

    Leaves are converted inline in the loop over children: this is the reader's hot path, and a
    call per leaf would cost about a third of its time.
    """
    text = element.text
    attributes = element.items()
    if not len(element):
        if attributes:
            leaf = {"@" + name: value for name, value in attributes}
            if text is not None and text.strip(WHITE_SPACE):
                leaf["#text"] = text
            return leaf
        if text is None or not text.strip(WHITE_SPACE):
            return None
        return text
    obj: dict[str, Any] = {"@" + name: value for name, value in attributes}
    tails: list[str] | None = None
    for child in element:
        child_value: Any
        if len(child):
            child_value = _element_value(child)
        else:
            child_text = child.text
            child_attributes = child.items()
            if child_attributes:
                child_value = {"@" + name: value for name, value in child_attributes}
                if child_text is not None and child_text.strip(WHITE_SPACE):
                    child_value["#text"] = child_text
            elif child_text is None or not child_text.strip(WHITE_SPACE):
                child_value = None
            else:
                child_value = child_text
        tail = child.tail
        if tail is not None:
            if tails is None:
                tails = [tail]
            else:
                tails.append(tail)
        tag = child.tag
        if tag in obj:
            grouped = obj[tag]
            if type(grouped) is list:
                grouped.append(child_value)
            else:
                obj[tag] = [grouped, child_value]
        else:
            obj[tag] = child_value
    if tails is not None or text is not None:
        joined = (text or "") + "".join(tails or ())
        if joined.strip(WHITE_SPACE):
            obj["#text"] = joined
    return obj
