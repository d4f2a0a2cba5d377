"""Discogs monthly dumps as the domain sees them: files, versions, published checksums.

Pure rules of SPEC-ingest §2: how a file name maps to a version and a type, which version is the
newest complete one, and how the published CHECKSUM file reads. The adapters fetch the listings and
the bytes; the decisions live here so that they are tested without a network.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

DISCOGS_DUMP_TYPES: tuple[str, ...] = ("artists", "labels", "masters", "releases")
"""The four data files of a monthly dump, in the order they are listed and downloaded."""

_CHECKSUM_KIND = "CHECKSUM"
_DATA_SUFFIX = ".xml.gz"
_CHECKSUM_SUFFIX = ".txt"

# A complete month is exactly the four data files plus the CHECKSUM file (SPEC-ingest §2).
_COMPLETE_FILE_COUNT = len(DISCOGS_DUMP_TYPES) + 1

_DUMP_NAME = re.compile(r"discogs_(?P<version>\d{8})_(?P<rest>[^/]+)")
_CHECKSUM_LINE = re.compile(r"(?P<digest>[0-9A-Fa-f]{64})[ \t]+\*?(?P<name>\S(?:.*\S)?)")


class DumpError(Exception):
    """Base of every failure to find, fetch or verify a dump; the CLI reports these by message."""


class ChecksumFormatError(DumpError):
    """The published CHECKSUM file has a line that is not `<64-hex> [*]<name>`."""

    def __init__(self, line_number: int, line: str, reason: str) -> None:
        super().__init__(f"CHECKSUM line {line_number} ({line!r}): {reason}")
        self.line_number = line_number
        self.line = line


class NoCompleteDumpError(DumpError):
    """No listed version has its four data files and its CHECKSUM file."""

    def __init__(self, source: str, versions_seen: Iterable[str]) -> None:
        seen = sorted(versions_seen, reverse=True)
        seen_text = ", ".join(seen) if seen else "none"
        super().__init__(
            f"no complete Discogs dump (4 data files + CHECKSUM) at {source}; versions seen: {seen_text}"
        )
        self.source = source
        self.versions_seen = seen


class ChecksumMismatchError(DumpError):
    """A downloaded file's sha256 differs from the published one; the file was deleted."""

    def __init__(self, file_name: str, expected_sha256: str, actual_sha256: str) -> None:
        super().__init__(
            f"{file_name}: downloaded sha256 {actual_sha256} does not match the published "
            f"{expected_sha256}; the file was deleted"
        )
        self.file_name = file_name
        self.expected_sha256 = expected_sha256
        self.actual_sha256 = actual_sha256


@dataclass(frozen=True, slots=True)
class DumpFile:
    """One file of a dump as a listing shows it.

    `key` is the storage key (`data/YYYY/discogs_YYYYMMDD_<rest>`); `kind` is the data type
    (`artists`, ...), `CHECKSUM`, or the raw `<rest>` for a name we do not know.
    """

    key: str
    version: str
    kind: str
    size: int | None = None

    @property
    def name(self) -> str:
        """The base name, under which the file is saved locally."""
        return self.key.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class DumpVersion:
    """A complete month: its id (YYYYMMDD), its CHECKSUM file and its four data files."""

    version: str
    checksum_file: DumpFile
    data_files: tuple[DumpFile, ...]


def dump_file_from_key(key: str, size: int | None = None) -> DumpFile | None:
    """Read a storage key as a dump file; None for keys that are not `discogs_YYYYMMDD_*`."""
    name = key.rsplit("/", 1)[-1]
    match = _DUMP_NAME.fullmatch(name)
    if match is None:
        return None
    rest = match["rest"]
    kind = rest
    if rest.endswith(_DATA_SUFFIX) and rest.removesuffix(_DATA_SUFFIX) in DISCOGS_DUMP_TYPES:
        kind = rest.removesuffix(_DATA_SUFFIX)
    elif rest == _CHECKSUM_KIND + _CHECKSUM_SUFFIX:
        kind = _CHECKSUM_KIND
    return DumpFile(key=key, version=match["version"], kind=kind, size=size)


def newest_complete_version(files: Iterable[DumpFile]) -> DumpVersion | None:
    """The newest version listing exactly the four data files and one CHECKSUM, or None.

    Months are uploaded over several days, so the newest version is often still partial; the
    same name listed twice counts once.
    """
    names_by_version: dict[str, dict[str, DumpFile]] = defaultdict(dict)
    for dump_file in files:
        names_by_version[dump_file.version][dump_file.name] = dump_file
    for version in sorted(names_by_version, reverse=True):
        by_name = names_by_version[version]
        by_kind = {dump_file.kind: dump_file for dump_file in by_name.values()}
        wanted = (*DISCOGS_DUMP_TYPES, _CHECKSUM_KIND)
        if len(by_name) == _COMPLETE_FILE_COUNT and all(kind in by_kind for kind in wanted):
            return DumpVersion(
                version=version,
                checksum_file=by_kind[_CHECKSUM_KIND],
                data_files=tuple(by_kind[kind] for kind in DISCOGS_DUMP_TYPES),
            )
    return None


def parse_checksums(text: str) -> dict[str, str]:
    """Map base name → lowercase sha256 from `sha256sum` output (`<64-hex> [*]<name>` lines).

    Blank lines are skipped; any other line that does not match, or a name given two different
    digests, raises ChecksumFormatError, because a file we only half understand verifies nothing.
    """
    digest_by_name: dict[str, str] = {}
    for line_number, raw_line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw_line.strip()
        if not line:
            continue
        match = _CHECKSUM_LINE.fullmatch(line)
        if match is None:
            raise ChecksumFormatError(line_number, raw_line, "expected '<64 hex digits> [*]<file name>'")
        name = match["name"].rsplit("/", 1)[-1]
        digest = match["digest"].lower()
        if digest_by_name.get(name, digest) != digest:
            raise ChecksumFormatError(line_number, raw_line, f"{name} already has another digest")
        digest_by_name[name] = digest
    return digest_by_name


_LOCAL_DUMP_NAME = re.compile(r"discogs_(?:(?P<version>\d{8})_)?(?P<kind>[a-z]+)\.xml(?:\.gz)?")


def local_dump_files(names: Iterable[str], version: str | None = None) -> tuple[str, dict[str, str]]:
    """The version and the file name per data type found among a directory's file names.

    Standard names are `discogs_YYYYMMDD_<type>.xml.gz` (or `.xml`); unversioned ones
    (`discogs_<type>.xml.gz`) need `version` given. With several versions present the newest
    wins unless `version` picks one. Raises DumpError naming what is missing.
    """
    by_version: dict[str | None, dict[str, str]] = defaultdict(dict)
    for name in sorted(names):
        match = _LOCAL_DUMP_NAME.fullmatch(name)
        if match is None or match["kind"] not in DISCOGS_DUMP_TYPES:
            continue
        by_version[match["version"]][match["kind"]] = name
    versioned = sorted((v for v in by_version if v is not None), reverse=True)
    if version is not None:
        found = by_version.get(version) or by_version.get(None, {})
        chosen = version
    elif versioned:
        chosen = versioned[0]
        found = by_version[chosen]
    elif None in by_version:
        raise DumpError("the dump files carry no version in their names (discogs_<type>.xml.gz): give one")
    else:
        raise DumpError("no Discogs dump files (discogs_YYYYMMDD_<type>.xml.gz) found")
    if not found:
        raise DumpError(f"no Discogs dump files of version {chosen} found")
    return chosen, found
