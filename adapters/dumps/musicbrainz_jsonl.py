"""Streaming reader of MusicBrainz JSON dump files (SPEC-ingest §9, dump-formats.md §2).

A file is `<entity>.jsonl.xz` (what our downloader keeps), a plain `<entity>.jsonl`, or the
published `<entity>.tar.xz`, whose member `mbdump/<entity>` is read without extracting it. Lines
are read whole, however long (a release line can be megabytes), one at a time: memory stays flat.

The artist file is read twice. Pass 1 maps every artist MBID to its Discogs artist id; it parses
only the lines that mention a Discogs artist URL. Pass 2 turns each line into the record of
domain.musicbrainz, adding the Discogs id of the target of each artist-to-artist relation.

A line that is not UTF-8, not JSON, not an object, or has no string id is reported with its file
and line and skipped (the reference skips them silently). A compressed stream that is truncated
or corrupt ends the file with DumpFileError naming the line it reached, once every record before
it has been delivered.
"""

from __future__ import annotations

import lzma
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Final

import orjson

from adapters.dumps.discogs_xml import MAX_MALFORMED_RECORDS, ResumeGate, log_malformed
from domain.musicbrainz import (
    ENTITY_OF_TYPE,
    discogs_link,
    file_data_type,
    musicbrainz_record,
)
from domain.records import (
    FROM_START,
    DumpFileError,
    MalformedRecord,
    Record,
    ResumePoint,
    ResumePointNotFound,
    TooManyMalformedRecords,
)

CONTENT: Final = "the JSON Lines"
"""What line and byte positions count in, for error messages (the decompressed lines)."""

_ARTIST_URL_MARK = b"discogs.com/artist"
_UTF8_BOM = b"\xef\xbb\xbf"
_STREAM_FAULTS = (lzma.LZMAError, EOFError, tarfile.TarError, OSError)


class MusicBrainzReader:
    """The RecordReader for MusicBrainz dump files; the data type comes from the file name."""

    def __init__(self, max_malformed: int = MAX_MALFORMED_RECORDS) -> None:
        self._max_malformed = max_malformed

    def read(
        self,
        path: Path,
        resume: ResumePoint = FROM_START,
        on_malformed: Callable[[MalformedRecord], None] | None = None,
    ) -> Iterator[Record]:
        """Yield the records of `path` in file order, after `resume` (pass 1 first for artists)."""
        data_type = file_data_type(path.name)
        if data_type is None:
            raise DumpFileError(str(path), "not a MusicBrainz dump file name", line=None, byte_offset=0)
        artist_links = read_artist_links(path) if data_type == "artists" else {}
        return read_records(path, data_type, artist_links, resume, on_malformed, self._max_malformed)


@contextmanager
def open_lines(path: Path, entity: str) -> Iterator[IO[bytes]]:
    """The decompressed lines of a dump file: the `mbdump/<entity>` member of a `.tar.xz`, the
    content of an `.xz`, or the plain file."""
    if path.name.endswith(".tar.xz"):
        with tarfile.open(path, mode="r|xz") as archive:
            for member in archive:
                if member.isfile() and (
                    member.name == f"mbdump/{entity}" or member.name.endswith(f"/mbdump/{entity}")
                ):
                    member_file = archive.extractfile(member)
                    if member_file is not None:
                        yield member_file
                        return
        raise DumpFileError(str(path), f"the archive has no member mbdump/{entity}", line=None, byte_offset=0)
    elif path.name.endswith(".xz"):
        with lzma.open(path, "rb") as decompressed:
            yield decompressed
    else:
        with path.open("rb") as plain:
            yield plain


def read_artist_links(path: Path) -> dict[str, int]:
    """Pass 1: artist MBID to Discogs artist id, from each line's `discogs` URL relations.

    Malformed lines are left to pass 2 to report; a stream fault ends the map where the records end.
    """
    links: dict[str, int] = {}
    try:
        with open_lines(path, ENTITY_OF_TYPE["artists"]) as lines:
            for line in lines:
                if _ARTIST_URL_MARK not in line:
                    continue
                try:
                    entity = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(entity, dict) and isinstance(entity.get("id"), str):
                    discogs_id = discogs_link(entity, "artist")
                    if discogs_id is not None:
                        links[entity["id"]] = discogs_id
    except _STREAM_FAULTS:
        pass  # pass 2 meets the same fault and reports it with its position
    return links


def read_records(
    path: Path,
    data_type: str,
    artist_links: dict[str, int],
    resume: ResumePoint = FROM_START,
    on_malformed: Callable[[MalformedRecord], None] | None = None,
    max_malformed: int = MAX_MALFORMED_RECORDS,
) -> Iterator[Record]:
    """Pass 2: the records of one file, in file order, after `resume`; see the module notes."""
    file_name = str(path)
    report = on_malformed if on_malformed is not None else log_malformed
    resume_gate = ResumeGate(resume)
    malformed_count = 0
    line_number = 0
    byte_offset = 0
    try:
        with open_lines(path, ENTITY_OF_TYPE[data_type]) as lines:
            for raw_line in lines:
                line_number += 1
                line_start = byte_offset
                byte_offset += len(raw_line)
                text = raw_line.removeprefix(_UTF8_BOM) if line_number == 1 else raw_line
                if not text.strip():
                    continue
                entity, problem = _parse_line(text)
                if entity is None:
                    malformed_count += 1
                    report(MalformedRecord(file_name, line_number, line_start, problem[0], problem[1]))
                    if malformed_count > max_malformed:
                        raise TooManyMalformedRecords(
                            file_name,
                            f"more than {max_malformed} malformed lines; the rest of the file is not read",
                            line=line_number,
                            byte_offset=line_start,
                            content=CONTENT,
                        )
                    continue
                if resume_gate.holds_back(entity):
                    continue
                document = musicbrainz_record(data_type, entity, artist_links)
                yield Record(str(entity["id"]), data_type, "", document, b"")
    except _STREAM_FAULTS as fault:
        reason = f"{type(fault).__name__}: {fault}" if str(fault) else type(fault).__name__
        raise DumpFileError(
            file_name,
            f"the compressed stream cannot be read past this point ({reason})",
            line=line_number + 1,
            byte_offset=byte_offset,
            content=CONTENT,
        ) from fault
    if not resume_gate.passed:
        raise ResumePointNotFound(
            file_name,
            f"cannot resume after {resume_gate.describe()}: the file ends before it",
            line=line_number,
            byte_offset=byte_offset,
            content=CONTENT,
        )


def _parse_line(text: bytes) -> tuple[dict[str, object] | None, tuple[str | None, str]]:
    """The line's entity, or None with (the id if known, why it is malformed)."""
    try:
        entity = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        try:
            text.decode("utf-8")
        except UnicodeDecodeError as not_utf8:
            bad_byte = text[not_utf8.start : not_utf8.start + 1]
            return None, (None, f"not UTF-8: byte {not_utf8.start} of the line is {bad_byte!r}")
        return None, (None, f"not JSON: {error}")
    if not isinstance(entity, dict):
        return None, (None, f"a line holds a JSON object, not {type(entity).__name__}")
    record_id = entity.get("id")
    if not isinstance(record_id, str) or not record_id:
        return None, (None, f"the entity has no string id (id: {record_id!r})")
    return entity, (record_id, "")
