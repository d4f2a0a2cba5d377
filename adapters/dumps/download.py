"""Polite, resumable, checksum-verified download of a Discogs dump (SPEC-ingest §2).

A releases file is about 10 GB and the site is someone else's: every request waits its turn
(minimum gap), throttling answers (429/503) are honoured, an interrupted transfer resumes from its
`.part` file with an HTTP Range request, and the sha256 is computed while the bytes arrive so that
a finished file is verified against the published CHECKSUM without reading it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol, Self, TextIO

import httpx
import structlog
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from adapters.atomic_file import sync_directory, write_atomically
from domain.dumps import (
    ChecksumFormatError,
    ChecksumMismatchError,
    DumpError,
    DumpFile,
    DumpVersion,
    parse_checksums,
)

log = structlog.get_logger(__name__)

METADATA_FILE_NAME = ".discogs_metadata.json"
PART_SUFFIX = ".part"
_CHUNK_BYTES = 1024 * 1024
_THROTTLE_STATUSES = frozenset({429, 503})
_RANGE_NOT_SATISFIABLE = 416
_CONTENT_RANGE = re.compile(r"bytes (?P<start>\d+)-\d+/(?P<total>\d+|\*)")

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class DownloadError(DumpError):
    """A request for a dump listing or file failed for good (after the allowed retries)."""


class DownloadHttpError(DownloadError):
    """The server answered with an error status."""

    def __init__(self, url: str, status: int) -> None:
        super().__init__(f"GET {url} answered HTTP {status}")
        self.url = url
        self.status = status


class DownloadThrottledError(DownloadError):
    """The server kept answering 429/503 after every allowed wait."""

    def __init__(self, url: str, status: int, attempts: int) -> None:
        super().__init__(f"GET {url} still answered HTTP {status} after {attempts} throttled attempts")
        self.url = url
        self.status = status
        self.attempts = attempts


class DownloadInterruptedError(DownloadError):
    """The transfer kept failing; what arrived stays in the `.part` file for the next run."""

    def __init__(self, target: str, reason: str, bytes_kept: int) -> None:
        super().__init__(f"{target}: transfer failed ({reason}); {bytes_kept} bytes kept, rerun to resume")
        self.target = target
        self.reason = reason
        self.bytes_kept = bytes_kept


class _TransientTransferError(Exception):
    """A transfer attempt failed in a way a retry may cure (short body, misplaced range)."""


@dataclass(frozen=True, slots=True)
class HttpPoliteness:
    """How gently we fetch from a site we do not own; defaults are the reference's (SPEC-ingest §2)."""

    user_agent: str
    min_request_gap: float = 5.0
    """Seconds between the starts of two requests."""
    throttle_wait_cap: float = 7200.0
    """Longest single wait after a 429/503, whatever its Retry-After says."""
    throttle_backoff: float = 30.0
    """Wait after the first 429/503 without Retry-After; doubled on each further one."""
    max_throttle_retries: int = 5
    transfer_attempts: int = 3
    """Attempts per request when the connection fails or the body is cut; each resumes."""
    transfer_backoff: float = 2.0
    """Wait after the first failed attempt; doubled on each further one."""
    transfer_backoff_cap: float = 60.0
    timeout: float = 120.0
    """Connect and read timeout, seconds."""


class PoliteHttp:
    """An HTTP client that keeps a minimum gap between requests and honours throttling."""

    def __init__(
        self,
        politeness: HttpPoliteness,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self._politeness = politeness
        self._sleep = sleep
        self._clock = clock
        self._turn_lock = asyncio.Lock()
        self._last_request_at: float | None = None
        self._client = httpx.AsyncClient(
            # Identity: the bytes we hash must be the file's, not a transfer encoding of them.
            headers={"User-Agent": politeness.user_agent, "Accept-Encoding": "identity"},
            follow_redirects=True,
            timeout=httpx.Timeout(politeness.timeout),
        )

    @property
    def politeness(self) -> HttpPoliteness:
        """The rules this client follows (the downloader reuses its retry budget)."""
        return self._politeness

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    @contextlib.asynccontextmanager
    async def stream(
        self, url: str, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[httpx.Response]:
        """GET `url` in its turn, waiting out 429/503; yields the open response, raises on ≥ 400."""
        throttled_count = 0
        while True:
            await self._wait_turn()
            async with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code not in _THROTTLE_STATUSES:
                    if response.is_error:
                        raise DownloadHttpError(url, response.status_code)
                    yield response
                    return
                throttled_count += 1
                throttle_status = response.status_code
                wait_seconds = self._throttle_wait(response.headers.get("Retry-After"), throttled_count)
            if throttled_count > self._politeness.max_throttle_retries:
                raise DownloadThrottledError(url, throttle_status, throttled_count)
            log.warning(
                "dump_http_throttled",
                url=url,
                status=throttle_status,
                attempt=throttled_count,
                wait_seconds=wait_seconds,
            )
            await self._sleep(wait_seconds)

    async def get_bytes(self, url: str) -> bytes:
        """A small document (a listing, a CHECKSUM file), retried when the connection fails."""
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.stream(url) as response:
                    return await response.aread()
            except (httpx.TransportError, DownloadHttpError) as error:
                if not _is_transient(error):
                    raise
                if attempt >= self._politeness.transfer_attempts:
                    raise DownloadInterruptedError(url, _describe(error), 0) from error
                await self.wait_before_retry(url, attempt, error)

    async def wait_before_retry(self, target: str, attempt: int, error: BaseException) -> None:
        """Capped exponential backoff after a failed attempt."""
        politeness = self._politeness
        wait_seconds = min(politeness.transfer_backoff * 2 ** (attempt - 1), politeness.transfer_backoff_cap)
        log.warning(
            "dump_transfer_retry",
            target=target,
            attempt=attempt,
            reason=_describe(error),
            wait_seconds=wait_seconds,
        )
        await self._sleep(wait_seconds)

    async def _wait_turn(self) -> None:
        async with self._turn_lock:
            if self._last_request_at is not None:
                wait_seconds = self._last_request_at + self._politeness.min_request_gap - self._clock()
                if wait_seconds > 0:
                    await self._sleep(wait_seconds)
            self._last_request_at = self._clock()

    def _throttle_wait(self, retry_after: str | None, throttled_count: int) -> float:
        politeness = self._politeness
        wait_seconds = _parse_retry_after(retry_after)
        if wait_seconds is None:
            wait_seconds = politeness.throttle_backoff * 2 ** (throttled_count - 1)
        return min(wait_seconds, politeness.throttle_wait_cap)


def _parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP date; None if unusable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        retry_at = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if retry_at.tzinfo is None:
        retry_at = retry_at.replace(tzinfo=UTC)
    return max(0.0, (retry_at - datetime.now(UTC)).total_seconds())


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, DownloadHttpError):
        return error.status >= 500
    return isinstance(error, httpx.TransportError | _TransientTransferError)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class DownloadProgress(Protocol):
    """Where transfer progress goes: a bar on a terminal, log lines elsewhere."""

    def start(self, file_name: str, total_bytes: int | None, done_bytes: int) -> None:
        """A transfer of `file_name` begins (or resumes with `done_bytes` already on disk)."""
        ...

    def advance(self, byte_count: int) -> None:
        """`byte_count` more bytes arrived."""
        ...

    def finish(self) -> None:
        """The transfer ended, completed or not."""
        ...


class RichDownloadProgress:
    """A progress bar with bytes, rate and ETA, one per transfer, left on screen when done."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar: Progress | None = None
        self._task_id: TaskID | None = None

    def start(self, file_name: str, total_bytes: int | None, done_bytes: int) -> None:
        """Show a new bar for this transfer."""
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self._console,
        )
        self._bar.start()
        self._task_id = self._bar.add_task(file_name, total=total_bytes, completed=done_bytes)

    def advance(self, byte_count: int) -> None:
        """Move the bar on."""
        if self._bar is not None and self._task_id is not None:
            self._bar.update(self._task_id, advance=byte_count)

    def finish(self) -> None:
        """Stop redrawing; the last state stays visible."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


class LogDownloadProgress:
    """`dump_download_progress` log lines at most every `interval_seconds`, for services and pipes."""

    def __init__(self, interval_seconds: float = 10.0, clock: Clock = time.monotonic) -> None:
        self._interval_seconds = interval_seconds
        self._clock = clock
        self._file_name = ""
        self._total_bytes: int | None = None
        self._done_bytes = 0
        self._started_bytes = 0
        self._started_at = 0.0
        self._logged_at = 0.0

    def start(self, file_name: str, total_bytes: int | None, done_bytes: int) -> None:
        """Remember where this transfer starts, for its rate and ETA."""
        self._file_name = file_name
        self._total_bytes = total_bytes
        self._done_bytes = self._started_bytes = done_bytes
        self._started_at = self._logged_at = self._clock()

    def advance(self, byte_count: int) -> None:
        """Count the bytes; log when the interval has passed."""
        self._done_bytes += byte_count
        now = self._clock()
        if now - self._logged_at < self._interval_seconds:
            return
        self._logged_at = now
        elapsed = now - self._started_at
        rate = (self._done_bytes - self._started_bytes) / elapsed if elapsed > 0 else None
        eta_seconds = None
        if rate and self._total_bytes is not None:
            eta_seconds = round((self._total_bytes - self._done_bytes) / rate, 1)
        log.info(
            "dump_download_progress",
            file=self._file_name,
            bytes_done=self._done_bytes,
            bytes_total=self._total_bytes,
            bytes_per_second=None if rate is None else round(rate),
            eta_seconds=eta_seconds,
        )

    def finish(self) -> None:
        """Nothing to close: the downloader logs the outcome itself."""


def terminal_progress(stream: TextIO) -> DownloadProgress:
    """A bar when `stream` is a terminal a person watches, log lines otherwise."""
    if stream.isatty():
        return RichDownloadProgress(Console(file=stream))
    return LogDownloadProgress()


@dataclass(frozen=True, slots=True)
class MetadataEntry:
    """What we know of one local dump file: where it is, its sha256, its version and size."""

    path: str
    sha256: str
    version: str
    size: int


class DumpMetadata:
    """`.discogs_metadata.json`: file name → MetadataEntry, so that a rerun keeps good files."""

    def __init__(self, path: Path, entries: dict[str, MetadataEntry]) -> None:
        self._path = path
        self._entries = entries

    @classmethod
    def load(cls, path: Path) -> DumpMetadata:
        """Read the file; a missing one is empty, a corrupt one is set aside as `.corrupt`."""
        try:
            raw_document = path.read_bytes()
        except FileNotFoundError:
            return cls(path, {})
        try:
            entries = _entries_from_json(json.loads(raw_document))
        except ValueError as error:  # also invalid UTF-8 and invalid JSON
            corrupt_path = path.with_name(path.name + ".corrupt")
            path.replace(corrupt_path)
            log.warning(
                "dump_metadata_corrupt", path=str(path), moved_to=str(corrupt_path), reason=str(error)
            )
            return cls(path, {})
        return cls(path, entries)

    def get(self, file_name: str) -> MetadataEntry | None:
        """The entry for `file_name`, if recorded."""
        return self._entries.get(file_name)

    def record(self, file_name: str, entry: MetadataEntry) -> None:
        """Record a verified file and save at once, so a crash never loses a finished download."""
        self._entries[file_name] = entry
        self._save()

    def forget(self, file_name: str) -> None:
        """Drop a file that is gone or untrustworthy, and save."""
        if self._entries.pop(file_name, None) is not None:
            self._save()

    def _save(self) -> None:
        document = {name: asdict(entry) for name, entry in sorted(self._entries.items())}
        write_atomically(self._path, json.dumps(document, indent=2).encode("utf-8"))


def _entries_from_json(document: object) -> dict[str, MetadataEntry]:
    """The entries of a parsed metadata document; ValueError when its shape is not ours."""
    if not isinstance(document, dict):
        raise ValueError("top level is not an object")
    entries = {}
    for name, fields in document.items():
        if not isinstance(fields, dict) or set(fields) != {"path", "sha256", "version", "size"}:
            raise ValueError(f"entry {name!r} is not {{path, sha256, version, size}}")
        if not all(isinstance(fields[key], str) for key in ("path", "sha256", "version")):
            raise ValueError(f"entry {name!r}: path, sha256 and version must be strings")
        if not isinstance(fields["size"], int):
            raise ValueError(f"entry {name!r}: size must be an integer")
        entries[name] = MetadataEntry(**fields)
    return entries


class DownloadReason(enum.StrEnum):
    """Why a dump file is fetched (SPEC-ingest §2 `should_download`)."""

    MISSING = "missing"
    UNRECORDED = "no metadata entry"
    PUBLISHED_DIFFERS = "published checksum differs from the recorded one"
    CHANGED_LOCALLY = "local file differs from the recorded one"


def download_reason(
    path: Path, recorded: MetadataEntry | None, published_sha256: str | None
) -> DownloadReason | None:
    """Why `path` must be (re)downloaded, or None when the local copy is good; cheapest checks first."""
    if not path.is_file():
        return DownloadReason.MISSING
    if recorded is None:
        return DownloadReason.UNRECORDED
    if published_sha256 is not None and published_sha256 != recorded.sha256:
        return DownloadReason.PUBLISHED_DIFFERS
    if path.stat().st_size != recorded.size:
        return DownloadReason.CHANGED_LOCALLY
    if _sha256_of_file(path)[0].hexdigest() != recorded.sha256:
        return DownloadReason.CHANGED_LOCALLY
    return None


def _sha256_of_file(path: Path) -> tuple[hashlib._Hash, int]:
    """The running hash of everything in `path` (none if absent) and its size, to continue from."""
    hasher = hashlib.sha256()
    size = 0
    with contextlib.suppress(FileNotFoundError), path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            hasher.update(chunk)
            size += len(chunk)
    return hasher, size


def _append(handle: IO[bytes], hasher: hashlib._Hash, chunk: bytes) -> None:
    handle.write(chunk)
    hasher.update(chunk)


def _sync_and_close(handle: IO[bytes]) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def _content_range(header: str | None) -> tuple[int, int | None] | None:
    """(first byte, total or None) from `Content-Range: bytes a-b/total`; None if unreadable."""
    match = _CONTENT_RANGE.fullmatch((header or "").strip())
    if match is None:
        return None
    total = match["total"]
    return int(match["start"]), None if total == "*" else int(total)


class DumpSource(Protocol):
    """Where dumps are listed and fetched from: the Discogs data site or an S3 bucket."""

    @property
    def address(self) -> str:
        """The listing URL, for messages a person reads."""
        ...

    async def newest_complete_version(self) -> DumpVersion:
        """The newest version with its four data files and its CHECKSUM file."""
        ...

    def download_url(self, dump_file: DumpFile) -> str:
        """The URL that serves `dump_file`'s bytes."""
        ...


@dataclass(frozen=True, slots=True)
class DownloadedFile:
    """A dump file on local disk, ready for the reader."""

    dump_file: DumpFile
    path: Path
    sha256: str
    size: int
    verified: bool
    """Whether its sha256 matched the published CHECKSUM."""
    fetched: bool
    """Whether its bytes came over the network in this run (False: the local copy was kept)."""


@dataclass(frozen=True, slots=True)
class DownloadedDump:
    """A whole version on local disk, data files in the order of DISCOGS_DUMP_TYPES."""

    version: str
    files: tuple[DownloadedFile, ...]


class DumpDownloader:
    """Brings a dump version into `root`: skips good local files, resumes partial ones, verifies all."""

    def __init__(self, http: PoliteHttp, root: Path, *, progress: DownloadProgress | None = None) -> None:
        self._http = http
        self._root = root
        self._progress = progress if progress is not None else terminal_progress(sys.stderr)

    async def download_newest(self, source: DumpSource) -> DownloadedDump:
        """Find the newest complete version at `source` and download it."""
        version = await source.newest_complete_version()
        return await self.download_version(source, version)

    async def download_version(self, source: DumpSource, version: DumpVersion) -> DownloadedDump:
        """Download the four data files of `version`, one at a time, verified when a CHECKSUM is published."""
        await asyncio.to_thread(self._root.mkdir, parents=True, exist_ok=True)
        published = await self._published_checksums(source, version)
        metadata = await asyncio.to_thread(DumpMetadata.load, self._root / METADATA_FILE_NAME)
        downloaded_files = []
        for dump_file in version.data_files:
            downloaded_files.append(
                await self._ensure_file(source, version, dump_file, published.get(dump_file.name), metadata)
            )
        return DownloadedDump(version=version.version, files=tuple(downloaded_files))

    async def _published_checksums(self, source: DumpSource, version: DumpVersion) -> dict[str, str]:
        """Best effort (SPEC-ingest §2): without a readable CHECKSUM we warn and go on unverified."""
        url = source.download_url(version.checksum_file)
        try:
            checksum_text = (await self._http.get_bytes(url)).decode("utf-8")
            return parse_checksums(checksum_text)
        except (DownloadError, ChecksumFormatError, UnicodeDecodeError) as error:
            log.warning("dump_checksum_unavailable", version=version.version, url=url, reason=str(error))
            return {}

    async def _ensure_file(
        self,
        source: DumpSource,
        version: DumpVersion,
        dump_file: DumpFile,
        published_sha256: str | None,
        metadata: DumpMetadata,
    ) -> DownloadedFile:
        path = self._root / dump_file.name
        recorded = metadata.get(dump_file.name)
        reason = await asyncio.to_thread(download_reason, path, recorded, published_sha256)
        if reason is None and recorded is not None:
            log.info("dump_download_skipped", file=dump_file.name, sha256=recorded.sha256)
            return DownloadedFile(
                dump_file,
                path,
                recorded.sha256,
                recorded.size,
                verified=published_sha256 is not None,
                fetched=False,
            )
        log.info("dump_download_started", file=dump_file.name, version=version.version, reason=str(reason))
        part_path = path.with_name(path.name + PART_SUFFIX)
        sha256, size = await self._fetch(source.download_url(dump_file), part_path, dump_file.name)
        if published_sha256 is not None and sha256 != published_sha256:
            await asyncio.to_thread(self._discard, metadata, dump_file.name, part_path, path)
            raise ChecksumMismatchError(dump_file.name, published_sha256, sha256)
        if published_sha256 is None:
            log.warning("dump_download_unverified", file=dump_file.name, sha256=sha256)
        entry = MetadataEntry(path=str(path), sha256=sha256, version=version.version, size=size)
        await asyncio.to_thread(self._keep, metadata, part_path, path, entry)
        log.info("dump_download_completed", file=dump_file.name, sha256=sha256, size=size)
        return DownloadedFile(
            dump_file, path, sha256, size, verified=published_sha256 is not None, fetched=True
        )

    @staticmethod
    def _discard(metadata: DumpMetadata, file_name: str, *paths: Path) -> None:
        """A file that failed verification must not look usable to the next run or the reader."""
        for path in paths:
            path.unlink(missing_ok=True)
        metadata.forget(file_name)

    @staticmethod
    def _keep(metadata: DumpMetadata, part_path: Path, path: Path, entry: MetadataEntry) -> None:
        part_path.replace(path)
        sync_directory(path.parent)
        metadata.record(path.name, entry)

    async def _fetch(self, url: str, part_path: Path, file_name: str) -> tuple[str, int]:
        """Transfer into `part_path`, resuming what is there; retries within the politeness budget."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._transfer(url, part_path, file_name)
            except DownloadHttpError as error:
                if error.status == _RANGE_NOT_SATISFIABLE:
                    # Our part is not a prefix of what the server has now: start over.
                    await asyncio.to_thread(part_path.unlink, missing_ok=True)
                elif not _is_transient(error):
                    raise
                failure: BaseException = error
            except (httpx.TransportError, _TransientTransferError) as error:
                failure = error
            if attempt >= self._http.politeness.transfer_attempts:
                bytes_kept = await asyncio.to_thread(_size_or_zero, part_path)
                raise DownloadInterruptedError(file_name, _describe(failure), bytes_kept) from failure
            await self._http.wait_before_retry(file_name, attempt, failure)

    async def _transfer(self, url: str, part_path: Path, file_name: str) -> tuple[str, int]:
        """One attempt: ask for the bytes after those in `part_path`; return (sha256, size) when whole."""
        hasher, offset = await asyncio.to_thread(_sha256_of_file, part_path)
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        async with self._http.stream(url, headers) as response:
            total_bytes = _total_size(response)
            if offset and response.status_code == httpx.codes.PARTIAL_CONTENT:
                content_range = _content_range(response.headers.get("Content-Range"))
                if content_range is None or content_range[0] != offset:
                    await asyncio.to_thread(part_path.unlink, missing_ok=True)
                    raise _TransientTransferError(
                        f"asked for bytes from {offset}, got Content-Range "
                        f"{response.headers.get('Content-Range')!r}; starting over"
                    )
                log.info("dump_download_resumed", file=file_name, from_byte=offset)
            elif offset:
                log.info("dump_download_range_ignored", file=file_name, discarded_bytes=offset)
                hasher, offset = hashlib.sha256(), 0
            handle = await asyncio.to_thread(part_path.open, "ab" if offset else "wb")
            self._progress.start(file_name, total_bytes, offset)
            try:
                async for chunk in response.aiter_raw():
                    await asyncio.to_thread(_append, handle, hasher, chunk)
                    offset += len(chunk)
                    self._progress.advance(len(chunk))
            finally:
                self._progress.finish()
                await asyncio.to_thread(_sync_and_close, handle)
        if total_bytes is not None and offset != total_bytes:
            raise _TransientTransferError(f"body ended at byte {offset} of {total_bytes}")
        return hasher.hexdigest(), offset


def _total_size(response: httpx.Response) -> int | None:
    """The whole file's size, from Content-Range on a 206 or Content-Length on a 200."""
    if response.status_code == httpx.codes.PARTIAL_CONTENT:
        content_range = _content_range(response.headers.get("Content-Range"))
        return None if content_range is None else content_range[1]
    content_length = response.headers.get("Content-Length")
    return int(content_length) if content_length and content_length.isdigit() else None


def _size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
