"""The Discogs downloader against a real HTTP server on 127.0.0.1 serving the real sample dumps.

The server plays the Discogs data site (year pages, `?download=` links, Range requests) and an S3
bucket listing, and injects the faults users meet: throttling, a connection cut mid-file, a server
that ignores Range, a wrong published checksum.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pytest
from lxml import etree
from rich.console import Console
from structlog.testing import capture_logs

from adapters.dumps.discogs_site import DiscogsSite, S3Bucket
from adapters.dumps.download import (
    METADATA_FILE_NAME,
    DownloadedDump,
    DownloadInterruptedError,
    DownloadThrottledError,
    DumpDownloader,
    HttpPoliteness,
    LogDownloadProgress,
    PoliteHttp,
    RichDownloadProgress,
)
from domain.dumps import DISCOGS_DUMP_TYPES, ChecksumMismatchError, NoCompleteDumpError

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "samples"
SAMPLE_DUMP_DIR = SAMPLES / "discogs" / "tgmz_2025"
S3_SAMPLE_LISTING = SAMPLES / "discogs" / "s3_bucket_listing" / "discogs-data_ListBucketResult_2021-06.xml"
S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"

NEWEST_COMPLETE = "20250101"
USER_AGENT = "discogsography-tests/1.0 (+https://example.invalid/discogsography)"


@dataclass(frozen=True)
class ServedRequest:
    """What the server saw of one request, for assertions on politeness and resume."""

    path: str
    query: dict[str, str]
    range_header: str | None
    user_agent: str | None
    status: int


@dataclass
class FakeDiscogsSite:
    """Files by storage key, the faults to inject, and every request seen."""

    files: dict[str, bytes] = field(default_factory=dict)
    s3_keys: list[tuple[str, int]] = field(default_factory=list)
    s3_page_size: int = 1000
    throttles: dict[str, list[str | None]] = field(default_factory=dict)
    """key → Retry-After values (None: header absent) of the 429s to answer before serving it."""
    always_unavailable: set[str] = field(default_factory=set)
    cut_at: dict[str, int] = field(default_factory=dict)
    """key → byte offset at which the next transfer of it is cut (once)."""
    ignore_range: set[str] = field(default_factory=set)
    redirect_to_storage: bool = False
    """Answer `?download=` with a 302 to `/storage/<key>`, as the real site sends to S3."""
    requests: list[ServedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sample_sha256(self, dump_type: str) -> str:
        return hashlib.sha256(self.files[data_key(NEWEST_COMPLETE, dump_type)]).hexdigest()

    def downloads_of(self, key: str) -> list[ServedRequest]:
        return [request for request in self.requests if request.query.get("download") == key]


def data_key(version: str, dump_type: str) -> str:
    return f"data/{version[:4]}/discogs_{version}_{dump_type}.xml.gz"


def checksum_key(version: str) -> str:
    return f"data/{version[:4]}/discogs_{version}_CHECKSUM.txt"


def checksum_text(files: dict[str, bytes], version: str) -> bytes:
    lines = []
    for dump_type in DISCOGS_DUMP_TYPES:
        digest = hashlib.sha256(files[data_key(version, dump_type)]).hexdigest()
        lines.append(f"{digest} *discogs_{version}_{dump_type}.xml.gz\n")
    return "".join(lines).encode()


class DumpSiteHandler(BaseHTTPRequestHandler):
    """Serves the listing pages, the files with Range support, and the S3 listing."""

    server: DumpSiteServer

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""

    def do_GET(self) -> None:
        site = self.server.site
        url = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        if url.path.startswith("/s3"):
            self._serve_s3_page(site, query)
        elif url.path.startswith("/storage/"):
            self._serve_file(site, query, url.path.removeprefix("/storage/"))
        elif "download" in query and site.redirect_to_storage:
            self._answer(query, 302, b"", {"Location": f"/storage/{query['download']}"})
        elif "download" in query:
            self._serve_file(site, query, query["download"])
        elif "prefix" in query:
            keys = sorted(key for key in site.files if key.startswith(query["prefix"]))
            links = "".join(
                f'<li><a href="?download={key.replace("/", "%2F")}">{key}</a></li>' for key in keys
            )
            self._answer(query, 200, f"<html><body><ul>{links}</ul></body></html>".encode())
        else:
            years = sorted({key.split("/")[1] for key in site.files} | {"2019"})
            links = "".join(f'<a href="?prefix=data%2F{year}%2F">{year}/</a><br>' for year in years)
            self._answer(query, 200, f'<html><body><a href="/">home</a>{links}</body></html>'.encode())

    def _serve_file(self, site: FakeDiscogsSite, query: dict[str, str], key: str) -> None:
        with site.lock:
            retry_afters = site.throttles.get(key, [])
            throttled = bool(retry_afters)
            retry_after = retry_afters.pop(0) if retry_afters else None
            cut_at = site.cut_at.pop(key, None)
        if key in site.always_unavailable:
            self._answer(query, 503, b"busy")
            return
        if throttled:
            self._answer(query, 429, b"slow down", {"Retry-After": retry_after} if retry_after else {})
            return
        if key not in site.files:
            self._answer(query, 404, b"no such key")
            return
        body = site.files[key]
        range_header = self.headers.get("Range")
        if range_header and key not in site.ignore_range:
            start = int(range_header.removeprefix("bytes=").removesuffix("-"))
            if start >= len(body):
                self._answer(query, 416, b"", {"Content-Range": f"bytes */{len(body)}"})
                return
            content_range = f"bytes {start}-{len(body) - 1}/{len(body)}"
            self._answer(query, 206, body[start:], {"Content-Range": content_range}, cut_at, start)
            return
        self._answer(query, 200, body, {}, cut_at, 0)

    def _serve_s3_page(self, site: FakeDiscogsSite, query: dict[str, str]) -> None:
        marker = query.get("marker", "")
        keys = [
            (key, size)
            for key, size in site.s3_keys
            if key.startswith(query.get("prefix", "")) and key > marker
        ]
        page, truncated = keys[: site.s3_page_size], len(keys) > site.s3_page_size
        contents = "".join(
            f"<Contents><Key>{escape(key)}</Key><Size>{size}</Size><StorageClass>STANDARD</StorageClass></Contents>"
            for key, size in page
        )
        document = (
            f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="{S3_NAMESPACE}">'
            f"<Name>discogs-data</Name><Prefix>{escape(query.get('prefix', ''))}</Prefix>"
            f"<Marker>{escape(marker)}</Marker><MaxKeys>{site.s3_page_size}</MaxKeys>"
            f"<IsTruncated>{str(truncated).lower()}</IsTruncated>{contents}</ListBucketResult>"
        )
        self._answer(query, 200, document.encode(), {"Content-Type": "application/xml"})

    def _answer(
        self,
        query: dict[str, str],
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        cut_at: int | None = None,
        body_offset: int = 0,
    ) -> None:
        site = self.server.site
        with site.lock:
            site.requests.append(
                ServedRequest(
                    urlsplit(self.path).path,
                    query,
                    self.headers.get("Range"),
                    self.headers.get("User-Agent"),
                    status,
                )
            )
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if cut_at is not None:
            # Promise the whole body, send up to the cut byte, then drop the connection.
            self.wfile.write(body[: max(0, cut_at - body_offset)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


class DumpSiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: FakeDiscogsSite) -> None:
        super().__init__(("127.0.0.1", 0), DumpSiteHandler)
        self.site = site

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


def build_site() -> FakeDiscogsSite:
    """2025-01 complete, 2025-02 still uploading, 2024-12 complete but older; the real sample bytes."""
    sample_bytes = {
        dump_type: (SAMPLE_DUMP_DIR / f"discogs_{dump_type}.xml.gz").read_bytes()
        for dump_type in DISCOGS_DUMP_TYPES
    }
    files: dict[str, bytes] = {}
    for version in (NEWEST_COMPLETE, "20241201"):
        for dump_type, content in sample_bytes.items():
            files[data_key(version, dump_type)] = content
        files[checksum_key(version)] = checksum_text(files, version)
    files[data_key("20250201", "releases")] = sample_bytes["releases"]
    files[checksum_key("20250201")] = b""
    root = etree.parse(str(S3_SAMPLE_LISTING)).getroot()
    s3_keys = [
        (
            contents.findtext(f"{{{S3_NAMESPACE}}}Key") or "",
            int(contents.findtext(f"{{{S3_NAMESPACE}}}Size") or 0),
        )
        for contents in root.iterfind(f"{{{S3_NAMESPACE}}}Contents")
    ]
    return FakeDiscogsSite(files=files, s3_keys=sorted(s3_keys))


@pytest.fixture
def site() -> FakeDiscogsSite:
    return build_site()


@pytest.fixture
def server(site: FakeDiscogsSite) -> Iterator[DumpSiteServer]:
    http_server = DumpSiteServer(site)
    thread = threading.Thread(target=http_server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield http_server
    http_server.shutdown()
    http_server.server_close()
    thread.join()


class RecordedSleeps:
    """Stands in for asyncio.sleep: records each wait and returns at once, advancing a fake clock."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.now = 0.0

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def politeness(**overrides: Any) -> HttpPoliteness:
    """No gap and short waits by default, so that only the test at hand slows anything down."""
    test_politeness = HttpPoliteness(
        user_agent=USER_AGENT,
        min_request_gap=0.0,
        throttle_backoff=0.5,
        throttle_wait_cap=60.0,
        transfer_backoff=0.25,
        timeout=10.0,
    )
    return dataclasses.replace(test_politeness, **overrides)


async def download(
    server: DumpSiteServer,
    root: Path,
    sleeps: RecordedSleeps | None = None,
    **overrides: Any,
) -> DownloadedDump:
    sleeps = sleeps or RecordedSleeps()
    async with PoliteHttp(politeness(**overrides), sleep=sleeps, clock=sleeps.clock) as http:
        downloader = DumpDownloader(http, root, progress=LogDownloadProgress(interval_seconds=0))
        return await downloader.download_newest(DiscogsSite(http, server.base_url))


def releases_key() -> str:
    return data_key(NEWEST_COMPLETE, "releases")


async def test_newest_complete_version_is_found_from_the_year_pages(server: DumpSiteServer) -> None:
    async with PoliteHttp(politeness()) as http:
        version = await DiscogsSite(http, server.base_url).newest_complete_version()

    assert version.version == NEWEST_COMPLETE
    assert [dump_file.kind for dump_file in version.data_files] == list(DISCOGS_DUMP_TYPES)
    assert version.checksum_file.name == f"discogs_{NEWEST_COMPLETE}_CHECKSUM.txt"


async def test_only_the_two_newest_year_pages_are_read(server: DumpSiteServer, site: FakeDiscogsSite) -> None:
    async with PoliteHttp(politeness()) as http:
        await DiscogsSite(http, server.base_url).list_files()

    assert [request.query.get("prefix") for request in site.requests] == [None, "data/2025/", "data/2024/"]


async def test_site_without_a_complete_month_names_the_versions_it_saw(
    server: DumpSiteServer, site: FakeDiscogsSite
) -> None:
    for key in [key for key in site.files if "_CHECKSUM" in key and "20250201" not in key]:
        del site.files[key]

    async with PoliteHttp(politeness()) as http:
        with pytest.raises(NoCompleteDumpError, match="20250201, 20250101, 20241201"):
            await DiscogsSite(http, server.base_url).newest_complete_version()


async def test_newest_complete_version_is_found_across_s3_listing_pages(
    server: DumpSiteServer, site: FakeDiscogsSite
) -> None:
    site.s3_page_size = 250

    async with PoliteHttp(politeness()) as http:
        version = await S3Bucket(http, server.base_url + "s3").newest_complete_version()

    assert version.version == "20210501"  # 20210601 has only masters and releases in the listing
    assert [dump_file.size for dump_file in version.data_files] == [
        362858559,
        61210474,
        397260889,
        9747591757,
    ]
    assert len(site.requests) == 3


async def test_download_saves_every_data_file_verified_with_metadata(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    dump = await download(server, tmp_path)

    assert dump.version == NEWEST_COMPLETE
    for downloaded, dump_type in zip(dump.files, DISCOGS_DUMP_TYPES, strict=True):
        assert downloaded.path == tmp_path / f"discogs_{NEWEST_COMPLETE}_{dump_type}.xml.gz"
        assert downloaded.path.read_bytes() == (SAMPLE_DUMP_DIR / f"discogs_{dump_type}.xml.gz").read_bytes()
        assert downloaded.sha256 == site.sample_sha256(dump_type)
        assert downloaded.verified
        assert downloaded.fetched
    metadata = json.loads((tmp_path / METADATA_FILE_NAME).read_text())
    releases_name = f"discogs_{NEWEST_COMPLETE}_releases.xml.gz"
    assert metadata[releases_name] == {
        "path": str(tmp_path / releases_name),
        "sha256": site.sample_sha256("releases"),
        "version": NEWEST_COMPLETE,
        "size": (SAMPLE_DUMP_DIR / "discogs_releases.xml.gz").stat().st_size,
    }
    assert sorted(os.listdir(tmp_path)) == sorted(
        [METADATA_FILE_NAME, *(downloaded.path.name for downloaded in dump.files)]
    )


async def test_every_request_carries_the_configured_user_agent(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    await download(server, tmp_path)

    assert {request.user_agent for request in site.requests} == {USER_AGENT}


async def test_requests_are_spaced_by_the_minimum_gap(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    sleeps = RecordedSleeps()  # its clock only moves when we wait, so every gap is a whole wait

    await download(server, tmp_path, sleeps, min_request_gap=5.0)

    assert sleeps.waits == [5.0] * (len(site.requests) - 1)


async def test_rerun_keeps_good_local_files_without_requesting_them(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    await download(server, tmp_path)
    site.requests.clear()

    dump = await download(server, tmp_path)

    assert not [request for request in site.requests if request.query.get("download", "").endswith(".xml.gz")]
    assert [downloaded.fetched for downloaded in dump.files] == [False] * 4
    assert all(downloaded.verified for downloaded in dump.files)


async def test_a_locally_changed_file_is_downloaded_again(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    await download(server, tmp_path)
    labels_path = tmp_path / f"discogs_{NEWEST_COMPLETE}_labels.xml.gz"
    damaged = bytearray(labels_path.read_bytes())
    damaged[100] ^= 0xFF
    labels_path.write_bytes(bytes(damaged))
    site.requests.clear()

    dump = await download(server, tmp_path)

    fetched = [downloaded.dump_file.kind for downloaded in dump.files if downloaded.fetched]
    assert fetched == ["labels"]
    assert labels_path.read_bytes() == (SAMPLE_DUMP_DIR / "discogs_labels.xml.gz").read_bytes()


async def test_connection_cut_mid_file_resumes_from_the_cut_byte(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    site.cut_at[releases_key()] = 20_000

    with capture_logs() as log_events:
        dump = await download(server, tmp_path)

    transfers = site.downloads_of(releases_key())
    assert [request.range_header for request in transfers] == [None, "bytes=20000-"]
    assert [request.status for request in transfers] == [200, 206]
    assert dump.files[3].path.read_bytes() == (SAMPLE_DUMP_DIR / "discogs_releases.xml.gz").read_bytes()
    assert dump.files[3].verified
    assert {"event": "dump_download_resumed", "file": dump.files[3].path.name, "from_byte": 20_000} in [
        {key: event.get(key) for key in ("event", "file", "from_byte")} for event in log_events
    ]


async def test_resume_reaches_the_storage_the_site_redirects_to(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    site.redirect_to_storage = True
    site.cut_at[releases_key()] = 20_000

    dump = await download(server, tmp_path)

    storage_transfers = [request for request in site.requests if request.path == f"/storage/{releases_key()}"]
    assert [request.range_header for request in storage_transfers] == [None, "bytes=20000-"]
    assert {request.user_agent for request in storage_transfers} == {USER_AGENT}
    assert dump.files[3].path.read_bytes() == (SAMPLE_DUMP_DIR / "discogs_releases.xml.gz").read_bytes()


async def test_interrupted_download_continues_from_its_part_file_on_the_next_run(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    site.cut_at[releases_key()] = 30_000
    releases_name = f"discogs_{NEWEST_COMPLETE}_releases.xml.gz"

    with pytest.raises(DownloadInterruptedError, match=rf"{releases_name}: .*30000 bytes kept"):
        await download(server, tmp_path, transfer_attempts=1)
    assert (tmp_path / f"{releases_name}.part").stat().st_size == 30_000
    site.requests.clear()

    dump = await download(server, tmp_path, transfer_attempts=1)

    assert [request.range_header for request in site.downloads_of(releases_key())] == ["bytes=30000-"]
    assert dump.files[3].path.read_bytes() == (SAMPLE_DUMP_DIR / "discogs_releases.xml.gz").read_bytes()
    assert dump.files[3].sha256 == site.sample_sha256("releases")
    assert not (tmp_path / f"{releases_name}.part").exists()


async def test_server_ignoring_range_restarts_the_file_from_its_first_byte(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    releases_bytes = site.files[releases_key()]
    (tmp_path / f"discogs_{NEWEST_COMPLETE}_releases.xml.gz.part").write_bytes(releases_bytes[:10_000])
    site.ignore_range.add(releases_key())

    dump = await download(server, tmp_path)

    assert [request.status for request in site.downloads_of(releases_key())] == [200]
    assert site.downloads_of(releases_key())[0].range_header == "bytes=10000-"
    assert dump.files[3].path.read_bytes() == releases_bytes


async def test_part_file_longer_than_the_remote_file_is_started_over(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    masters_bytes = site.files[data_key(NEWEST_COMPLETE, "masters")]
    (tmp_path / f"discogs_{NEWEST_COMPLETE}_masters.xml.gz.part").write_bytes(masters_bytes + b"stale tail")

    dump = await download(server, tmp_path)

    statuses = [request.status for request in site.downloads_of(data_key(NEWEST_COMPLETE, "masters"))]
    assert statuses == [416, 200]
    assert dump.files[2].path.read_bytes() == masters_bytes


async def test_wrong_published_checksum_deletes_the_file_and_names_both_digests(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    published = "0" * 64
    actual = site.sample_sha256("labels")
    site.files[checksum_key(NEWEST_COMPLETE)] = site.files[checksum_key(NEWEST_COMPLETE)].replace(
        actual.encode(), published.encode()
    )
    labels_name = f"discogs_{NEWEST_COMPLETE}_labels.xml.gz"

    with pytest.raises(ChecksumMismatchError) as raised:
        await download(server, tmp_path)

    message = str(raised.value)
    assert labels_name in message
    assert published in message
    assert actual in message
    assert not (tmp_path / labels_name).exists()
    assert not (tmp_path / f"{labels_name}.part").exists()
    assert labels_name not in json.loads((tmp_path / METADATA_FILE_NAME).read_text())


async def test_too_many_429_raise_a_throttled_error(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    site.throttles[releases_key()] = [None, None, None, None]
    sleeps = RecordedSleeps()

    with pytest.raises(
        DownloadThrottledError, match=r"discogs_20250101_releases\.xml\.gz.* HTTP 429 after 3"
    ):
        await download(server, tmp_path, sleeps, max_throttle_retries=2)

    assert sleeps.waits == [0.5, 1.0]


async def test_429_with_retry_after_is_waited_out_then_the_file_downloads(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    site.throttles[releases_key()] = ["1"]
    sleeps = RecordedSleeps()

    dump = await download(server, tmp_path, sleeps)

    assert [request.status for request in site.downloads_of(releases_key())] == [429, 200]
    assert sleeps.waits == [1.0]
    assert dump.files[3].verified


@pytest.mark.parametrize(
    ("retry_after", "expected_wait"),
    [
        ("86400", 2.0),  # longer than the cap: the cap
        ("Wed, 21 Oct 2099 07:28:00 GMT", 2.0),  # an HTTP date, far ahead: the cap
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # an HTTP date already past: no wait
        ("soon", 0.5),  # unreadable: the backoff
    ],
)
async def test_retry_after_is_read_as_seconds_or_date_and_capped(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path, retry_after: str, expected_wait: float
) -> None:
    site.throttles[releases_key()] = [retry_after]
    sleeps = RecordedSleeps()

    await download(server, tmp_path, sleeps, throttle_wait_cap=2.0)

    assert sleeps.waits == [expected_wait]


async def test_503_without_retry_after_backs_off_exponentially_up_to_the_cap(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    site.always_unavailable.add(releases_key())
    sleeps = RecordedSleeps()

    with pytest.raises(DownloadThrottledError, match="HTTP 503"):
        await download(
            server, tmp_path, sleeps, throttle_backoff=1.0, throttle_wait_cap=3.0, max_throttle_retries=4
        )

    assert sleeps.waits == [1.0, 2.0, 3.0, 3.0]


async def test_unreadable_checksum_file_downloads_unverified_with_a_warning(
    server: DumpSiteServer, site: FakeDiscogsSite, tmp_path: Path
) -> None:
    site.files[checksum_key(NEWEST_COMPLETE)] = b"<html>Access Denied</html>"

    with capture_logs() as log_events:
        dump = await download(server, tmp_path)

    assert dump.version == NEWEST_COMPLETE
    assert [downloaded.verified for downloaded in dump.files] == [False] * 4
    assert dump.files[0].sha256 == site.sample_sha256("artists")
    assert "dump_checksum_unavailable" in [event["event"] for event in log_events]


async def test_corrupt_metadata_is_set_aside_and_rebuilt(server: DumpSiteServer, tmp_path: Path) -> None:
    (tmp_path / METADATA_FILE_NAME).write_text("{ not json")

    await download(server, tmp_path)

    assert (tmp_path / f"{METADATA_FILE_NAME}.corrupt").read_text() == "{ not json"
    assert len(json.loads((tmp_path / METADATA_FILE_NAME).read_text())) == 4


async def test_progress_off_a_terminal_is_logged_with_bytes_rate_and_total(
    server: DumpSiteServer, tmp_path: Path
) -> None:
    with capture_logs() as log_events:
        await download(server, tmp_path)

    progress_events = [event for event in log_events if event["event"] == "dump_download_progress"]
    releases_events = [event for event in progress_events if event["file"].endswith("_releases.xml.gz")]
    releases_size = (SAMPLE_DUMP_DIR / "discogs_releases.xml.gz").stat().st_size
    assert releases_events[-1]["bytes_done"] == releases_size
    assert releases_events[-1]["bytes_total"] == releases_size
    assert {"bytes_per_second", "eta_seconds"} <= releases_events[-1].keys()


def test_progress_on_a_terminal_shows_the_file_and_its_bytes() -> None:
    screen = io.StringIO()
    progress = RichDownloadProgress(Console(file=screen, force_terminal=True, width=120))

    progress.start("discogs_20250101_releases.xml.gz", 56_115, 20_000)
    progress.advance(36_115)
    progress.finish()

    assert "discogs_20250101_releases.xml.gz" in screen.getvalue()
    assert "56.1/56.1 kB" in screen.getvalue()
